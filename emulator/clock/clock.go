// Package clock holds the emulator's time. Nothing else in chatemu reads the
// wall clock: every vendor surface asks a *Clock, so tests can freeze, set and
// advance time (the miniredis FastForward/SetTime model) and signed links,
// tokens, rate limits and archive delays all move together.
//
// The clock stays within [Min, Max], the instants every vendor's wire format
// can carry: TrySet and TryAdvance refuse to leave it, Set and Advance stop
// at its ends. (A running clock set at Max runs on past it.)
//
// It imports only the standard library.
package clock

import (
	"fmt"
	"sync"
	"time"
)

// Min and Max bound the emulator's time, so that every time a vendor answer
// carries renders in the vendor's format:
//
//   - Min is the Unix epoch: Easemob's and Yunxin's millisecond timestamps,
//     OSS's Expires and Qiniu's e (seconds) are non-negative counts from it.
//   - Max is 2100-01-01T00:00:00Z, inside the tightest format: a message id
//     in Easemob's snowflake shape keeps the millisecond in the upper 42 bits
//     of 64 (ms<<22), which holds times up to 2109-05-15. The others are
//     wider: Easemob's version-1 (time-based) file uuids reach 5236, and the
//     times written as text (HTTP Date, OSS's ISO 8601 error times, the Op
//     API's "2006-01-02 15:04:05" and Easemob's cn archive hours, both in
//     Beijing time) keep four-digit years to 9999.
var (
	Min = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	Max = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// RangeError is a time outside [Min, Max].
type RangeError struct {
	// At is the refused time.
	At time.Time
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("%s is outside the supported range %s to %s",
		e.At.UTC().Format(time.RFC3339Nano), Min.Format(time.RFC3339), Max.Format(time.RFC3339))
}

// Check returns a *RangeError when t is outside [Min, Max].
func Check(t time.Time) error {
	if t.Before(Min) || t.After(Max) {
		return &RangeError{At: t}
	}
	return nil
}

// Clock is the emulator's time source. A Clock either runs (it follows the
// wall clock from the instant it was last set) or is frozen at an instant.
// The zero value is not usable; call Wall or Start.
type Clock struct {
	mu   sync.RWMutex
	wall func() time.Time
	// at is the clock's time: frozen, now = at; running, now = at plus the
	// wall time elapsed since since. Kept as instants, not as an offset
	// from the wall clock, so that no time in range overflows a Duration.
	at     time.Time
	since  time.Time
	frozen bool
}

// Wall returns a running clock that reads the real time.
func Wall() *Clock {
	now := time.Now()
	return &Clock{wall: time.Now, at: now.UTC(), since: now}
}

// Start returns a clock that starts at t, frozen there or running from it.
func Start(t time.Time, frozen bool) *Clock {
	return &Clock{wall: time.Now, at: t.UTC(), since: time.Now(), frozen: frozen}
}

// Now returns the emulator's current time, in UTC.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.frozen {
		return c.at
	}
	return c.at.Add(c.wall().Sub(c.since))
}

// WallNow returns the real time. Only checks that are defined against the
// caller's real clock use it (Yunxin's CurTime window: clients sign with real
// time even while the emulator's clock is frozen in the past).
func (c *Clock) WallNow() time.Time { return c.wall().UTC() }

// Set moves the clock to t, keeping it frozen or running as it was. A t
// outside [Min, Max] is clamped to the range; TrySet refuses it instead.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.moveLocked(clamp(t))
}

// TrySet moves the clock to t as Set does, or refuses a t outside [Min,
// Max] with a *RangeError, leaving the clock as it was.
func (c *Clock) TrySet(t time.Time) error {
	if err := Check(t); err != nil {
		return err
	}
	c.Set(t)
	return nil
}

// Advance moves the clock forward by d (backward when d is negative),
// stopping at the ends of [Min, Max]; TryAdvance refuses to pass them
// instead. Its type fits a sleep function: a client under test can back off
// on the emulator's clock.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.moveLocked(clamp(c.nowLocked().Add(d)))
}

// TryAdvance moves the clock by d as Advance does, or refuses with a
// *RangeError, leaving the clock as it was, when that would leave [Min,
// Max].
func (c *Clock) TryAdvance(d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	to := c.nowLocked().Add(d)
	if err := Check(to); err != nil {
		return err
	}
	c.moveLocked(to)
	return nil
}

// moveLocked puts the clock at t from now on.
func (c *Clock) moveLocked(t time.Time) {
	c.at, c.since = t.UTC(), c.wall()
}

// clamp returns t within [Min, Max].
func clamp(t time.Time) time.Time {
	switch {
	case t.Before(Min):
		return Min
	case t.After(Max):
		return Max
	}
	return t
}

// Freeze stops the clock at its current instant (true) or lets it run on
// from there (false).
func (c *Clock) Freeze(frozen bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if frozen == c.frozen {
		return
	}
	c.moveLocked(c.nowLocked())
	c.frozen = frozen
}

// Frozen reports whether the clock is frozen.
func (c *Clock) Frozen() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.frozen
}
