package emulator_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/scenarios"
)

// FuzzServer drives the whole http.Handler of emulator.New (default
// scenario, frozen clock) with vendor-shaped requests: a method, a target
// (path and query), header lines and a body. Invariants (vendorAnswerProblem): no panic,
// no 5xx but the vendor-documented ones, every answer in its vendor's
// format. The seed corpus, testdata/fuzz/FuzzServer, holds the bad-input
// catalogue's rows (one file per row, named after it) and the regression
// inputs fuzzing found. The control API is not fuzzed here: its writes (clock, faults,
// messages) would change what later inputs see.
//
// Header lines may use {TOKEN} (a valid chatemu/demo app token) and the
// line "{YX}" (valid Yunxin auth headers, signed with the wall clock).
func FuzzServer(f *testing.F) {
	spec, err := scenarios.Load("default")
	if err != nil {
		f.Fatal(err)
	}
	spec.Frozen = true
	srv, err := emulator.New(emulator.Config{Spec: spec, PublicURL: badPublic, Now: badStart})
	if err != nil {
		f.Fatal(err)
	}
	token := fuzzToken(f, srv)
	f.Fuzz(func(t *testing.T, method, target, header string, body []byte) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(target, "/") || !validToken(method) {
			return // net/http refuses these before any handler
		}
		if strings.HasPrefix(u.Path, "/_chatemu") {
			return
		}
		h := http.Header{}
		for _, line := range strings.Split(header, "\n") {
			if line == "{YX}" {
				for k, v := range yunxinAuth(srv) {
					h[k] = v
				}
				continue
			}
			k, v, ok := strings.Cut(line, ":")
			v = strings.ReplaceAll(strings.TrimLeft(v, " "), "{TOKEN}", token)
			if !ok || !validToken(k) || !validHeaderValue(v) {
				continue
			}
			h.Add(k, v)
		}
		req := &http.Request{
			Method: method, URL: u, RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
			Host: strings.TrimPrefix(badPublic, "http://"), RemoteAddr: "192.0.2.1:1234",
		}
		req = req.WithContext(t.Context())
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		got := rec.Body.Bytes()
		if method == http.MethodHead {
			got = nil // net/http sends no body with a HEAD answer
		}
		if p := vendorAnswerProblem(method, u.Path, rec.Code, rec.Header(), got); p != "" {
			t.Fatalf("%s %s: %s\nheaders %v\nbody %q", method, target, p, rec.Header(), got)
		}
	})
}

// fuzzToken issues a chatemu/demo app token in process.
func fuzzToken(f *testing.F, srv http.Handler) string {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/chatemu/demo/token", strings.NewReader(emTokenBody))
	req.Header.Set("Content-Type", "application/json")
	srv.ServeHTTP(rec, req)
	_, rest, _ := strings.Cut(rec.Body.String(), `"access_token":"`)
	tok, _, _ := strings.Cut(rest, `"`)
	if rec.Code != 200 || tok == "" {
		f.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	return tok
}

// validToken reports whether s is an HTTP token (a method or header name).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether net/http would accept v as a header
// value: no control characters but tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
