package yunxin

import (
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/journal"
)

// historyPaths are the chatroom history's routes: /im/v2 (the doc page)
// and /im/v2.1 (the current list and both SDKs), each bare and under the
// Go SDK's /nimserver prefix (the SDKs' chatroom_message v2 url contexts;
// src/core/base/constants.go of github.com/netease-im/yunxin-server-sdk-golang).
var historyPaths = []string{
	"/im/v2/chatrooms/{room_id}/messages",
	"/im/v2.1/chatrooms/{room_id}/messages",
	"/nimserver/im/v2/chatrooms/{room_id}/messages",
	"/nimserver/im/v2.1/chatrooms/{room_id}/messages",
}

// Routes registers the surface on r: the chatroom history (a method other
// than GET is the 405 of history: POST there is the vendor's send-message
// API, which chatemu does not emulate), the attachment files under /_nos/,
// and a Yunxin-shaped 404 for every other path under /im/v2/, /im/v2.1/
// and /nimserver/ so that a later catch-all (Easemob's /{org}/{app}/…)
// never answers a Yunxin client in another vendor's format.
func (s *Surface) Routes(r *mux.Router) {
	for _, p := range historyPaths {
		r.Handle(p, s.api.Handle(s.history)).Name(string(journal.YunxinChatroomHistory))
	}
	r.Handle("/_nos/{appkey}/{file}", s.nos.Handle(s.download)).Name(string(journal.YunxinDownload))
	// Every other request under /_nos/ is NOS's too: a key of another shape
	// (a/b, ../x), answered in S3's XML rather than the server's plain 404.
	r.PathPrefix("/_nos/").Handler(s.nos.Handle(s.download)).Name(string(journal.YunxinDownload))
	for _, p := range []string{"/im/v2/", "/im/v2.1/", "/nimserver/"} {
		r.PathPrefix(p).Handler(s.api.Handle(s.unknownAPI)).Name(string(journal.YunxinUnknown))
	}
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
