package opapi

import (
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/journal"
)

// Routes registers userMessageList (any method: a wrong one gets the
// envelope's 405, not a mux 405), the Qiniu download route, and the
// envelope's 404 for every other path under /op/.
func (s *Surface) Routes(r *mux.Router) {
	r.Handle(UserMessageListPath, s.api.Handle(s.userMessageList)).Name(string(journal.OpUserMessageList))
	r.Handle(QiniuPathPrefix+"{key:(?s:.+)}", s.qiniu.Handle(s.qiniuDownload)).Name(string(journal.OpQiniuDownload))
	// Any other path under /op/ is the Op backend's, not Easemob's: without
	// this, the Easemob catch-all registered later would answer a mistyped
	// Op path with an Easemob body.
	r.PathPrefix("/op/").Handler(s.api.Handle(s.unknownAPI)).Name(string(journal.OpUnknown))
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
