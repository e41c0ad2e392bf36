package emulator

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/sign"
)

// accessLine is one request as the access log writes it.
type accessLine struct {
	method, path, query string
	status              int
	took                time.Duration
	written             int64
	vendor, operation   string
	tenant, fault       string
	reason              string
	// req is the request, whose credentials the reason must not repeat.
	req *http.Request
	// probe marks a probe or a scrape: logged at DEBUG when it succeeds,
	// since a health check every few seconds would drown the rest.
	probe bool
}

// accessMessage is the message of every access log line.
const accessMessage = "request"

// level is the line's level: WARN for a request refused or failed (a
// status of 400 or more, a connection dropped by a fault, or an answer with
// a reason: Yunxin and Op refuse with HTTP 200 and an error code), so that
// --log-level warn keeps only the refusals; INFO for the rest, but DEBUG
// for a probe or a scrape that passed.
func (l *accessLine) level() slog.Level {
	switch {
	case l.status == 0 || l.status >= 400 || l.reason != "":
		return slog.LevelWarn
	case l.probe:
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// logAccess writes l to log, one line, when log is not nil and takes its
// level. The path and query are redacted as the journal redacts a query
// (every credential parameter's value becomes REDACTED), the reason too;
// the reason repeats none of the request's credentials (it may quote the
// signature a client provided) nor the value that would have passed, which
// a loopback server without a control token shows in X-Chatemu-Reason;
// each is bounded by journal.MaxField. So neither a credential nor a huge
// request line reaches the log, which outlives the request (docker logs,
// a CI job's output).
func logAccess(ctx context.Context, log *slog.Logger, l *accessLine) {
	level := l.level()
	if log == nil || !log.Enabled(ctx, level) {
		return
	}
	path := journal.RedactParams(journal.CutField(l.path))
	if l.query != "" {
		path += "?" + journal.RedactParams(journal.CutField(l.query))
	}
	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs,
		slog.String("method", journal.CutField(l.method)),
		slog.String("path", path),
		slog.Int("status", l.status),
		// Milliseconds to the microsecond: a number in both formats (a
		// slog.Duration is a string in text and nanoseconds in JSON).
		slog.Float64("duration_ms", float64(l.took.Microseconds())/1000),
		slog.Int64("bytes", l.written),
		slog.String("vendor", l.vendor),
		slog.String("operation", l.operation),
	)
	if l.tenant != "" {
		attrs = append(attrs, slog.String("tenant", l.tenant))
	}
	if l.fault != "" {
		attrs = append(attrs, slog.String("fault", l.fault))
	}
	if l.reason != "" {
		reason := sign.HideExpected(journal.CutField(l.reason))
		attrs = append(attrs, slog.String("reason", journal.RedactEchoes(journal.RedactParams(reason), l.req)))
	}
	log.LogAttrs(ctx, level, accessMessage, attrs...)
}
