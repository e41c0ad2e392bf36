package easemob

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/internal/routes"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// Routes registers the Easemob routes of the route table
// (emulator/internal/routes) on r. The server mounts Easemob last: its
// /{org}/{app}/… catch-all answers every unmatched path of three or more
// segments whose first segment does not start with "_", as the vendor's
// unknown-API error. No route restricts a method: a wrong method on a
// known path is the vendor's 500 unsupported_service_operation, decided in
// the handler, not gorilla/mux's 405.
func (s *Surface) Routes(r *mux.Router) {
	routes.Mount(r, routes.Handlers{routes.Easemob: s.Handler})
}

// Handler returns the handler of the table's Easemob route name, nil for
// a name that is not Easemob's.
func (s *Surface) Handler(name string) http.Handler {
	switch journal.Operation(name) {
	case journal.EasemobArchiveDownload:
		return s.oss.Handle(s.archiveDownload)
	case journal.EasemobToken:
		return s.rest.Handle(s.token)
	case journal.EasemobChatMessages:
		return s.rest.Handle(s.chatMessages)
	case journal.EasemobChatFiles:
		return s.rest.Handle(s.chatFile)
	case journal.EasemobUnknown:
		return s.rest.Handle(s.unknownAPI)
	}
	return nil
}

// adapters builds the surface's two adapters: the REST API's, whose errors
// are Usergrid's JSON envelope, and the archive downloads', whose errors
// are OSS's XML.
func (s *Surface) adapters() {
	s.rest = &respond.Adapter[*Error]{Log: s.log, Render: s.renderError, Internal: errInternal}
	s.oss = &respond.Adapter[*sign.OSSError]{Log: s.log, Render: s.renderOSSError, Internal: ossInternalError}
}

// enter is every REST handler's first steps, in the vendor's order: the
// org/app of the path (404 when there is none), the method (500
// unsupported_service_operation) and the app's rate limit for the API
// (429). The app is named in the journal.
func (s *Surface) enter(r *http.Request, method string, l rateLimit) (*world.EasemobApp, *Error) {
	app, e := s.app(r)
	if e != nil {
		return nil, e
	}
	if r.Method != method {
		return nil, errUnsupportedOperation(r.Method, uriPath(r))
	}
	if e := s.limit(app, l); e != nil {
		return nil, e
	}
	return app, nil
}

// app resolves the request's org/app, or the vendor's 404.
func (s *Surface) app(r *http.Request) (*world.EasemobApp, *Error) {
	v := mux.Vars(r)
	app, ok := s.cfg.World.EasemobApp(v["org"], v["app"])
	if !ok {
		// Usergrid's uriInfo.getPath(): the decoded path without its
		// leading slash (Usergrid
		// rest/exceptions/OrganizationApplicationNotFoundException.java).
		return nil, errOrgAppNotFound(v["org"], v["app"], uriPath(r))
	}
	journal.SetTenant(r, string(app.Tenant()))
	return app, nil
}

func uriPath(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, "/") }

// unknownAPI answers a path under a known org/app that is no emulated API.
func (s *Surface) unknownAPI(r *http.Request) (respond.Response, *Error) {
	if _, e := s.app(r); e != nil {
		return respond.Response{}, e
	}
	return respond.Response{}, errUnknownAPI(uriPath(r))
}

// renderError is the one place an Easemob REST error becomes its answer:
// the vendor's status and Usergrid envelope, and the reason.
func (s *Surface) renderError(_ *http.Request, e *Error) respond.Response {
	res := jsonBody(e.Status, e.body(s.cfg.Clock.Now().UnixMilli()))
	res.Reason = e.Reason
	return res
}

// jsonBody is a compact JSON answer as the vendor sends it (the 2014
// capture in easemob-doc docs/.vuepress/public/images/server-side/
// response_icon.jpeg: Content-Type application/json,
// Access-Control-Allow-Origin *).
func jsonBody(status int, body []byte) respond.Response {
	h := respond.Header("Content-Type", "application/json", "Access-Control-Allow-Origin", "*",
		"Content-Length", strconv.Itoa(len(body)))
	return respond.Response{Status: status, Header: h, Body: body}
}
