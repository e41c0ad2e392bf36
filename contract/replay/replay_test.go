package replay

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/contract"
	"github.com/chatemu/chatemu/internal/golden"
	"github.com/chatemu/chatemu/scenarios"
	"github.com/chatemu/chatemu/testkit"
)

// recordedDir is where the committed recordings live.
const recordedDir = "../../fixtures/recorded"

// wantProbes is how many probes a run against chatemu makes (and records).
const wantProbes = 23

func table(rep *contract.Report) string {
	var buf bytes.Buffer
	contract.WriteTable(&buf, rep, false)
	return buf.String()
}

// record runs all probes against chatemu serving the default scenario, its
// clock frozen at its start so that every run gives the same answers, and
// records them into dir.
func record(t *testing.T, dir string) *testkit.Emulator {
	t.Helper()
	spec, err := scenarios.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	spec.Frozen = true
	emu := testkit.Start(t, testkit.Spec(*spec))
	rep, err := contract.Run(context.Background(), contract.Config{BaseURL: emu.URL, Client: emu.HTTPClient()}, contract.Vendors...)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed {
		t.Fatalf("recording run failed:\n%s", table(rep))
	}
	if _, err := contract.WriteRecordings(dir, rep); err != nil {
		t.Fatal(err)
	}
	return emu
}

func TestRecordThenReplayHasNoDrift(t *testing.T) {
	dir := t.TempDir()
	record(t, dir)
	rep, err := Replay(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + table(rep))
	if !rep.Passed || len(rep.Results) != wantProbes {
		t.Fatalf("replay drifted or is incomplete (%d results):\n%s", len(rep.Results), table(rep))
	}
}

// TestRecordedFixtures replays the committed recordings (made from chatemu's
// default scenario with -update) with zero drift.
func TestRecordedFixtures(t *testing.T) {
	if golden.Update() {
		for _, v := range contract.Vendors {
			os.RemoveAll(filepath.Join(recordedDir, v))
		}
		emu := record(t, recordedDir)
		// Links' hosts are volatile; a fixed one keeps -update byte-stable.
		host := strings.TrimPrefix(emu.URL, "http://")
		filepath.WalkDir(recordedDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := os.ReadFile(p)
			return os.WriteFile(p, bytes.ReplaceAll(b, []byte(host), []byte("chatemu.test")), 0o644)
		})
	}
	rep, err := Replay(context.Background(), recordedDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed || len(rep.Results) != wantProbes {
		t.Fatalf("replay of %s drifted or is incomplete:\n%s", recordedDir, table(rep))
	}
}

// copyDir copies the committed recordings into a temporary directory.
func copyDir(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(recordedDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(recordedDir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755)
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestHandEditedRecordingDrifts(t *testing.T) {
	cases := []struct {
		name, file, old, new string
		probe, path          string
		expected, observed   string
		n                    int // differences reported (0: 1)
	}{
		{"renamed key", "easemob/chatmessages.json", `"applicationName"`, `"appName"`,
			"chatmessages", "appName", "as recorded: present", "absent", 2}, // and applicationName: as recorded: absent
		{"changed code", "yunxin/unknown-sender.json", `"code": 102404`, `"code": 404`,
			"unknown-sender", "code", "as recorded: integer 404", "integer 102404", 1},
		{"changed type", "op/first-page.json", `"servicePhone": "400800400"`, `"servicePhone": 400800400`,
			"first-page", "foot.servicePhone", `as recorded: integer 400800400`, `string "400800400"`, 1},
		{"changed text", "easemob/no-token.json", `due to expired access token`, `due to missing access token`,
			"no-token", "error_description", "as recorded: string \"Unable to authenticate due to missing", "due to expired", 1},
		{"changed status", "easemob/bad-token.json", `"status": 401`, `"status": 403`,
			"bad-token", "(status)", "as recorded: HTTP 403", "HTTP 401", 1},
		{"link query order", "easemob/chatmessages.json", `?Expires=`, `?X=1&Expires=`,
			"chatmessages", "data.0.url", "as recorded: link query X&Expires", "link query Expires&", 1},
		{"message field", "easemob/archive-download.json", `"direction": "outgoing"`, `"direction": "outgoing", "extra": 1`,
			"archive-download", "records.0.extra", "as recorded: present", "absent", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t)
			p := filepath.Join(dir, tc.file)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte(tc.old)) {
				t.Fatalf("%s has no %q", tc.file, tc.old)
			}
			os.WriteFile(p, bytes.Replace(b, []byte(tc.old), []byte(tc.new), 1), 0o644)
			vendor := strings.Split(tc.file, "/")[0]
			rep, err := Replay(context.Background(), dir, Options{Vendors: []string{vendor}})
			if err != nil {
				t.Fatal(err)
			}
			out := table(rep)
			var fails []contract.Failure
			for _, r := range rep.Results {
				if r.Probe == tc.probe {
					fails = r.Failures
				} else if r.Verdict != contract.Pass {
					t.Errorf("%s also failed: %v", r.Probe, r.Failures)
				}
			}
			if want := max(tc.n, 1); len(fails) != want {
				t.Fatalf("want %d difference(s) in %s, got %d:\n%s", want, tc.probe, len(fails), out)
			}
			f := fails[0]
			if f.Path != tc.path || !strings.Contains(f.Expected, tc.expected) || !strings.Contains(f.Observed, tc.observed) {
				t.Errorf("got %+v, want path %q, expected ~%q, observed ~%q", f, tc.path, tc.expected, tc.observed)
			}
			if !strings.Contains(out, vendor+"/"+tc.probe) || !strings.Contains(out, tc.path+": ") {
				t.Errorf("table does not name probe and path:\n%s", out)
			}
		})
	}
}
