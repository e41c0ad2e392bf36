package control

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/world"
)

// injectBody is an injection of n messages, each msg.
func injectBody(n int, msg string) string {
	return `{"tenant":"easemob:acme/chat","messages":[` + strings.TrimSuffix(strings.Repeat(msg+",", n), ",") + `]}`
}

// TestInjectLimits: an injection of more than MaxInjectMessages messages is
// refused with 400, one of exactly MaxInjectMessages goes in, and a body
// over MaxBodyBytes is refused with 413, before it is read when its length
// is declared.
func TestInjectLimits(t *testing.T) {
	f := newFixture(t, "")
	msg := `{"from":"alice","to":"bob","msg":"x"}`
	tooMany := `{"error":"messages: more than 1000 in one request; inject at most 1000 at a time"}` + "\n"
	tooLarge := `{"error":"request body larger than 1048576 bytes"}` + "\n"
	for _, tt := range []struct {
		name   string
		body   string
		status int
		want   string // exact body; "" checks the ids' count instead
	}{
		{"at the limit", injectBody(MaxInjectMessages, msg), 201, ""},
		{"one past the limit", injectBody(MaxInjectMessages+1, msg), 400, tooMany},
		{"300,000 empty objects", injectBody(300_000, `{}`), 400, tooMany},
		// Counted before any message is decoded or checked.
		{"too many bad ones", injectBody(MaxInjectMessages+1, `{"from":"nobody","typo":1}`), 400, tooMany},
		{"body over the limit", injectBody(1, `{"from":"alice","to":"bob","msg":"`+strings.Repeat("x", MaxBodyBytes)+`"}`), 413, tooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := f.do(t, "POST", "/_chatemu/messages", "", tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %.300s", status, tt.status, body)
			}
			if tt.want == "" {
				if n := strings.Count(body, `","`) + 1; n != MaxInjectMessages {
					t.Errorf("%d ids, want %d", n, MaxInjectMessages)
				}
			} else if body != tt.want {
				t.Errorf("body %s, want %s", body, tt.want)
			}
		})
	}

	// The Go API has the same limit.
	if _, e := f.api.inject(make([]InjectionMessage, MaxInjectMessages+1)); e == nil || e.Status != 400 || e.Message+"\n" != tooMany[len(`{"error":"`):len(tooMany)-3]+"\n" {
		t.Errorf("Inject of %d: %v", MaxInjectMessages+1, e)
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestBodyRefusedBeforeReading: a declared length over MaxBodyBytes is
// refused without reading the body; an undeclared one is read no further
// than the limit.
func TestBodyRefusedBeforeReading(t *testing.T) {
	f := newFixture(t, "")
	r := f.srv.Config.Handler
	for _, declared := range []bool{true, false} {
		body := &countingReader{r: strings.NewReader(injectBody(1, `{"msg":"`+strings.Repeat("x", 4*MaxBodyBytes)+`"}`))}
		req := httptest.NewRequest("POST", "/_chatemu/messages", body)
		req.ContentLength = -1
		if declared {
			req.ContentLength = 4 * MaxBodyBytes
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("declared %v: status %d", declared, rec.Code)
		}
		if limit := map[bool]int{true: 0, false: MaxBodyBytes + 64<<10}[declared]; body.n > limit {
			t.Errorf("declared %v: %d bytes read, want at most %d", declared, body.n, limit)
		}
	}
}

// TestInjectRefusalIsCheap: a 900 KB body of 300,000 empty messages is
// refused after decoding no more than the limit's worth of them: the
// allocations and bytes allocated are bounded by the body and the limit,
// not by the 300,000 messages (measured as counts, never as time).
func TestInjectRefusalIsCheap(t *testing.T) {
	f := newFixture(t, "")
	r := f.srv.Config.Handler
	body := injectBody(300_000, `{}`)
	if len(body) < 900_000 || len(body) > MaxBodyBytes {
		t.Fatalf("body of %d bytes", len(body))
	}
	serve := func() {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest("POST", "/_chatemu/messages", strings.NewReader(body)))
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d: %.200s", rec.Code, rec.Body)
		}
	}
	serve()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	allocs := testing.AllocsPerRun(1, serve)
	runtime.ReadMemStats(&after)
	// AllocsPerRun serves twice (a warm-up and the run).
	bytes := (after.TotalAlloc - before.TotalAlloc) / 2
	t.Logf("refusing %d messages in %d bytes: %.0f allocations, %d KiB allocated", 300_000, len(body), allocs, bytes>>10)
	// Two allocations per decoded message, and reading and scanning the
	// body (buffers growing to the body's size, twice) are the work;
	// decoding the 300,000 messages was hundreds of MiB.
	if maxAllocs := float64(4*MaxInjectMessages + 200); allocs > maxAllocs {
		t.Errorf("%.0f allocations, want at most %.0f", allocs, maxAllocs)
	}
	if maxBytes := uint64(8 * len(body)); bytes > maxBytes {
		t.Errorf("%d bytes allocated, want at most %d", bytes, maxBytes)
	}
}

// TestInjectedTotalBounded: injected messages stay until a reset, so their
// total is bounded (--max-injected); an injection past it is refused whole
// with 507, and a reset makes room again.
func TestInjectedTotalBounded(t *testing.T) {
	w, err := world.New(testSpec(), t0)
	if err != nil {
		t.Fatal(err)
	}
	api := New(Config{World: w, Clock: clock.Start(t0, true), Reset: func() { _ = w.Reset() }, PublicURL: publicURL, MaxInjected: 5})
	r := mux.NewRouter()
	api.Routes(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	f := &fixture{world: w, srv: srv}
	msg := `{"from":"alice","to":"bob","msg":"x"}`
	full := `{"error":"messages: 3 messages were added since the last reset and the world keeps at most 5 (--max-injected); POST /_chatemu/reset to start again"}` + "\n"
	for _, step := range []struct {
		method, path, body string
		status             int
		want               string
		held               uint64
	}{
		{"POST", "/_chatemu/messages", injectBody(3, msg), 201, "", 3},
		{"POST", "/_chatemu/messages", injectBody(3, msg), 507, full, 3},
		{"POST", "/_chatemu/messages", injectBody(2, msg), 201, "", 5},
		{"POST", "/_chatemu/reset", "", 204, "", 0},
		{"POST", "/_chatemu/messages", injectBody(5, msg), 201, "", 5},
	} {
		status, _, body := f.do(t, step.method, step.path, "", step.body)
		if status != step.status || (step.want != "" && body != step.want) {
			t.Fatalf("%s %s: %d %s, want %d %s", step.method, step.path, status, body, step.status, step.want)
		}
		if got := w.Added(); got != step.held {
			t.Fatalf("after %s %s: %d injected, want %d", step.method, step.path, got, step.held)
		}
	}
}

// TestRuntimeTenantsBounded: tenants added at run time stay until removed,
// so their number is bounded; removing one makes room again.
func TestRuntimeTenantsBounded(t *testing.T) {
	w, err := world.New(testSpec(), t0)
	if err != nil {
		t.Fatal(err)
	}
	api := New(Config{World: w, Clock: clock.Start(t0, true), Reset: func() { _ = w.Reset() }, PublicURL: publicURL, MaxRuntimeTenants: 2})
	r := mux.NewRouter()
	api.Routes(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	f := &fixture{world: w, srv: srv}
	full := `{"error":"tenants: 2 tenants were added at run time and the world keeps at most 2; DELETE some or POST /_chatemu/reset"}` + "\n"
	for i, step := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/_chatemu/tenants", `{"vendor":"yunxin","appkey":"k1"}`, 201, ""},
		{"POST", "/_chatemu/tenants", `{"vendor":"yunxin","appkey":"k2"}`, 201, ""},
		{"POST", "/_chatemu/tenants", `{"vendor":"yunxin","appkey":"k3"}`, 507, full},
		{"DELETE", "/_chatemu/tenants/yunxin:k1", "", 204, ""},
		{"POST", "/_chatemu/tenants", `{"vendor":"yunxin","appkey":"k3"}`, 201, ""},
	} {
		status, _, body := f.do(t, step.method, step.path, "", step.body)
		if status != step.status || (step.want != "" && body != step.want) {
			t.Fatalf("step %d %s %s: %d %s, want %d %s", i, step.method, step.path, status, body, step.status, step.want)
		}
	}
}
