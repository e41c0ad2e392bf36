package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestObservabilityFlags: --log-level, --access-log and --drain-delay, and
// their environment twins; the flag wins.
func TestObservabilityFlags(t *testing.T) {
	for _, tt := range []struct {
		name   string
		env    map[string]string
		args   []string
		level  string
		access bool
		drain  time.Duration
	}{
		{name: "defaults", level: "info"},
		{name: "env", env: map[string]string{"CHATEMU_LOG_LEVEL": "warn", "CHATEMU_ACCESS_LOG": "1", "CHATEMU_DRAIN_DELAY": "15s"},
			level: "warn", access: true, drain: 15 * time.Second},
		{name: "flags win", env: map[string]string{"CHATEMU_LOG_LEVEL": "warn", "CHATEMU_ACCESS_LOG": "true", "CHATEMU_DRAIN_DELAY": "15s"},
			args: []string{"--log-level", "debug", "--access-log=false", "--drain-delay", "2s"}, level: "debug", drain: 2 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := parseArgs(t, tt.env, append([]string{"serve"}, tt.args...)...)
			if c.Serve.LogLevel != tt.level || c.Serve.AccessLog != tt.access || c.Serve.DrainDelay != tt.drain {
				t.Errorf("log level %q, access log %v, drain delay %v", c.Serve.LogLevel, c.Serve.AccessLog, c.Serve.DrainDelay)
			}
		})
	}
	for _, tt := range []struct {
		env  map[string]string
		args []string
		err  string
	}{
		{args: []string{"--log-level", "verbose"}, err: "--log-level"},
		{env: map[string]string{"CHATEMU_LOG_LEVEL": "trace"}, err: "--log-level"},
		{args: []string{"--drain-delay", "-1s"}, err: "--drain-delay"},
	} {
		if code, _, stderr := runCmd(t, tt.env, append([]string{"serve"}, tt.args...)...); code != exitUsage || !strings.Contains(stderr, tt.err) {
			t.Errorf("%v %v: exit %d, %q", tt.env, tt.args, code, stderr)
		}
	}
}

// TestServeAccessLog: chatemu serve with CHATEMU_ACCESS_LOG and
// CHATEMU_LOG_LEVEL=warn logs the refused requests, with their reason, and
// nothing of the requests that passed; at debug every request, probes
// included, in JSON with --log-format json.
func TestServeAccessLog(t *testing.T) {
	t.Run("warn", func(t *testing.T) {
		addr, stderr, stop := startStoppable(t, map[string]string{"CHATEMU_ACCESS_LOG": "1", "CHATEMU_LOG_LEVEL": "warn"})
		base := "http://" + addr
		fetch(t, base+"/_chatemu/tenants")
		fetch(t, base+"/livez")
		fetch(t, base+"/chatemu/demo/chatmessages/2026112016") // no token: 401
		if code := stop(); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		log := stderr.String()
		if n := strings.Count(log, "\n"); n != 1 || !strings.HasPrefix(log, "time=") ||
			!strings.Contains(log, ` level=WARN msg=request method=GET path=/chatemu/demo/chatmessages/2026112016 status=401 `) ||
			!strings.Contains(log, ` vendor=easemob operation=easemob.chatmessages tenant=easemob:chatemu/demo reason=`) {
			t.Errorf("want the one refusal, got %d lines:\n%s", n, log)
		}
	})
	t.Run("debug", func(t *testing.T) {
		addr, stderr := startServe(t, nil, "--access-log", "--log-level", "debug", "--log-format", "json")
		base := "http://" + addr
		fetch(t, base+"/_chatemu/tenants")
		fetch(t, base+"/livez")
		var ops []string
		for line := range strings.Lines(stderr.String()) {
			var e struct{ Msg, Level, Vendor, Operation string }
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("%v: %s", err, line)
			}
			if e.Msg == "request" {
				ops = append(ops, e.Level+" "+e.Vendor+" "+e.Operation)
			}
		}
		if strings.Join(ops, ", ") != "INFO control control.tenants, DEBUG control control.livez" {
			t.Errorf("access log: %v\n%s", ops, stderr)
		}
	})
}

// TestServeDrainDelay: on the first signal chatemu serve keeps serving for
// --drain-delay with /readyz failing and everything else (livez, health,
// the control API) answering, and chatemu health failing; the second
// signal ends the drain, and serve shuts down.
func TestServeDrainDelay(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	force := make(chan struct{})
	stderr := &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- runWith(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--drain-delay", "1h"}, io.Discard, stderr,
			&hooks{ready: func(a string) { ready <- a }, force: force})
	}()
	var base string
	select {
	case a := <-ready:
		base = "http://" + a
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, stderr)
	}
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	status := func(path string) int {
		t.Helper()
		res, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	if s := status("/readyz"); s != 200 {
		t.Fatalf("readyz before the signal: %d", s)
	}

	cancel() // the first SIGTERM
	// Wait for the event: readyz failing, however long the signal takes to
	// be handled.
	for status("/readyz") != 503 {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d during the drain: %s", code, stderr)
		default:
		}
	}
	for _, p := range []string{"/livez", "/_chatemu/health", "/_chatemu/tenants"} {
		if s := status(p); s != 200 {
			t.Errorf("draining, %s: %d", p, s)
		}
	}
	if code, _, errOut := runCmd(t, nil, "health", "--addr", strings.TrimPrefix(base, "http://")); code != exitError || !strings.Contains(errOut, "503") {
		t.Errorf("health while draining: exit %d %q", code, errOut)
	}
	close(force) // the second signal: ends the drain, and cuts what is in flight
	// Nothing is in flight but connections the test's clients are closing:
	// whether net/http still counts one of them decides 0 or 1.
	if code := <-done; code != exitOK && code != exitError {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr.String(), `msg="shutting down"`) {
		t.Errorf("no shutdown after the drain:\n%s", stderr)
	}
	if !strings.Contains(stderr.String(), `msg="draining: /readyz answers 503 until the shutdown begins" drain_delay=1h0m0s`) {
		t.Errorf("no drain line:\n%s", stderr)
	}
}

// TestServeProbesAndMetrics: the binary serves the probes open and the
// metrics behind its control token.
func TestServeProbesAndMetrics(t *testing.T) {
	addr, _ := startServe(t, map[string]string{"CHATEMU_CONTROL_TOKEN": "tok"})
	base := "http://" + addr
	for _, p := range []string{"/livez", "/readyz", "/_chatemu/livez", "/_chatemu/readyz"} {
		if s, body := fetch(t, base+p); s != 200 || body != "ok\n" {
			t.Errorf("%s: %d %q", p, s, body)
		}
	}
	if s, _ := fetch(t, base+"/_chatemu/metrics"); s != 401 {
		t.Errorf("metrics without the token: %d", s)
	}
	req, _ := http.NewRequest("GET", base+"/_chatemu/metrics", nil)
	req.Header.Set("Authorization", "Bearer tok")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), `chatemu_build_info{version="devel"} 1`) ||
		!strings.Contains(string(b), `chatemu_http_requests_total{operation="control.livez",status="200",vendor="control"} 2`) {
		t.Errorf("metrics: %d\n%.2000s", res.StatusCode, b)
	}
}
