//go:build !race

package emulator_test

// raceEnabled says the tests run under the race detector.
const raceEnabled = false
