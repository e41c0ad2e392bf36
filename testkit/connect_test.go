package testkit_test

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/internal/controltest"
	"github.com/chatemu/chatemu/internal/servetest"
	"github.com/chatemu/chatemu/testkit"
)

// binDir holds the chatemu binary built for this test binary (TestMain
// makes it and removes it).
var binDir string

// chatemuBinary builds cmd/chatemu once per test binary.
var chatemuBinary = sync.OnceValues(func() (string, error) { return servetest.Build(binDir) })

// serve runs `chatemu serve` on 127.0.0.1:0 with args and returns its URL
// once it listens; t.Cleanup stops it.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the chatemu binary")
	}
	bin, err := chatemuBinary()
	if err != nil {
		t.Fatal(err)
	}
	_, url := servetest.Start(t, bin, args...)
	return url
}

// checked makes an Emulator's traffic go through the OpenAPI checker, so
// that every control request the testkit sends, and its answer, is checked
// against the control API's document.
func checked(t *testing.T) testkit.Option {
	c, err := controltest.New(control.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	return testkit.WithTransport(func(rt http.RoundTripper) http.RoundTripper { return c.Transport(t, rt) })
}

// TestBothWays runs one suite against an in-process emulator (Start) and
// against a `chatemu serve` process started by the test (Connect), both
// from the default scenario with a control token; every control request
// the testkit sends is checked against the OpenAPI document. The two see
// the same tenants and credentials.
func TestBothWays(t *testing.T) {
	const token = "both-ways-token"
	modes := []struct {
		name  string
		start func(t *testing.T) *testkit.Emulator
	}{
		{"in process", func(t *testing.T) *testkit.Emulator {
			return testkit.Start(t, testkit.Now(t0), testkit.ControlToken(token), checked(t))
		}},
		{"chatemu serve", func(t *testing.T) *testkit.Emulator {
			url := serve(t, "--now", t0.Format(time.RFC3339), "--control-token", token)
			return testkit.Connect(t, url, testkit.ControlToken(token), checked(t))
		}},
	}
	var mu sync.Mutex
	creds := map[string][]any{}
	t.Run("modes", func(t *testing.T) {
		for _, mode := range modes {
			t.Run(mode.name, func(t *testing.T) {
				t.Parallel()
				emu := mode.start(t)
				suite(t, emu, token)
				got := []any{emu.Easemob(), emu.Yunxin(), emu.Op()}
				mu.Lock()
				creds[mode.name] = got
				mu.Unlock()
			})
		}
	})
	in, out := creds["in process"], creds["chatemu serve"]
	if in == nil || out == nil {
		return // a mode failed or was skipped; it said why
	}
	// Same scenario and seed: the same credentials, but for the base URL.
	for i := range in {
		a, b := fmt.Sprintf("%+v", in[i]), fmt.Sprintf("%+v", out[i])
		a = regexp.MustCompile(`http://127\.0\.0\.1:\d+`).ReplaceAllString(a, "URL")
		b = regexp.MustCompile(`http://127\.0\.0\.1:\d+`).ReplaceAllString(b, "URL")
		if a != b {
			t.Errorf("in process %s\nchatemu serve %s", a, b)
		}
	}
}

// suite drives every capability of the testkit through emu: credentials,
// the clock, faults, the journal and its assertions, injection, runtime
// tenants, failures reported to the test, and reset.
func suite(t *testing.T, emu *testkit.Emulator, token string) {
	// Credentials and the environment of a client run as a subprocess.
	app, yx, op := emu.Easemob(), emu.Yunxin(), emu.Op()
	if app.BaseURL != emu.URL || yx.BaseURL != emu.URL || op.BaseURL != emu.URL {
		t.Errorf("base URLs %s %s %s, want %s", app.BaseURL, yx.BaseURL, op.BaseURL, emu.URL)
	}
	if again := emu.EasemobApp(app.Org, app.App); !reflect.DeepEqual(again, app) {
		t.Errorf("EasemobApp(%s, %s) = %+v, want %+v", app.Org, app.App, again, app)
	}
	if again := emu.OpClient(op.Client); !reflect.DeepEqual(again, op) {
		t.Errorf("OpClient(%s) = %+v, want %+v", op.Client, again, op)
	}
	env := emu.Env()
	if env[testkit.EnvURL] != emu.URL || env[testkit.EnvControlToken] != token || env[testkit.EnvEasemobClientID] != app.ClientID ||
		env[testkit.EnvYunxinAppKey] != yx.AppKey || env[testkit.EnvOpToken] != op.Token {
		t.Errorf("Env %v", env)
	}
	if emu.ControlToken() != token {
		t.Errorf("ControlToken %q", emu.ControlToken())
	}

	// The clock.
	clk := emu.Clock()
	clk.Freeze(true)
	clk.Set(t0)
	if now := clk.Now(); !now.Equal(t0) || !clk.Frozen() {
		t.Fatalf("clock at %v frozen %v, want frozen at %v", now, clk.Frozen(), t0)
	}
	clk.Advance(90 * time.Minute)
	if now := clk.Now(); !now.Equal(t0.Add(90 * time.Minute)) {
		t.Errorf("after Advance(90m): %v", now)
	}
	clk.Set(t0)

	// A rate limit answered by a fault, backed off on the emulator's clock.
	id := emu.Fail(t, testkit.Fault{Vendor: "easemob", Path: "/chatmessages/", Kind: testkit.RateLimit, Times: 1})
	if fs := emu.Faults(); len(fs) != 1 || fs[0].ID != id || fs[0].Remaining != 1 || fs[0].Kind != testkit.RateLimit || fs[0].Hits != 0 {
		t.Errorf("Faults() = %+v", fs)
	}
	sync := &easemobSync{base: app.BaseURL, org: app.Org, app: app.App, clientID: app.ClientID, clientSecret: app.ClientSecret,
		http: emu.HTTPClient(), retrier: retrier{sleep: clk.Advance, first: 10 * time.Second}}
	msgs, err := sync.Sync("2026112016") // 08:00 UTC in Beijing time, archived by 10:00
	if err != nil || len(msgs) == 0 {
		t.Fatalf("sync: %d messages, %v", len(msgs), err)
	}
	if now := clk.Now(); !now.Equal(t0.Add(10 * time.Second)) {
		t.Errorf("the back-off moved the clock to %v, want %v", now, t0.Add(10*time.Second))
	}
	emu.AssertCalled(t, testkit.EasemobChatMessages, 2)
	emu.AssertOrder(t, testkit.EasemobToken, testkit.EasemobChatMessages, testkit.EasemobChatMessages, testkit.EasemobArchiveDownload)
	emu.AssertCalledWith(t, testkit.EasemobChatMessages, func(r testkit.Request) bool {
		return r.Status == 429 && r.Fault == id && r.Tenant == string(app.Tenant()) && r.Time.Equal(t0)
	})
	limited := emu.Requests(testkit.Status("429"))
	if len(limited) != 1 || limited[0].Operation != testkit.EasemobChatMessages || limited[0].Duration < 0 || limited[0].Seq == 0 {
		t.Errorf("Requests(Status(429)) = %+v", limited)
	}
	if later := emu.Requests(testkit.Since(limited[0].Seq), testkit.Vendor("easemob")); len(later) != 2 {
		t.Errorf("%d requests after #%d, want the 200 and the download", len(later), limited[0].Seq)
	}
	if emu.RemoveFault(id) {
		t.Error("RemoveFault of a used-up fault reported one")
	}
	emu.Fail(t, testkit.Fault{Vendor: "op", Kind: testkit.Drop})
	emu.ClearFaults()
	if fs := emu.Faults(); len(fs) != 0 {
		t.Errorf("after ClearFaults: %+v", fs)
	}

	// An injected message, archived once its hour has passed.
	sent := t0.Add(-30 * time.Minute)
	ids := emu.Inject(t, app.Tenant(), testkit.LiteralMessage{ID: "both-1", From: "alice", To: "bob", Msg: "both ways", At: sent})
	if len(ids) != 1 || ids[0] != "both-1" {
		t.Errorf("Inject: %v", ids)
	}
	clk.Advance(time.Hour)
	msgs, err = sync.Sync(app.Hour(sent))
	if err != nil || !strings.Contains(fmt.Sprint(msgs), "both ways") {
		t.Errorf("the injected message is not in its hour's archive: %v %v", err, msgs)
	}
	emu.ClearRequests()
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("after ClearRequests: %d requests", len(reqs))
	}

	// A runtime tenant of the suite's own.
	room := emu.NewYunxinApp(t, testkit.YunxinAppSpec{
		Accounts:  []string{"amy"},
		Chatrooms: []testkit.YunxinRoom{{ID: 7}},
		Traffic:   []testkit.Traffic{{From: "amy", Room: 7, PerHour: 10, Since: 2 * time.Hour}},
	})
	rs := &yunxinSync{base: room.BaseURL, appKey: room.AppKey, appSecret: room.AppSecret, http: emu.HTTPClient(),
		retrier: retrier{sleep: noSleep(t)}, now: clk.WallNow}
	items, err := rs.Room("7", "amy")
	if err != nil || len(items) != 20 {
		t.Errorf("runtime room: %d items, %v; want 20", len(items), err)
	}
	emu.AssertCalled(t, testkit.YunxinChatroomHistory, 1, testkit.Tenant(room.Tenant()))
	shop := emu.NewOpClient(t, testkit.OpClientSpec{App: testkit.EasemobAppSpec{Users: []string{"zed"}}})
	if shop.EasemobApp == "" || shop.Token == "" {
		t.Errorf("NewOpClient: %+v", shop)
	}
	emu.RemoveTenant(t, room.Tenant())

	// Refusals fail the test with the control API's reason.
	for _, tt := range []struct {
		do   func(t testkit.TB)
		want string
	}{
		{func(t testkit.TB) {
			emu.Inject(t, app.Tenant(), testkit.LiteralMessage{From: "mallory", To: "bob", Msg: "x"})
		}, `testkit: inject: messages[0].from: unknown user "mallory"`},
		{func(t testkit.TB) { emu.Fail(t, testkit.Fault{Kind: "meltdown"}) }, `testkit: fault: kind: want rate_limit`},
		{func(t testkit.TB) { emu.RemoveTenant(t, room.Tenant()) }, `testkit: remove tenant: tenant: unknown tenant "yunxin:`},
		{func(t testkit.TB) {
			emu.NewEasemobApp(t, testkit.EasemobAppSpec{Users: []string{"ann"}, Groups: []testkit.Group{{ID: "g"}}})
		},
			`testkit: new easemob tenant: groups[0].owner: required`},
	} {
		ft := &fakeT{T: t}
		tt.do(ft)
		if !strings.HasPrefix(ft.failed, tt.want) {
			t.Errorf("failure %q, want %q…", ft.failed, tt.want)
		}
	}

	// Reset: the scenario's first state, the clock running from t0.
	emu.Reset()
	if clk.Frozen() || clk.Now().Before(t0) {
		t.Errorf("after Reset: clock %v frozen %v", clk.Now(), clk.Frozen())
	}
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("after Reset: %d requests", n)
	}
	// A second Emulator on the same server, failing a fake TB: the
	// runtime client is gone, World is in process only, and Connect
	// refuses a wrong token and options that shape a server.
	ft := &fakeT{T: t}
	other := testkit.Connect(ft, emu.URL, testkit.ControlToken(token))
	if ft.failed != "" {
		t.Fatalf("Connect to %s: %s", emu.URL, ft.failed)
	}
	other.OpClient(shop.Client)
	if want := `testkit: the emulator at ` + emu.URL + ` has no Op client "` + shop.Client + `"`; ft.failed != want {
		t.Errorf("a runtime client after Reset: %q, want %q", ft.failed, want)
	}
	ft.failed = ""
	other.World()
	if !strings.Contains(ft.failed, "World is in process only") {
		t.Errorf("World() of a connected emulator: %q", ft.failed)
	}
	ft.failed = ""
	testkit.Connect(ft, emu.URL, testkit.ControlToken("wrong"))
	if want := "control token required (testkit.ControlToken)"; !strings.Contains(ft.failed, want) {
		t.Errorf("Connect with a wrong token: %q, want %q", ft.failed, want)
	}
	ft.failed = ""
	testkit.Connect(ft, emu.URL, testkit.ControlToken(token), testkit.Seed(1), testkit.Scenario("busy"))
	if want := "testkit: Connect takes ControlToken only; Seed, Scenario shape the server"; !strings.HasPrefix(ft.failed, want) {
		t.Errorf("Connect with Seed: %q, want %q…", ft.failed, want)
	}
}
