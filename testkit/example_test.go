package testkit_test

import (
	"fmt"
	"io"
	"time"

	"github.com/chatemu/chatemu/scenarios"
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

func Example() {
	t := &exampleT{} // in a test: the test's t
	defer t.done()

	emu := testkit.Start(t) // the "default" scenario
	res, err := emu.HTTPClient().Get(emu.URL + "/_chatemu/health")
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Print(res.StatusCode, " ", string(body))

	app := emu.Easemob()
	fmt.Println(app.Org, app.App, app.ClientID)
	// Output:
	// 200 {"status":"ok"}
	// chatemu demo YXA6ChatemuDemoClientId001
}

func ExampleEmulator_Inject() {
	t := &exampleT{}
	defer t.done()

	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	emu := testkit.Start(t, testkit.Scenario("empty"), testkit.Now(start))
	emu.Clock().Freeze(true) // the empty scenario's clock runs
	emu.Clock().Set(start.Add(30 * time.Minute))

	app := emu.Easemob()
	ids := emu.Inject(t, app.Tenant(), scenarios.LiteralMessage{ID: "m1", From: "alice", To: "bob", Msg: "hello"})
	m, _ := emu.World().Message(app.Tenant(), ids[0])
	fmt.Println(ids, m.From, "→", m.To, m.Text, m.At.Format(time.RFC3339))
	// Output:
	// [m1] alice → bob hello 2026-11-20T10:30:00Z
}
