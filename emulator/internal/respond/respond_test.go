package respond

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// testError is a surface error for the tests: a status and a message.
type testError struct {
	status int
	msg    string
}

func (e *testError) Error() string { return e.msg }

// adapter renders testErrors as "error: msg" with their status, the message
// as the reason, and a panic as a 500 "internal".
func adapter(log *slog.Logger) *Adapter[*testError] {
	return &Adapter[*testError]{
		Log: log,
		Render: func(_ *http.Request, e *testError) Response {
			return Response{Status: e.status, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("error: " + e.msg), Reason: e.msg}
		},
		Internal: func(reason string) *testError { return &testError{http.StatusInternalServerError, reason} },
	}
}

func serve(h http.Handler, method string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "/x", nil))
	return rec
}

func TestHandle(t *testing.T) {
	a := adapter(nil)
	ok := func(*http.Request) (Response, *testError) {
		return Response{Status: 201, Header: http.Header{"X-A": {"1"}}, Body: []byte("made")}, nil
	}
	refused := func(*http.Request) (Response, *testError) {
		return Response{Status: 200, Body: []byte("ignored")}, &testError{404, "line one\nline two"}
	}
	streamed := func(*http.Request) (Response, *testError) {
		return Response{Status: 206, Stream: func(w http.ResponseWriter) { io.WriteString(w, "part") }}, nil
	}
	servesItself := func(*http.Request) (Response, *testError) {
		return Response{Header: http.Header{"Etag": {`"e"`}}, Stream: func(w http.ResponseWriter) {
			w.WriteHeader(304)
		}}, nil
	}
	gone := func(*http.Request) (Response, *testError) { return Response{}, nil }
	panics := func(*http.Request) (Response, *testError) { panic("boom") }
	tests := []struct {
		name   string
		h      Handler[*testError]
		method string
		status int
		body   string
		header string // "Name: value" that must be set
	}{
		{"answer", ok, "GET", 201, "made", "X-A: 1"},
		{"answer to HEAD has no body", ok, "HEAD", 201, "", "X-A: 1"},
		{"error rendered, reason one line", refused, "GET", 404, "error: line one\nline two", "X-Chatemu-Reason: line one line two"},
		{"stream after the status", streamed, "GET", 206, "part", ""},
		{"stream not run for HEAD", streamed, "HEAD", 206, "", ""},
		{"stream writes its own status", servesItself, "GET", 304, "", `Etag: "e"`},
		{"the zero answer writes nothing", gone, "GET", 200, "", ""},
		{"panic is the surface's 500", panics, "GET", 500, "error: chatemu bug: panic: boom", "X-Chatemu-Reason: chatemu bug: panic: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(a.Handle(tt.h), tt.method)
			if rec.Code != tt.status || rec.Body.String() != tt.body {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body, tt.status, tt.body)
			}
			if tt.header != "" {
				name, value, _ := strings.Cut(tt.header, ": ")
				if got := rec.Header().Get(name); got != value {
					t.Errorf("%s: %q, want %q", name, got, value)
				}
			}
		})
	}
}

// TestPanicAfterTheStatus: a stream that panics after its status went out
// cannot be answered with a body: the connection is dropped
// (http.ErrAbortHandler), and the server serves the next request.
func TestPanicAfterTheStatus(t *testing.T) {
	a := adapter(nil)
	mux := http.NewServeMux()
	mux.Handle("/stream", a.Handle(func(*http.Request) (Response, *testError) {
		return Response{Status: 200, Header: http.Header{"Content-Length": {"100"}}, Stream: func(w http.ResponseWriter) {
			io.WriteString(w, "half")
			w.(http.Flusher).Flush()
			panic("mid-stream")
		}}, nil
	}))
	mux.Handle("/ok", a.Handle(func(*http.Request) (Response, *testError) { return Response{Status: 200, Body: []byte("ok")}, nil }))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err == nil || res.StatusCode != 200 || string(b) != "half" {
		t.Errorf("got %d %q %v, want the status, half the body and a read error", res.StatusCode, b, err)
	}
	res, err = http.Get(srv.URL + "/ok")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "ok" {
		t.Errorf("next request: %q", b)
	}
}

func TestAbortHandlerGoesOn(t *testing.T) {
	h := adapter(nil).Handle(func(*http.Request) (Response, *testError) { panic(http.ErrAbortHandler) })
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", p)
		}
	}()
	serve(h, "GET")
	t.Error("no panic")
}

// TestLogsOnce: a refusal is one debug line, a panic one error line.
func TestLogsOnce(t *testing.T) {
	var buf bytes.Buffer
	a := adapter(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})).With("vendor", "v"))
	serve(a.Handle(func(*http.Request) (Response, *testError) { return Response{}, &testError{400, "bad"} }), "GET")
	if got := buf.String(); strings.Count(got, "\n") != 1 || strings.Count(got, "vendor=v") != 1 || !strings.Contains(got, "error=bad") {
		t.Errorf("refusal logged as %q", got)
	}
	buf.Reset()
	serve(a.Handle(func(*http.Request) (Response, *testError) { panic(errors.New("nil map")) }), "GET")
	if got := buf.String(); strings.Count(got, "level=ERROR") != 1 || !strings.Contains(got, "nil map") {
		t.Errorf("panic logged as %q", got)
	}
}

func TestReason(t *testing.T) {
	long := strings.Repeat("x", MaxReason+10)
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"two\nlines\r\tand\x00nul\x7f", "two lines  and nul "},
		{long, long[:MaxReason]},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Reason(tt.in); got != tt.want {
			t.Errorf("Reason(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHeader(t *testing.T) {
	h := Header("Content-Type", "application/json", "Content-Length", "12")
	if len(h) != 2 || h.Get("Content-Type") != "application/json" || h.Get("Content-Length") != "12" {
		t.Fatalf("Header = %v", h)
	}
	// Each value is its own slice: adding to one leaves the other alone.
	h.Add("Content-Type", "text/plain")
	if got := h.Values("Content-Length"); len(got) != 1 || got[0] != "12" {
		t.Errorf("Content-Length = %v after an Add to Content-Type", got)
	}
}

// TestRelease: Release runs once, after the body is written, for GET and
// HEAD alike.
func TestRelease(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		var written string
		released := 0
		buf := []byte("pooled page")
		h := adapter(nil).Handle(func(*http.Request) (Response, *testError) {
			return Response{Status: 200, Body: buf, Release: func() {
				released++
				copy(buf, "overwritten")
			}}, nil
		})
		rec := serve(h, method)
		written = rec.Body.String()
		if released != 1 {
			t.Errorf("%s: released %d times", method, released)
		}
		if want := map[string]string{http.MethodGet: "pooled page", http.MethodHead: ""}[method]; written != want {
			t.Errorf("%s: wrote %q, want %q", method, written, want)
		}
	}
}
