package clock

import (
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
