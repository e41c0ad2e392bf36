// Package emulator composes chatemu: one Server holds a world, its clock, the
// three vendor surfaces (Easemob, Yunxin, Op) and the control API behind one
// http.Handler. The same Server serves the binary (cmd/chatemu), the Docker
// image and the testkit, in the model of fake-gcs-server
// (github.com/fsouza/fake-gcs-server). ARCHITECTURE.md is the map.
//
// A Server has no package-level state: many Servers run in one process, each
// with its own world and clock. emulator imports the vendor packages, world,
// clock and control; it does not read scenario files (the caller passes a
// world.Spec, usually from scenarios.Load).
package emulator

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/emulator/easemob"
	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/inspector"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/opapi"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/emulator/yunxin"
	"github.com/chatemu/chatemu/scenarios"
)

// Config is what a Server is built from.
type Config struct {
	// Spec is the world to serve, usually from scenarios.Load. Required.
	// The Server copies what it keeps; the caller may reuse the spec.
	Spec *world.Spec
	// ScenarioName is the name or path the spec was loaded from; it is only
	// reported (logs, start-up line). Empty means Spec.Name.
	ScenarioName string
	// Seed, when not nil, replaces the spec's seed: the generated messages
	// and content change, credentials written in the spec do not.
	Seed *uint64
	// Now, when not zero, is where the clock starts instead of the spec's
	// clock.start; with neither, the clock starts at the wall clock. The
	// clock is frozen there if the spec says clock.frozen, else it runs.
	Now time.Time
	// PublicURL is the base URL clients reach the server at, written into
	// every link and base_url (e.g. "http://127.0.0.1:8080"). Required; a
	// trailing slash is dropped.
	PublicURL string
	// ControlToken, when not empty, guards the control API (except health)
	// as a Bearer token.
	ControlToken string
	// Exposed says the server listens where other hosts reach it; without a
	// ControlToken, health then carries a warning (the CLI also logs one).
	Exposed bool
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// JournalSize is how many vendor requests the journal keeps (GET
	// /_chatemu/requests): 0 means journal.DefaultSize (1000), a negative
	// size disables the journal.
	JournalSize int
	// MaxInjected bounds the messages injected since the last reset (POST
	// /_chatemu/messages, Inject): 0 means control.DefaultMaxInjected.
	MaxInjected int
	// JournalBytes is the journal's byte budget: the bytes its entries
	// keep, strings and fixed part together; the oldest entries go when a
	// new one would pass it. 0 means journal.DefaultBytes (8 MiB), a
	// negative budget disables the journal.
	JournalBytes int64
	// RateLimits, when not empty, replaces every tenant's rate_limits
	// (world.RateLimitsVendor or world.RateLimitsOff), runtime tenants
	// included: --rate-limits.
	RateLimits world.RateLimits
	// Version is the build's version, reported by GET /_chatemu/health
	// (omitted when empty).
	Version string
	// AccessLog, when not nil, receives one line per request answered
	// (accesslog.go): --access-log.
	AccessLog *slog.Logger
}

// surface is what the Server needs of a vendor surface (the convention every
// vendor package follows: New(Config) *Surface; Handler, the handler of
// each of its routes in the route table; Reset; and WriteFault for the
// fault presets).
type surface interface {
	Handler(name string) http.Handler
	Reset()
	faultWriter
}

// Server is one running emulator: world, clock, vendor surfaces and control
// API behind one http.Handler. It is safe for concurrent use.
type Server struct {
	name      string
	publicURL string
	world     *world.World
	clock     *clock.Clock
	// start and frozen are the clock's first state, for Reset; wallStart
	// says the clock started at the wall clock (no start in the spec or
	// config), so Reset follows the wall clock again.
	start     time.Time
	frozen    bool
	wallStart bool

	surfaces            []surface
	easemob, yunxin, op surface
	control             *control.API
	inspector           *inspector.Handler
	router              *lazyRouter
	log                 *slog.Logger

	// faults and journal sit around the vendor routes (traffic.go); the
	// control API reads and changes them.
	faults  *faults.Set
	journal *journal.Journal
	// obs counts, logs and probes the requests (observe.go).
	obs *observer
	// date is the last Date header written (traffic.go).
	date atomic.Pointer[dateHeader]
}

// New builds a Server from cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Spec == nil {
		return nil, errors.New("emulator: Config.Spec is required")
	}
	public, err := publicURL(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	spec := *cfg.Spec
	if cfg.Seed != nil {
		spec.Seed = *cfg.Seed
	}
	switch cfg.RateLimits {
	case "":
	case world.RateLimitsVendor, world.RateLimitsOff:
		spec = withRateLimits(spec, cfg.RateLimits)
	default:
		return nil, fmt.Errorf("emulator: RateLimits %q: want %q or %q", cfg.RateLimits, world.RateLimitsVendor, world.RateLimitsOff)
	}
	size, budget := cfg.JournalSize, cfg.JournalBytes
	if size == 0 {
		size = journal.DefaultSize
	}
	if budget == 0 {
		budget = journal.DefaultBytes
	}
	name := cfg.ScenarioName
	if name == "" {
		name = spec.Name
	}

	s := &Server{name: name, publicURL: public, log: log, frozen: spec.Frozen,
		faults: &faults.Set{}, journal: journal.New(size, budget)}
	s.obs = newObserver(cfg, s.journal)
	switch {
	case !cfg.Now.IsZero():
		s.start = cfg.Now.UTC()
	case !spec.Start.IsZero():
		s.start = spec.Start.UTC()
	default:
		s.wallStart = true
	}
	if s.wallStart {
		s.clock = clock.Wall()
		if spec.Frozen {
			s.clock.Freeze(true)
		}
		s.start = s.clock.Now()
	} else {
		if err := clock.Check(s.start); err != nil {
			return nil, fmt.Errorf("emulator: clock start: %w", err)
		}
		s.clock = clock.Start(s.start, spec.Frozen)
	}

	s.world, err = world.New(spec, s.start)
	if err != nil {
		return nil, fmt.Errorf("emulator: scenario %s: %w", name, err)
	}

	s.control = control.New(control.Config{
		World:       injectionCounter{s.world, s.obs.metrics},
		Clock:       s.clock,
		Reset:       s.Reset,
		PublicURL:   public,
		Token:       cfg.ControlToken,
		Open:        cfg.Exposed && cfg.ControlToken == "",
		Logger:      log.With("component", "control"),
		Faults:      s.faults,
		Journal:     s.journal,
		RateLimits:  cfg.RateLimits,
		Version:     cfg.Version,
		MaxInjected: cfg.MaxInjected,
		Views:       views{s},
	})
	// A refused credential's reason may show what would have authenticated
	// only where nobody else can read it: loopback and no control token.
	reveal := cfg.ControlToken == "" && !cfg.Exposed
	s.yunxin = yunxin.New(yunxin.Config{World: s.world, Clock: s.clock, PublicURL: public, Logger: log.With("vendor", "yunxin"), RevealSecrets: reveal})
	s.op = opapi.New(opapi.Config{World: s.world, Clock: s.clock, PublicURL: public, Logger: log.With("vendor", "op"), RevealSecrets: reveal})
	s.easemob = easemob.New(easemob.Config{World: s.world, Clock: s.clock, PublicURL: public, Logger: log.With("vendor", "easemob"), RevealSecrets: reveal})
	s.surfaces = []surface{s.yunxin, s.op, s.easemob}
	if s.inspector, err = inspector.New(); err != nil {
		return nil, fmt.Errorf("emulator: inspector: %w", err)
	}
	s.router = &lazyRouter{build: s.routes}
	return s, nil
}

// publicURL checks and normalizes Config.PublicURL.
func publicURL(s string) (string, error) {
	if s == "" {
		return "", errors.New("emulator: Config.PublicURL is required (e.g. http://127.0.0.1:8080)")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("emulator: PublicURL %q is not an absolute http(s) URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("emulator: PublicURL %q must not have a query or fragment", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// withRateLimits returns spec with every tenant's rate-limit mode set to
// mode; the spec's tenant slices are copied, not changed.
func withRateLimits(spec world.Spec, mode world.RateLimits) world.Spec {
	spec.Easemob = slices.Clone(spec.Easemob)
	for i := range spec.Easemob {
		spec.Easemob[i].RateLimits = mode
	}
	spec.Yunxin = slices.Clone(spec.Yunxin)
	for i := range spec.Yunxin {
		spec.Yunxin[i].RateLimits = mode
	}
	spec.Op = slices.Clone(spec.Op)
	for i := range spec.Op {
		spec.Op[i].RateLimits = mode
	}
	return spec
}

// ServeHTTP routes a request to the control API, the probes and the
// metrics (probes.go) or, through the faults and the journal, to a vendor
// surface; every request is counted and access-logged (observe.go).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isControl(r.URL.Path) || r.URL.Path == pathLivez || r.URL.Path == pathReadyz {
		s.serveControl(w, r)
		return
	}
	s.serveVendor(w, r)
}

// World returns the server's world.
func (s *Server) World() *world.World { return s.world }

// Clock returns the server's clock; moving it moves every surface's time.
func (s *Server) Clock() *clock.Clock { return s.clock }

// PublicURL returns the base URL written into links, without a trailing
// slash.
func (s *Server) PublicURL() string { return s.publicURL }

// ScenarioName returns the name or path the scenario was loaded from.
func (s *Server) ScenarioName() string { return s.name }

// Tenants lists the tenants with their credentials, runtime tenants
// included, as GET /_chatemu/tenants does.
func (s *Server) Tenants() control.Tenants { return s.control.Tenants() }

// AddTenant creates a tenant at run time, as POST /_chatemu/tenants does:
// vendor is "easemob", "yunxin" or "op", fields the app's or client's keys
// in the scenario file's form (users, groups, chatrooms, accounts, traffic,
// messages, …; all optional). Names and credentials that fields lack are
// generated from the seed and a counter. It returns the created tenants (an
// Op client without easemob_app comes with its new Easemob app).
func (s *Server) AddTenant(vendor string, fields map[string]any) (control.Tenants, error) {
	return s.control.AddTenant(vendor, fields)
}

// RemoveTenant removes a runtime tenant ("easemob:ORG/APP", "yunxin:APPKEY",
// "op:CLIENT"), as DELETE /_chatemu/tenants/{tenant} does.
func (s *Server) RemoveTenant(t world.TenantID) error { return s.control.RemoveTenant(t) }

// Faults returns the server's faults, as /_chatemu/faults shows them.
func (s *Server) Faults() *faults.Set { return s.faults }

// Journal returns the server's request journal, as /_chatemu/requests
// shows it.
func (s *Server) Journal() *journal.Journal { return s.journal }

// Inject stores literal messages for a tenant, as POST /_chatemu/messages
// does, and returns their ids. Nothing is stored unless all are valid.
func (s *Server) Inject(tenant world.TenantID, msgs ...scenarios.LiteralMessage) ([]string, error) {
	return s.control.Inject(tenant, msgs...)
}

// Reset puts the server back in its first state: the scenario's tenants and
// messages only (runtime tenants removed), no surface state (tokens,
// rate-limit windows), no faults, an empty journal, and the clock at its
// start, frozen or running as it began.
func (s *Server) Reset() {
	if err := s.world.Reset(); err != nil {
		// The spec's literal messages went in once at New; they cannot fail
		// now. Logged rather than hidden if they ever do.
		s.log.Error("reset world", "error", err)
	}
	for _, v := range s.surfaces {
		v.Reset()
	}
	s.control.ResetTenants()
	s.faults.Reset()
	s.journal.Clear()
	c := s.clock
	if s.wallStart {
		c.Freeze(false)
		c.Set(c.WallNow())
		c.Freeze(s.frozen)
		return
	}
	c.Freeze(true)
	c.Set(s.start)
	c.Freeze(s.frozen)
}

// TenantNames lists the tenants as the start-up line shows them:
// "easemob:ORG/APP", "yunxin:APPKEY", "op:CLIENT", in scenario order.
func (s *Server) TenantNames() []string {
	var out []string
	for _, a := range s.world.EasemobApps() {
		out = append(out, string(a.Tenant()))
	}
	for _, a := range s.world.YunxinApps() {
		out = append(out, string(a.Tenant()))
	}
	for _, c := range s.world.OpClients() {
		out = append(out, "op:"+c.Client)
	}
	return out
}
