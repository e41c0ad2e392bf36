package testkit

import (
	"net/http"
	"time"

	"github.com/chatemu/chatemu/emulator/clock"
)

// Clock is the emulator's clock, moved through the control API (GET and
// POST /_chatemu/clock): Set, Advance and Freeze move the time of every
// vendor surface (archive availability, link expiry, rate limits). A move
// outside the clock's range (1970 to 2100) fails the test. Its Advance fits
// a sleep function, so a client under test backs off on the emulator's
// clock:
//
//	client := mysync.New(app.BaseURL, …, mysync.WithSleep(emu.Clock().Advance))
type Clock struct {
	e *Emulator
}

// Clock returns the emulator's clock.
func (e *Emulator) Clock() *Clock { return &Clock{e: e} }

// clockState is the body of GET and POST /_chatemu/clock.
type clockState struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
}

func (c *Clock) state() clockState {
	var s clockState
	if err := c.e.ctl.call(http.MethodGet, "clock", nil, &s); err != nil {
		c.e.fail(nil, "testkit: clock: %v", err)
	}
	return s
}

func (c *Clock) change(body map[string]any) {
	if err := c.e.ctl.call(http.MethodPost, "clock", body, nil); err != nil {
		c.e.fail(nil, "testkit: clock: %v", err)
	}
}

// Now returns the emulator's time, in UTC, to the millisecond.
func (c *Clock) Now() time.Time {
	s := c.state()
	t, err := time.Parse(time.RFC3339Nano, s.Now)
	if err != nil {
		c.e.fail(nil, "testkit: clock: now %q: %v", s.Now, err)
	}
	return t.UTC()
}

// Frozen reports whether the clock is frozen.
func (c *Clock) Frozen() bool { return c.state().Frozen }

// Set moves the clock to t, keeping it frozen or running as it was.
func (c *Clock) Set(t time.Time) { c.change(map[string]any{"set": t.Format(time.RFC3339Nano)}) }

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) { c.change(map[string]any{"advance": d.String()}) }

// Freeze stops the clock at its current instant (true) or lets it run on
// from there (false).
func (c *Clock) Freeze(frozen bool) { c.change(map[string]any{"frozen": frozen}) }

// WallNow returns the real time, for what a client signs with real time
// even while the emulator's clock is elsewhere (Yunxin's CurTime).
func (c *Clock) WallNow() time.Time { return clock.Wall().WallNow() }
