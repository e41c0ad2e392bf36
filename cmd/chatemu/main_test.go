package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain clears the CHATEMU_* environment (a developer's shell may set
// some), except CHATEMU_SOAK, which a test reads itself: each test sets the
// twins it means with t.Setenv.
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "CHATEMU_") && k != "CHATEMU_SOAK" {
			os.Unsetenv(k)
		}
	}
	goleak.VerifyTestMain(m)
}

// syncBuffer is a bytes.Buffer safe to write from serve's goroutines while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// setenv sets each of env for the test.
func setenv(t *testing.T, env map[string]string) {
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// runCmd runs the command line args with env set, and returns its exit
// status, stdout and stderr.
func runCmd(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	setenv(t, env)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

const validScenario = `name: tiny
description: A tiny scenario.
seed: 9
clock: {start: 2026-11-20T10:00:00Z, frozen: true}
easemob:
  apps:
    - {org: o, app: a, users: [u1, u2]}
`

const badScenario = `name: bad
easemob:
  apps:
    - org: o
      app: a
      users: [u1]
      colour: red
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCommands(t *testing.T) {
	good := writeFile(t, "good.yaml", validScenario)
	bad := writeFile(t, "bad.yaml", badScenario)
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		code       int
		stdout     string // substring
		stderr     string // substring
		stderrNone bool
	}{
		{name: "version", args: []string{"version"}, code: 0, stdout: "chatemu devel\n", stderrNone: true},
		{name: "version extra", args: []string{"version", "x"}, code: 2, stderr: "unexpected argument x"},
		{name: "help", args: []string{"help"}, code: 0, stdout: "Usage: chatemu <command>"},
		{name: "serve help", args: []string{"serve", "--help"}, code: 0, stdout: "$CHATEMU_PUBLIC_URL", stderrNone: true},
		{name: "serve help explicit", args: []string{"serve", "-h"}, code: 0, stdout: "--control-token=TOKEN"},
		{name: "unknown command", args: []string{"serev"}, code: 2, stderr: `unknown command "serev"`},
		{name: "scenarios", args: []string{"scenarios"}, code: 0, stdout: "default  One lively Easemob app"},
		{name: "validate ok", args: []string{"scenarios", "validate", good}, code: 0, stdout: `ok: scenario "tiny", 1 Easemob app(s)`, stderrNone: true},
		{name: "validate bad", args: []string{"scenarios", "validate", bad}, code: 2, stderr: bad + ":7: easemob.apps[0].colour: "},
		{name: "validate missing", args: []string{"scenarios", "validate", filepath.Join(t.TempDir(), "nope.yaml")}, code: 2, stderr: "nope.yaml: "},
		{name: "validate no file", args: []string{"scenarios", "validate"}, code: 2, stderr: `expected "<file>"`},
		{name: "scenarios unknown", args: []string{"scenarios", "check"}, code: 2, stderr: `unexpected argument check`},
		{name: "serve bad scenario", args: []string{"--scenario", bad, "--addr", "127.0.0.1:0"}, code: 2, stderr: bad + ":7: easemob.apps[0].colour: "},
		{name: "serve bad scenario env", env: map[string]string{"CHATEMU_SCENARIO": bad}, args: []string{"serve", "--addr", "127.0.0.1:0"}, code: 2, stderr: bad + ":7:"},
		{name: "serve bad seed", args: []string{"--seed=-1"}, code: 2, stderr: `--seed: expected a valid 64 bit uint but got "-1"`},
		{name: "serve bad seed env", env: map[string]string{"CHATEMU_SEED": "abc"}, code: 2, stderr: `(from envar CHATEMU_SEED="abc")`},
		{name: "serve bad now", args: []string{"--now", "2026-11-20"}, code: 2, stderr: "--now: want an RFC 3339 time"},
		{name: "serve bad log format", env: map[string]string{"CHATEMU_LOG_FORMAT": "xml"}, code: 2, stderr: `--log-format must be one of "text","json" but got "xml"`},
		{name: "serve unknown flag", args: []string{"--port", "80"}, code: 2, stderr: "unknown flag --port"},
		{name: "serve extra args", args: []string{"serve", "extra"}, code: 2, stderr: `unexpected argument extra`},
		{name: "serve bad journal size", args: []string{"--journal-size=-1"}, code: 2, stderr: `--journal-size: want a count of 0 (off) or more`},
		{name: "serve tls key alone", env: map[string]string{"CHATEMU_TLS_KEY": "k.pem"}, code: 2, stderr: `--tls-cert and --tls-key`},
		{name: "serve bad rate limits", args: []string{"--rate-limits", "on"}, code: 2, stderr: `--rate-limits: want vendor or off, got "on"`},
		{name: "serve bad public url", args: []string{"--addr", "127.0.0.1:0", "--public-url", "localhost:1"}, code: 2, stderr: "not an absolute http(s) URL"},
		{name: "serve bad addr", args: []string{"--addr", "127.0.0.1:99999"}, code: 1, stderr: "invalid port"},
		{name: "health bad args", args: []string{"health", "x"}, code: 2, stderr: "unexpected argument x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout %q, want it to contain %q", stdout, tt.stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.stderr)
			}
			if tt.stderrNone && stderr != "" {
				t.Errorf("stderr %q, want none", stderr)
			}
		})
	}
}

// parseArgs parses args as chatemu would, without running the command.
func parseArgs(t *testing.T, env map[string]string, args ...string) (*cli, string) {
	t.Helper()
	setenv(t, env)
	var c cli
	parser, err := newParser(&c, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return &c, kctx.Command()
}

func TestFlagsOverEnv(t *testing.T) {
	env := map[string]string{
		"CHATEMU_ADDR": "0.0.0.0:9000", "CHATEMU_SCENARIO": "empty", "CHATEMU_PUBLIC_URL": "http://env:1",
		"CHATEMU_SEED": "5", "CHATEMU_NOW": "2026-01-01T00:00:00Z", "CHATEMU_CONTROL_TOKEN": "envtok",
		"CHATEMU_LOG_FORMAT": "json", "CHATEMU_IDLE_TIMEOUT": "3s",
	}
	seed := func(n uint64) *uint64 { return &n }
	defaults := serveCmd{Addr: "127.0.0.1:8080", Scenario: "default", LogFormat: "text", LogLevel: "info", JournalSize: 1000, JournalBytes: 8 << 20, MaxInjected: 500_000, ShutdownGrace: 10 * time.Second,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute, WriteTimeout: time.Minute}
	with := func(f func(*serveCmd)) serveCmd { c := defaults; f(&c); return c }
	fromEnv := with(func(c *serveCmd) {
		c.Addr, c.Scenario, c.PublicURL, c.Seed, c.Now, c.ControlToken, c.LogFormat, c.IdleTimeout =
			"0.0.0.0:9000", "empty", "http://env:1", seed(5), "2026-01-01T00:00:00Z", "envtok", "json", 3*time.Second
	})
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want serveCmd
	}{
		{name: "defaults", want: defaults},
		{name: "no command is serve", args: []string{"--seed", "3"}, want: with(func(c *serveCmd) { c.Seed = seed(3) })},
		{name: "env", env: env, args: []string{"serve"}, want: fromEnv},
		{name: "flags win", env: env, args: []string{"serve", "--addr", "127.0.0.1:1", "--scenario=busy", "--public-url", "http://flag:2", "--seed", "6",
			"--now", "2026-02-02T00:00:00Z", "--control-token", "flagtok", "--log-format", "text", "--idle-timeout", "0"},
			want: with(func(c *serveCmd) {
				c.Addr, c.Scenario, c.PublicURL, c.Seed, c.Now, c.ControlToken, c.IdleTimeout =
					"127.0.0.1:1", "busy", "http://flag:2", seed(6), "2026-02-02T00:00:00Z", "flagtok", 0
			})},
		{name: "some flags", env: env, args: []string{"--seed", "7"}, want: with(func(c *serveCmd) { *c = fromEnv; c.Seed = seed(7) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, cmd := parseArgs(t, tt.env, tt.args...)
			if cmd != "serve" {
				t.Errorf("command %q, want serve", cmd)
			}
			got := c.Serve
			got.now = time.Time{}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDefaultPublicURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"0.0.0.0:8080":   "http://127.0.0.1:8080",
		"[::]:8080":      "http://127.0.0.1:8080",
		":8080":          "http://127.0.0.1:8080",
		"localhost:80":   "http://localhost:80",
		"[::1]:9":        "http://[::1]:9",
	} {
		if got := defaultPublicURL(addr); got != want {
			t.Errorf("defaultPublicURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

// startServe runs serve in a goroutine and returns its address; the server
// stops when the test ends, and must stop cleanly.
func startServe(t *testing.T, env map[string]string, args ...string) (addr string, stderr *syncBuffer) {
	t.Helper()
	addr, stderr, stop := startStoppable(t, env, args...)
	t.Cleanup(func() {
		if code := stop(); code != 0 {
			t.Errorf("serve exited %d: %s", code, stderr)
		}
		if !strings.Contains(stderr.String(), "msg=stopped") && !strings.Contains(stderr.String(), `"msg":"stopped"`) {
			t.Errorf("no graceful stop in the log: %s", stderr)
		}
	})
	return addr, stderr
}

// startStoppable is startServe with stop, which shuts the server down (as
// SIGTERM does) and returns serve's exit status once it has returned; a
// second call returns the same status.
func startStoppable(t *testing.T, env map[string]string, args ...string) (addr string, stderr *syncBuffer, stop func() int) {
	t.Helper()
	setenv(t, env)
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- runWith(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), io.Discard, stderr, &hooks{ready: func(a string) { ready <- a }})
	}()
	select {
	case addr = <-ready:
	case code := <-done:
		cancel()
		t.Fatalf("serve exited %d before it was ready: %s", code, stderr)
	}
	var once sync.Once
	var code int
	stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { stop() })
	return addr, stderr, stop
}

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestServe(t *testing.T) {
	addr, stderr := startServe(t, nil)
	url := "http://" + addr
	log := stderr.String()
	for _, want := range []string{`msg="chatemu listening"`, "url=" + url, "scenario=default",
		`tenants="easemob:chatemu/demo easemob:chatemu/quiet yunxin:chatemu-yunxin-demo op:chatemu-op"`} {
		if !strings.Contains(log, want) {
			t.Errorf("start-up line lacks %s:\n%s", want, log)
		}
	}
	if status, body := fetch(t, url+"/_chatemu/health"); status != 200 || body != "{\"status\":\"ok\",\"version\":\"devel\"}\n" {
		t.Errorf("health: %d %s", status, body)
	}
	status, body := fetch(t, url+"/_chatemu/tenants")
	var tenants struct {
		Easemob []struct {
			Org, App string
			ClientID string `json:"client_id"`
			BaseURL  string `json:"base_url"`
		}
	}
	if err := json.Unmarshal([]byte(body), &tenants); err != nil || status != 200 {
		t.Fatalf("tenants: %d %s %v", status, body, err)
	}
	if len(tenants.Easemob) != 2 || tenants.Easemob[0].ClientID != demo.Easemob[0].ClientID || tenants.Easemob[0].BaseURL != url {
		t.Errorf("tenants: %s", body)
	}

	if code, out, errOut := runCmd(t, nil, "health", "--addr", addr); code != 0 || out != "ok\n" {
		t.Errorf("health command: %d %q %q", code, out, errOut)
	}
	if code, _, _ := runCmd(t, map[string]string{"CHATEMU_ADDR": addr}, "health"); code != 0 {
		t.Errorf("health command with CHATEMU_ADDR: %d", code)
	}
}

// TestServeSameSeedSameTenants: two servers of one scenario file and seed
// list byte-identical tenants (with the same public URL).
func TestServeSameSeedSameTenants(t *testing.T) {
	file := writeFile(t, "s.yaml", validScenario)
	args := []string{"--scenario", file, "--seed", "11", "--public-url", "http://emu:8080", "--log-format", "json"}
	a, logA := startServe(t, nil, args...)
	b, _ := startServe(t, nil, args...)
	_, ta := fetch(t, "http://"+a+"/_chatemu/tenants")
	_, tb := fetch(t, "http://"+b+"/_chatemu/tenants")
	if ta != tb || !strings.Contains(ta, `"base_url":"http://emu:8080"`) {
		t.Errorf("tenants differ:\n%s\n%s", ta, tb)
	}
	if !strings.Contains(logA.String(), `"msg":"chatemu listening"`) || !strings.Contains(logA.String(), `"seed":11`) {
		t.Errorf("JSON start-up line: %s", logA)
	}
}

func TestServeControlToken(t *testing.T) {
	addr, _ := startServe(t, map[string]string{"CHATEMU_CONTROL_TOKEN": "tok"}, "--now", "2026-05-01T00:00:00Z")
	if status, _ := fetch(t, "http://"+addr+"/_chatemu/health"); status != 200 {
		t.Errorf("health: %d", status)
	}
	if status, body := fetch(t, "http://"+addr+"/_chatemu/clock"); status != 401 {
		t.Errorf("clock without token: %d %s", status, body)
	}
}

func TestHealthDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if code, _, stderr := runCmd(t, nil, "health", "--addr", addr); code != 1 || !strings.Contains(stderr, "chatemu health:") {
		t.Errorf("health of a closed port: %d %q", code, stderr)
	}
	// A server that answers, but not 200.
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })}
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	defer func() { srv.Close(); <-done }()
	if code, _, stderr := runCmd(t, nil, "health", "--addr", ln.Addr().String()); code != 1 || !strings.Contains(stderr, "503") {
		t.Errorf("health of a 503: %d %q", code, stderr)
	}
}
