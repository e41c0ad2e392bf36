package emulator

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestHandshakeLimiter: within a TLSHandshakeLimit only the first TLS
// handshake error is logged; the next one after it carries the count of
// those suppressed; every other line passes, through derived loggers too.
func TestHandshakeLimiter(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	lim := newHandshakeLimiter(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}), func() time.Time { return now })
	log := slog.NewLogLogger(lim, slog.LevelWarn)
	derived := slog.New(lim).With("component", "x")

	steps := []struct {
		after time.Duration // since the previous step
		line  string
	}{
		{0, "http: TLS handshake error from 1.2.3.4:1: EOF"},
		{time.Second, "http: TLS handshake error from 1.2.3.4:2: EOF"},
		{time.Second, "http: panic serving 1.2.3.4:3: boom"},
		{time.Second, "http: TLS handshake error from 1.2.3.4:4: client sent an HTTP request to an HTTPS server"},
		{TLSHandshakeLimit - 3*time.Second, "http: TLS handshake error from 1.2.3.4:5: EOF"},
		{0, "http: TLS handshake error from 1.2.3.4:6: EOF"},
	}
	for _, s := range steps {
		now = now.Add(s.after)
		log.Print(s.line)
	}
	now = now.Add(TLSHandshakeLimit)
	derived.Warn("http: TLS handshake error from 1.2.3.4:7: EOF")

	want := []string{
		`level=WARN msg="http: TLS handshake error from 1.2.3.4:1: EOF"`,
		`level=WARN msg="http: panic serving 1.2.3.4:3: boom"`,
		`level=WARN msg="http: TLS handshake error from 1.2.3.4:5: EOF" suppressed=2`,
		`level=WARN msg="http: TLS handshake error from 1.2.3.4:7: EOF" component=x suppressed=1`,
	}
	if got := strings.Split(strings.TrimSpace(buf.String()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("logged:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
