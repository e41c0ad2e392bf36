package clock

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFrozenClockMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	c := Start(start, true)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	c.Advance(90 * time.Minute)
	if got, want := c.Now(), start.Add(90*time.Minute); !got.Equal(want) {
		t.Fatalf("after Advance: %v, want %v", got, want)
	}
	c.Set(start)
	if !c.Now().Equal(start) || !c.Frozen() {
		t.Fatalf("Set lost the instant or the frozen state")
	}
}

func TestRunningClockFollowsWallFromOffset(t *testing.T) {
	wall := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &Clock{wall: func() time.Time { return wall }}
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	c.Set(start)
	wall = wall.Add(time.Second)
	if got, want := c.Now(), start.Add(time.Second); !got.Equal(want) {
		t.Fatalf("running clock = %v, want %v", got, want)
	}
	c.Freeze(true)
	wall = wall.Add(time.Hour)
	if got, want := c.Now(), start.Add(time.Second); !got.Equal(want) {
		t.Fatalf("frozen clock moved: %v, want %v", got, want)
	}
	c.Freeze(false)
	wall = wall.Add(time.Minute)
	if got, want := c.Now(), start.Add(time.Second+time.Minute); !got.Equal(want) {
		t.Fatalf("unfrozen clock = %v, want %v", got, want)
	}
	if !c.WallNow().Equal(wall) {
		t.Fatalf("WallNow must read the wall clock")
	}
}

// TestRange: TrySet and TryAdvance refuse to leave [Min, Max], on a frozen
// and on a running clock, and leave the clock where it was; the bounds
// themselves are accepted. Set and Advance stop at the bounds.
func TestRange(t *testing.T) {
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	late := time.Date(2090, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		from time.Time // the clock's time before; zero: start
		set  bool      // Set(to), else Advance(by)
		to   time.Time
		by   time.Duration
		want time.Time // zero: refused
	}{
		{name: "set min", set: true, to: Min, want: Min},
		{name: "set max", set: true, to: Max, want: Max},
		{name: "set before min", set: true, to: Min.Add(-time.Nanosecond)},
		{name: "set after max", set: true, to: Max.Add(time.Nanosecond)},
		{name: "set year 1", set: true, to: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{name: "set 9999-12-31T23:59:59", set: true, to: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{name: "set in another zone", set: true, to: time.Date(2100, 1, 1, 7, 0, 0, 0, time.FixedZone("CST", 8*3600)), want: time.Date(2099, 12, 31, 23, 0, 0, 0, time.UTC)},
		{name: "set 2100 in another zone", set: true, to: time.Date(2100, 1, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))},
		{name: "advance back to min", by: Min.Sub(start), want: Min},
		{name: "advance back past min", by: Min.Sub(start) - 1},
		{name: "advance far back", by: -1 << 63},
		{name: "advance a year", by: 8760 * time.Hour, want: start.Add(8760 * time.Hour)},
		{name: "advance the longest", by: 1<<63 - 1},
		{name: "advance to max", from: late, by: Max.Sub(late), want: Max},
		{name: "advance past max", from: late, by: 1<<63 - 1},
		{name: "advance past max by 1ns", from: Max, by: 1},
	} {
		for _, frozen := range []bool{true, false} {
			from := tt.from
			if from.IsZero() {
				from = start
			}
			wall := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
			c := &Clock{wall: func() time.Time { return wall }, at: from, since: wall, frozen: frozen}
			var err error
			if tt.set {
				err = c.TrySet(tt.to)
			} else {
				err = c.TryAdvance(tt.by)
			}
			want := tt.want
			if want.IsZero() {
				want = from
				// Set and Advance stop at the range's ends instead.
				c2 := &Clock{wall: c.wall, at: from, since: wall, frozen: frozen}
				if tt.set {
					c2.Set(tt.to)
				} else {
					c2.Advance(tt.by)
				}
				if end := c2.Now(); !end.Equal(Min) && !end.Equal(Max) {
					t.Errorf("%s (frozen %v): Set/Advance went to %v, want an end of the range", tt.name, frozen, end)
				}
				var re *RangeError
				if !errors.As(err, &re) || !strings.Contains(err.Error(), "outside the supported range 1970-01-01T00:00:00Z to 2100-01-01T00:00:00Z") {
					t.Errorf("%s (frozen %v): error %v, want a RangeError", tt.name, frozen, err)
				}
			} else if err != nil {
				t.Errorf("%s (frozen %v): %v", tt.name, frozen, err)
			}
			if got := c.Now(); !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("%s (frozen %v): now %v, want %v", tt.name, frozen, got, want)
			}
			// A running clock runs on from there, whatever the distance to
			// the wall clock.
			wall = wall.Add(time.Second)
			if !frozen && !c.Now().Equal(want.Add(time.Second)) {
				t.Errorf("%s: running clock at %v a second later, want %v", tt.name, c.Now(), want.Add(time.Second))
			}
		}
	}
}
