package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/tlscert"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// serveFlags are serve's settings, after flags and environment.
type serveFlags struct {
	addr, scenario, publicURL, seed, now, controlToken, logFormat string
	journalSize, rateLimits                                       string
	tls, tlsCert, tlsKey                                          string
	shutdownGrace                                                 string
	readHeaderTimeout, readTimeout, idleTimeout, writeTimeout     string
}

// flagSpec is one serve flag and its environment twin.
type flagSpec struct {
	name, env, def, usage string
	dst                   *string
	boolean               bool // --name alone means "true"
}

// boolString is a string flag that may be given without a value, like a
// bool flag: --tls is --tls=true.
type boolString struct{ p *string }

func (b boolString) String() string {
	if b.p == nil {
		return ""
	}
	return *b.p
}
func (b boolString) Set(v string) error { *b.p = v; return nil }
func (b boolString) IsBoolFlag() bool   { return true }

func (f *serveFlags) specs() []flagSpec {
	dt := emulator.DefaultTimeouts()
	return []flagSpec{
		{"addr", "CHATEMU_ADDR", "127.0.0.1:8080", "address to listen on (the Docker image sets 0.0.0.0:8080)", &f.addr, false},
		{"scenario", "CHATEMU_SCENARIO", "default", "embedded scenario name (see 'chatemu scenarios') or scenario file path", &f.scenario, false},
		{"public-url", "CHATEMU_PUBLIC_URL", "", "base URL clients reach the server at, written into links (default http://ADDR, 0.0.0.0 and :: as 127.0.0.1)", &f.publicURL, false},
		{"seed", "CHATEMU_SEED", "", "seed replacing the scenario's (an unsigned integer)", &f.seed, false},
		{"now", "CHATEMU_NOW", "", "RFC 3339 instant the clock starts at (default the scenario's clock.start, else the wall clock)", &f.now, false},
		{"control-token", "CHATEMU_CONTROL_TOKEN", "", "Bearer token required by the /_chatemu/ control API (health stays open)", &f.controlToken, false},
		{"log-format", "CHATEMU_LOG_FORMAT", "text", "log format: text or json", &f.logFormat, false},
		{"journal-size", "CHATEMU_JOURNAL_SIZE", "", "vendor requests the journal keeps (GET /_chatemu/requests), default 1000; 0 disables it", &f.journalSize, false},
		{name: "tls", env: "CHATEMU_TLS", usage: "serve https with a self-signed certificate made at start; clients trust it through testkit or skip verification", dst: &f.tls, boolean: true},
		{"tls-cert", "CHATEMU_TLS_CERT", "", "serve https with this PEM certificate (with --tls-key) instead of a self-signed one", &f.tlsCert, false},
		{"tls-key", "CHATEMU_TLS_KEY", "", "the PEM private key of --tls-cert", &f.tlsKey, false},
		{"shutdown-grace", "CHATEMU_SHUTDOWN_GRACE", "10s", "how long requests in flight at SIGINT/SIGTERM may run before they are cut", &f.shutdownGrace, false},
		{"read-header-timeout", "CHATEMU_READ_HEADER_TIMEOUT", dt.ReadHeader.String(), "how long a request's line and headers may take to arrive (0: no limit)", &f.readHeaderTimeout, false},
		{"read-timeout", "CHATEMU_READ_TIMEOUT", dt.Read.String(), "how long a whole request, body included, may take to arrive (0: no limit)", &f.readTimeout, false},
		{"idle-timeout", "CHATEMU_IDLE_TIMEOUT", dt.Idle.String(), "how long a keep-alive connection may wait for its next request (0: no limit)", &f.idleTimeout, false},
		{"write-timeout", "CHATEMU_WRITE_TIMEOUT", dt.Write.String(), "how long each chunk of an answer may wait for the client to take it; a download that keeps moving is never cut (0: no limit)", &f.writeTimeout, false},
		{"rate-limits", "CHATEMU_RATE_LIMITS", "", "force every tenant's rate limits: vendor (the vendors' documented limits, on the emulator's clock) or off (default: as the scenario says)", &f.rateLimits, false},
	}
}

// parseServeFlags reads flags over environment over defaults. It returns
// flag.ErrHelp for --help.
func parseServeFlags(args []string, env func(string) string, stdout, stderr io.Writer) (*serveFlags, error) {
	f := &serveFlags{}
	fs := flag.NewFlagSet("chatemu serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specs := f.specs()
	for _, s := range specs {
		def := s.def
		if v := env(s.env); v != "" {
			def = v
		}
		if s.boolean {
			*s.dst = def
			fs.Var(boolString{s.dst}, s.name, s.usage+" [$"+s.env+"]")
			continue
		}
		fs.StringVar(s.dst, s.name, def, s.usage+" [$"+s.env+"]")
	}
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprint(out, "Usage: chatemu [serve] [flags]\n\nServe the emulator. Each flag has an environment twin; the flag wins.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	// --help goes to stdout (it was asked for); errors go to stderr.
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(stdout)
			break
		}
		if a == "--" {
			break
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return nil, fmt.Errorf("--log-format (or CHATEMU_LOG_FORMAT): want text or json, got %q", f.logFormat)
	}
	if n, err := strconv.Atoi(f.journalSize); f.journalSize != "" && (err != nil || n < 0) {
		return nil, fmt.Errorf("--journal-size (or CHATEMU_JOURNAL_SIZE): want a count ≥ 0, got %q", f.journalSize)
	}
	if f.tls != "" && f.tls != "true" && f.tls != "false" {
		return nil, fmt.Errorf("--tls (or CHATEMU_TLS): want true or false, got %q", f.tls)
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return nil, errors.New("--tls-cert and --tls-key (or CHATEMU_TLS_CERT, CHATEMU_TLS_KEY) go together")
	}
	for _, d := range []struct{ flag, env, v string }{
		{"shutdown-grace", "CHATEMU_SHUTDOWN_GRACE", f.shutdownGrace},
		{"read-header-timeout", "CHATEMU_READ_HEADER_TIMEOUT", f.readHeaderTimeout},
		{"read-timeout", "CHATEMU_READ_TIMEOUT", f.readTimeout},
		{"idle-timeout", "CHATEMU_IDLE_TIMEOUT", f.idleTimeout},
		{"write-timeout", "CHATEMU_WRITE_TIMEOUT", f.writeTimeout},
	} {
		if v, err := time.ParseDuration(d.v); err != nil || v < 0 {
			return nil, fmt.Errorf("--%s (or %s): want a duration such as 10s, got %q", d.flag, d.env, d.v)
		}
	}
	if f.rateLimits != "" && f.rateLimits != "vendor" && f.rateLimits != "off" {
		return nil, fmt.Errorf("--rate-limits (or CHATEMU_RATE_LIMITS): want vendor or off, got %q", f.rateLimits)
	}
	return f, nil
}

// timeouts are the connection limits the flags ask for (checked by
// parseServeFlags).
func (f *serveFlags) timeouts() emulator.Timeouts {
	d := func(s string) time.Duration { v, _ := time.ParseDuration(s); return v }
	return emulator.Timeouts{ReadHeader: d(f.readHeaderTimeout), Read: d(f.readTimeout), Idle: d(f.idleTimeout), Write: d(f.writeTimeout)}
}

// newLogger returns a slog logger writing text or JSON to w.
func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
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
func tlsConfig(f *serveFlags) (*tls.Config, error) {
	switch {
	case f.tlsCert != "":
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	case f.tls == "true":
		hosts := tlscert.LocalHosts()
		if h, _, err := net.SplitHostPort(f.addr); err == nil && h != "" {
			hosts = append(hosts, h)
		}
		if u, err := url.Parse(f.publicURL); err == nil && u.Hostname() != "" {
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

func serve(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer, h *hooks) int {
	f, err := parseServeFlags(args, env, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "chatemu serve: %v\n", err)
		return exitUsage
	}
	log := newLogger(f.logFormat, stderr)

	spec, err := scenarios.Load(f.scenario)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	cfg := emulator.Config{Spec: spec, ScenarioName: f.scenario, ControlToken: f.controlToken, Logger: log,
		RateLimits: world.RateLimits(f.rateLimits)}
	switch n, _ := strconv.Atoi(f.journalSize); {
	case f.journalSize == "":
		// Config's zero is the default size.
	case n == 0:
		cfg.JournalSize = -1 // disabled
	default:
		cfg.JournalSize = n
	}
	if f.seed != "" {
		seed, err := strconv.ParseUint(f.seed, 10, 64)
		if err != nil {
			fmt.Fprintf(stderr, "chatemu serve: --seed (or CHATEMU_SEED): want an unsigned integer, got %q\n", f.seed)
			return exitUsage
		}
		cfg.Seed = &seed
	}
	if f.now != "" {
		cfg.Now, err = time.Parse(time.RFC3339Nano, f.now)
		if err != nil {
			fmt.Fprintf(stderr, "chatemu serve: --now (or CHATEMU_NOW): want an RFC 3339 time such as 2026-11-20T10:00:00Z, got %q\n", f.now)
			return exitUsage
		}
	}

	// Listen first: the start-up line is printed only once connections are
	// accepted, and --addr :0 learns its port before the public URL is made.
	tcfg, err := tlsConfig(f)
	if err != nil {
		fmt.Fprintf(stderr, "chatemu serve: %v\n", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		fmt.Fprintf(stderr, "chatemu serve: %v\n", err)
		return exitError
	}
	scheme := "http"
	if tcfg != nil {
		scheme = "https"
	}
	cfg.PublicURL = f.publicURL
	if cfg.PublicURL == "" {
		cfg.PublicURL = baseURL(scheme, ln.Addr().String())
	}
	if exposed(ln.Addr()) && f.controlToken == "" {
		cfg.Exposed = true
		log.Warn("the control API is open to other hosts: anyone who reaches " + ln.Addr().String() +
			" can read credentials, move the clock and reset; set --control-token")
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "chatemu serve: %v\n", err)
		return exitUsage
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
		return exitError
	case <-ctx.Done():
	}
	grace, _ := time.ParseDuration(f.shutdownGrace) // checked by parseServeFlags
	if !shutdown(hs, served, flights, grace, h.force, log) {
		return exitError
	}
	log.Info("stopped")
	return exitOK
}
