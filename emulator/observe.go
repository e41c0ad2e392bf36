package emulator

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
)

// observer is what the server's request path reports to besides the
// journal: the metrics (metrics.go), the access log (accesslog.go) and the
// readiness the probes answer (probes.go). It sits in the server, as the
// journal does; no vendor package sees it.
type observer struct {
	metrics  *metrics
	access   *slog.Logger // nil: no access log
	draining atomic.Bool
}

func newObserver(cfg Config, j *journal.Journal) *observer {
	return &observer{metrics: newMetrics(j, cfg.Version), access: cfg.AccessLog}
}

// vendorDone reports a vendor request once its answer is complete: the
// journal's entry (before the journal redacts its copy), the body bytes
// written and what the handler annotated.
func (o *observer) vendorDone(r *http.Request, e *journal.Entry, written int64, note *journal.Annotation) {
	o.metrics.request(e.Vendor, string(e.Operation), e.Status, e.Duration, written)
	if note.Records > 0 {
		o.metrics.archiveRecords(note.Records)
	}
	logAccess(r.Context(), o.access, &accessLine{
		method: e.Method, path: e.Path, query: e.Query, status: e.Status, took: e.Duration, written: written,
		vendor: e.Vendor, operation: string(e.Operation), tenant: e.Tenant, fault: e.Fault, reason: e.Reason, req: r,
	})
}

// faultFired counts a fault that took a vendor request.
func (o *observer) faultFired(vendor string, f *faults.Fault) { o.metrics.fault(vendor, f) }

// serveControl serves the control API, the probes and the metrics, which
// are neither faulted nor journaled but are counted and access-logged as
// the vendor requests are, as vendor "control".
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	started := s.clock.WallNow()
	cw := &controlWriter{ResponseWriter: w}
	op := probeOperation(r.URL.Path)
	if op != "" {
		s.serveProbe(cw, r, op)
	} else {
		s.router.ServeHTTP(cw, r)
		op = s.controlOperation(r)
	}
	took := s.clock.WallNow().Sub(started)
	if cw.status == 0 {
		cw.status = http.StatusOK // net/http's answer to a handler that wrote nothing
	}
	s.obs.metrics.request(vendorControl, op, cw.status, took, cw.written)
	reason := cw.Header().Get("X-Chatemu-Reason")
	if reason == "" {
		reason = cw.errorMessage()
	}
	logAccess(r.Context(), s.obs.access, &accessLine{
		method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, status: cw.status, took: took, written: cw.written,
		vendor: vendorControl, operation: op, reason: reason, req: r, probe: op == "control.livez" || op == "control.readyz" ||
			op == "control.metrics" || op == "control.health",
	})
}

// controlOperation names a control request by the route that serves it:
// "control." and the route's first path segment after the prefix
// ("control.clock", "control.tenants", …), or "control.unknown" for a
// path no control route serves, so that the metrics' labels are bounded
// by the routes, whatever paths clients send.
func (s *Server) controlOperation(r *http.Request) string {
	var m mux.RouteMatch
	if !s.router.Match(r, &m) || m.Route == nil {
		return "control.unknown"
	}
	tpl, err := m.Route.GetPathTemplate()
	rest, ok := strings.CutPrefix(tpl, control.Prefix)
	if err != nil || !ok || rest == "" {
		return "control.unknown"
	}
	seg, _, _ := strings.Cut(rest, "/")
	if strings.ContainsAny(seg, "{}") {
		return "control.unknown"
	}
	return "control." + seg
}

// maxErrorBody is how much of a control error's body controlWriter keeps
// to find its message.
const maxErrorBody = 1 << 10

// controlWriter remembers the status and body bytes of a control answer,
// and the start of an error's body, whose {"error":…} message is the
// access log's reason. It keeps the writer's http.Flusher and
// http.Hijacker, and unwraps for http.ResponseController.
type controlWriter struct {
	http.ResponseWriter
	status  int
	written int64
	errBody []byte
}

func (w *controlWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *controlWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.status >= 400 && len(w.errBody) < maxErrorBody {
		w.errBody = append(w.errBody, b[:min(len(b), maxErrorBody-len(w.errBody))]...)
	}
	n, err := w.ResponseWriter.Write(b)
	w.written += int64(n)
	return n, err
}

// errorMessage is the message of a control error's {"error":"…"} body, or
// "".
func (w *controlWriter) errorMessage() string {
	if len(w.errBody) == 0 {
		return ""
	}
	var body struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(w.errBody, &body) != nil {
		return ""
	}
	return body.Error
}

// Flush sends buffered data, when the underlying writer can.
func (w *controlWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		f.Flush()
	}
}

// Hijack hands over the connection, when the underlying writer can.
func (w *controlWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return hijack(w.ResponseWriter)
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (w *controlWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
