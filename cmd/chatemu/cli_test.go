package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// commands are every command and subcommand a user can run.
var commands = [][]string{
	{"serve"}, {"scenarios"}, {"scenarios", "list"}, {"scenarios", "validate"}, {"health"},
	{"contract"}, {"bench"}, {"version"},
}

// TestHelpListsCommands: chatemu --help (and chatemu help) lists every
// command, and --help of each command succeeds on stdout.
func TestHelpListsCommands(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errOut := runCmd(t, nil, args...)
		if code != exitOK || errOut != "" {
			t.Fatalf("%q: exit %d, stderr %q", args, code, errOut)
		}
		for _, cmd := range []string{"serve", "scenarios", "health", "contract", "bench", "version"} {
			if !strings.Contains(out, "\n  "+cmd+" ") {
				t.Errorf("%q lists no %s:\n%s", args, cmd, out)
			}
		}
	}
	for _, cmd := range commands {
		code, out, errOut := runCmd(t, nil, append(cmd, "--help")...)
		if code != exitOK || errOut != "" || !strings.HasPrefix(out, "Usage: chatemu "+strings.Join(cmd, " ")) {
			t.Errorf("%q --help: exit %d, stdout %q, stderr %q", cmd, code, out, errOut)
		}
	}
}

// TestEveryFlagHasAnEnvTwin walks the declared command line: every flag of
// every command has an environment twin, named CHATEMU_..., shown in its
// command's --help.
func TestEveryFlagHasAnEnvTwin(t *testing.T) {
	var c cli
	parser, err := newParser(&c, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	flags := 0
	err = kong.Visit(parser.Model, func(n kong.Visitable, next kong.Next) error {
		node, ok := n.(*kong.Node)
		if !ok || node.Type != kong.CommandNode {
			return next(nil)
		}
		_, out, _ := runCmd(t, nil, append(strings.Fields(node.FullPath())[1:], "--help")...)
		for _, f := range node.Flags {
			if f.Name == "help" {
				continue
			}
			flags++
			if len(f.Envs) != 1 || !strings.HasPrefix(f.Envs[0], "CHATEMU_") {
				t.Errorf("%s --%s: environment twins %q, want one CHATEMU_*", node.FullPath(), f.Name, f.Envs)
				continue
			}
			if !f.Hidden && !strings.Contains(out, "($"+f.Envs[0]+")") {
				t.Errorf("%s --help does not name %s", node.FullPath(), f.Envs[0])
			}
		}
		return next(nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if flags < 50 {
		t.Errorf("only %d flags visited", flags)
	}
}

// TestBenchEnvTwins: chatemu bench runs from its environment alone.
func TestBenchEnvTwins(t *testing.T) {
	code, out, errOut := runCmd(t, map[string]string{
		"CHATEMU_BENCH_VENDOR": "op", "CHATEMU_BENCH_REQUESTS": "6", "CHATEMU_BENCH_CLIENTS": "3",
		"CHATEMU_BENCH_WALK": "1", "CHATEMU_BENCH_LIMIT": "7", "CHATEMU_BENCH_JOURNAL_SIZE": "0",
	}, "bench")
	if code != exitOK || !strings.HasPrefix(out, "op user_message_list, 3 clients, ") || !strings.Contains(out, "requests  6 (0 errors)") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
}

// TestJournalSizeZeroIsOff: --journal-size 0 (and --journal-bytes 0) turns
// the journal off in serve and in bench alike, and the defaults are the
// same in both.
func TestJournalSizeZeroIsOff(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		size  int   // emulator.Config.JournalSize
		bytes int64 // emulator.Config.JournalBytes
	}{
		{[]string{"--journal-size", "0"}, -1, 8 << 20},
		{[]string{"--journal-bytes", "0"}, 1000, -1},
		{nil, 1000, 8 << 20},
		{[]string{"--journal-size=5", "--journal-bytes=4096"}, 5, 4096},
	} {
		c, _ := parseArgs(t, nil, append([]string{"serve"}, tc.args...)...)
		b, _ := parseArgs(t, nil, append([]string{"bench"}, tc.args...)...)
		bc := b.Bench.config()
		if s, b := journalSize(c.Serve.JournalSize), bc.journalSize; s != tc.size || b != tc.size {
			t.Errorf("%q: size serve %d, bench %d, want %d", tc.args, s, b, tc.size)
		}
		if s, b := journalBytes(c.Serve.JournalBytes), bc.journalBytes; s != tc.bytes || b != tc.bytes {
			t.Errorf("%q: bytes serve %d, bench %d, want %d", tc.args, s, b, tc.bytes)
		}
	}
	// Served: a vendor request leaves no entry.
	for _, off := range []string{"--journal-size=0", "--journal-bytes=0"} {
		addr, _ := startServe(t, nil, off)
		fetch(t, "http://"+addr+"/_nos/chatemu-yunxin-demo/none.png")
		if _, body := fetch(t, "http://"+addr+"/_chatemu/requests"); !strings.Contains(body, `"requests":[]`) {
			t.Errorf("%s, yet: %s", off, body)
		}
	}
	addr, _ := startServe(t, nil)
	fetch(t, "http://"+addr+"/_nos/chatemu-yunxin-demo/none.png")
	if _, body := fetch(t, "http://"+addr+"/_chatemu/requests"); strings.Contains(body, `"requests":[]`) {
		t.Errorf("the default journal kept nothing: %s", body)
	}
}

// TestTLSEnvTwinAcceptsOne: CHATEMU_TLS=1 (and yes, true) is accepted by
// serve and health, as --tls.
func TestTLSEnvTwinAcceptsOne(t *testing.T) {
	addr, _ := startServe(t, map[string]string{"CHATEMU_TLS": "1"})
	if code, out, errOut := runCmd(t, map[string]string{"CHATEMU_TLS": "1"}, "health", "--addr", addr); code != exitOK || out != "ok\n" {
		t.Fatalf("health with CHATEMU_TLS=1: %d %q %q", code, out, errOut)
	}
	for _, v := range []string{"yes", "true", "0", "false"} {
		c, _ := parseArgs(t, map[string]string{"CHATEMU_TLS": v})
		if want := v == "yes" || v == "true"; c.Serve.TLS != want {
			t.Errorf("CHATEMU_TLS=%s: --tls %v", v, c.Serve.TLS)
		}
	}
	if code, _, errOut := runCmd(t, map[string]string{"CHATEMU_TLS": "maybe"}); code != exitUsage || !strings.Contains(errOut, `CHATEMU_TLS="maybe"`) {
		t.Errorf("CHATEMU_TLS=maybe: %d %s", code, errOut)
	}
}

// TestContractFlags: --json is a flag without a value, wherever it stands,
// and does not swallow the flag after it.
func TestContractFlags(t *testing.T) {
	emu := frozenChatemu(t)
	for _, args := range [][]string{
		{"contract", "--json", "--vendor", "yunxin", "--base-url", emu.URL},
		{"contract", "--vendor", "yunxin", "--base-url", emu.URL, "--json"},
		{"contract", "--json=true", "--vendor=yunxin", "--base-url=" + emu.URL},
	} {
		code, out, errOut := runCmd(t, nil, args...)
		var rep struct {
			Passed  bool `json:"passed"`
			Results []struct{ Vendor string }
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK || !rep.Passed || len(rep.Results) == 0 {
			t.Fatalf("%q: exit %d, %v\n%s%s", args, code, err, out, errOut)
		}
		for _, r := range rep.Results {
			if r.Vendor != "yunxin" {
				t.Errorf("%q: a %s probe ran; --vendor yunxin was lost", args, r.Vendor)
			}
		}
	}
}

// TestContractDeadURL: against a port nothing listens on, contract says the
// connection was refused (exit 1), not that credentials are missing.
func TestContractDeadURL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	code, out, errOut := runCmd(t, nil, "contract", "--vendor", "all", "--base-url", url)
	if code != exitError || !strings.Contains(errOut, "cannot reach the base URL "+url) ||
		!strings.Contains(errOut, "connection refused") || strings.Contains(errOut, "required") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}

// TestNoArgumentsServes: chatemu with no argument serves (as go run
// ./cmd/chatemu does), here on the address its environment twin gives.
func TestNoArgumentsServes(t *testing.T) {
	t.Setenv("CHATEMU_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan int, 1)
	stderr := &syncBuffer{}
	go func() {
		done <- runWith(ctx, nil, io.Discard, stderr, &hooks{ready: func(a string) { ready <- a }})
	}()
	select {
	case addr := <-ready:
		res, err := http.Get("http://" + addr + "/_chatemu/health")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("health %d", res.StatusCode)
		}
	case code := <-done:
		t.Fatalf("exit %d: %s", code, stderr)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
