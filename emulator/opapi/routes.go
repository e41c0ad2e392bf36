package opapi

import (
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/internal/routes"
	"github.com/chatemu/chatemu/emulator/journal"
)

// Routes registers the Op routes of the route table
// (emulator/internal/routes) on r: userMessageList (any method: a wrong one
// gets the envelope's 405, not a mux 405), the Qiniu downloads, and the
// envelope's 404 for every other path under /op/, so that the Easemob
// catch-all mounted after them never answers a mistyped Op path with an
// Easemob body.
func (s *Surface) Routes(r *mux.Router) {
	routes.Mount(r, routes.Handlers{routes.Op: s.Handler})
}

// Handler returns the handler of the table's Op route name, nil for a name
// that is not Op's.
func (s *Surface) Handler(name string) http.Handler {
	switch journal.Operation(name) {
	case journal.OpUserMessageList:
		return s.api.Handle(s.userMessageList)
	case journal.OpQiniuDownload:
		return s.qiniu.Handle(s.qiniuDownload)
	case journal.OpUnknown:
		return s.api.Handle(s.unknownAPI)
	}
	return nil
}

// adapters builds the surface's two adapters: userMessageList's, whose
// errors are the envelope, and the Qiniu downloads', whose errors are
// Qiniu's JSON.
func (s *Surface) adapters() {
	s.api = &respond.Adapter[*Error]{Log: s.log, Render: s.renderError, Internal: errInternal}
	s.qiniu = &respond.Adapter[*qiniuError]{Log: s.log, Render: renderQiniuError, Internal: qiniuInternalError}
}

// CodeUnknownAPI and MsgUnknownAPI answer a path under /op/ that is no
// emulated API. [choice]
const (
	CodeUnknownAPI Code = 404
	MsgUnknownAPI       = "接口不存在"
)

// unknownAPI answers a path under /op/ that is not userMessageList with the
// envelope's code 404 (HTTP 200, like every error of the surface). [choice]
func (s *Surface) unknownAPI(r *http.Request) (respond.Response, *Error) {
	return respond.Response{}, fail(CodeUnknownAPI, MsgUnknownAPI, fmt.Sprintf("%s %s is not an API chatemu emulates for the Op API (only POST %s)", r.Method, r.URL.Path, UserMessageListPath))
}
