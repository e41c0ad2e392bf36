package emulator

import (
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/routes"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
)

// TestRouteTable pins the routing order: which route, of which surface,
// answers a representative path of every prefix, the catch-alls included,
// and that the journal's and the faults' vendor of the path (vendorOf) is
// that surface. A path no route takes ("") is the server's plain 404, and
// Easemob's for the journal.
func TestRouteTable(t *testing.T) {
	s, err := New(Config{Spec: &world.Spec{Name: "empty", Seed: 1}, PublicURL: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	const (
		history  = string(journal.YunxinChatroomHistory)
		download = string(journal.YunxinDownload)
		yxOther  = string(journal.YunxinUnknown)
		emOther  = string(journal.EasemobUnknown)
	)
	tests := []struct {
		method, path string
		route        string // the route's name, "" for none
		vendor       routes.Surface
	}{
		{"GET", "/_chatemu/health", routes.ControlHealth, routes.Control},
		{"DELETE", "/_chatemu/tenants/easemob:a/b", routes.ControlTenant, routes.Control},
		{"DELETE", "/_chatemu/faults/f1", routes.ControlFault, routes.Control},
		{"POST", "/_chatemu/reset", routes.ControlReset, routes.Control},
		{"GET", "/_chatemu/nope", routes.ControlUnknown, routes.Control},
		{"GET", "/_chatemu/a/b/c", routes.ControlUnknown, routes.Control},
		{"GET", "/_chatemu", "", routes.Control},

		{"GET", "/im/v2/chatrooms/1/messages", history, routes.Yunxin},
		{"POST", "/im/v2.1/chatrooms/1/messages", history, routes.Yunxin},
		{"GET", "/nimserver/im/v2/chatrooms/1/messages", history, routes.Yunxin},
		{"GET", "/nimserver/im/v2.1/chatrooms/1/messages", history, routes.Yunxin},
		{"GET", "/im/v2/chatrooms/1", yxOther, routes.Yunxin},
		{"GET", "/im/v2.1/x", yxOther, routes.Yunxin},
		{"GET", "/nimserver/im/v1/x", yxOther, routes.Yunxin},
		{"GET", "/_nos/appkey/file.jpg", download, routes.Yunxin},
		{"PUT", "/_nos/appkey/file.jpg", download, routes.Yunxin},
		{"GET", "/_nos/appkey/a/b", download, routes.Yunxin},
		{"GET", "/_nos/", download, routes.Yunxin},

		{"POST", "/op/v2/userMessageList", string(journal.OpUserMessageList), routes.Op},
		{"GET", "/op/v2/userMessageList", string(journal.OpUserMessageList), routes.Op},
		{"POST", "/op/v2/userMessageLis", string(journal.OpUnknown), routes.Op},
		{"GET", "/op/x", string(journal.OpUnknown), routes.Op},
		{"GET", "/_qiniu/key.jpg", string(journal.OpQiniuDownload), routes.Op},
		{"GET", "/_qiniu/a/b%0Ac", string(journal.OpQiniuDownload), routes.Op},

		{"GET", "/_oss/bucket/history/o/a/2026112010.gz", string(journal.EasemobArchiveDownload), routes.Easemob},
		{"POST", "/org/app/token", string(journal.EasemobToken), routes.Easemob},
		{"GET", "/org/app/chatmessages/2026112010", string(journal.EasemobChatMessages), routes.Easemob},
		{"GET", "/org/app/chatfiles/u-1", string(journal.EasemobChatFiles), routes.Easemob},
		{"GET", "/org/app/users", emOther, routes.Easemob},
		{"GET", "/org/app/chatmessages/2026112010/x", emOther, routes.Easemob},
		// Not Yunxin's: no Yunxin route claims /im/v3/; Easemob's catch-all
		// takes it as org "im", app "v3".
		{"GET", "/im/v3/x", emOther, routes.Easemob},
		{"GET", "/op", "", routes.Easemob},
		{"GET", "/org/app", "", routes.Easemob},
		{"GET", "/_oss/bucket", "", routes.Easemob},
		{"GET", "/_other/a/b", "", routes.Easemob},
		{"GET", "/", "", routes.Easemob},
	}
	r := s.router.get()
	for _, tt := range tests {
		var m mux.RouteMatch
		got := ""
		if r.Match(httptest.NewRequest(tt.method, tt.path, nil), &m) && m.Route != nil {
			got = m.Route.GetName()
		}
		if got != tt.route {
			t.Errorf("%s %s: route %q, want %q", tt.method, tt.path, got, tt.route)
		}
		if v := vendorOf(tt.path); v != string(tt.vendor) && !(tt.vendor == routes.Control && isControl(tt.path)) {
			t.Errorf("%s %s: vendor %q, want %q", tt.method, tt.path, v, tt.vendor)
		}
		if isControl(tt.path) != (tt.vendor == routes.Control) {
			t.Errorf("%s %s: isControl %v", tt.method, tt.path, isControl(tt.path))
		}
	}
}

// TestEveryRowServed: every row of the table is mounted with a handler of
// its surface (routes.Mount would panic on the first request otherwise);
// TestRouteTable shows each is reachable.
func TestEveryRowServed(t *testing.T) {
	s, err := New(Config{Spec: &world.Spec{Name: "empty", Seed: 1}, PublicURL: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	r := s.router.get()
	named := map[string]bool{}
	_ = r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		named[route.GetName()] = true
		return nil
	})
	for _, rt := range routes.Table() {
		if !named[rt.Name] {
			t.Errorf("%s %s (%s) is not mounted", rt.Surface, rt.Name, rt.Path)
		}
	}
}
