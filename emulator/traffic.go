package emulator

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
)

// Vendors of a request, by path (faults.Vendors).
const (
	vendorEasemob = "easemob"
	vendorYunxin  = "yunxin"
	vendorOp      = "op"
)

// faultWriter is what the server needs of a surface to answer a fault
// preset in the vendor's format (the vendor packages' WriteFault).
type faultWriter interface {
	WriteFault(w http.ResponseWriter, r *http.Request, kind faults.Kind, reason string) bool
}

// vendorOf says whose request a path is: Yunxin's API and its NOS files,
// the Op API and its Qiniu files, and Easemob for the rest (its REST paths
// and its OSS archives).
func vendorOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/im/"), strings.HasPrefix(path, "/nimserver/"), strings.HasPrefix(path, "/_nos/"):
		return vendorYunxin
	case strings.HasPrefix(path, "/op/"), strings.HasPrefix(path, "/_qiniu/"):
		return vendorOp
	}
	return vendorEasemob
}

// isControl reports whether path is the control API's, which is neither
// journaled nor faulted.
func isControl(path string) bool {
	return strings.HasPrefix(path, control.Prefix) || path == strings.TrimSuffix(control.Prefix, "/")
}

// serveVendor serves a vendor request through the faults and the journal:
// it names the request's operation from the route that matches, lets the
// first matching fault answer or delay it, and records it.
func (s *Server) serveVendor(w http.ResponseWriter, r *http.Request) {
	started := s.clock.WallNow()
	entry := journal.Entry{
		Time:   s.clock.Now(),
		Vendor: vendorOf(r.URL.Path),
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.RawQuery,
	}
	entry.Operation = entry.Vendor + ".unknown"
	// Every time a vendor answer carries comes from the emulator's clock,
	// Date included (net/http would write the wall clock's): a client that
	// checks a link's expiry against Date agrees with the server. A handler
	// may still set its own.
	w.Header().Set("Date", entry.Time.Format(http.TimeFormat))
	// The operation is named by the route that serves the request, from
	// inside the one routing pass (nameOperation); only a faulted request,
	// which the router does not serve, is matched here (faulted below).
	r, note := journal.WithAnnotation(r)
	rec := &recorder{ResponseWriter: w}
	// The entry is added when the status is sent, before the client can
	// read the answer: a test that asserts on the journal right after its
	// client returns finds the request there. Requests answered by no
	// status (a drop, a client that gave up) are added when they end.
	done := false
	rec.sent = func() {
		if done {
			return
		}
		done = true
		entry.Status = rec.status
		entry.Duration = s.clock.WallNow().Sub(started)
		entry.Tenant = note.Tenant
		if rec.op != "" {
			entry.Operation = rec.op
		}
		entry.Reason = rec.Header().Get("X-Chatemu-Reason")
		s.journal.Add(entry)
	}
	// A panic (a dropped connection without a hijacker aborts with
	// http.ErrAbortHandler) still leaves its entry.
	defer rec.sent()

	if s.faults.Len() == 0 {
		s.router.ServeHTTP(rec, r)
		return
	}
	f, ok := s.faults.Take(entry.Vendor, r.Method, r.URL.Path)
	if !ok {
		s.router.ServeHTTP(rec, r)
		return
	}
	var match mux.RouteMatch
	if s.router.Match(r, &match) && match.Route != nil {
		rec.op = match.Route.GetName()
	}
	entry.Fault = f.ID
	if d := f.DelayDuration(); d > 0 {
		// Real latency, not the emulator's clock: a client's timeout is
		// measured in real time. A client that gives up ends the wait.
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	switch {
	case f.Kind == faults.Drop:
		s.log.Debug("fault: drop", "fault", f.ID, "method", r.Method, "path", r.URL.Path)
		rec.sent() // recorded before the client can see the drop and retry
		rec.drop()
	case f.Kind != "":
		reason := "fault " + f.ID + ": " + string(f.Kind) + " preset (POST /_chatemu/faults); the request did not reach the emulated API"
		r = mux.SetURLVars(r, match.Vars)
		if !s.faultWriter(entry.Vendor).WriteFault(rec, r, f.Kind, reason) {
			// Compile admits only presets the surfaces render.
			s.log.Error("fault preset not rendered", "fault", f.ID, "kind", string(f.Kind))
			rec.Header().Set("X-Chatemu-Reason", "chatemu bug: fault kind "+string(f.Kind)+" not rendered")
			rec.WriteHeader(http.StatusNotImplemented)
		}
	case f.Status != 0:
		f.WriteRaw(rec)
	default:
		s.router.ServeHTTP(rec, r)
	}
}

func (s *Server) faultWriter(vendor string) faultWriter {
	switch vendor {
	case vendorYunxin:
		return s.yunxin
	case vendorOp:
		return s.op
	}
	return s.easemob
}

// recorder remembers the status a handler sends and calls sent when it
// does (net/http buffers the header until the handler writes or returns, so
// sent runs before the client sees the status). It keeps the writer's
// http.Flusher (archive streaming) and http.Hijacker (the drop fault), and
// unwraps for http.ResponseController.
type recorder struct {
	http.ResponseWriter
	status int // 0 until a final status is sent
	sent   func()
	op     string // the serving route's name, set by nameOperation
}

// nameOperation is the router's middleware that names a vendor request's
// operation for the journal from the route the router matched, so each
// request is routed once (BENCHMARKS.md). Control requests are not served
// through a recorder and pass untouched.
func nameOperation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec, ok := w.(*recorder); ok {
			if route := mux.CurrentRoute(r); route != nil {
				rec.op = route.GetName()
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
		r.sent()
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

// Flush sends buffered data, when the underlying writer can.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		if r.status == 0 {
			r.WriteHeader(http.StatusOK)
		}
		f.Flush()
	}
}

// Hijack hands over the connection, when the underlying writer can.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := r.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("emulator: the response writer cannot hijack")
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// drop closes the connection without an answer: hijacked and closed on
// HTTP/1.x, aborted (http.ErrAbortHandler) where there is no hijacker
// (HTTP/2), which resets the stream.
func (r *recorder) drop() {
	if h, ok := r.ResponseWriter.(http.Hijacker); ok {
		if conn, _, err := h.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
