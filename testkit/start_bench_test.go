package testkit_test

import (
	"testing"

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
