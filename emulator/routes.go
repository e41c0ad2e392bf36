package emulator

import (
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/internal/routes"
)

// routes builds the router: the route table (emulator/internal/routes),
// every row of every surface in the table's order, mounted in one pass.
func (s *Server) routes() *mux.Router {
	// SkipClean: gorilla would answer a path with "..", "//" or an encoded
	// slash with its own 301; every vendor answers such paths itself.
	r := mux.NewRouter().SkipClean(true)
	routes.Mount(r, routes.Handlers{
		routes.Control: s.controlHandler,
		routes.Yunxin:  nameOperation(s.yunxin.Handler),
		routes.Op:      nameOperation(s.op.Handler),
		routes.Easemob: nameOperation(s.easemob.Handler),
	})
	r.NotFoundHandler = http.HandlerFunc(notFound)
	return r
}

// controlHandler is the control surface's handler of a route name: the
// control API's, and the inspector's pages, which the server serves beside
// it (the inspector calls the control API; the control API knows nothing
// of it).
func (s *Server) controlHandler(name string) http.Handler {
	if name == routes.ControlUI {
		return s.inspector
	}
	return s.control.Handler(name)
}

// lazyRouter builds the router on the first request: compiling the route
// patterns is most of New's cost, and a test that starts an emulator often
// sends it few requests, or none.
type lazyRouter struct {
	once  sync.Once
	build func() *mux.Router
	r     *mux.Router
}

func (l *lazyRouter) get() *mux.Router {
	l.once.Do(func() { l.r = l.build() })
	return l.r
}

// ServeHTTP serves r with the router.
func (l *lazyRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) { l.get().ServeHTTP(w, r) }

// Match reports whether a route matches r, as mux.Router.Match.
func (l *lazyRouter) Match(r *http.Request, m *mux.RouteMatch) bool { return l.get().Match(r, m) }

// notFound answers a path that no surface claims.
func notFound(w http.ResponseWriter, r *http.Request) {
	// Bounded as every vendor's reason is: the path is the client's.
	w.Header().Set("X-Chatemu-Reason", respond.Reason("no emulated API serves "+r.Method+" "+r.URL.Path))
	http.NotFound(w, r)
}

// vendorOf says whose request a path is, for the journal and the faults
// (faults.Vendors), before it is routed: the surface the route table gives
// it (routes.SurfaceOf), Easemob for every path the others do not claim.
func vendorOf(path string) string { return string(routes.SurfaceOf(path)) }

// isControl reports whether path is the control API's, which is neither
// journaled nor faulted: its routes' and its bare prefix, /_chatemu.
func isControl(path string) bool {
	return routes.SurfaceOf(path) == routes.Control || path == strings.TrimSuffix(control.Prefix, "/")
}
