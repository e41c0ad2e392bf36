package control

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/journal"
)

// Following the journal: GET /_chatemu/requests/stream sends each request
// as it is journaled, as server-sent events
// (https://html.spec.whatwg.org/multipage/server-sent-events.html), so that
// an open inspector shows a client's calls without polling; GET
// /_chatemu/requests/{seq} returns one request with its headers and
// bodies, which the stream leaves out to stay light.

// Follower is what the stream needs of the journal beyond Journal.
// *journal.Journal satisfies it.
type Follower interface {
	// Changed returns a channel closed by the next Add or Clear.
	Changed() <-chan struct{}
	// Entry returns a held entry by sequence number.
	Entry(seq uint64) (journal.Entry, bool)
}

// Bounds of an event stream.
const (
	// StreamLifetime is how long one stream lasts. A client then
	// reconnects with Last-Event-ID (EventSource does it by itself), so no
	// connection is held forever.
	StreamLifetime = 5 * time.Minute
	// StreamHeartbeat is how often an idle stream sends a comment, so that
	// a client that has gone is noticed (the write fails) and proxies keep
	// the connection.
	StreamHeartbeat = 15 * time.Second
	// StreamBatch is how long a stream gathers requests after the first
	// one wakes it: under load it reads the journal at most about 1/StreamBatch
	// times a second, whatever the traffic, so that a follower costs the
	// vendor routes next to nothing.
	StreamBatch = 50 * time.Millisecond
)

// The events of a stream.
const (
	// EventReady opens every stream: {"last_seq", "size"}.
	EventReady = "ready"
	// EventRequest is one request, a RequestSummary; its id is the
	// request's sequence number.
	EventRequest = "request"
	// EventCleared says the journal was cleared (DELETE requests, reset):
	// sequence numbers start again from 1.
	EventCleared = "cleared"
)

// RequestSummary is a request as the event stream sends it: RequestView
// without the headers and bodies (GET requests/{seq} has them), with the
// bodies' lengths.
type RequestSummary struct {
	Seq               uint64  `json:"seq"`
	Time              string  `json:"time"`
	WallTime          string  `json:"wall_time"`
	Vendor            string  `json:"vendor"`
	Operation         string  `json:"operation"`
	Unmatched         bool    `json:"unmatched"`
	Method            string  `json:"method"`
	Path              string  `json:"path"`
	Query             string  `json:"query"`
	RequestBodyBytes  int64   `json:"request_body_bytes"`
	Status            int     `json:"status"`
	ResponseBodyBytes int64   `json:"response_body_bytes"`
	DurationMS        float64 `json:"duration_ms"`
	Tenant            string  `json:"tenant"`
	Reason            string  `json:"reason,omitempty"`
	Fault             string  `json:"fault,omitempty"`
}

// summaryOf is e as the stream sends it.
func summaryOf(e journal.Entry) RequestSummary {
	v := RequestViewOf(e)
	return RequestSummary{Seq: v.Seq, Time: v.Time, WallTime: v.WallTime, Vendor: v.Vendor, Operation: v.Operation,
		Unmatched: v.Unmatched, Method: v.Method, Path: v.Path, Query: v.Query, RequestBodyBytes: v.RequestBodyBytes,
		Status: v.Status, ResponseBodyBytes: v.ResponseBodyBytes, DurationMS: v.DurationMS, Tenant: v.Tenant,
		Reason: v.Reason, Fault: v.Fault}
}

// StreamReady is the data of the ready event: where the journal is.
type StreamReady struct {
	LastSeq uint64 `json:"last_seq"`
	Size    int    `json:"size"`
}

func (a *API) getRequest(r *http.Request) (response, *Error) {
	if _, e := queryOf(r.URL.RawQuery, nil); e != nil {
		return response{}, e
	}
	seq, err := strconv.ParseUint(mux.Vars(r)["seq"], 10, 64)
	e, ok := a.journal.Entry(seq)
	if err != nil || !ok {
		return response{}, errorf(http.StatusNotFound, "no request %s in the journal (it keeps the last %d, within %d bytes)",
			mux.Vars(r)["seq"], a.journal.Size(), a.journal.MaxBytes())
	}
	return response{status: http.StatusOK, body: RequestViewOf(e)}, nil
}

// getRequestStream is GET requests/stream: the filters of GET requests
// (limit bounds the backlog sent first), from since or the Last-Event-ID a
// reconnecting client sends.
func (a *API) getRequestStream(r *http.Request) (response, *Error) {
	if !acceptsEventStream(r.Header.Get("Accept")) {
		return response{}, errorf(http.StatusNotAcceptable, "requests/stream sends server-sent events: send Accept: text/event-stream (GET %srequests answers in JSON)", Prefix)
	}
	f, e := requestFilter(r.URL.RawQuery)
	if e != nil {
		return response{}, e
	}
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		seq, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			return response{}, errorf(http.StatusBadRequest, "Last-Event-ID: want a sequence number, got %q", id)
		}
		f.Since = seq
	}
	return response{stream: func(w http.ResponseWriter, r *http.Request) { a.follow(w, r, f) }}, nil
}

// acceptsEventStream reports whether an Accept header admits
// text/event-stream.
func acceptsEventStream(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/event-stream", "text/*", "*/*":
			return true
		}
	}
	return false
}

// follow sends the journal's requests that f selects as they come, until
// the client goes, the server shuts down or StreamLifetime passes.
func (a *API) follow(w http.ResponseWriter, r *http.Request, f journal.Filter) {
	f.NoBodies = true // summaries: no body to redact
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // a proxy in front must not hold the events back
	w.WriteHeader(http.StatusOK)

	end := a.streams.of(r)
	life := time.NewTimer(StreamLifetime)
	defer life.Stop()
	beat := time.NewTicker(StreamHeartbeat)
	defer beat.Stop()

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	event := func(name string, id uint64, data any) {
		buf.WriteString("event: " + name + "\n")
		if id > 0 {
			buf.WriteString("id: " + strconv.FormatUint(id, 10) + "\n")
		}
		buf.WriteString("data: ")
		enc.Encode(data) // our own types: they encode; Encode ends the line
		buf.WriteString("\n")
	}
	send := func() bool {
		if _, err := w.Write(buf.Bytes()); err != nil {
			return false
		}
		buf.Reset()
		return rc.Flush() == nil
	}

	// The channel is taken before the journal is read, so that a request
	// added in between wakes the next round rather than being missed.
	changed := a.journal.Changed()
	event(EventReady, 0, StreamReady{LastSeq: a.journal.LastSeq(), Size: a.journal.Size()})
	for {
		last := a.journal.LastSeq()
		if last < f.Since {
			// Cleared: numbering starts again.
			event(EventCleared, 0, StreamReady{LastSeq: last, Size: a.journal.Size()})
			f.Since = 0
		}
		for _, e := range a.journal.Entries(f) {
			event(EventRequest, e.Seq, summaryOf(e))
			f.Since = max(f.Since, e.Seq)
		}
		f.Since, f.Limit = max(f.Since, last), 0 // the backlog is sent: no limit from now on
		if buf.Len() > 0 && !send() {
			return
		}
		for waiting := true; waiting; {
			select {
			case <-changed:
				waiting = false
			case <-beat.C:
				buf.WriteString(": keep-alive\n\n")
				if !send() {
					return
				}
			case <-life.C:
				return
			case <-end:
				return
			case <-r.Context().Done():
				return
			}
		}
		// Gather what else comes in a short while, then read it at once.
		batch := time.NewTimer(StreamBatch)
		select {
		case <-batch.C:
		case <-end:
			batch.Stop()
			return
		case <-r.Context().Done():
			batch.Stop()
			return
		}
		changed = a.journal.Changed()
	}
}

// streamEnds ends the event streams of a server that shuts down:
// http.Server.Shutdown waits for active requests and does not cancel them,
// so a stream left open would hold the shutdown for its whole grace period.
// It keeps a channel per *http.Server that serves the API, closed by the
// server's shutdown hook (one hook per server, registered by the first
// stream).
type streamEnds struct {
	mu   sync.Mutex
	ends map[*http.Server]chan struct{}
}

// of returns the channel that closes when r's server shuts down; nil (never
// closes) when r was not served by an *http.Server.
func (s *streamEnds) of(r *http.Request) <-chan struct{} {
	hs, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	if hs == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.ends[hs]; ok {
		return ch
	}
	if s.ends == nil {
		s.ends = map[*http.Server]chan struct{}{}
	}
	ch := make(chan struct{})
	s.ends[hs] = ch
	hs.RegisterOnShutdown(func() { close(ch) })
	return ch
}
