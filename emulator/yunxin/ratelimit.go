package yunxin

import (
	"fmt"
	"sync"
	"time"
)

// The vendor's frequency control for v2 single-call APIs: 100 calls a
// second per app, and past it code 416 and "一段时间的调用屏蔽"
// (the Yunxin rate-limit page,
// https://doc.yunxin.163.com/messaging2/concept/TM3MTAxNzE?platform=client).
// The v2 block length is not documented; 10 s is
// the v1 figure for single-call APIs.
const (
	rateLimitPerSecond = 100
	rateLimitBlock     = 10 * time.Second
)

// apiChatroomHistory names the one API this surface serves in the
// limiter's keys: /im/v2 and /im/v2.1 count together.
const apiChatroomHistory = "chatroom_history"

// limiter counts calls per (app, API) in whole seconds of the emulator's
// clock, so tests drive it with Advance instead of sleeping.
type limiter struct {
	mu      sync.Mutex
	windows map[string]*rateWindow
}

type rateWindow struct {
	second       int64 // the emulator-clock second being counted
	calls        int
	blockedUntil time.Time
}

// allow counts one call of key at now and returns the 416 when it is over
// the limit or inside a block.
func (l *limiter) allow(key string, now time.Time) *Error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.windows == nil {
		l.windows = map[string]*rateWindow{}
	}
	w := l.windows[key]
	if w == nil {
		w = &rateWindow{second: -1 << 62}
		l.windows[key] = w
	}
	if now.Before(w.blockedUntil) {
		return &Error{Code: CodeFrequency, Msg: MsgFrequencyControl, Reason: fmt.Sprintf(
			"%s is blocked until %s (emulator clock %s) after more than %d calls in one second",
			key, w.blockedUntil.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano), rateLimitPerSecond)}
	}
	sec := now.UnixMilli() / 1000
	if now.UnixMilli() < 0 && now.UnixMilli()%1000 != 0 {
		sec--
	}
	if sec != w.second {
		w.second, w.calls = sec, 0
	}
	w.calls++
	if w.calls > rateLimitPerSecond {
		w.blockedUntil = now.Add(rateLimitBlock)
		w.calls = 0
		return &Error{Code: CodeFrequency, Msg: MsgFrequencyControl, Reason: fmt.Sprintf(
			"%s: call %d in the second %s (rate_limits: vendor allows %d a second); blocked for %v until %s",
			key, rateLimitPerSecond+1, time.UnixMilli(sec*1000).UTC().Format(time.RFC3339), rateLimitPerSecond, rateLimitBlock,
			w.blockedUntil.Format(time.RFC3339Nano))}
	}
	return nil
}

func (l *limiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.windows = nil
}
