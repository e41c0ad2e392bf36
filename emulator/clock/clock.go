// Package clock holds the emulator's time. Nothing else in chatemu reads the
// wall clock: every vendor surface asks a *Clock, so tests can freeze, set and
// advance time (the miniredis FastForward/SetTime model) and signed links,
// tokens, rate limits and archive delays all move together.
//
// It imports only the standard library.
package clock

import (
	"sync"
	"time"
)

// Clock is the emulator's time source. A Clock either runs (it follows the
// wall clock from an offset) or is frozen at an instant. The zero value is not
// usable; call Wall or Start.
type Clock struct {
	mu     sync.RWMutex
	wall   func() time.Time
	offset time.Duration // running: now = wall() + offset
	frozen bool
	at     time.Time // frozen: now = at
}

// Wall returns a running clock that reads the real time.
func Wall() *Clock { return &Clock{wall: time.Now} }

// Start returns a clock that starts at t, frozen there or running from it.
func Start(t time.Time, frozen bool) *Clock {
	c := &Clock{wall: time.Now, frozen: true, at: t.UTC()}
	c.Freeze(frozen)
	return c
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
	return c.wall().Add(c.offset).UTC()
}

// WallNow returns the real time. Only checks that are defined against the
// caller's real clock use it (Yunxin's CurTime window: clients sign with real
// time even while the emulator's clock is frozen in the past).
func (c *Clock) WallNow() time.Time { return c.wall().UTC() }

// Set moves the clock to t, keeping it frozen or running as it was.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t = t.UTC()
	if c.frozen {
		c.at = t
		return
	}
	c.offset = t.Sub(c.wall())
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.at = c.at.Add(d)
		return
	}
	c.offset += d
}

// Freeze stops the clock at its current instant (true) or lets it run on
// from there (false).
func (c *Clock) Freeze(frozen bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if frozen == c.frozen {
		return
	}
	now := c.nowLocked()
	c.frozen = frozen
	if frozen {
		c.at = now
	} else {
		c.offset = now.Sub(c.wall())
	}
}

// Frozen reports whether the clock is frozen.
func (c *Clock) Frozen() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.frozen
}
