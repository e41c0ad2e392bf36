// Package surfacetest holds what the tests of the surfaces (the vendor
// packages and control) share: reading an answer whole, a JSON object's key
// order, a client that reaches a test server whatever host a link names,
// and the check that a panic in a handler is the vendor's 500. It is
// imported only by tests.
package surfacetest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// Response is an answer as a test reads it.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req with client (nil: http.DefaultClient) and reads the whole
// answer, failing the test when it cannot.
func Do(t testing.TB, client *http.Client, req *http.Request) Response {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{res.StatusCode, res.Header, b}
}

// Dialing returns a client that reaches srv whatever host a URL names, so
// that a surface can write links with a fixed public URL.
func Dialing(srv *httptest.Server) *http.Client {
	addr := srv.Listener.Addr().String()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 8,
	}
	return &http.Client{Transport: tr}
}

// ObjectKeys returns the top-level keys of the JSON object raw, in order.
func ObjectKeys(t testing.TB, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// Panic is a handler of a surface that panics with "boom {Name}", behind
// one of the surface's adapters, and the vendor's 500 it must answer: the
// status and texts the body holds, and whether X-Chatemu-Reason says
// "chatemu bug: panic: boom {Name}" (every vendor surface's does).
type Panic struct {
	Name    string
	Handler http.Handler
	Status  int
	Body    []string
	Reason  bool
}

// CheckPanics mounts each panicking handler on r (beside the surface's
// routes) at /_panic/{name}, serves r over HTTP and checks that each
// answers the vendor's 500, and that
// the server then still serves next (a request to a route of the surface,
// built for the server's base URL) with status wantNext.
func CheckPanics(t *testing.T, r *mux.Router, panics []Panic, next func(base string) *http.Request, wantNext int) {
	t.Helper()
	for _, p := range panics {
		r.Handle("/_panic/"+p.Name, p.Handler)
	}
	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, p := range panics {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/_panic/"+p.Name, nil)
		res := Do(t, srv.Client(), req)
		if res.Status != p.Status {
			t.Errorf("%s: HTTP %d, want %d: %s", p.Name, res.Status, p.Status, res.Body)
		}
		for _, want := range p.Body {
			if !strings.Contains(string(res.Body), want) {
				t.Errorf("%s: body %s lacks %s", p.Name, res.Body, want)
			}
		}
		if got := res.Header.Get("X-Chatemu-Reason"); p.Reason && got != "chatemu bug: panic: boom "+p.Name {
			t.Errorf("%s: reason %q", p.Name, got)
		}
	}
	if res := Do(t, srv.Client(), next(srv.URL)); res.Status != wantNext {
		t.Errorf("after the panics: HTTP %d, want %d: %s", res.Status, wantNext, res.Body)
	}
}
