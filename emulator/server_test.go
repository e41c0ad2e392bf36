package emulator_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const public = "http://127.0.0.1:8080"

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func load(t testing.TB, name string) *world.Spec {
	t.Helper()
	spec, err := scenarios.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func newServer(t *testing.T, cfg emulator.Config) *emulator.Server {
	t.Helper()
	if cfg.PublicURL == "" {
		cfg.PublicURL = public
	}
	s, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func serve(s http.Handler, method, path string, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	return rec
}

// TestDeterministicTenants: the same scenario and seed give byte-identical
// tenants, whatever else differs between the two servers.
func TestDeterministicTenants(t *testing.T) {
	for _, name := range scenarios.Names() {
		t.Run(name, func(t *testing.T) {
			seed := uint64(77)
			a := serve(newServer(t, emulator.Config{Spec: load(t, name), Seed: &seed}), "GET", "/_chatemu/tenants", "")
			b := serve(newServer(t, emulator.Config{Spec: load(t, name), Seed: &seed}), "GET", "/_chatemu/tenants", "")
			if a.Code != 200 || a.Body.String() != b.Body.String() {
				t.Errorf("tenants differ or failed (%d):\n%s\n%s", a.Code, a.Body, b.Body)
			}
		})
	}
}

func TestDefaultTenants(t *testing.T) {
	s := newServer(t, emulator.Config{Spec: load(t, "default"), PublicURL: "http://emu.example:9000/"})
	rec := serve(s, "GET", "/_chatemu/tenants", "")
	body := rec.Body.String()
	for _, want := range []string{
		`"org":"chatemu","app":"demo","client_id":"` + emClientID + `"`,
		`"base_url":"http://emu.example:9000"`,
		`"appkey":"` + yxAppKey + `","app_secret":"` + yxSecret + `"`,
		`{"id":10003,"name":"archive","status":"closed"}`,
		`"client":"` + opClient + `","token":"` + opToken + `"`,
		`"easemob_app":"chatemu/demo"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("tenants lack %s:\n%s", want, body)
		}
	}
	if got := strings.Join(s.TenantNames(), " "); got != "easemob:chatemu/demo easemob:chatemu/quiet yunxin:chatemu-yunxin-demo op:chatemu-op" {
		t.Errorf("TenantNames %q", got)
	}
	if s.PublicURL() != "http://emu.example:9000" || s.ScenarioName() != "default" {
		t.Errorf("PublicURL %q ScenarioName %q", s.PublicURL(), s.ScenarioName())
	}
}

// TestRouting: control paths reach the control API, each vendor's paths its
// surface, and a path nobody serves the server's 404 with a reason.
func TestRouting(t *testing.T) {
	s := newServer(t, emulator.Config{Spec: load(t, "default")})
	tests := []struct {
		method, path string
		status       int
		contains     string
	}{
		{"GET", "/_chatemu/health", 200, `{"status":"ok"}`},
		{"GET", "/_chatemu/no/such/route", 404, `{"error":"no control route /_chatemu/no/such/route"}`},
		{"GET", "/_chatemu/clock/x", 404, `{"error":"no control route`},
		{"GET", "/_chatemu/tenants/x", 405, `{"error":"method not allowed"}`},
		{"GET", "/nowhere", 404, "404 page not found"},
	}
	for _, tt := range tests {
		rec := serve(s, tt.method, tt.path, "")
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.contains) {
			t.Errorf("%s %s: %d %s, want %d %s", tt.method, tt.path, rec.Code, rec.Body, tt.status, tt.contains)
		}
	}
	if reason := serve(s, "GET", "/nowhere", "").Header().Get("X-Chatemu-Reason"); reason != "no emulated API serves GET /nowhere" {
		t.Errorf("the server's 404 has X-Chatemu-Reason %q", reason)
	}
	// The path is the client's: its reason is bounded as a vendor's is.
	long := "/x/" + strings.Repeat("y", 3000)
	if rec := serve(s, "GET", long, ""); rec.Code != http.StatusNotFound || len(rec.Header().Get("X-Chatemu-Reason")) != respond.MaxReason {
		t.Errorf("GET of a 3,003-byte path: %d, reason of %d bytes", rec.Code, len(rec.Header().Get("X-Chatemu-Reason")))
	}
	// Each vendor path is claimed by its surface, not the server's 404.
	for _, path := range []string{
		"/chatemu/demo/token",
		"/chatemu/demo/chatmessages/2026112008",
		"/chatemu/demo/no-such-api",
		"/im/v2/chatrooms/10001/messages",
		"/nimserver/im/v2/chatrooms/10001/messages",
		"/op/v2/userMessageList",
		"/_qiniu/some/key",
		"/_oss/chatemu-history/some/object",
	} {
		rec := serve(s, "GET", path, "")
		if strings.HasPrefix(rec.Header().Get("X-Chatemu-Reason"), "no emulated API serves") {
			t.Errorf("GET %s: not routed to a surface (%d %s)", path, rec.Code, rec.Body)
		}
	}
}

func TestResetRestoresFirstState(t *testing.T) {
	spec := world.Spec{
		Name: "frozen", Seed: 3, Start: t0, Frozen: true,
		Easemob: []world.EasemobApp{{Org: "o", App: "a", Cluster: world.ClusterCN, Users: []string{"u1", "u2"}}},
	}
	s := newServer(t, emulator.Config{Spec: &spec})
	s.Clock().Advance(5 * time.Hour)
	s.Clock().Freeze(false)
	ten := world.EasemobTenant("o", "a")
	ids, err := s.Inject(ten, scenarios.LiteralMessage{ID: "x", From: "u1", To: "u2", Msg: "hi"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("inject: %v %v", ids, err)
	}
	if rec := serve(s, "POST", "/_chatemu/reset", ""); rec.Code != 204 {
		t.Fatalf("reset: %d %s", rec.Code, rec.Body)
	}
	if now := s.Clock().Now(); !now.Equal(t0) || !s.Clock().Frozen() {
		t.Errorf("after reset: now %v frozen %v, want %v frozen", now, s.Clock().Frozen(), t0)
	}
	if _, ok := s.World().Message(ten, "x"); ok {
		t.Error("injected message survived reset")
	}
	if _, err := s.Inject(ten, scenarios.LiteralMessage{From: "zed", To: "u2", Msg: "hi"}); err == nil || !strings.Contains(err.Error(), `messages[0].from: unknown user "zed"`) {
		t.Errorf("bad inject: %v", err)
	}
}

func TestClockStart(t *testing.T) {
	spec := load(t, "default") // clock.start 2026-11-20T10:00:00Z, running
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newServer(t, emulator.Config{Spec: spec, Now: at})
	if now := s.Clock().Now(); now.Before(at) || s.Clock().Frozen() {
		t.Errorf("Now override: %v frozen %v", now, s.Clock().Frozen())
	}
	s = newServer(t, emulator.Config{Spec: spec})
	if now := s.Clock().Now(); now.Before(spec.Start) {
		t.Errorf("scenario start: %v, want from %v", now, spec.Start)
	}
	// No clock in the scenario: the wall clock, and Reset returns to it.
	// Ordering, not a threshold: before <= Now <= after.
	before := clock.Wall().Now()
	s = newServer(t, emulator.Config{Spec: load(t, "empty")})
	if now, after := s.Clock().Now(), s.Clock().WallNow(); now.Before(before) || now.After(after) || s.Clock().Frozen() {
		t.Errorf("wall clock scenario: now %v, wall between %v and %v", now, before, after)
	}
	s.Clock().Advance(-48 * time.Hour)
	before = s.Clock().WallNow()
	s.Reset()
	if now, after := s.Clock().Now(), s.Clock().WallNow(); now.Before(before) || now.After(after) || s.Clock().Frozen() {
		t.Errorf("after reset: now %v, wall between %v and %v", now, before, after)
	}
}

func TestSeedOverride(t *testing.T) {
	seed := uint64(123)
	s := newServer(t, emulator.Config{Spec: load(t, "default"), Seed: &seed})
	if s.World().Seed() != 123 {
		t.Errorf("seed %d", s.World().Seed())
	}
	if spec := load(t, "default"); spec.Seed == 123 {
		t.Fatal("test needs another seed")
	}
}

func TestConfigErrors(t *testing.T) {
	spec := load(t, "empty")
	tests := []struct {
		cfg  emulator.Config
		want string
	}{
		{emulator.Config{PublicURL: public}, "Config.Spec is required"},
		{emulator.Config{Spec: spec}, "Config.PublicURL is required"},
		{emulator.Config{Spec: spec, PublicURL: "127.0.0.1:8080"}, "not an absolute http(s) URL"},
		{emulator.Config{Spec: spec, PublicURL: "ftp://host"}, "not an absolute http(s) URL"},
		{emulator.Config{Spec: spec, PublicURL: "http://host/?a=b"}, "must not have a query"},
		{emulator.Config{Spec: &world.Spec{Easemob: []world.EasemobApp{{Org: "o", App: "a", Traffic: []world.Traffic{{PerHour: -1}}}}}, PublicURL: public}, "per_hour"},
	}
	for _, tt := range tests {
		_, err := emulator.New(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

// TestManyServers: servers share nothing; a change to one is invisible to
// another.
func TestManyServers(t *testing.T) {
	a := newServer(t, emulator.Config{Spec: load(t, "default")})
	b := newServer(t, emulator.Config{Spec: load(t, "default")})
	a.Clock().Freeze(true)
	b.Clock().Freeze(true)
	a.Clock().Advance(10 * time.Hour)
	if a.Clock().Now().Equal(b.Clock().Now()) {
		t.Error("servers share a clock")
	}
	ten := world.EasemobTenant("chatemu", "demo")
	if _, err := a.Inject(ten, scenarios.LiteralMessage{ID: "only-a", From: "alice", To: "bob", Msg: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.World().Message(ten, "only-a"); ok {
		t.Error("servers share a world")
	}
	srv := httptest.NewServer(a)
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/_chatemu/clock")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	// The default scenario's clock ran a moment before it was frozen.
	if !strings.HasPrefix(string(body), `{"now":"2026-11-20T20:00:0`) || !strings.HasSuffix(string(body), `,"frozen":true}`+"\n") {
		t.Errorf("clock %s, want 10h after the start, frozen", body)
	}
}
