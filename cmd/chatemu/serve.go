package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/tlscert"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// serveCmd is `chatemu serve`, the default command: its flags, each with
// its environment twin.
type serveCmd struct {
	Addr              string        `default:"127.0.0.1:8080" env:"CHATEMU_ADDR" help:"Address to listen on (the Docker image sets 0.0.0.0:8080)."`
	Scenario          string        `default:"default" env:"CHATEMU_SCENARIO" help:"Embedded scenario name (see 'chatemu scenarios') or scenario file path."`
	PublicURL         string        `name:"public-url" env:"CHATEMU_PUBLIC_URL" placeholder:"URL" help:"Base URL clients reach the server at, written into links (default http://ADDR, 0.0.0.0 and :: as 127.0.0.1)."`
	Seed              *uint64       `env:"CHATEMU_SEED" help:"Seed replacing the scenario's (an unsigned integer)."`
	Now               string        `env:"CHATEMU_NOW" placeholder:"RFC3339" help:"Instant the clock starts at, such as 2026-11-20T10:00:00Z (default the scenario's clock.start, else the wall clock)."`
	ControlToken      string        `env:"CHATEMU_CONTROL_TOKEN" placeholder:"TOKEN" help:"Bearer token required by the /_chatemu/ control API (health stays open)."`
	LogFormat         string        `default:"text" enum:"text,json" env:"CHATEMU_LOG_FORMAT" help:"Log format: text or json."`
	LogLevel          string        `default:"info" enum:"debug,info,warn,error" env:"CHATEMU_LOG_LEVEL" help:"Least level logged: debug, info, warn or error (the access log's refusals are warn, its passing probes debug)."`
	AccessLog         bool          `env:"CHATEMU_ACCESS_LOG" help:"Log one line per request: method, path (credentials redacted), status, duration, vendor, operation, reason; refusals at warn."`
	DrainDelay        time.Duration `default:"0s" env:"CHATEMU_DRAIN_DELAY" help:"On SIGINT/SIGTERM, keep serving this long with /readyz answering 503, so that a load balancer stops sending requests, before the graceful shutdown."`
	JournalSize       int           `default:"${journal_size}" env:"CHATEMU_JOURNAL_SIZE" help:"Vendor requests the journal keeps (GET /_chatemu/requests); 0 turns the journal off."`
	JournalBytes      int64         `default:"${journal_bytes}" env:"CHATEMU_JOURNAL_BYTES" placeholder:"BYTES" help:"The journal's byte budget: the oldest entries go when a new one would pass it; 0 turns the journal off."`
	TLS               bool          `name:"tls" env:"CHATEMU_TLS" help:"Serve https (HTTP/2 and HTTP/1.1) with a self-signed certificate made at start; clients trust it through testkit or skip verification."`
	TLSCert           string        `name:"tls-cert" env:"CHATEMU_TLS_CERT" placeholder:"FILE" help:"Serve https with this PEM certificate (with --tls-key) instead of a self-signed one."`
	TLSKey            string        `name:"tls-key" env:"CHATEMU_TLS_KEY" placeholder:"FILE" help:"The PEM private key of --tls-cert."`
	RateLimits        string        `env:"CHATEMU_RATE_LIMITS" placeholder:"vendor|off" help:"Force every tenant's rate limits: vendor (the vendors' documented limits, on the emulator's clock) or off (default: as the scenario says)."`
	MaxInjected       int           `default:"${max_injected}" env:"CHATEMU_MAX_INJECTED" placeholder:"N" help:"Messages the control API keeps injected until a reset, all tenants together (about half a KiB each); past it an injection is refused with 507."`
	ShutdownGrace     time.Duration `default:"10s" env:"CHATEMU_SHUTDOWN_GRACE" help:"How long requests in flight at SIGINT/SIGTERM may run; then they are cut and chatemu exits 1 (a second signal cuts at once)."`
	ReadHeaderTimeout time.Duration `default:"${read_header_timeout}" env:"CHATEMU_READ_HEADER_TIMEOUT" help:"How long a request's line and headers may take to arrive; then the connection is closed (0: no limit)."`
	ReadTimeout       time.Duration `default:"${read_timeout}" env:"CHATEMU_READ_TIMEOUT" help:"How long a whole request, body included, may take to arrive; then the connection is closed (0: no limit)."`
	IdleTimeout       time.Duration `default:"${idle_timeout}" env:"CHATEMU_IDLE_TIMEOUT" help:"How long a keep-alive connection may wait for its next request (0: no limit)."`
	WriteTimeout      time.Duration `default:"${write_timeout}" env:"CHATEMU_WRITE_TIMEOUT" help:"How long each chunk of an answer may wait for the client to take it; a download that keeps moving is never cut (0: no limit)."`

	now time.Time // Now, parsed by Validate
}

// defaultVars are the defaults the flags' tags interpolate, from the
// packages that own them.
func defaultVars() kong.Vars {
	dt := emulator.DefaultTimeouts()
	return kong.Vars{
		"journal_size":        strconv.Itoa(journal.DefaultSize),
		"journal_bytes":       strconv.Itoa(journal.DefaultBytes),
		"max_injected":        strconv.Itoa(control.DefaultMaxInjected),
		"read_header_timeout": dt.ReadHeader.String(),
		"read_timeout":        dt.Read.String(),
		"idle_timeout":        dt.Idle.String(),
		"write_timeout":       dt.Write.String(),
	}
}

// Validate checks what the flags' types cannot; kong calls it after
// parsing.
func (f *serveCmd) Validate() error {
	if f.Now != "" {
		t, err := time.Parse(time.RFC3339Nano, f.Now)
		if err != nil {
			return fmt.Errorf("--now: want an RFC 3339 time such as 2026-11-20T10:00:00Z, got %q", f.Now)
		}
		f.now = t
	}
	if err := checkJournal(f.JournalSize, f.JournalBytes); err != nil {
		return err
	}
	if (f.TLSCert == "") != (f.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key (or CHATEMU_TLS_CERT, CHATEMU_TLS_KEY) go together")
	}
	if f.RateLimits != "" && f.RateLimits != "vendor" && f.RateLimits != "off" {
		return fmt.Errorf("--rate-limits: want vendor or off, got %q", f.RateLimits)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"shutdown-grace", f.ShutdownGrace}, {"drain-delay", f.DrainDelay}, {"read-header-timeout", f.ReadHeaderTimeout}, {"read-timeout", f.ReadTimeout},
		{"idle-timeout", f.IdleTimeout}, {"write-timeout", f.WriteTimeout}} {
		if d.v < 0 {
			return fmt.Errorf("--%s: want a duration of 0 or more, got %s", d.name, d.v)
		}
	}
	return nil
}

// checkJournal checks the --journal-size and --journal-bytes of serve and
// bench.
func checkJournal(size int, bytes int64) error {
	if size < 0 {
		return fmt.Errorf("--journal-size: want a count of 0 (off) or more, got %d", size)
	}
	if bytes < 0 {
		return fmt.Errorf("--journal-bytes: want a byte count of 0 (off) or more, got %d", bytes)
	}
	return nil
}

// journalSize maps the --journal-size of serve and bench to
// emulator.Config.JournalSize: 0 is off, as in both commands' help.
func journalSize(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// journalBytes maps the --journal-bytes of serve and bench to
// emulator.Config.JournalBytes: 0 is off, as --journal-size 0.
func journalBytes(n int64) int64 {
	if n == 0 {
		return -1
	}
	return n
}

// timeouts are the connection limits the flags ask for.
func (f *serveCmd) timeouts() emulator.Timeouts {
	return emulator.Timeouts{ReadHeader: f.ReadHeaderTimeout, Read: f.ReadTimeout, Idle: f.IdleTimeout, Write: f.WriteTimeout}
}

// newLogger returns a slog logger writing text or JSON to w, from level
// ("debug", "info", "warn", "error"; empty is info) on.
func newLogger(format, level string, w io.Writer) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo // kong's enum admits only the four names
	}
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// defaultPublicURL derives the public URL from the bound address: a wildcard
// host is not reachable, so it becomes loopback.
func defaultPublicURL(addr string) string { return baseURL("http", addr) }

func baseURL(scheme, addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return scheme + "://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// exposed reports whether a listener accepts connections from other hosts.
func exposed(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return !ok || !tcp.IP.IsLoopback()
}

// tlsConfig is the certificate --tls or --tls-cert/--tls-key ask for, or nil
// for plain http.
func tlsConfig(f *serveCmd) (*tls.Config, error) {
	switch {
	case f.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(f.TLSCert, f.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	case f.TLS:
		hosts := tlscert.LocalHosts()
		if h, _, err := net.SplitHostPort(f.Addr); err == nil && h != "" {
			hosts = append(hosts, h)
		}
		if u, err := url.Parse(f.PublicURL); err == nil && u.Hostname() != "" {
			hosts = append(hosts, u.Hostname())
		}
		cert, _, err := tlscert.SelfSigned(clock.Wall().WallNow(), hosts...)
		if err != nil {
			return nil, err
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	}
	return nil, nil
}

// Run serves until e.ctx ends, then shuts down.
func (f *serveCmd) Run(e *runEnv) error {
	stderr, h := e.stderr, e.hooks
	usage := func(err error) error {
		fmt.Fprintf(stderr, "chatemu serve: %v\n", err)
		return exitStatus(exitUsage)
	}
	log := newLogger(f.LogFormat, f.LogLevel, stderr)

	spec, err := scenarios.Load(f.Scenario)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitStatus(exitUsage)
	}
	cfg := emulator.Config{Spec: spec, ScenarioName: f.Scenario, ControlToken: f.ControlToken, Logger: log,
		RateLimits: world.RateLimits(f.RateLimits), JournalSize: journalSize(f.JournalSize), JournalBytes: journalBytes(f.JournalBytes),
		MaxInjected: f.MaxInjected,
		Seed:        f.Seed, Now: f.now, Version: version()}
	if f.AccessLog {
		cfg.AccessLog = log
	}

	// Listen first: the start-up line is printed only once connections are
	// accepted, and --addr :0 learns its port before the public URL is made.
	tcfg, err := tlsConfig(f)
	if err != nil {
		return usage(err)
	}
	ln, err := net.Listen("tcp", f.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "chatemu serve: %v\n", err)
		return exitStatus(exitError)
	}
	scheme := "http"
	if tcfg != nil {
		scheme = "https"
	}
	cfg.PublicURL = f.PublicURL
	if cfg.PublicURL == "" {
		cfg.PublicURL = baseURL(scheme, ln.Addr().String())
	}
	if exposed(ln.Addr()) && f.ControlToken == "" {
		cfg.Exposed = true
		log.Warn("the control API is open to other hosts: anyone who reaches " + ln.Addr().String() +
			" can read credentials, move the clock and reset; set --control-token")
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		ln.Close()
		return usage(err)
	}

	flights := newInFlight()
	hs := emulator.NewHTTPServer(flights.wrap(srv), f.timeouts(), log)
	if h.draining != nil {
		// Shutdown runs these once it has closed the listener.
		hs.RegisterOnShutdown(h.draining)
	}
	served := make(chan error, 1)
	if tcfg != nil {
		// ServeTLS offers h2 as well as http/1.1 (ALPN).
		hs.TLSConfig = tcfg
		go func() { served <- hs.ServeTLS(ln, "", "") }()
	} else {
		go func() { served <- hs.Serve(ln) }()
	}

	log.Info("chatemu listening",
		"version", version(),
		"url", srv.PublicURL(),
		"addr", ln.Addr().String(),
		"scenario", srv.ScenarioName(),
		"seed", srv.World().Seed(),
		"clock", srv.Clock().Now().Format(time.RFC3339),
		"frozen", srv.Clock().Frozen(),
		"tenants", strings.Join(srv.TenantNames(), " "),
	)
	if h.ready != nil {
		h.ready(ln.Addr().String())
	}

	select {
	case err := <-served:
		log.Error("serve", "error", err)
		return exitStatus(exitError)
	case <-e.ctx.Done():
	}
	drain(srv, f.DrainDelay, h.force, log)
	if !shutdown(hs, served, flights, f.ShutdownGrace, h.force, log) {
		return exitStatus(exitError)
	}
	log.Info("stopped")
	return nil
}
