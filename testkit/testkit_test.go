package testkit_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
	"github.com/chatemu/chatemu/testkit"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chatemu-testkit-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { os.RemoveAll(dir) }))
}

func get(t *testing.T, emu *testkit.Emulator, path, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, emu.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := emu.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

// TestParallel starts 100 emulators at once; each answers at once, lists the
// same tenants but for its URL, and stops with its test (goleak in TestMain
// checks that no goroutine outlives it).
func TestParallel(t *testing.T) {
	ref := testkit.Start(t)
	_, want := get(t, ref, "/_chatemu/tenants", "")
	want = strings.ReplaceAll(want, ref.URL, "URL")
	for i := range 100 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			emu := testkit.Start(t)
			if status, body := get(t, emu, "/_chatemu/health", ""); status != 200 || body != "{\"status\":\"ok\"}\n" {
				t.Fatalf("health: %d %s", status, body)
			}
			status, body := get(t, emu, "/_chatemu/tenants", "")
			if status != 200 {
				t.Fatalf("tenants: %d %s", status, body)
			}
			if got := strings.ReplaceAll(body, emu.URL, "URL"); got != want {
				t.Errorf("tenants differ from another emulator's:\n%s\n%s", got, want)
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	emu := testkit.Start(t)
	if !strings.HasPrefix(emu.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q", emu.URL)
	}
	// The accessors list the default scenario's tenants, credentials
	// included.
	spec, err := scenarios.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	em := emu.Easemob()
	if em.Org != "chatemu" || em.App != "demo" || em.ClientID != spec.Easemob[0].ClientID || em.ClientSecret != spec.Easemob[0].ClientSecret ||
		em.BaseURL != emu.URL || em.OSS.Bucket != "chatemu-history" || em.Cluster != world.ClusterCN {
		t.Errorf("Easemob() = %+v", em)
	}
	if q := emu.EasemobApp("chatemu", "quiet"); q.App != "quiet" || q.Cluster != world.ClusterOverseas {
		t.Errorf("EasemobApp(quiet) = %+v", q)
	}
	yx := emu.Yunxin()
	if yx.AppKey != "chatemu-yunxin-demo" || yx.AppSecret != spec.Yunxin[0].AppSecret || yx.BaseURL != emu.URL || yx.Tenant() != "yunxin:chatemu-yunxin-demo" {
		t.Errorf("Yunxin() = %+v", yx)
	}
	if got := emu.YunxinApp("chatemu-yunxin-demo"); got.AppKey != yx.AppKey {
		t.Errorf("YunxinApp = %+v", got)
	}
	op := emu.Op()
	if op.Client != "chatemu-op" || op.Token != spec.Op[0].Token || op.EasemobApp != "chatemu/demo" || op.BaseURL != emu.URL || op.Qiniu.AccessKey == "" {
		t.Errorf("Op() = %+v", op)
	}
	if got := emu.OpClient("chatemu-op"); got != op {
		t.Errorf("OpClient = %+v", got)
	}
	env := emu.Env()
	want := map[string]string{
		"CHATEMU_URL": emu.URL, "CHATEMU_EASEMOB_ORG": "chatemu", "CHATEMU_EASEMOB_APP": "demo",
		"CHATEMU_EASEMOB_CLIENT_ID": em.ClientID, "CHATEMU_EASEMOB_CLIENT_SECRET": em.ClientSecret,
		"CHATEMU_YUNXIN_APPKEY": yx.AppKey, "CHATEMU_YUNXIN_APP_SECRET": yx.AppSecret,
		"CHATEMU_OP_CLIENT": op.Client, "CHATEMU_OP_TOKEN": op.Token, "CHATEMU_OP_SECRET": op.Secret,
	}
	if len(env) != len(want) {
		t.Errorf("Env() has %d variables, want %d: %v", len(env), len(want), env)
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("Env()[%s] = %q, want %q", k, env[k], v)
		}
	}
}

// fakeT records a Fatalf instead of stopping the test, to test failures.
type fakeT struct {
	*testing.T
	failed string
}

func (f *fakeT) Fatalf(format string, args ...any) { f.failed = fmt.Sprintf(format, args...) }

func TestMissingTenantFails(t *testing.T) {
	ft := &fakeT{T: t}
	emu := testkit.Start(ft, testkit.Spec(world.Spec{Name: "bare", Seed: 1}))
	if ft.failed != "" {
		t.Fatal(ft.failed)
	}
	emu.Easemob()
	if !strings.Contains(ft.failed, `scenario "bare" has no Easemob app`) {
		t.Errorf("Easemob() on a bare world: %q", ft.failed)
	}
	ft.failed = ""
	emu.Yunxin()
	if !strings.Contains(ft.failed, "no Yunxin app") {
		t.Errorf("Yunxin(): %q", ft.failed)
	}
	ft.failed = ""
	emu.OpClient("nope")
	if !strings.Contains(ft.failed, `no Op client "nope"`) {
		t.Errorf("OpClient(nope): %q", ft.failed)
	}
	if env := emu.Env(); len(env) != 1 {
		t.Errorf("Env() of a bare world: %v", env)
	}

	ft.failed = ""
	testkit.Start(ft, testkit.Scenario("no-such-scenario"))
	if !strings.Contains(ft.failed, "no-such-scenario") {
		t.Errorf("Start with an unknown scenario: %q", ft.failed)
	}
}

func TestClockInjectReset(t *testing.T) {
	start := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	emu := testkit.Start(t, testkit.Scenario("empty"), testkit.Now(start))
	// The empty scenario's clock runs; freeze it for exact times.
	if now := emu.Clock().Now(); now.Before(start) || emu.Clock().Frozen() {
		t.Fatalf("clock at %v, want running from %v", now, start)
	}
	emu.Clock().Freeze(true)
	emu.Clock().Set(start)
	emu.Clock().Advance(90 * time.Minute)
	ten := emu.Easemob().Tenant()
	ids := emu.Inject(t, ten,
		scenarios.LiteralMessage{ID: "hello", From: "alice", To: "bob", Msg: "hi"},
		scenarios.LiteralMessage{From: "bob", To: "alice", Type: "img", Filename: "cat.png", Width: 20, Height: 10},
	)
	if len(ids) != 2 || ids[0] != "hello" || ids[1] == "" {
		t.Fatalf("ids %v", ids)
	}
	m, ok := emu.World().Message(ten, "hello")
	if !ok || !m.At.Equal(start.Add(90*time.Minute)) {
		t.Fatalf("injected message %v at %v", ok, m.At)
	}
	ft := &fakeT{T: t}
	emu.Inject(ft, ten, scenarios.LiteralMessage{From: "nobody", To: "bob", Msg: "x"})
	if !strings.Contains(ft.failed, `messages[0].from: unknown user "nobody"`) {
		t.Errorf("bad inject: %q", ft.failed)
	}

	emu.Reset()
	if _, ok := emu.World().Message(ten, "hello"); ok {
		t.Error("injected message survived Reset")
	}
	// Reset restores the first state: running from start.
	if now := emu.Clock().Now(); emu.Clock().Frozen() || now.Before(start) {
		t.Errorf("after Reset: now %v frozen %v, want running from %v", now, emu.Clock().Frozen(), start)
	}
}

func TestControlToken(t *testing.T) {
	emu := testkit.Start(t, testkit.Scenario("empty"), testkit.ControlToken("s3cret"))
	if status, _ := get(t, emu, "/_chatemu/health", ""); status != 200 {
		t.Errorf("health without token: %d", status)
	}
	if status, body := get(t, emu, "/_chatemu/tenants", ""); status != 401 || body != "{\"error\":\"control token required\"}\n" {
		t.Errorf("tenants without token: %d %s", status, body)
	}
	if status, _ := get(t, emu, "/_chatemu/tenants", "s3cret"); status != 200 {
		t.Errorf("tenants with token: %d", status)
	}
	if emu.Env()["CHATEMU_CONTROL_TOKEN"] != "s3cret" || emu.ControlToken() != "s3cret" {
		t.Error("token not in Env")
	}
}

func TestScenarioFileAndSeed(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mine.yaml")
	src := `name: mine
seed: 5
clock: {start: 2026-01-02T03:00:00Z, frozen: true}
easemob:
  apps:
    - org: o
      app: a
      users: [u1, u2]
      traffic:
        - {from: u1, to: u2, per_hour: 3, since: 2h}
`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	tenants := func(opts ...testkit.Option) (*testkit.Emulator, string) {
		emu := testkit.Start(t, opts...)
		_, body := get(t, emu, "/_chatemu/tenants", "")
		return emu, strings.ReplaceAll(body, emu.URL, "URL")
	}
	emu, a := tenants(testkit.ScenarioFile(file))
	if emu.Easemob().Org != "o" || !emu.Clock().Frozen() || !emu.Clock().Now().Equal(time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("file scenario: %+v at %v", emu.Easemob(), emu.Clock().Now())
	}
	_, b := tenants(testkit.Scenario(file))
	if a != b {
		t.Errorf("ScenarioFile and Scenario(path) differ:\n%s\n%s", a, b)
	}
	if emu.World().Seed() != 5 {
		t.Errorf("seed %d", emu.World().Seed())
	}
	seeded, _ := tenants(testkit.ScenarioFile(file), testkit.Seed(99))
	if seeded.World().Seed() != 99 {
		t.Errorf("Seed(99): seed %d", seeded.World().Seed())
	}
	ten := world.EasemobTenant("o", "a")
	from, to := time.Date(2026, 1, 2, 1, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	if n := emu.World().Count(ten, from, to); n != 6 {
		t.Errorf("%d messages, want 6", n)
	}
	first := func(e *testkit.Emulator) world.Message {
		for m := range e.World().Range(ten, from, to) {
			return m
		}
		return world.Message{}
	}
	if first(emu).ID == first(seeded).ID {
		t.Error("another seed gave the same first message")
	}

	ft := &fakeT{T: t}
	testkit.Start(ft, testkit.ScenarioFile(filepath.Join(t.TempDir(), "missing.yaml")))
	if !strings.Contains(ft.failed, "missing.yaml") {
		t.Errorf("missing file: %q", ft.failed)
	}
}

// TestTenantsJSON checks the accessors agree with the control API.
func TestTenantsJSON(t *testing.T) {
	emu := testkit.Start(t)
	_, body := get(t, emu, "/_chatemu/tenants", "")
	var doc struct {
		Easemob []struct {
			Org, App, ClientSecret string
			ClientID               string `json:"client_id"`
			BaseURL                string `json:"base_url"`
		}
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Easemob) != 2 || doc.Easemob[0].ClientID != emu.Easemob().ClientID || doc.Easemob[0].BaseURL != emu.URL {
		t.Errorf("tenants %s", body)
	}
}

func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		testkit.Start(b)
	}
}
