package examples

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/easemob"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/emulator/yunxin"
	"github.com/chatemu/chatemu/testkit"
)

// program is one example and the runtime that runs it. The runtimes are
// installed on the CI machine, so a missing one fails the test: a skip
// would let an example rot unnoticed.
type program struct {
	name    string
	runtime string // looked up on PATH
	install string // what to install when it is missing
	file    string
}

var programs = []program{
	{"python", "python3", "Python 3.8 or later (Debian/Ubuntu package python3)", "history_sync.py"},
	{"java", "java", "a JDK 17 or later (Debian/Ubuntu package openjdk-17-jdk-headless)", "HistorySync.java"},
	{"node", "node", "Node.js 20 or later (Debian/Ubuntu package nodejs, or nodejs.org)", "history-sync.mjs"},
}

// advance is what each program posts to /_chatemu/clock while the hour is
// not archived, and maxAdvances how often it does before giving up.
const (
	advance     = 2 * time.Hour
	maxAdvances = 5
)

// worlds are the emulators each program runs against; each clock is frozen
// so the counts do not depend on when the test runs.
var worlds = []struct {
	name    string
	opts    []testkit.Option
	urlArgs bool // the base URL as an argument, else from CHATEMU_URL
}{
	// Easemob cn (Beijing hours), archive delay 1h: one clock advance.
	{"default", []testkit.Option{testkit.Scenario("default"), testkit.Now(time.Date(2026, 11, 20, 10, 20, 0, 0, time.UTC))}, true},
	// Easemob overseas (UTC hours), archive delay 3h: two advances; the
	// first Yunxin room is closed.
	{"overseas", []testkit.Option{testkit.ScenarioFile("testdata/overseas.yaml")}, false},
}

// start starts a frozen emulator whose control API needs a token, as a
// shared emulator in CI would.
func start(t *testing.T, opts []testkit.Option) *testkit.Emulator {
	emu := testkit.Start(t, append(opts, testkit.ControlToken("examples-control-token"))...)
	emu.Clock().Freeze(true)
	return emu
}

// run runs p against emu with emu's CHATEMU_* environment (base URL,
// control token) and the overrides in env, with the base URL also as an
// argument if urlArg, and returns its outputs and error (an *exec.ExitError
// when it exits non-zero).
func run(t *testing.T, p program, emu *testkit.Emulator, urlArg bool, env map[string]string) (stdout, stderr string, err error) {
	t.Helper()
	args := []string{p.file}
	if urlArg {
		args = append(args, emu.URL)
	}
	cmd := exec.CommandContext(t.Context(), p.runtime, args...)
	for _, kv := range os.Environ() { // a developer's own CHATEMU_* must not leak in
		if !strings.HasPrefix(kv, "CHATEMU_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for _, vars := range []map[string]string{emu.Env(), env} {
		for k, v := range vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// expected is what a program must print for emu's world and clock, worked
// out in Go from the world before the program runs (the program moves the
// clock). attachments holds every "bytes=N md5=H" the walk could check.
type expected struct {
	yunxin, easemob string
	attachments     map[string]bool
	ready           time.Time // when the hour is archived
}

func expect(emu *testkit.Emulator) expected {
	w := emu.World()
	e := expected{attachments: map[string]bool{}}

	// Yunxin: every message of the first account in the first open room,
	// of a kind Yunxin has, from the world rather than the HTTP surface.
	ya := w.YunxinApps()[0]
	var room string
	for _, r := range ya.Rooms {
		if r.Status != world.RoomClosed {
			room = r.ID
			break
		}
	}
	sender, n := ya.Accounts[0], 0
	for m := range w.Range(ya.Tenant(), time.Time{}, time.Time{}) {
		if _, ok := yunxin.MessageType(m.Kind); !ok || m.ChatType != world.ChatRoom || m.To != room || m.From != sender {
			continue
		}
		n++
		if a := m.Attachment; a != nil {
			e.attachments[fmt.Sprintf("bytes=%d md5=%s", a.Size, w.MD5(a))] = true
		}
	}
	e.yunxin = fmt.Sprintf("yunxin: app=%s room=%s sender=%s messages=%d", ya.AppKey, room, sender, n)

	// Easemob: the last whole hour before now, named in the cluster's zone.
	ea := w.EasemobApps()[0]
	now := emu.Clock().Now()
	from := now.Truncate(time.Hour).Add(-time.Hour)
	e.ready = from.Add(time.Hour + ea.ArchiveDelay)
	advances := 0
	for t := now; t.Before(e.ready); t = t.Add(advance) {
		advances++
	}
	e.easemob = fmt.Sprintf("easemob: app=%s/%s hour=%s cluster=%s records=%d clock_advances=%d",
		ea.Org, ea.App, easemob.HourOf(ea, from), ea.Cluster, w.Count(ea.Tenant(), from, from.Add(time.Hour)), advances)
	return e
}

// TestPrograms runs each example against each world and checks every line
// it prints against the world, and the requests it made in the journal.
func TestPrograms(t *testing.T) {
	for _, p := range programs {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			if _, err := exec.LookPath(p.runtime); err != nil {
				t.Fatalf("%s is not on PATH: install %s to run the %s example", p.runtime, p.install, p.file)
			}
			for _, wc := range worlds {
				t.Run(wc.name, func(t *testing.T) {
					emu := start(t, wc.opts)
					want := expect(emu)
					if want.ready.Sub(emu.Clock().Now()) > maxAdvances*advance {
						t.Fatalf("world %s: the hour is archived after more advances than a program makes", wc.name)
					}
					before := emu.Clock().Now()
					stdout, stderr, err := run(t, p, emu, wc.urlArgs, nil)
					if err != nil {
						t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", p.runtime, p.file, err, stdout, stderr)
					}
					lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
					if len(lines) != 4 {
						t.Fatalf("want 4 lines, got:\n%s", stdout)
					}
					pages := emu.Requests(testkit.Operation("yunxin.chatroom_history"))
					for _, r := range pages {
						if r.Status != 200 {
							t.Errorf("a history page answered %d (%s)", r.Status, r.Reason)
						}
					}
					if got, want := lines[0], fmt.Sprintf("%s pages=%d", want.yunxin, len(pages)); got != want {
						t.Errorf("yunxin summary:\n got %s\nwant %s", got, want)
					}
					if got, ok := strings.CutPrefix(lines[1], "yunxin: attachment "); !ok || !strings.HasSuffix(got, " ok") ||
						!want.attachments[strings.TrimSuffix(got, " ok")] {
						t.Errorf("attachment line %q names no attachment of the walk (%d candidates)", lines[1], len(want.attachments))
					}
					if lines[2] != want.easemob {
						t.Errorf("easemob summary:\n got %s\nwant %s", lines[2], want.easemob)
					}
					if lines[3] != "OK" {
						t.Errorf("last line %q, want OK", lines[3])
					}
					if got := emu.Clock().Now(); got.Before(want.ready) || got.Sub(before)%advance != 0 {
						t.Errorf("clock moved from %v to %v: want whole %v steps to at least %v", before, got, advance, want.ready)
					}
					emu.AssertCalled(t, "yunxin.download", 1)
					emu.AssertCalled(t, "easemob.token", 1)
					emu.AssertCalled(t, "easemob.archive_download", 1)
				})
			}
		})
	}
}

// TestProgramsFail checks that each program exits non-zero, saying why,
// when what it downloads does not match what the API said, when the
// control token is wrong, and when the hour never becomes available.
func TestProgramsFail(t *testing.T) {
	cases := []struct {
		name  string
		fault *testkit.Fault
		env   map[string]string
		want  string // in stderr
		check func(t *testing.T, emu *testkit.Emulator, before time.Time)
	}{
		{
			name:  "corrupt attachment",
			fault: &testkit.Fault{Vendor: "yunxin", Path: "^/_nos/", Status: 200, Body: "not the file"},
			want:  "yunxin attachment mismatch",
		},
		{
			name: "wrong control token",
			env:  map[string]string{"CHATEMU_CONTROL_TOKEN": "not-the-token"},
			want: "HTTP 401",
		},
		{
			name: "hour never archived",
			fault: &testkit.Fault{Vendor: "easemob", Path: "/chatmessages/", Status: 400,
				Body: `{"error":"illegal_argument","timestamp":0,"duration":0,"exception":"java.lang.IllegalArgumentException",` +
					`"error_description":"illegal arguments: appkey: chatemu#demo, time: 2026112017, maybe chat message history is expired or unstored"}`},
			want: "easemob chatmessages/",
			check: func(t *testing.T, emu *testkit.Emulator, before time.Time) {
				if got := emu.Clock().Now().Sub(before); got != maxAdvances*advance {
					t.Errorf("clock moved %v, want %d advances of %v, then give up", got, maxAdvances, advance)
				}
				emu.AssertCalled(t, "easemob.chatmessages", maxAdvances+1)
			},
		},
	}
	for _, p := range programs {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			if _, err := exec.LookPath(p.runtime); err != nil {
				t.Fatalf("%s is not on PATH: install %s to run the %s example", p.runtime, p.install, p.file)
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					emu := start(t, worlds[0].opts)
					if c.fault != nil {
						emu.Fail(t, *c.fault)
					}
					before := emu.Clock().Now()
					stdout, stderr, err := run(t, p, emu, true, c.env)
					var exit *exec.ExitError
					if !errors.As(err, &exit) || !strings.Contains(stderr, c.want) || strings.Contains(stdout, "OK\n") {
						t.Fatalf("want a non-zero exit saying %q, got %v\nstdout:\n%s\nstderr:\n%s", c.want, err, stdout, stderr)
					}
					if c.check != nil {
						c.check(t, emu, before)
					}
				})
			}
		})
	}
}
