package testkit_test

import (
	"fmt"
	"io"
	"time"

	"github.com/chatemu/chatemu/testkit"
)

// exampleT is a testkit.TB for Examples, which have no *testing.T: it runs
// the cleanups when the example calls done, and panics on Fatalf. In a test,
// pass the test's t instead.
type exampleT struct{ cleanups []func() }

func (*exampleT) Helper()                           {}
func (e *exampleT) Cleanup(f func())                { e.cleanups = append(e.cleanups, f) }
func (*exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func (e *exampleT) done() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
}

// A test needs one import, testkit: start an emulator with the clock
// frozen, inject a message, and hand the app's URL, credentials and the
// message's archive hour to the client under test.
func Example() {
	t := &exampleT{} // in a test: the test's t
	defer t.done()

	emu := testkit.Start(t, testkit.Frozen(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)))
	app := emu.Easemob() // the default scenario's app: Org, App, ClientID, ClientSecret, BaseURL
	sent := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
	ids := emu.Inject(t, app.Tenant(), testkit.LiteralMessage{From: "alice", To: "bob", Msg: "hi", At: sent})
	// … the client under test reads hour app.Hour(sent) at app.BaseURL …
	fmt.Println(app.Org, app.App, app.ClientID, app.Hour(sent), len(ids))

	res, err := emu.HTTPClient().Get(emu.URL + "/_chatemu/health")
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Print(res.StatusCode, " ", string(body))
	// Output:
	// chatemu demo YXA6ChatemuDemoClientId001 2026112016 1
	// 200 {"status":"ok"}
}

func ExampleEmulator_Inject() {
	t := &exampleT{}
	defer t.done()

	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	emu := testkit.Start(t, testkit.Scenario("empty"), testkit.Frozen(start))
	emu.Clock().Advance(30 * time.Minute)

	app := emu.Easemob()
	ids := emu.Inject(t, app.Tenant(), testkit.LiteralMessage{ID: "m1", From: "alice", To: "bob", Msg: "hello"})
	m, _ := emu.World().Message(app.Tenant(), ids[0])
	fmt.Println(ids, m.From, "→", m.To, m.Text, m.At.Format(time.RFC3339))
	// Output:
	// [m1] alice → bob hello 2026-11-20T10:30:00Z
}

// Frozen starts the clock frozen: it moves only when the test moves it.
func ExampleFrozen() {
	t := &exampleT{}
	defer t.done()

	emu := testkit.Start(t, testkit.Frozen(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)))
	fmt.Println(emu.Clock().Now(), emu.Clock().Frozen())
	emu.Clock().Advance(90 * time.Minute)
	fmt.Println(emu.Clock().Now())
	// Output:
	// 2026-11-20 10:00:00 +0000 UTC true
	// 2026-11-20 11:30:00 +0000 UTC
}

// Hour names an archive hour in the app's zone: Beijing time on cluster
// cn, UTC overseas.
func ExampleEasemobApp_Hour() {
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	fmt.Println(testkit.EasemobApp{Cluster: testkit.ClusterCN}.Hour(at))
	fmt.Println(testkit.EasemobApp{Cluster: testkit.ClusterOverseas}.Hour(at))
	// Output:
	// 2026112017
	// 2026112009
}

// A runtime tenant in Go: a Yunxin app with numbered rooms, and a message
// injected into room 7001.
func ExampleEmulator_NewYunxinApp() {
	t := &exampleT{}
	defer t.done()

	emu := testkit.Start(t, testkit.Frozen(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)))
	app := emu.NewYunxinApp(t, testkit.YunxinAppSpec{
		Accounts:  []string{"amy", "ben"},
		Chatrooms: []testkit.YunxinRoom{{ID: 7001, Name: "live"}},
		Traffic:   []testkit.Traffic{{From: "amy", Room: 7001, PerHour: 30, Since: 2 * time.Hour}},
	})
	ids := emu.Inject(t, app.Tenant(), testkit.LiteralMessage{ID: "y1", Sender: "ben", Room: 7001, Msg: "hi"})
	m, _ := emu.World().Message(app.Tenant(), ids[0])
	fmt.Println(len(app.AppKey), m.From, "in room", m.To, m.Text)
	// Output:
	// 32 ben in room 7001 hi
}

// A package-wide emulator, as TestMain starts it with New and closes it
// after m.Run, and a second handle on it through Connect, as a suite
// against a running chatemu (the Docker image, a CI service) makes one.
func ExampleNew() {
	emu, err := testkit.New(testkit.Frozen(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)))
	if err != nil {
		panic(err)
	}
	defer emu.Close()

	t := &exampleT{} // in a test: the test's t
	defer t.done()
	remote := testkit.Connect(t, emu.URL)
	remote.Clock().Advance(time.Hour)
	fmt.Println(emu.Clock().Now().Format(time.RFC3339), remote.Easemob().ClientID == emu.Easemob().ClientID)
	// Output:
	// 2026-11-20T11:00:00Z true
}
