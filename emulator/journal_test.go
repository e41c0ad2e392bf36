package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
)

var dropRule = faults.Rule{Kind: faults.Drop}

// TestJournal: every vendor request is journaled with its operation, the
// tenant it addressed, its status and reason; control requests are not.
func TestJournal(t *testing.T) {
	l := startLive(t, emulator.Config{})
	easemobToken(t, l, "chatemu", "demo", emClientID, emClientSecret)
	l.do(t, "GET", "/chatemu/demo/chatmessages/2026112009?x=1", nil, "")
	l.do(t, "GET", "/im/v2.1/chatrooms/10001/messages?sender_id=amy&limit=10", yunxinHeaders(l.srv, yxAppKey, yxSecret), "")
	l.do(t, "POST", "/op/v2/userMessageList?client="+opClient+"&token="+opToken, nil, `{"userId":"alice","pageNum":1,"pageSize":1}`)
	l.do(t, "GET", "/_qiniu/nothing.png?e=1&token=x:y", nil, "")
	l.do(t, "GET", "/_oss/b/o", nil, "")
	l.do(t, "GET", "/nowhere", nil, "")
	l.do(t, "GET", "/_nos/chatemu-yunxin-demo/x.png", nil, "")
	l.control(t, "GET", "tenants", "", 200, nil)

	type row struct {
		op                  journal.Operation
		method, path, query string
		status              int
		tenant              string
	}
	want := []row{
		{"easemob.token", "POST", "/chatemu/demo/token", "", 200, "easemob:chatemu/demo"},
		{"easemob.chatmessages", "GET", "/chatemu/demo/chatmessages/2026112009", "x=1", 401, "easemob:chatemu/demo"},
		{"yunxin.chatroom_history", "GET", "/im/v2.1/chatrooms/10001/messages", "sender_id=amy&limit=10", 200, "yunxin:chatemu-yunxin-demo"},
		{"op.user_message_list", "POST", "/op/v2/userMessageList", "client=chatemu-op&token=REDACTED", 200, "op:chatemu-op"},
		{"op.qiniu_download", "GET", "/_qiniu/nothing.png", "e=1&token=REDACTED", 401, ""},
		{"easemob.archive_download", "GET", "/_oss/b/o", "", 403, ""},
		{"easemob.unknown", "GET", "/nowhere", "", 404, ""},
		{"yunxin.download", "GET", "/_nos/chatemu-yunxin-demo/x.png", "", 404, "yunxin:chatemu-yunxin-demo"},
	}
	got := l.srv.Journal().Entries(journal.Filter{})
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if (row{g.Operation, g.Method, g.Path, g.Query, g.Status, g.Tenant}) != w || g.Seq != uint64(i+1) || !g.Time.Equal(t0) {
			t.Errorf("entry %d: %+v, want %+v", i, g, w)
		}
	}
	if got[1].Reason == "" {
		t.Error("the 401's reason is not journaled")
	}

	var list struct {
		Requests []struct {
			Seq       int     `json:"seq"`
			Time      string  `json:"time"`
			Operation string  `json:"operation"`
			Duration  float64 `json:"duration_ms"`
		} `json:"requests"`
		Size int `json:"size"`
	}
	l.control(t, "GET", "requests?vendor=op", "", 200, &list)
	if len(list.Requests) != 2 || list.Requests[0].Operation != "op.user_message_list" || list.Size != 1000 ||
		list.Requests[0].Time != "2026-11-20T10:00:00.000Z" {
		t.Errorf("GET requests?vendor=op: %+v", list)
	}
	l.control(t, "GET", "requests?operation=easemob.token&tenant=easemob:chatemu/demo", "", 200, &list)
	if len(list.Requests) != 1 || list.Requests[0].Seq != 1 {
		t.Errorf("GET requests?operation: %+v", list)
	}
	if b := l.control(t, "GET", "requests?verb=GET", "", 400, nil); !strings.Contains(b, `query parameter \"verb\": unknown`) {
		t.Errorf("unknown filter: %s", b)
	}
	l.control(t, "DELETE", "requests", "", 204, nil)
	if n := len(l.srv.Journal().Entries(journal.Filter{})); n != 0 {
		t.Errorf("%d entries after DELETE requests", n)
	}
}

func TestJournalSizeAndReset(t *testing.T) {
	off := startLive(t, emulator.Config{JournalSize: -1})
	off.do(t, "GET", "/nowhere", nil, "")
	if n := len(off.srv.Journal().Entries(journal.Filter{})); n != 0 {
		t.Errorf("disabled journal holds %d", n)
	}
	small := newServer(t, emulator.Config{Spec: load(t, "empty"), JournalSize: 4})
	for range 10_000 {
		serve(small, "GET", "/nowhere", "")
	}
	if e := small.Journal().Entries(journal.Filter{}); len(e) != 4 || e[3].Seq != 10_000 {
		t.Errorf("small ring: %d entries", len(e))
	}
	small.Faults().Add(dropRule)
	small.Reset()
	if len(small.Journal().Entries(journal.Filter{})) != 0 || small.Faults().Len() != 0 {
		t.Error("Reset kept the journal or the faults")
	}
}

// TestDropWithoutHijacker: under a writer that cannot hijack (HTTP/2), a
// drop aborts the handler with http.ErrAbortHandler, and the request is
// still journaled.
func TestDropWithoutHijacker(t *testing.T) {
	s := newServer(t, emulator.Config{Spec: load(t, "empty")})
	s.Faults().Add(dropRule)
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Errorf("panic %v, want http.ErrAbortHandler", p)
			}
		}()
		serve(s, "GET", "/x/y/chatmessages/2026112009", "")
	}()
	if e := s.Journal().Entries(journal.Filter{}); len(e) != 1 || e[0].Status != 0 || e[0].Fault != "f1" {
		t.Errorf("journal %+v", e)
	}
}
