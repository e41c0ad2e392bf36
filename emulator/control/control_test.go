package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/internal/golden"
	"github.com/chatemu/chatemu/scenarios"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

const publicURL = "http://emu.test:8080"

func testSpec() world.Spec {
	return world.Spec{
		Name: "control-test",
		Seed: 42,
		Easemob: []world.EasemobApp{{
			Org: "acme", App: "chat", ClientID: "YXA6id", ClientSecret: "YXA6secret", Cluster: world.ClusterCN,
			OSS:    world.OSSKeys{Bucket: "acme-chat", AccessKeyID: "LTAIkey", AccessKeySecret: "osssecret"},
			Users:  []string{"alice", "bob"},
			Groups: []world.Group{{ID: "g1", Owner: "alice", Members: []string{"bob"}}},
			Rooms:  []world.Room{{ID: "r1", Name: "lobby"}},
			Messages: []world.Message{{ID: "lit-1", From: "alice", To: "bob", ChatType: world.Chat, Kind: world.Text,
				Text: "hi", At: t0.Add(-time.Hour)}},
		}, {
			Org: "acme", App: "quiet", ClientID: "YXA6q", ClientSecret: "YXA6qs", Cluster: world.ClusterOverseas,
		}},
		Yunxin: []world.YunxinApp{{
			AppKey: "yxkey", AppSecret: "yxsecret", Accounts: []string{"amy", "ben"},
			Rooms: []world.Room{{ID: "10001", Name: "general"}, {ID: "10002", Name: "old", Status: world.RoomClosed}},
		}},
		Op: []world.OpClient{{
			Client: "opc", Token: "optoken", Secret: "opsecret", EasemobApp: world.EasemobTenant("acme", "chat"),
			Qiniu: world.QiniuKeys{AccessKey: "qak", SecretKey: "qsk"},
		}},
	}
}

// fixture is a control API over a real world and a frozen clock, with a
// counting reset.
type fixture struct {
	api    *API
	world  *world.World
	clock  *clock.Clock
	resets atomic.Int32
	srv    *httptest.Server
}

func newFixture(t *testing.T, token string) *fixture {
	t.Helper()
	w, err := world.New(testSpec(), t0)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{world: w, clock: clock.Start(t0, true)}
	f.api = New(Config{World: w, Clock: f.clock, Reset: func() { f.resets.Add(1) }, PublicURL: publicURL + "/", Token: token})
	r := mux.NewRouter()
	f.api.Routes(r)
	f.srv = httptest.NewServer(r)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) do(t *testing.T, method, path, token, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := checkedClient(t, f.srv.Client()).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	return res.StatusCode, res.Header, buf.String()
}

func TestRoutes(t *testing.T) {
	big := `{"messages":[{"msg":"` + strings.Repeat("x", MaxBodyBytes) + `"}]}`
	tests := []struct {
		name        string
		token       string // the server's control token
		method      string
		path        string
		auth        string
		body        string
		status      int
		want        string // exact body; "" with wantPrefix unset means no body
		wantContain string
		resets      int32
	}{
		{name: "health", method: "GET", path: "/_chatemu/health", status: 200, want: `{"status":"ok"}`},
		{name: "health HEAD", method: "HEAD", path: "/_chatemu/health", status: 200},
		{name: "health open with token", token: "s3cret", method: "GET", path: "/_chatemu/health", status: 200, want: `{"status":"ok"}`},
		{name: "health wrong method", method: "POST", path: "/_chatemu/health", status: 405, want: `{"error":"method not allowed"}`},
		{name: "tenants wrong method", method: "DELETE", path: "/_chatemu/tenants", status: 405, want: `{"error":"method not allowed"}`},
		{name: "messages wrong method", method: "GET", path: "/_chatemu/messages", status: 405, want: `{"error":"method not allowed"}`},
		{name: "reset wrong method", method: "GET", path: "/_chatemu/reset", status: 405, want: `{"error":"method not allowed"}`},
		{name: "clock wrong method", method: "PUT", path: "/_chatemu/clock", status: 405, want: `{"error":"method not allowed"}`},
		{name: "unknown route", method: "GET", path: "/_chatemu/nope", status: 404, want: `{"error":"no control route /_chatemu/nope"}`},

		{name: "token missing", token: "s3cret", method: "GET", path: "/_chatemu/tenants", status: 401, want: `{"error":"control token required"}`},
		{name: "token wrong", token: "s3cret", method: "GET", path: "/_chatemu/clock", auth: "Bearer nope", status: 401, want: `{"error":"control token required"}`},
		{name: "token wrong scheme", token: "s3cret", method: "GET", path: "/_chatemu/clock", auth: "Basic s3cret", status: 401, want: `{"error":"control token required"}`},
		{name: "token prefix", token: "s3cret", method: "GET", path: "/_chatemu/clock", auth: "Bearer s3cre", status: 401, want: `{"error":"control token required"}`},
		{name: "token reset refused", token: "s3cret", method: "POST", path: "/_chatemu/reset", status: 401, want: `{"error":"control token required"}`},
		{name: "token right", token: "s3cret", method: "GET", path: "/_chatemu/clock", auth: "Bearer s3cret", status: 200, want: `{"now":"2026-11-20T10:00:00.000Z","frozen":true}`},
		{name: "token scheme case", token: "s3cret", method: "GET", path: "/_chatemu/clock", auth: "bearer s3cret", status: 200, want: `{"now":"2026-11-20T10:00:00.000Z","frozen":true}`},

		{name: "clock", method: "GET", path: "/_chatemu/clock", status: 200, want: `{"now":"2026-11-20T10:00:00.000Z","frozen":true}`},
		{name: "clock set", method: "POST", path: "/_chatemu/clock", body: `{"set":"2026-11-21T08:30:00.250+08:00"}`, status: 200, want: `{"now":"2026-11-21T00:30:00.250Z","frozen":true}`},
		{name: "clock advance", method: "POST", path: "/_chatemu/clock", body: `{"advance":"90m"}`, status: 200, want: `{"now":"2026-11-20T11:30:00.000Z","frozen":true}`},
		{name: "clock advance back", method: "POST", path: "/_chatemu/clock", body: `{"advance":"-2h"}`, status: 200, want: `{"now":"2026-11-20T08:00:00.000Z","frozen":true}`},
		{name: "clock freeze", method: "POST", path: "/_chatemu/clock", body: `{"frozen":true}`, status: 200, want: `{"now":"2026-11-20T10:00:00.000Z","frozen":true}`},
		{name: "clock set min", method: "POST", path: "/_chatemu/clock", body: `{"set":"1970-01-01T00:00:00Z"}`, status: 200, want: `{"now":"1970-01-01T00:00:00.000Z","frozen":true}`},
		{name: "clock set max", method: "POST", path: "/_chatemu/clock", body: `{"set":"2100-01-01T00:00:00Z"}`, status: 200, want: `{"now":"2100-01-01T00:00:00.000Z","frozen":true}`},
		{name: "clock set after max", method: "POST", path: "/_chatemu/clock", body: `{"set":"2100-01-01T00:00:00.001Z"}`, status: 400, want: `{"error":"set: 2100-01-01T00:00:00.001Z, outside the supported range 1970-01-01T00:00:00.000Z to 2100-01-01T00:00:00.000Z"}`},
		{name: "clock set year 1", method: "POST", path: "/_chatemu/clock", body: `{"set":"0001-01-01T00:00:00Z"}`, status: 400, want: `{"error":"set: 0001-01-01T00:00:00.000Z, outside the supported range 1970-01-01T00:00:00.000Z to 2100-01-01T00:00:00.000Z"}`},
		{name: "clock set before 1970", method: "POST", path: "/_chatemu/clock", body: `{"set":"1969-12-31T23:59:59.999Z"}`, status: 400, want: `{"error":"set: 1969-12-31T23:59:59.999Z, outside the supported range 1970-01-01T00:00:00.000Z to 2100-01-01T00:00:00.000Z"}`},
		{name: "clock set end of 9999", method: "POST", path: "/_chatemu/clock", body: `{"set":"9999-12-31T23:59:59Z"}`, status: 400, want: `{"error":"set: 9999-12-31T23:59:59.000Z, outside the supported range 1970-01-01T00:00:00.000Z to 2100-01-01T00:00:00.000Z"}`},
		{name: "clock advance before 1970", method: "POST", path: "/_chatemu/clock", body: `{"advance":"-500000h"}`, status: 400, want: `{"error":"advance: -500000h0m0s would move the clock to 1969-11-06T02:00:00.000Z, outside the supported range 1970-01-01T00:00:00.000Z to 2100-01-01T00:00:00.000Z"}`},
		{name: "clock advance the longest back", method: "POST", path: "/_chatemu/clock", body: `{"advance":"-2562047h"}`, status: 400, want: `{"error":"advance: -2562047h0m0s would move the clock to 1734-08-11T11:00:00.000Z, outside the supported range 1970-01-01T00:00:00.000Z to 2100-01-01T00:00:00.000Z"}`},
		{name: "clock advance the longest ahead", method: "POST", path: "/_chatemu/clock", body: `{"advance":"2562047h"}`, status: 400, want: `{"error":"advance: 2562047h0m0s would move the clock to 2319-03-02T09:00:00.000Z, outside the supported range 1970-01-01T00:00:00.000Z to 2100-01-01T00:00:00.000Z"}`},
		{name: "clock advance to 2099", method: "POST", path: "/_chatemu/clock", body: `{"advance":"640000h"}`, status: 200, want: `{"now":"2099-11-24T02:00:00.000Z","frozen":true}`},
		{name: "clock none", method: "POST", path: "/_chatemu/clock", body: `{}`, status: 400, want: `{"error":"want exactly one of \"set\", \"advance\", \"frozen\", got 0"}`},
		{name: "clock two", method: "POST", path: "/_chatemu/clock", body: `{"set":"2026-11-21T00:00:00Z","advance":"1h"}`, status: 400, want: `{"error":"want exactly one of \"set\", \"advance\", \"frozen\", got 2"}`},
		{name: "clock bad set", method: "POST", path: "/_chatemu/clock", body: `{"set":"tomorrow"}`, status: 400, want: `{"error":"set: want an RFC 3339 time, got \"tomorrow\""}`},
		{name: "clock bad advance", method: "POST", path: "/_chatemu/clock", body: `{"advance":"1d"}`, status: 400, want: `{"error":"advance: want a duration such as \"90m\" or \"36h\", got \"1d\""}`},
		{name: "clock advance number", method: "POST", path: "/_chatemu/clock", body: `{"advance":90}`, status: 400, want: `{"error":"advance: want a string, got JSON number"}`},
		{name: "clock frozen string", method: "POST", path: "/_chatemu/clock", body: `{"frozen":"yes"}`, status: 400, want: `{"error":"frozen: want a boolean, got JSON string"}`},
		{name: "clock unknown key", method: "POST", path: "/_chatemu/clock", body: `{"sett":"2026-11-21T00:00:00Z"}`, status: 400, want: `{"error":"sett: unknown key"}`},
		{name: "clock empty body", method: "POST", path: "/_chatemu/clock", status: 400, want: `{"error":"request body: empty, want a JSON object"}`},
		{name: "clock bad JSON", method: "POST", path: "/_chatemu/clock", body: `{"set":`, status: 400, want: `{"error":"request body: truncated JSON"}`},
		{name: "clock two values", method: "POST", path: "/_chatemu/clock", body: `{"frozen":true}{"frozen":false}`, status: 400, want: `{"error":"request body: more than one JSON value"}`},
		{name: "clock array", method: "POST", path: "/_chatemu/clock", body: `[]`, status: 400, want: `{"error":"request body: want an object, got JSON array"}`},

		{name: "inject", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"id":"n1","from":"alice","to":"bob","msg":"hello"}]}`, status: 201, want: `{"ids":["n1"]}`},
		{name: "inject yunxin", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"yunxin:yxkey","messages":[{"id":"y1","sender":"amy","room":"10001","text":"hi"}]}`, status: 201, want: `{"ids":["y1"]}`},
		{name: "inject per-message tenant", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"id":"a","from":"alice","to":"bob","msg":"1"},{"tenant":"yunxin:yxkey","id":"b","sender":"amy","room":"10001","text":"2"},{"id":"c","from":"bob","to":"g1","msg":"3"}]}`, status: 201, want: `{"ids":["a","b","c"]}`},
		{name: "inject generated id", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"from":"alice","to":"bob","msg":"hello"}]}`, status: 201, wantContain: `{"ids":["`},
		{name: "inject token", token: "s3cret", method: "POST", path: "/_chatemu/messages", auth: "Bearer s3cret", body: `{"tenant":"easemob:acme/chat","messages":[{"id":"n1","from":"alice","to":"bob","msg":"hello"}]}`, status: 201, want: `{"ids":["n1"]}`},
		{name: "inject no tenant", method: "POST", path: "/_chatemu/messages", body: `{"messages":[{"from":"alice","to":"bob","msg":"hello"}]}`, status: 400, wantContain: `"messages[0].tenant: required`},
		{name: "inject op tenant", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"op:opc","messages":[{"from":"alice","to":"bob","msg":"hello"}]}`, status: 400, wantContain: `"messages[0].tenant: want \"easemob:ORG/APP\" or \"yunxin:APPKEY\"`},
		{name: "inject malformed easemob tenant", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme","messages":[{"from":"alice","to":"bob","msg":"hello"}]}`, status: 400, want: `{"error":"messages[0].tenant: want \"easemob:ORG/APP\", got \"easemob:acme\""}`},
		{name: "inject unknown tenant", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/nope","messages":[{"from":"alice","to":"bob","msg":"hello"}]}`, status: 404, want: `{"error":"messages[0].tenant: unknown tenant \"easemob:acme/nope\" (GET /_chatemu/tenants lists them)"}`},
		{name: "inject unknown per-message tenant", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"from":"alice","to":"bob","msg":"1"},{"tenant":"yunxin:nope","sender":"amy","room":"10001","text":"2"}]}`, status: 404, wantContain: `messages[1].tenant: unknown tenant`},
		{name: "inject no messages", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat"}`, status: 400, want: `{"error":"messages: required, a list of messages"}`},
		{name: "inject empty messages", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[]}`, status: 400, want: `{"error":"messages: empty, nothing to inject"}`},
		{name: "inject messages not a list", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":{}}`, status: 400, want: `{"error":"messages: want an array, got JSON object"}`},
		{name: "inject top-level unknown key", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","msgs":[]}`, status: 400, want: `{"error":"msgs: unknown key"}`},
		{name: "inject message not an object", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":["hi"]}`, status: 400, want: `{"error":"messages[0]: want an object"}`},
		{name: "inject unknown key", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"from":"alice","to":"bob","msg":"ok"},{"from":"alice","to":"bob","mgs":"typo"}]}`, status: 400, want: `{"error":"messages[1].mgs: unknown key"}`},
		{name: "inject key wrong case", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"From":"alice","to":"bob","msg":"x"}]}`, status: 400, want: `{"error":"messages[0].From: unknown key"}`},
		{name: "inject bad at", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"from":"alice","to":"bob","msg":"x","at":"yesterday"}]}`, status: 400, want: `{"error":"messages[0].at: want an RFC 3339 time, got \"yesterday\""}`},
		{name: "inject width string", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"from":"alice","to":"bob","type":"img","width":"wide"}]}`, status: 400, want: `{"error":"messages[0].width: want a number, got JSON string"}`},
		{name: "inject unknown user", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"from":"mallory","to":"bob","msg":"x"}]}`, status: 400, want: `{"error":"messages[0].from: unknown user \"mallory\""}`},
		{name: "inject field of another type", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"from":"alice","to":"bob","msg":"x","lat":3}]}`, status: 400, want: `{"error":"messages[0].lat: not a field of type \"txt\""}`},
		{name: "inject unknown type", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"yunxin:yxkey","messages":[{"sender":"amy","room":"10001","type":"txt","text":"x"}]}`, status: 400, wantContain: `"messages[0].type: unknown Yunxin type \"txt\"`},
		{name: "inject duplicate of existing", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"id":"lit-1","from":"alice","to":"bob","msg":"x"}]}`, status: 409, want: `{"error":"messages[0].id: tenant easemob:acme/chat already has a message \"lit-1\""}`},
		{name: "inject duplicate in batch", method: "POST", path: "/_chatemu/messages", body: `{"tenant":"easemob:acme/chat","messages":[{"id":"d","from":"alice","to":"bob","msg":"x"},{"id":"d","from":"bob","to":"alice","msg":"y"}]}`, status: 409, want: `{"error":"messages[1].id: \"d\" repeats messages[0].id"}`},
		{name: "inject too large", method: "POST", path: "/_chatemu/messages", body: big, status: 413, want: `{"error":"request body larger than 1048576 bytes"}`},

		{name: "reset", method: "POST", path: "/_chatemu/reset", status: 204, resets: 1},
		{name: "reset with token", token: "s3cret", method: "POST", path: "/_chatemu/reset", auth: "Bearer s3cret", status: 204, resets: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.token)
			status, header, body := f.do(t, tt.method, tt.path, tt.auth, tt.body)
			if status != tt.status {
				t.Errorf("status %d, want %d (body %s)", status, tt.status, body)
			}
			body = strings.TrimSuffix(body, "\n")
			switch {
			case tt.wantContain != "":
				if !strings.Contains(body, tt.wantContain) {
					t.Errorf("body %s\nwant it to contain %s", body, tt.wantContain)
				}
			case body != tt.want:
				t.Errorf("body %s\nwant      %s", body, tt.want)
			}
			if status != 204 && tt.method != "HEAD" {
				if ct := header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
			}
			if status == 405 && header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
			if got := f.resets.Load(); got != tt.resets {
				t.Errorf("%d resets, want %d", got, tt.resets)
			}
			if status == 201 {
				var res Injected
				if err := json.Unmarshal([]byte(body), &res); err != nil {
					t.Fatal(err)
				}
				var req Injection
				json.Unmarshal([]byte(tt.body), &req)
				for i, id := range res.IDs {
					var m InjectionMessage
					json.Unmarshal(req.Messages[i], &m)
					tenant := m.Tenant
					if tenant == "" {
						tenant = req.Tenant
					}
					got, ok := f.world.Message(world.TenantID(tenant), id)
					if !ok {
						t.Errorf("message %s not in the world", id)
					} else if !got.At.Equal(t0) {
						t.Errorf("message %s at %v, want the clock's now %v", id, got.At, t0)
					}
				}
			}
		})
	}
}

// TestTenants pins the tenants document (a wire format) with a golden file.
func TestTenants(t *testing.T) {
	f := newFixture(t, "")
	status, _, body := f.do(t, "GET", "/_chatemu/tenants", "", "")
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	golden.Check(t, filepath.Join("testdata", "tenants.json"), []byte(body))
	// Same spec, same bytes.
	_, _, again := newFixture(t, "").do(t, "GET", "/_chatemu/tenants", "", "")
	if again != body {
		t.Error("two worlds of the same spec list different tenants")
	}
}

func TestTenantsEmpty(t *testing.T) {
	got, err := json.Marshal(TenantsOf(&world.Spec{}, publicURL))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"easemob":[],"yunxin":[],"op":[]}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestRoomID(t *testing.T) {
	got, err := json.Marshal([]RoomID{"10001", "-3", "lobby", "1e3", ""})
	if err != nil {
		t.Fatal(err)
	}
	if want := `[10001,-3,"lobby","1e3",""]`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	var back []RoomID
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if want := []RoomID{"10001", "-3", "lobby", "1e3", ""}; !slices.Equal(back, want) {
		t.Errorf("read back %q, want %q", back, want)
	}
}

func TestInjectAtIsKept(t *testing.T) {
	f := newFixture(t, "")
	at := time.Date(2026, 11, 19, 12, 0, 0, 123e6, time.UTC)
	ids, err := f.api.Inject(world.EasemobTenant("acme", "chat"), scenarios.LiteralMessage{From: "alice", To: "bob", Msg: "x", At: at})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := f.world.Message(world.EasemobTenant("acme", "chat"), ids[0])
	if !ok || !m.At.Equal(at) {
		t.Errorf("message %v at %v, want %v", ok, m.At, at)
	}
	if _, err := f.api.Inject(world.EasemobTenant("acme", "chat")); errorOf(err) == nil || errorOf(err).Status != 400 {
		t.Errorf("empty injection: %v", err)
	}
}

// TestInjectAllOrNothing: a bad message anywhere stores nothing.
func TestInjectAllOrNothing(t *testing.T) {
	f := newFixture(t, "")
	ten := world.EasemobTenant("acme", "chat")
	before := f.world.Count(ten, t0.Add(-48*time.Hour), t0.Add(time.Hour))
	_, err := f.api.Inject(ten,
		scenarios.LiteralMessage{ID: "ok", From: "alice", To: "bob", Msg: "fine"},
		scenarios.LiteralMessage{ID: "bad", From: "alice", To: "nobody", Msg: "no"},
	)
	if e := errorOf(err); e == nil || e.Status != 400 || !strings.HasPrefix(e.Message, "messages[1].to:") {
		t.Fatalf("err %v", err)
	}
	if after := f.world.Count(ten, t0.Add(-48*time.Hour), t0.Add(time.Hour)); after != before {
		t.Errorf("%d messages after a refused injection, want %d", after, before)
	}
}

// stubWorld fails every Inject, to show a world error is still a 4xx JSON.
type stubWorld struct{ World }

func (stubWorld) Inject(world.TenantID, []world.Message, time.Time) ([]world.Message, error) {
	return nil, errTest
}

var errTest = &Error{Status: 500, Message: "boom"}

func TestInjectWorldError(t *testing.T) {
	w, err := world.New(testSpec(), t0)
	if err != nil {
		t.Fatal(err)
	}
	api := New(Config{World: stubWorld{w}, Clock: clock.Start(t0, true), PublicURL: publicURL})
	_, err = api.Inject(world.EasemobTenant("acme", "chat"), scenarios.LiteralMessage{From: "alice", To: "bob", Msg: "x"})
	if e := errorOf(err); e == nil || e.Status != http.StatusConflict || !strings.Contains(e.Message, "boom") {
		t.Errorf("got %v", err)
	}
}

// errorOf is the *Error an exported method's error holds, nil if none.
func errorOf(err error) *Error {
	var e *Error
	errors.As(err, &e)
	return e
}

// TestExportedMethodsReturnNilOnSuccess: the exported methods return error,
// never a nil *Error that a caller would hold as a non-nil error.
func TestExportedMethodsReturnNilOnSuccess(t *testing.T) {
	f := newFixture(t, "")
	var err error
	_, err = f.api.Inject(world.EasemobTenant("acme", "chat"), scenarios.LiteralMessage{From: "alice", To: "bob", Msg: "x"})
	if err != nil {
		t.Errorf("Inject: %v (%T)", err, err)
	}
	var added Tenants
	added, err = f.api.AddTenant("yunxin", nil)
	if err != nil || len(added.Yunxin) != 1 {
		t.Fatalf("AddTenant: %v (%T)", err, err)
	}
	if err = f.api.RemoveTenant(world.TenantID("yunxin:" + added.Yunxin[0].AppKey)); err != nil {
		t.Errorf("RemoveTenant: %v (%T)", err, err)
	}
	if _, err = f.api.AddFault(faults.Rule{Status: 503}); err != nil {
		t.Errorf("AddFault: %v (%T)", err, err)
	}
	// And their failures are *Error values with the route's status.
	if _, err = f.api.AddTenant("nobody", nil); errorOf(err) == nil || errorOf(err).Status != http.StatusBadRequest {
		t.Errorf("AddTenant of an unknown vendor: %v", err)
	}
}

// TestRunningClockRange: a running clock refuses to leave its range as a
// frozen one does (it used to wrap: year 1 became 1734), and stays where it
// was.
func TestRunningClockRange(t *testing.T) {
	f := newFixture(t, "")
	f.clock.Freeze(false)
	for _, tt := range []struct{ body, want string }{
		{`{"set":"0001-01-01T00:00:00Z"}`, `{"error":"set: 0001-01-01T00:00:00.000Z, outside the supported range 1970-01-01T00:00:00.000Z to 2100-01-01T00:00:00.000Z"}`},
		{`{"set":"9999-12-31T23:59:59Z"}`, `{"error":"set: 9999-12-31T23:59:59.000Z, outside the supported range 1970-01-01T00:00:00.000Z to 2100-01-01T00:00:00.000Z"}`},
		{`{"advance":"-2562047h"}`, `{"error":"advance: -2562047h0m0s would move the clock to 1734-08-1`},
	} {
		status, _, body := f.do(t, "POST", "/_chatemu/clock", "", tt.body)
		if status != 400 || !strings.HasPrefix(body, tt.want) {
			t.Errorf("%s: %d %s, want 400 %s", tt.body, status, body, tt.want)
		}
		if now := f.clock.Now(); now.Before(t0) || now.After(t0.Add(time.Hour)) {
			t.Errorf("%s: the clock moved to %v", tt.body, now)
		}
	}
	// Far from the wall clock, it still runs and does not wrap.
	_, _, body := f.do(t, "POST", "/_chatemu/clock", "", `{"set":"2099-12-30T00:00:00Z"}`)
	if !strings.HasPrefix(body, `{"now":"2099-12-30T00:00:0`) || !strings.HasPrefix(f.clock.Now().Format(time.RFC3339), "2099-12-30T00:") {
		t.Errorf("set 2099-12-30: %s, clock %v", body, f.clock.Now())
	}
}
