package emulator_test

import (
	"net/http"
	"testing"

	"github.com/chatemu/chatemu/emulator"
)

// TestProbes: /livez and /readyz, at the root and under /_chatemu/, answer
// 200 "ok" (no body to a HEAD) without the control token; another method
// is 405. Once the server drains (SIGTERM), readyz answers 503 with its
// reason while livez, health and the vendor routes serve as before.
func TestProbes(t *testing.T) {
	l := startLive(t, emulator.Config{ControlToken: "ctl"})
	probes := []string{"/livez", "/readyz", "/_chatemu/livez", "/_chatemu/readyz"}
	for _, p := range probes {
		res, body := l.do(t, "GET", p, nil, "")
		if res.StatusCode != 200 || body != "ok\n" || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: %d %q %v", p, res.StatusCode, body, res.Header)
		}
		if res, body := l.do(t, "HEAD", p, nil, ""); res.StatusCode != 200 || body != "" {
			t.Errorf("HEAD %s: %d %q", p, res.StatusCode, body)
		}
		if res, body := l.do(t, "POST", p, nil, ""); res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD" || body != `{"error":"method not allowed"}`+"\n" {
			t.Errorf("POST %s: %d %q", p, res.StatusCode, body)
		}
	}
	if l.srv.Draining() {
		t.Fatal("draining before Drain")
	}

	l.srv.Drain()
	for _, p := range probes {
		res, body := l.do(t, "GET", p, nil, "")
		want, wantBody := 200, "ok\n"
		if p == "/readyz" || p == "/_chatemu/readyz" {
			want, wantBody = 503, "shutting down\n"
			if res.Header.Get("X-Chatemu-Reason") == "" {
				t.Errorf("%s: 503 without a reason", p)
			}
		}
		if res.StatusCode != want || body != wantBody {
			t.Errorf("draining, GET %s: %d %q, want %d %q", p, res.StatusCode, body, want, wantBody)
		}
	}
	if res, _ := l.do(t, "GET", "/_chatemu/health", nil, ""); res.StatusCode != 200 {
		t.Errorf("draining, health: %d", res.StatusCode)
	}
	if res, _ := l.do(t, "GET", "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=1", yunxinHeaders(l.srv, "chatemu-yunxin-demo", "c0ffee123456"), ""); res.StatusCode != 200 {
		t.Errorf("draining, a vendor page: %d", res.StatusCode)
	}
	// Reset puts the world back, not the server's life: still draining.
	if res, _ := l.do(t, "POST", "/_chatemu/reset", http.Header{"Authorization": {"Bearer ctl"}}, ""); res.StatusCode != 204 {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if res, _ := l.do(t, "GET", "/readyz", nil, ""); res.StatusCode != 503 {
		t.Errorf("after reset, readyz: %d", res.StatusCode)
	}
}
