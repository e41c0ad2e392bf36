package emulator

import (
	"net/http"

	"github.com/chatemu/chatemu/emulator/control"
)

// The probe and metrics paths. The probes answer at the root, where
// Kubernetes and load balancers look by default, and under the control
// prefix beside health; the metrics only under the control prefix.
const (
	pathLivez   = "/livez"
	pathReadyz  = "/readyz"
	pathMetrics = control.Prefix + "metrics"
)

// probeOperation names a probe or metrics path for the metrics and the
// access log ("control.livez", …), or "" for any other path.
func probeOperation(path string) string {
	switch path {
	case pathLivez, control.Prefix + "livez":
		return "control.livez"
	case pathReadyz, control.Prefix + "readyz":
		return "control.readyz"
	case pathMetrics:
		return "control.metrics"
	}
	return ""
}

// Drain marks the server as shutting down: from now on /readyz answers 503,
// so that a load balancer or an orchestrator stops sending it new traffic,
// while every other route, /livez included, serves as before. chatemu serve
// calls it on SIGINT/SIGTERM, before --drain-delay and the graceful
// shutdown. It is not undone (Reset does not touch it).
func (s *Server) Drain() { s.obs.draining.Store(true) }

// Draining reports whether Drain was called.
func (s *Server) Draining() bool { return s.obs.draining.Load() }

// serveProbe answers a probe or a scrape; op is its probeOperation.
//
//   - livez: the process serves HTTP. Always 200 "ok".
//   - readyz: the server is ready for traffic: its world is built (New
//     built it), its routes are compiled (done here if no request did it
//     yet) and its listener serves (this answer came through it). 200 "ok";
//     503 once Drain was called.
//   - metrics: the Prometheus exposition, behind the control token when
//     the server has one, as every control route but health.
//
// The probes are open, as health is: a health checker holds no token.
func (s *Server) serveProbe(w http.ResponseWriter, r *http.Request, op string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeControlError(w, r, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	switch op {
	case "control.metrics":
		if !s.control.Authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="chatemu"`)
			writeControlError(w, r, http.StatusUnauthorized, "control token required")
			return
		}
		s.obs.metrics.serve(w, r)
		return
	case "control.readyz":
		s.router.get()
		if s.Draining() {
			w.Header().Set("X-Chatemu-Reason", "shutting down: the server is draining its connections and accepts no new work")
			writeProbe(w, r, http.StatusServiceUnavailable, "shutting down\n")
			return
		}
	}
	writeProbe(w, r, http.StatusOK, "ok\n")
}

// writeProbe writes a probe's plain-text answer.
func writeProbe(w http.ResponseWriter, r *http.Request, status int, body string) {
	writeBody(w, r, status, "text/plain; charset=utf-8", body)
}

// writeControlError writes an error as the control API does:
// {"error":"…"} with its status; msg is one of this file's constants,
// which need no JSON escape.
func writeControlError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeBody(w, r, status, "application/json; charset=utf-8", `{"error":"`+msg+`"}`+"\n")
}

// writeBody writes an answer nobody may cache; no body to a HEAD.
func writeBody(w http.ResponseWriter, r *http.Request, status int, contentType, body string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(body))
	}
}
