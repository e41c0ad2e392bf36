package yunxin

import (
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/internal/routes"
	"github.com/chatemu/chatemu/emulator/journal"
)

// Routes registers the Yunxin routes of the route table
// (emulator/internal/routes) on r: the chatroom history (a method other
// than GET is the history's 405: POST there is the vendor's send-message
// API, which chatemu does not emulate), the attachment files under /_nos/,
// and a Yunxin-shaped 404 for every other path under /im/v2/, /im/v2.1/
// and /nimserver/, so that a later catch-all (Easemob's /{org}/{app}/…)
// never answers a Yunxin client in another vendor's format.
func (s *Surface) Routes(r *mux.Router) {
	routes.Mount(r, routes.Handlers{routes.Yunxin: s.Handler})
}

// Handler returns the handler of the table's Yunxin route name, nil for a
// name that is not Yunxin's.
func (s *Surface) Handler(name string) http.Handler {
	switch journal.Operation(name) {
	case journal.YunxinChatroomHistory:
		return s.api.Handle(s.history)
	case journal.YunxinDownload:
		return s.nos.Handle(s.download)
	case journal.YunxinUnknown:
		return s.api.Handle(s.unknownAPI)
	}
	return nil
}

// adapters builds the surface's two adapters: the history API's, whose
// errors are the v2 envelope, and the attachment files', whose errors are
// NOS's S3-style XML.
func (s *Surface) adapters() {
	s.api = &respond.Adapter[*Error]{Log: s.log, Render: renderError, Internal: errInternal}
	s.nos = &respond.Adapter[*nosError]{Log: s.log, Render: renderNOSError, Internal: nosInternalError}
}

// unknownAPI answers a Yunxin path that is no emulated API.
func (s *Surface) unknownAPI(r *http.Request) (respond.Response, *Error) {
	return respond.Response{}, &Error{Code: codeNotFound, Msg: msgNotFound, status: http.StatusNotFound,
		Reason: fmt.Sprintf("%s %s is not an API chatemu emulates for Yunxin (only GET /im/v2[.1]/chatrooms/{room_id}/messages, optionally under /nimserver)", r.Method, r.URL.Path)}
}
