package control

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
)

// stubJournal serves fixed entries and records the filter it was asked.
type stubJournal struct {
	asked   journal.Filter
	cleared bool
}

func (s *stubJournal) Entries(f journal.Filter) []journal.Entry {
	s.asked = f
	return []journal.Entry{{
		Seq: 7, Time: t0.Add(1500 * time.Millisecond), Vendor: "easemob", Operation: "easemob.chatmessages",
		Method: "GET", Path: "/o/a/chatmessages/2026112009", Query: "x=1", Status: 429,
		Duration: 1234567 * time.Nanosecond, Tenant: "easemob:o/a", Reason: "fault f1", Fault: "f1",
	}}
}
func (s *stubJournal) Clear()    { s.cleared = true }
func (s *stubJournal) Size() int { return 5 }

// TestRequestsAndFaultsWire pins the JSON of GET requests and of the
// faults routes.
func TestRequestsAndFaultsWire(t *testing.T) {
	j := &stubJournal{}
	f := newFixture(t, "")
	api := New(Config{World: f.world, Clock: f.clock, PublicURL: publicURL, Journal: j, Faults: &faults.Set{}})
	r := mux.NewRouter()
	api.Routes(r)
	srv := httptest.NewServer(r)
	defer srv.Close()
	f.srv = srv

	_, _, body := f.do(t, "GET", "/_chatemu/requests?vendor=easemob&operation=easemob.chatmessages&tenant=easemob:o/a", "", "")
	want := `{"requests":[{"seq":7,"time":"2026-11-20T10:00:01.500Z","vendor":"easemob","operation":"easemob.chatmessages","method":"GET","path":"/o/a/chatmessages/2026112009","query":"x=1","status":429,"duration_ms":1.235,"tenant":"easemob:o/a","reason":"fault f1","fault":"f1"}],"size":5}` + "\n"
	if body != want {
		t.Errorf("GET requests:\n%s\nwant\n%s", body, want)
	}
	if j.asked != (journal.Filter{Vendor: "easemob", Operation: "easemob.chatmessages", Tenant: "easemob:o/a"}) {
		t.Errorf("filter %+v", j.asked)
	}
	if st, _, _ := f.do(t, "DELETE", "/_chatemu/requests", "", ""); st != http.StatusNoContent || !j.cleared {
		t.Errorf("DELETE requests: %d, cleared %v", st, j.cleared)
	}

	for _, tt := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/_chatemu/faults", `{"vendor":"op","path":"^/op/","kind":"rate_limit","times":2}`, 201,
			`{"id":"f1","vendor":"op","path":"^/op/","times":2,"kind":"rate_limit","remaining":2,"hits":0}` + "\n"},
		{"POST", "/_chatemu/faults", `{"delay":"250ms","status":503,"body":"busy"}`, 201,
			`{"id":"f2","delay":"250ms","status":503,"body":"busy","remaining":null,"hits":0}` + "\n"},
		{"GET", "/_chatemu/faults", "", 200,
			`{"faults":[{"id":"f1","vendor":"op","path":"^/op/","times":2,"kind":"rate_limit","remaining":2,"hits":0},{"id":"f2","delay":"250ms","status":503,"body":"busy","remaining":null,"hits":0}]}` + "\n"},
		{"DELETE", "/_chatemu/faults/f9", "", 404, `{"error":"no fault \"f9\" (GET /_chatemu/faults lists them; a fault whose times are used up is gone)"}` + "\n"},
		{"DELETE", "/_chatemu/faults/f1", "", 204, ""},
		{"DELETE", "/_chatemu/faults", "", 204, ""},
		{"GET", "/_chatemu/faults", "", 200, `{"faults":[]}` + "\n"},
		{"PUT", "/_chatemu/faults", "", 405, `{"error":"method not allowed"}` + "\n"},
	} {
		st, _, body := f.do(t, tt.method, tt.path, "", tt.body)
		if st != tt.status || body != tt.want {
			t.Errorf("%s %s %s: %d %s, want %d %s", tt.method, tt.path, tt.body, st, body, tt.status, tt.want)
		}
	}
}
