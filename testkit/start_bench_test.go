package testkit_test

import (
	"testing"
	"time"

	"github.com/chatemu/chatemu/testkit"
)

// BenchmarkStartScenario measures testkit.Start per built-in scenario: the
// world is a function, so busy (over 10 million messages) starts as fast as
// default.
func BenchmarkStartScenario(b *testing.B) {
	for _, name := range []string{"empty", "default", "busy"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				testkit.Start(b, testkit.Scenario(name))
			}
		})
	}
}

// BenchmarkControlCall measures one testkit call in process, which goes
// over the control API on loopback like a call to a remote chatemu: a read
// (Clock().Now, GET /_chatemu/clock) and a write (Clock().Advance, POST).
func BenchmarkControlCall(b *testing.B) {
	emu := testkit.Start(b, testkit.Scenario("empty"))
	clk := emu.Clock()
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			clk.Now()
		}
	})
	b.Run("write", func(b *testing.B) {
		for b.Loop() {
			clk.Advance(time.Millisecond)
		}
	})
}
