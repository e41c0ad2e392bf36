// Package respond is the one handler idiom of chatemu's surfaces, vendor
// and control alike: a handler returns its answer as a value, a Response or
// the surface's own error, and an Adapter turns the value into bytes. The
// adapter is the one place that renders the error in the vendor's format,
// turns a panic into the vendor's own 500, bounds the X-Chatemu-Reason
// header and logs a refused request, once. The model is fake-gcs-server's
// jsonResponse adapter (internal/backend and fakestorage/response.go in
// github.com/fsouza/fake-gcs-server).
//
// A vendor has one Adapter per error format it speaks: Easemob's Usergrid
// JSON and its OSS XML are two, as are Yunxin's v2 envelope and its NOS
// XML, and the Op API's envelope and its Qiniu JSON.
//
// respond imports only the standard library.
package respond

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// ReasonHeader is the response header that says, in plain words, why a
// request was refused; the body stays exactly the vendor's.
const ReasonHeader = "X-Chatemu-Reason"

// MaxReason bounds the X-Chatemu-Reason header, in bytes.
const MaxReason = 1024

// Response is a handler's answer.
//
// The zero Response writes nothing: it is the answer to a client that has
// gone (its request's context is done), which nobody reads.
type Response struct {
	// Status is the HTTP status.
	Status int
	// Header holds the answer's headers, set before the status is written.
	Header http.Header
	// Body is the answer's body, not written for a HEAD request.
	Body []byte
	// Immutable says that nothing writes Body again (a page from a page
	// cache), so that a writer may keep it rather than copy it (the
	// server's journal keeps the start of each answer).
	Immutable bool
	// Stream, when not nil, writes the body instead of Body, after the
	// headers: an archive written as it is read. With Status 0, Stream
	// writes the status as well (a download that answers Range requests
	// itself, with 200, 206 or 304).
	Stream func(w http.ResponseWriter)
	// Reason is the X-Chatemu-Reason of a refusal: why, in plain words.
	// The adapter keeps it to one line of at most MaxReason bytes.
	Reason string
	// Release, when not nil, is called once the answer is written (or
	// not, for a HEAD request): Body's memory may be reused from then on
	// (a pooled buffer).
	Release func()
}

// Error is what a surface's error type must be: an error whose zero value
// (nil, for the pointer types every surface uses) means no error.
type Error interface {
	comparable
	error
}

// Handler is a handler of a surface whose errors are of type E: it returns
// the answer, or the error for the adapter to render.
type Handler[E Error] func(r *http.Request) (Response, E)

// Adapter turns a surface's handler values into answers. E is the
// surface's error type.
type Adapter[E Error] struct {
	// Log receives one line for each refused request (debug) and each
	// panic (error). Nil discards them.
	Log *slog.Logger
	// Render is the one place an error of the surface becomes its status,
	// headers, body and reason.
	Render func(r *http.Request, e E) Response
	// Internal is the surface's own answer to a bug of chatemu (a panic in
	// a handler): the vendor's 500, never a Go error string or a dropped
	// connection. reason says what happened.
	Internal func(reason string) E
}

// Handle returns h as an http.Handler.
func (a *Adapter[E]) Handle(h Handler[E]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// started is set once the answer may have begun: a panic after it
		// cannot be answered with a body.
		started := false
		defer func() {
			if p := recover(); p != nil {
				a.recovered(w, r, p, started)
			}
		}()
		res, e := h(r)
		var none E
		if e != none {
			res = a.render(r, e)
		}
		started = true
		a.write(w, r, res)
	})
}

// Fail writes e as the surface renders it, and logs it: an error found
// while an answer is being streamed but before its status is written (a
// download's unsatisfiable Range), or a fault preset.
func (a *Adapter[E]) Fail(w http.ResponseWriter, r *http.Request, e E) {
	a.write(w, r, a.render(r, e))
}

// render renders e, and logs the refusal (the one line it gets).
func (a *Adapter[E]) render(r *http.Request, e E) Response {
	res := a.Render(r, e)
	if l := a.log(); l.Enabled(r.Context(), slog.LevelDebug) {
		l.Debug("refused", "method", r.Method, "path", r.URL.Path, "status", res.Status, "error", e.Error())
	}
	return res
}

// recovered answers a panic of a handler with the surface's 500, or drops
// the connection when the answer has begun (its status is sent: no body of
// the vendor's can follow). http.ErrAbortHandler, net/http's way of
// dropping a connection on purpose, goes on.
func (a *Adapter[E]) recovered(w http.ResponseWriter, r *http.Request, p any, started bool) {
	if p == http.ErrAbortHandler {
		panic(p)
	}
	a.log().Error("panic in handler", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	if started {
		panic(http.ErrAbortHandler)
	}
	a.write(w, r, a.Render(r, a.Internal(fmt.Sprintf("chatemu bug: panic: %v", p))))
}

// write sends res.
func (a *Adapter[E]) write(w http.ResponseWriter, r *http.Request, res Response) {
	if res.Release != nil {
		defer res.Release()
	}
	if res.Status == 0 && res.Stream == nil {
		return
	}
	h := w.Header()
	for k, vs := range res.Header {
		h[k] = vs
	}
	if res.Reason != "" {
		h.Set(ReasonHeader, Reason(res.Reason))
	}
	if res.Status == 0 {
		res.Stream(w)
		return
	}
	w.WriteHeader(res.Status)
	if r.Method == http.MethodHead {
		return
	}
	if res.Stream != nil {
		res.Stream(w)
		return
	}
	if len(res.Body) > 0 {
		// A write error is the client leaving: nothing to answer it with.
		if kw, ok := w.(ImmutableWriter); ok && res.Immutable {
			_, _ = kw.WriteImmutable(res.Body)
			return
		}
		_, _ = w.Write(res.Body)
	}
}

// ImmutableWriter is a writer that can keep a body nothing writes again
// instead of copying it (Response.Immutable): the server's journal.
type ImmutableWriter interface {
	http.ResponseWriter
	// WriteImmutable writes b as Write does; the writer may keep b.
	WriteImmutable(b []byte) (int, error)
}

func (a *Adapter[E]) log() *slog.Logger {
	if a.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Log
}

// Header returns the headers kv holds, pairs of a name and its value: one
// map and one array of values, where setting each would allocate a slice
// per value. The names must be canonical (http.CanonicalHeaderKey).
func Header(kv ...string) http.Header {
	n := len(kv) / 2
	h := make(http.Header, n)
	values := make([]string, n)
	for i := range n {
		values[i] = kv[2*i+1]
		h[kv[2*i]] = values[i : i+1 : i+1]
	}
	return h
}

// Reason keeps s usable as a header value: one line (control characters
// become spaces) of at most MaxReason bytes.
func Reason(s string) string {
	clean := len(s) <= MaxReason
	for i := 0; clean && i < len(s); i++ {
		clean = s[i] >= 0x20 && s[i] != 0x7f
	}
	if clean {
		return s
	}
	out := make([]byte, 0, min(len(s), MaxReason))
	for i := 0; i < len(s) && len(out) < MaxReason; i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			c = ' '
		}
		out = append(out, c)
	}
	return string(out)
}
