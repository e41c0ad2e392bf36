package emulator

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chatemu/chatemu/emulator/clock"
)

// Timeouts bound how long one connection may hold the server, so that a
// client that stalls, idles or stops reading is let go. A zero field means
// no limit.
type Timeouts struct {
	// ReadHeader is how long the request line and headers may take to
	// arrive. On expiry the connection is closed without an answer.
	ReadHeader time.Duration
	// Read is how long a whole request, body included, may take to arrive
	// from its first byte. On expiry the handler's next read of the body
	// fails (it answers as for a malformed body) and the connection is
	// closed.
	Read time.Duration
	// Idle is how long a keep-alive connection may wait for its next
	// request before it is closed.
	Idle time.Duration
	// Write is how long each write of a response may wait for the client to
	// take it. The deadline moves forward before every chunk of at most
	// writeChunk bytes, so a download that keeps moving is never cut, however
	// long it runs; one the client stops reading is cut and its connection
	// closed.
	Write time.Duration
}

// DefaultTimeouts are the limits chatemu serves with unless told otherwise
// (chatemu serve --read-header-timeout, --read-timeout, --idle-timeout,
// --write-timeout).
func DefaultTimeouts() Timeouts {
	return Timeouts{ReadHeader: 10 * time.Second, Read: time.Minute, Idle: 2 * time.Minute, Write: time.Minute}
}

// writeChunk is the most bytes written under one write deadline: at the
// default Write timeout a client must take at least 1 KiB/s.
const writeChunk = 64 << 10

// NewHTTPServer returns the http.Server that serves h (usually a *Server)
// for the binary and the testkit alike: its timeouts set from t and its own
// errors logged to log at WARN (nil discards them), failed TLS handshakes at
// most once per TLSHandshakeLimit. Serve it with ServeTLS (its TLSConfig
// set) to offer HTTP/2 as well as HTTP/1.1 over TLS.
func NewHTTPServer(h http.Handler, t Timeouts, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           writeDeadlines(h, t.Write),
		ReadTimeout:       max(t.Read, 0),
		ReadHeaderTimeout: noLimit(t.ReadHeader),
		IdleTimeout:       noLimit(t.Idle),
		ErrorLog:          slog.NewLogLogger(newHandshakeLimiter(log.Handler(), clock.Wall().WallNow), slog.LevelWarn),
	}
}

// noLimit maps "no limit" (zero or less) to a negative duration: net/http
// reads a zero ReadHeaderTimeout or IdleTimeout as "use ReadTimeout", a
// negative one as no limit.
func noLimit(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

// writeDeadlines moves each response's write deadline forward before every
// chunk it writes (and when it starts, for what net/http writes on its own),
// through http.ResponseController, so the deadline bounds a stall, not a
// download. d <= 0 leaves h as it is.
func writeDeadlines(h http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return h
	}
	wall := clock.Wall()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dw := &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), d: d, now: wall.WallNow}
		dw.extend()
		h.ServeHTTP(dw, r)
		// What net/http flushes after the handler returns has a fresh
		// deadline too.
		dw.extend()
	})
}

// deadlineWriter is a ResponseWriter whose every chunk has its own write
// deadline. It keeps Flush and Hijack, and unwraps for
// http.ResponseController.
type deadlineWriter struct {
	http.ResponseWriter
	rc  *http.ResponseController
	d   time.Duration
	now func() time.Time
}

// extend sets the write deadline d from now. A writer without deadlines
// (a test's recorder) is left alone.
func (w *deadlineWriter) extend() { _ = w.rc.SetWriteDeadline(w.now().Add(w.d)) }

func (w *deadlineWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), writeChunk)]
		w.extend()
		m, err := w.ResponseWriter.Write(chunk)
		n += m
		if err != nil {
			return n, err
		}
		p = p[len(chunk):]
	}
	return n, nil
}

// Flush sends what is buffered, under a fresh deadline.
func (w *deadlineWriter) Flush() {
	w.extend()
	_ = w.rc.Flush()
}

// Hijack hands over the connection when the underlying writer can (not on
// HTTP/2); the connection keeps no deadline.
func (w *deadlineWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := w.rc.Hijack()
	if err == nil {
		_ = conn.SetDeadline(time.Time{})
	}
	return conn, rw, err
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TLSHandshakeLimit is how often a failed TLS handshake is logged: a port
// scanner or a client speaking plain HTTP to the TLS port would otherwise
// log a line per connection. The next line logged says how many were
// suppressed.
const TLSHandshakeLimit = time.Minute

// handshakeLimiter is a slog.Handler that passes net/http's "TLS handshake
// error" lines at most once per TLSHandshakeLimit, with the count of those
// suppressed since the last one, and every other record unchanged.
type handshakeLimiter struct {
	slog.Handler
	now   func() time.Time
	state *limiterState // shared by the handlers WithAttrs and WithGroup derive
}

type limiterState struct {
	mu         sync.Mutex
	last       time.Time // when a handshake error was last logged
	suppressed int
}

func newHandshakeLimiter(h slog.Handler, now func() time.Time) *handshakeLimiter {
	return &handshakeLimiter{Handler: h, now: now, state: &limiterState{}}
}

// Handle logs r, or counts it if it is a handshake error within the limit.
func (l *handshakeLimiter) Handle(ctx context.Context, r slog.Record) error {
	if !strings.HasPrefix(r.Message, "http: TLS handshake error") {
		return l.Handler.Handle(ctx, r)
	}
	s := l.state
	s.mu.Lock()
	now := l.now()
	if !s.last.IsZero() && now.Sub(s.last) < TLSHandshakeLimit {
		s.suppressed++
		s.mu.Unlock()
		return nil
	}
	n := s.suppressed
	s.last, s.suppressed = now, 0
	s.mu.Unlock()
	if n > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("suppressed", n))
	}
	return l.Handler.Handle(ctx, r)
}

// WithAttrs keeps the limit shared with l.
func (l *handshakeLimiter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &handshakeLimiter{Handler: l.Handler.WithAttrs(attrs), now: l.now, state: l.state}
}

// WithGroup keeps the limit shared with l.
func (l *handshakeLimiter) WithGroup(name string) slog.Handler {
	return &handshakeLimiter{Handler: l.Handler.WithGroup(name), now: l.now, state: l.state}
}
