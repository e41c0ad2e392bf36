package testkit

import (
	"log/slog"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// Option configures Start.
type Option func(*options)

type options struct {
	scenario     string
	file         string
	spec         *world.Spec
	seed         *uint64
	now          time.Time
	frozen       bool
	controlToken string
	logger       *slog.Logger
	journalSize  int
	rateLimits   world.RateLimits
	tls          bool
}

// Scenario selects an embedded scenario by name ("default", "empty",
// "busy"), or a file path. The default is "default".
func Scenario(name string) Option {
	return func(o *options) { o.scenario, o.file, o.spec = name, "", nil }
}

// ScenarioFile loads the scenario at path, even if its name is also an
// embedded scenario's.
func ScenarioFile(path string) Option {
	return func(o *options) { o.file, o.scenario, o.spec = path, "", nil }
}

// Spec serves a spec built in Go instead of a scenario file.
func Spec(spec world.Spec) Option {
	return func(o *options) { o.spec, o.scenario, o.file = &spec, "", "" }
}

// Seed replaces the scenario's seed.
func Seed(seed uint64) Option { return func(o *options) { o.seed = &seed } }

// Now starts the clock at t instead of the scenario's clock.start (or the
// wall clock). The clock is frozen there if the scenario says so, else it
// runs; Frozen freezes it.
func Now(t time.Time) Option { return func(o *options) { o.now = t } }

// Frozen starts the clock frozen at t: time moves only when the test moves
// it (Clock().Advance, Set), and Reset brings it back to t, frozen. A zero
// t freezes it at the scenario's clock.start (or at the wall clock's now).
func Frozen(t time.Time) Option { return func(o *options) { o.now, o.frozen = t, true } }

// ControlToken guards the control API with a Bearer token, as
// --control-token does. The testkit's own methods are not affected.
func ControlToken(token string) Option { return func(o *options) { o.controlToken = token } }

// TLS serves https with a self-signed certificate made for this emulator;
// URL starts with https:// and HTTPClient trusts the certificate, for
// clients that insist on https.
func TLS() Option { return func(o *options) { o.tls = true } }

// Logger receives the emulator's logs; by default they are discarded.
func Logger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// JournalSize sets how many vendor requests the journal keeps (default
// 1000, as --journal-size); 0 disables the journal.
func JournalSize(n int) Option {
	return func(o *options) {
		if n == 0 {
			n = -1
		}
		o.journalSize = n
	}
}

// RateLimits forces every tenant's rate-limit mode, as --rate-limits does:
// RateLimitsVendor enforces the vendors' documented limits on the
// emulator's clock (drive them with Clock().Advance), RateLimitsOff lifts
// them.
func RateLimits(mode RateLimitMode) Option { return func(o *options) { o.rateLimits = mode } }
func (o *options) load() (*world.Spec, string, error) {
	switch {
	case o.spec != nil:
		return o.spec, o.spec.Name, nil
	case o.file != "":
		spec, err := scenarios.LoadFile(o.file)
		return spec, o.file, err
	}
	spec, err := scenarios.Load(o.scenario)
	return spec, o.scenario, err
}
