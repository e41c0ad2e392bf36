package testkit

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// Option configures Start, New or Connect. Connect takes ControlToken only:
// the other options shape the server that Start and New run, and a running
// server has its own (its flags).
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
	// shaping names the options given that shape a server, for Connect's
	// refusal.
	shaping []string
	// wrap, when set, wraps the transport of every request the Emulator
	// sends (its tests check the control traffic with it).
	wrap func(http.RoundTripper) http.RoundTripper
}

// server records an option that shapes the server.
func (o *options) server(name string) { o.shaping = append(o.shaping, name) }

// Scenario selects an embedded scenario by name ("default", "empty",
// "busy"), or a file path. The default is "default".
func Scenario(name string) Option {
	return func(o *options) { o.scenario, o.file, o.spec = name, "", nil; o.server("Scenario") }
}

// ScenarioFile loads the scenario at path, even if its name is also an
// embedded scenario's.
func ScenarioFile(path string) Option {
	return func(o *options) { o.file, o.scenario, o.spec = path, "", nil; o.server("ScenarioFile") }
}

// Spec serves a spec built in Go instead of a scenario file.
func Spec(spec world.Spec) Option {
	return func(o *options) { o.spec, o.scenario, o.file = &spec, "", ""; o.server("Spec") }
}

// Seed replaces the scenario's seed.
func Seed(seed uint64) Option { return func(o *options) { o.seed = &seed; o.server("Seed") } }

// Now starts the clock at t instead of the scenario's clock.start (or the
// wall clock). The clock is frozen there if the scenario says so, else it
// runs; Frozen freezes it.
func Now(t time.Time) Option { return func(o *options) { o.now = t; o.server("Now") } }

// Frozen starts the clock frozen at t: time moves only when the test moves
// it (Clock().Advance, Set), and Reset brings it back to t, frozen. A zero
// t freezes it at the scenario's clock.start (or at the wall clock's now).
func Frozen(t time.Time) Option {
	return func(o *options) { o.now, o.frozen = t, true; o.server("Frozen") }
}

// ControlToken is the control API's Bearer token. With Start and New it
// guards the emulator's control API, as --control-token does; with Connect
// it is the running server's token. The testkit's own methods send it.
func ControlToken(token string) Option { return func(o *options) { o.controlToken = token } }

// TLS serves https with a self-signed certificate made for this emulator;
// URL starts with https:// and HTTPClient trusts the certificate, for
// clients that insist on https.
func TLS() Option { return func(o *options) { o.tls = true; o.server("TLS") } }

// Logger receives the emulator's logs; by default they are discarded.
func Logger(l *slog.Logger) Option { return func(o *options) { o.logger = l; o.server("Logger") } }

// JournalSize sets how many vendor requests the journal keeps (default
// 1000, as --journal-size); 0 disables the journal.
func JournalSize(n int) Option {
	return func(o *options) {
		if n == 0 {
			n = -1
		}
		o.journalSize = n
		o.server("JournalSize")
	}
}

// RateLimits forces every tenant's rate-limit mode, as --rate-limits does:
// RateLimitsVendor enforces the vendors' documented limits on the
// emulator's clock (drive them with Clock().Advance), RateLimitsOff lifts
// them.
func RateLimits(mode RateLimitMode) Option {
	return func(o *options) { o.rateLimits = mode; o.server("RateLimits") }
}

func newOptions(opts []Option) options {
	o := options{scenario: "default"}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// forConnect refuses the options a running server cannot take, rather than
// ignore them.
func (o *options) forConnect() error {
	if len(o.shaping) == 0 {
		return nil
	}
	return fmt.Errorf("Connect takes ControlToken only; %s shape the server that Start and New run (a running server takes them as flags: chatemu serve --help)",
		strings.Join(o.shaping, ", "))
}

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
