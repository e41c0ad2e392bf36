//go:build !unix

package emulator_test

import "time"

// cpuTime is not measured here: CPU-time metrics read zero.
func cpuTime() time.Duration { return 0 }
