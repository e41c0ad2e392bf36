package control

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/internal/golden"
)

// stubJournal serves fixed entries and records the filter it was asked.
type stubJournal struct {
	asked   journal.Filter
	cleared bool
}

func (s *stubJournal) Entries(f journal.Filter) []journal.Entry {
	s.asked = f
	return []journal.Entry{{
		Seq: 7, Time: t0.Add(1500 * time.Millisecond), WallTime: time.Date(2031, 5, 6, 7, 8, 9, 10e6, time.UTC),
		Vendor: "easemob", Operation: journal.EasemobChatMessages,
		Method: "GET", Path: "/o/a/chatmessages/2026112009", Query: "x=1",
		RequestHeaders: []journal.Header{{Name: "Accept", Value: "a"}, {Name: "Accept", Value: "b"},
			{Name: "Authorization", Value: "Bearer REDACTED"}, {Name: "Host", Value: "emu.test"}},
		Status: 429, ResponseBody: `{"error":"reach_limit"}`, ResponseBodyBytes: 23,
		Duration: 1234567 * time.Nanosecond, Tenant: "easemob:o/a", Reason: "fault f1", Fault: "f1",
	}, {
		Seq: 8, Time: t0.Add(2 * time.Second), WallTime: time.Date(2031, 5, 6, 7, 8, 10, 0, time.UTC),
		Vendor: "op", Operation: journal.OpUnknown, Method: "POST", Path: "/op/v9/x",
		RequestBody: `{"userId":"alice"`, RequestBodyBytes: 30000, RequestBodyTruncated: true, Status: 200,
	}}
}
func (s *stubJournal) Clear()                   { s.cleared = true }
func (s *stubJournal) Size() int                { return 5 }
func (s *stubJournal) MaxBytes() int64          { return 1 << 20 }
func (s *stubJournal) Bytes() int64             { return 4321 }
func (s *stubJournal) LastSeq() uint64          { return 9 }
func (s *stubJournal) Changed() <-chan struct{} { return nil }
func (s *stubJournal) Entry(seq uint64) (journal.Entry, bool) {
	return journal.Entry{}, false
}

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

	_, _, body := f.do(t, "GET", "/_chatemu/requests?vendor=easemob&operation=easemob.chatmessages&tenant=easemob:o/a&status=4xx&since=6&limit=2&unmatched=false", "", "")
	golden.Check(t, filepath.Join("testdata", "requests.json"), []byte(body))
	status, _ := journal.ParseStatus("4xx")
	if j.asked != (journal.Filter{Vendor: "easemob", Operation: journal.EasemobChatMessages, Tenant: "easemob:o/a", Status: status, Since: 6, Limit: 2, Matched: true}) {
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

// TestRequestFilterErrors: every filter of GET requests refuses a value it
// cannot read, with a message naming the parameter and what it wants.
func TestRequestFilterErrors(t *testing.T) {
	f := newFixture(t, "")
	for _, tt := range []struct{ query, want string }{
		{"verb=GET", `{"error":"query parameter \"verb\": unknown (vendor, operation, tenant, status, since, limit, unmatched)"}`},
		{"vendor=wechat", `{"error":"vendor: want easemob, yunxin, op, got \"wechat\""}`},
		{"operation=easemob.chatmesages", `{"error":"operation: unknown operation \"easemob.chatmesages\"; want one of easemob.token, easemob.chatmessages, easemob.chatfiles, easemob.archive_download, easemob.unknown, yunxin.chatroom_history, yunxin.download, yunxin.unknown, op.user_message_list, op.qiniu_download, op.unknown"}`},
		{"status=40", `{"error":"status: want a status (404), a class (4xx) or 0 (dropped by a fault), got \"40\""}`},
		{"status=4x", `{"error":"status: want a status (404), a class (4xx) or 0 (dropped by a fault), got \"4x\""}`},
		{"since=-1", `{"error":"since: want a sequence number (0 or more), got \"-1\""}`},
		{"limit=0", `{"error":"limit: want a count of 1 or more, got \"0\""}`},
		{"limit=many", `{"error":"limit: want a count of 1 or more, got \"many\""}`},
		{"unmatched=yes", `{"error":"unmatched: want true or false, got \"yes\""}`},
		{"vendor=op&vendor=yunxin", `{"error":"vendor: given 2 times, want it once"}`},
		{"status=%zz", `{"error":"query: invalid URL escape \"%zz\""}`},
	} {
		status, _, body := f.do(t, "GET", "/_chatemu/requests?"+tt.query, "", "")
		if status != 400 || body != tt.want+"\n" {
			t.Errorf("%s: %d %s\n want 400 %s", tt.query, status, body, tt.want)
		}
	}
	for _, q := range []string{"", "vendor=op&operation=op.unknown&tenant=op:c&status=0&since=3&limit=1&unmatched=true", "status=5xx", "status=612"} {
		if status, _, body := f.do(t, "GET", "/_chatemu/requests?"+q, "", ""); status != 200 {
			t.Errorf("%s: %d %s", q, status, body)
		}
	}
}
