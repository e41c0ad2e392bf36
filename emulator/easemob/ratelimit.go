package easemob

import (
	"strconv"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// rateLimit is one of the vendor's rate limits: calls of api per period
// per app.
type rateLimit struct {
	api   string
	calls int
	per   time.Duration
}

// The vendor's rate limits, enforced when a tenant has rate_limits: vendor
// (easemob-doc docs/product/limitationapi.md; chatfiles:
// docs/document/server-side/message_download_file.md).
var (
	limitChatMessages = rateLimit{"chatmessages", 10, time.Minute}
	limitToken        = rateLimit{"token", 300, time.Second}
	limitChatFiles    = rateLimit{"chatfiles", 100, time.Second}
)

// limitKey names one rate-limit window: an app and an API.
type limitKey struct {
	tenant world.TenantID
	api    string
}

// window is a sliding window on the emulator's clock: the times of the last
// limit accepted calls, in a ring.
type window struct {
	times []time.Time
	next  int
}

// allow reports whether a call of api by app may proceed now, and counts it
// when it may. Refused calls are not counted. Apps with rate_limits off are
// never limited.
func (s *Surface) allow(app *world.EasemobApp, api string, limit int, per time.Duration) (bool, time.Duration) {
	if app.RateLimits != world.RateLimitsVendor {
		return true, 0
	}
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	k := limitKey{app.Tenant(), api}
	win := s.windows[k]
	if win == nil {
		win = &window{times: make([]time.Time, 0, limit)}
		s.windows[k] = win
	}
	if len(win.times) < limit {
		win.times = append(win.times, now)
		return true, 0
	}
	oldest := win.times[win.next]
	if wait := oldest.Add(per).Sub(now); wait > 0 {
		return false, wait
	}
	win.times[win.next] = now
	win.next = (win.next + 1) % limit
	return true, 0
}

// limit refuses a call of app over its rate limit l with the 429.
func (s *Surface) limit(app *world.EasemobApp, l rateLimit) *Error {
	if ok, wait := s.allow(app, l.api, l.calls, l.per); !ok {
		return errReachLimit("rate_limits: vendor allows " + strconv.Itoa(l.calls) + " " + l.api + " calls per " + l.per.String() +
			" per app; the next is allowed in " + wait.String() + " of emulator time")
	}
	return nil
}
