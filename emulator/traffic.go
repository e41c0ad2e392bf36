package emulator

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/internal/routes"
	"github.com/chatemu/chatemu/emulator/journal"
)

// faultWriter is what the server needs of a surface to answer a fault
// preset in the vendor's format (the vendor packages' WriteFault).
type faultWriter interface {
	WriteFault(w http.ResponseWriter, r *http.Request, kind faults.Kind, reason string) bool
}

// serveVendor serves a vendor request through the faults and the journal:
// it names the request's operation from the route that matches, lets the
// first matching fault answer or delay it, and records it.
func (s *Server) serveVendor(w http.ResponseWriter, r *http.Request) {
	// One allocation holds the recorder, the entry and what recording it
	// needs (record).
	rec := &recorder{ResponseWriter: w, head: r.Method == http.MethodHead, declared: -1, srv: s}
	rec.started = s.clock.WallNow()
	entry := &rec.entry
	*entry = journal.Entry{
		Time:     s.clock.Now(),
		WallTime: rec.started,
		Vendor:   vendorOf(r.URL.Path),
		Method:   r.Method,
		Path:     r.URL.Path,
		Query:    r.URL.RawQuery,
	}
	// Every time a vendor answer carries comes from the emulator's clock,
	// Date included (net/http would write the wall clock's): a client that
	// checks a link's expiry against Date agrees with the server. A handler
	// may still set its own.
	w.Header()["Date"] = s.dateHeader(entry.Time)
	// The operation is named by the route that serves the request, from
	// inside the one routing pass (nameOperation); only a faulted request,
	// which the router does not serve, is matched here (faulted below).
	r, rec.note = journal.WithAnnotation(r)
	if s.journal.Size() > 0 {
		entry.RequestHeaders = requestHeaders(r)
		rec.capture = true
		if r.Body != nil && r.Body != http.NoBody {
			rec.reqBody = &bodyCapture{ReadCloser: r.Body, size: r.ContentLength}
			r.Body = rec.reqBody
		}
	}
	// The entry is added once the answer is complete, before the client can
	// have all of it: before the write that completes a declared length,
	// or when the handler returns (net/http sends the rest, or the end of a
	// chunked body, only then). A test that asserts on the journal after
	// its client read the answer finds the request there, answer included.
	// A request dropped by a fault is added before the drop.
	rec.req = r // as the handler gets it; r itself changes below
	// A panic (a dropped connection without a hijacker aborts with
	// http.ErrAbortHandler) still leaves its entry.
	defer rec.finish()

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
	s.obs.faultFired(entry.Vendor, &f)
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
	if f.Kind != "" || f.Status != 0 {
		// The request never reaches a handler: the journal reads its body
		// (up to what it keeps) as a handler would have.
		rec.reqBody.drain()
	}
	switch {
	case f.Kind == faults.Drop:
		s.log.Debug("fault: drop", "fault", f.ID, "method", r.Method, "path", r.URL.Path)
		rec.finish() // recorded before the client can see the drop and retry
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

// dateHeader is a Date header's value and the second it says.
type dateHeader struct {
	unix  int64
	loc   *time.Location
	value []string // one value; its capacity is its length
}

// dateHeader returns the Date header's value for t, the same slice for
// every answer within one second: the value is formatted once a second
// rather than once a request. An Add to it appends to a copy; nothing
// writes into it.
func (s *Server) dateHeader(t time.Time) []string {
	if d := s.date.Load(); d != nil && d.unix == t.Unix() && d.loc == t.Location() {
		return d.value
	}
	d := &dateHeader{unix: t.Unix(), loc: t.Location(), value: []string{t.Format(http.TimeFormat)}}
	s.date.Store(d)
	return d.value
}

// requestHeaders lists r's headers for the journal, one per value, in name
// order, Host among them (net/http moves it out of the map); the journal
// cuts and redacts them.
func requestHeaders(r *http.Request) []journal.Header {
	n := 1
	for _, vs := range r.Header {
		n += len(vs)
	}
	out := make([]journal.Header, 0, n)
	if r.Host != "" {
		out = append(out, journal.Header{Name: "Host", Value: r.Host})
	}
	for name, vs := range r.Header {
		for _, v := range vs {
			out = append(out, journal.Header{Name: name, Value: v})
		}
	}
	slices.SortStableFunc(out, func(a, b journal.Header) int { return strings.Compare(a.Name, b.Name) })
	if len(out) > journal.MaxHeaders {
		// The journal keeps the first MaxHeaders; a slice of its own, so
		// that the rest is not kept alive.
		out = slices.Clone(out[:journal.MaxHeaders])
	}
	return out
}

// bodyCapture keeps the start of a request body as the handler reads it.
type bodyCapture struct {
	io.ReadCloser
	kept []byte // the first journal.MaxBody bytes read
	read int64  // bytes read
	size int64  // the declared Content-Length, -1 unknown
}

func (b *bodyCapture) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	if room := journal.MaxBody - len(b.kept); room > 0 && n > 0 {
		if b.kept == nil {
			c := min(n, room)
			if b.size >= 0 {
				c = max(c, int(min(b.size, int64(room))))
			}
			b.kept = make([]byte, 0, c)
		}
		b.kept = append(b.kept, p[:min(n, room)]...)
	}
	return n, err
}

// drain reads what the journal keeps of a body no handler reads.
func (b *bodyCapture) drain() {
	if b != nil && len(b.kept) < journal.MaxBody {
		io.CopyN(io.Discard, b, int64(journal.MaxBody-len(b.kept)))
	}
}

// bytesString is b as a string without a copy: the journal copies or
// shares what it keeps (Journal.Add), never b, and b is not written again.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (s *Server) faultWriter(vendor string) faultWriter {
	switch routes.Surface(vendor) {
	case routes.Yunxin:
		return s.yunxin
	case routes.Op:
		return s.op
	}
	return s.easemob
}

// recorder remembers what a handler answers for the journal: the status,
// the start of the body (when the journal keeps bodies), the bytes written;
// and records the entry once the answer is complete (finish). It keeps the
// writer's http.Flusher (archive streaming) and http.Hijacker (the drop
// fault), and unwraps for http.ResponseController.
type recorder struct {
	http.ResponseWriter
	status int    // 0 until a final status is sent
	op     string // the serving route's name, set by nameOperation
	ended  bool   // the entry is recorded

	srv     *Server
	entry   journal.Entry       // completed by record
	started time.Time           // the wall clock's, for the duration
	note    *journal.Annotation // what the handler says of the request
	req     *http.Request       // as the handler got it

	head     bool  // a HEAD request: no body follows the header
	declared int64 // the declared Content-Length, -1 when none
	written  int64 // body bytes written

	capture bool   // keep the start of the body
	binary  bool   // the body's type is not text: not kept
	body    []byte // the first journal.MaxBody bytes written
	// held is the capacity of the immutable buffer body is the start of,
	// when body is not a copy.
	held int64
	// copied says body is the journal's buffer buf, a copy of what was
	// written.
	copied  bool
	buf     journal.BodyBuffer
	reqBody *bodyCapture
}

// finish records the answer in the journal, once.
func (r *recorder) finish() {
	if !r.ended {
		r.ended = true
		r.record()
	}
}

// record completes the entry and adds it to the journal, and counts the
// request in the server's metrics.
func (r *recorder) record() {
	s, entry := r.srv, &r.entry
	entry.Status = r.status
	entry.Duration = s.clock.WallNow().Sub(r.started)
	entry.Tenant = r.note.Tenant
	if r.op != "" {
		entry.Operation = journal.Operation(r.op)
	} else {
		entry.Operation = journal.UnknownOperation(entry.Vendor)
	}
	entry.Reason = r.Header().Get("X-Chatemu-Reason")
	if r.capture {
		if b := r.reqBody; b != nil {
			entry.RequestBody, entry.RequestBodyBytes = bytesString(b.kept), max(b.read, b.size)
		}
		entry.ResponseBodyBytes = r.written
		// Nothing writes the body again: the journal's copy, or a cached
		// page (WriteImmutable).
		switch {
		case r.copied:
			entry.KeepResponseBuffer(r.buf)
		case r.body != nil:
			entry.ResponseBody = bytesString(r.body)
			entry.KeepResponseBody(max(r.held, int64(cap(r.body))))
		}
	}
	s.journal.Add(*entry)
	s.obs.vendorDone(r.req, entry, r.written, r.note)
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
		h := r.Header()
		if cl, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil && cl >= 0 {
			r.declared = cl
		}
		if r.head || code == http.StatusNoContent || code == http.StatusNotModified {
			r.declared = 0
		}
		r.binary = !textual(h.Get("Content-Type"))
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) { return r.write(b, false) }

// WriteImmutable is Write for a body nothing writes again (a cached page,
// respond.ImmutableWriter): the journal's start of it is b itself rather
// than a copy. Journal.Add copies or shares what it keeps, never b.
func (r *recorder) WriteImmutable(b []byte) (int, error) { return r.write(b, true) }

func (r *recorder) write(b []byte, immutable bool) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if r.head {
		// net/http sends no body after a HEAD's header.
		r.finish()
		return r.ResponseWriter.Write(b)
	}
	if r.capture && !r.binary && r.body == nil && immutable {
		// Capacity cut to the length: a later Write appends to a copy.
		n := min(len(b), journal.MaxBody)
		r.body, r.held = b[:n:n], int64(cap(b))
	} else if r.capture && !r.binary && len(r.body) < journal.MaxBody {
		room := journal.MaxBody - len(r.body)
		if !r.copied {
			// The journal's buffer, sized once for a declared length; else
			// from the first write (usually the whole body), growing by
			// append. An immutable start written before is copied first.
			c := len(r.body) + min(len(b), room)
			if r.declared >= 0 {
				c = max(c, int(min(r.declared, journal.MaxBody)))
			}
			r.buf = r.srv.journal.BodyBuffer(c)
			r.buf.Append(r.body)
			r.copied, r.held = true, 0
		}
		r.buf.Append(b[:min(len(b), room)])
		r.body = r.buf.Bytes()
	}
	r.written += int64(len(b))
	if r.declared >= 0 && r.written >= r.declared {
		r.finish() // the answer is complete once these bytes are out
	}
	return r.ResponseWriter.Write(b)
}

// textual reports whether a body of content type ct is text the journal
// keeps: JSON, XML, text, forms, or a type not said (the journal then keeps
// it if it is UTF-8).
func textual(ct string) bool {
	// Cut first: the media type is usually lower case already, which
	// ToLower then returns as it is, where the parameters' "UTF-8" would
	// make it copy.
	ct, _, _ = strings.Cut(ct, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	return ct == "" || strings.HasPrefix(ct, "text/") || strings.HasSuffix(ct, "json") || strings.HasSuffix(ct, "xml") ||
		ct == "application/x-www-form-urlencoded" || ct == "application/javascript"
}

// nameOperation wraps a vendor surface's handler of each route so that it
// names the request's operation for the journal, the route's name, from
// inside the one routing pass (BENCHMARKS.md). Each route's wrapper is made
// once, when the router is built; a middleware (mux.Router.Use) would make
// one per request.
func nameOperation(handler func(name string) http.Handler) func(name string) http.Handler {
	return func(name string) http.Handler {
		next := handler(name)
		if next == nil {
			return nil // routes.Mount says which route has no handler
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if rec, ok := w.(*recorder); ok {
				rec.op = name
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Flush sends buffered data, when the underlying writer can.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		if r.status == 0 {
			r.WriteHeader(http.StatusOK)
		}
		if r.declared >= 0 && r.written >= r.declared {
			r.finish() // nothing more follows what this flush sends
		}
		f.Flush()
	}
}

// Hijack hands over the connection, when the underlying writer can.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) { return hijack(r.ResponseWriter) }

// hijack hands over w's connection, when w can: the wrapping writers
// (recorder, controlWriter) answer http.Hijacker through it.
func hijack(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.(http.Hijacker); ok {
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
