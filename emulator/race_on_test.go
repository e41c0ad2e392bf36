//go:build race

package emulator_test

// raceEnabled: the race detector makes byte loops dearer and keeps shadow
// memory that RSS counts, so memory tests judge the heap alone under it.
const raceEnabled = true
