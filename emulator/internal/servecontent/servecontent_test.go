package servecontent

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestServe(t *testing.T) {
	vendor := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		w.Write([]byte(`{"error":"vendor"}`))
	}
	tests := []struct {
		rng    string
		status int
		body   string
		ctype  string
	}{
		{"", 200, "0123456789", "text/plain"},
		{"bytes=2-4", 206, "234", "text/plain"},
		{"bytes=20-", 416, `{"error":"vendor"}`, "application/json"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", "/f.txt", nil)
		if tt.rng != "" {
			req.Header.Set("Range", tt.rng)
		}
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Type", "text/plain")
		Serve(rec, req, "f.txt", time.Time{}, strings.NewReader("0123456789"), vendor)
		if rec.Code != tt.status || rec.Body.String() != tt.body || !strings.HasPrefix(rec.Header().Get("Content-Type"), tt.ctype) {
			t.Errorf("Range %q: %d %q %q, want %d %q %q", tt.rng, rec.Code, rec.Body, rec.Header().Get("Content-Type"), tt.status, tt.body, tt.ctype)
		}
		if tt.status == 416 && (rec.Header().Get("Content-Range") != "bytes */10" || rec.Header().Get("X-Content-Type-Options") != "") {
			t.Errorf("416 headers %v", rec.Header())
		}
	}
}
