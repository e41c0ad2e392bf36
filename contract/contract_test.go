package contract

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/fixtures"
	"github.com/chatemu/chatemu/scenarios"
	"github.com/chatemu/chatemu/testkit"
)

// recordedDir is where the committed recordings live.
const recordedDir = "../fixtures/recorded"

// wantProbes is how many probes a run against chatemu makes (and records).
const wantProbes = 23

// scenarioStart is the default scenario's clock start.
var scenarioStart = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// startChatemu serves the default scenario with its clock frozen at its
// start, so that every run gives the same answers.
func startChatemu(t *testing.T) *testkit.Emulator {
	t.Helper()
	spec, err := scenarios.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	spec.Frozen = true
	return testkit.Start(t, testkit.Spec(*spec))
}

func table(rep *Report) string {
	var buf bytes.Buffer
	WriteTable(&buf, rep, false)
	return buf.String()
}

func TestRunAgainstChatemuPasses(t *testing.T) {
	emu := startChatemu(t)
	rep, err := Run(context.Background(), Config{BaseURL: emu.URL, Client: emu.HTTPClient()}, Vendors...)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + table(rep))
	if len(rep.Results) != wantProbes {
		t.Errorf("%d probes, want %d", len(rep.Results), wantProbes)
	}
	for _, r := range rep.Results {
		if r.Verdict != Pass {
			t.Errorf("%s/%s: %s %s %v", r.Vendor, r.Probe, r.Verdict, r.Reason, r.Failures)
		}
	}
	if !rep.Passed {
		t.Error("report not passed")
	}
	// The probes that moved chatemu's clock put it back.
	if now := emu.Clock().Now(); !now.Equal(scenarioStart) {
		t.Errorf("clock left at %v, want %v", now, scenarioStart)
	}
}

// rewrite is a middleware that edits JSON bodies of responses whose path
// matches.
func rewrite(h http.Handler, pathRE string, edit func(body string) string) http.Handler {
	re := regexp.MustCompile(pathRE)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !re.MatchString(r.URL.Path) {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write([]byte(edit(rec.Body.String())))
	})
}

func TestDriftIsReported(t *testing.T) {
	cases := []struct {
		name, vendor, pathRE string
		edit                 func(string) string
		probe, path          string
		expected, observed   string // substrings
	}{
		{"renamed field", "easemob", `/chatmessages/\d{10}$`,
			func(b string) string { return strings.Replace(b, `"applicationName"`, `"appName"`, 1) },
			"chatmessages", "applicationName", "string", "absent"},
		{"changed type", "yunxin", `/messages$`,
			func(b string) string {
				return regexp.MustCompile(`"sender_client_type":(\d+)`).ReplaceAllString(b, `"sender_client_type":"$1"`)
			},
			"first-page", "data.items.0.sender_client_type", "absent or integer", `string "`},
		{"wrong code", "yunxin", `/chatrooms/9007199254740991/messages$`,
			func(b string) string { return strings.Replace(b, `"code":113404`, `"code":414`, 1) },
			"unknown-room", "code", "= 113404", "integer 414"},
		{"wrong text", "easemob", `/chatmessages/notahour$`,
			func(b string) string {
				return strings.Replace(b, `illegal arguments`, `This chatmessage request is not supported`, 1)
			},
			"bad-time", "error_description", "string matching", "This chatmessage request"},
		{"key order", "op", `/op/v2/userMessageList$`,
			func(b string) string {
				return strings.Replace(b, `{"code":200,"message":"成功",`, `{"message":"成功","code":200,`, 1)
			},
			"first-page", "", "keys in order code, message", "keys in order message, code"},
		{"link shape", "easemob", `/chatmessages/\d{10}$`,
			func(b string) string { return strings.Replace(b, `%3D`, `=`, 1) },
			"chatmessages", "data.0.url", "Signature=[A-Za-z0-9%]+$", "="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu := startChatemu(t)
			srv := httptest.NewServer(rewrite(emu.Server(), tc.pathRE, tc.edit))
			t.Cleanup(srv.Close)
			rep, err := Run(context.Background(), Config{BaseURL: srv.URL, Client: srv.Client()}, tc.vendor)
			if err != nil {
				t.Fatal(err)
			}
			out := table(rep)
			if rep.Passed {
				t.Fatalf("drift not reported:\n%s", out)
			}
			found := false
			for _, r := range rep.Results {
				if r.Probe != tc.probe {
					continue // other probes may see the same drift
				}
				for _, f := range r.Failures {
					if f.Path == tc.path && strings.Contains(f.Expected, tc.expected) && strings.Contains(f.Observed, tc.observed) {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("no failure of %s at %q (%q vs %q) in:\n%s", tc.probe, tc.path, tc.expected, tc.observed, out)
			}
			if !strings.Contains(out, tc.vendor+"/"+tc.probe) || !strings.Contains(out, "DRIFT") {
				t.Errorf("table does not name the probe:\n%s", out)
			}
		})
	}
}

// record runs all probes against chatemu and records them into dir.
func record(t *testing.T, dir string) (*testkit.Emulator, *Report) {
	t.Helper()
	emu := startChatemu(t)
	rep, err := Run(context.Background(), Config{BaseURL: emu.URL, Client: emu.HTTPClient()}, Vendors...)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed {
		t.Fatalf("recording run failed:\n%s", table(rep))
	}
	if _, err := WriteRecordings(dir, rep); err != nil {
		t.Fatal(err)
	}
	return emu, rep
}

func TestRecordingsHoldNoSecret(t *testing.T) {
	dir := t.TempDir()
	emu, rep := record(t, dir)
	// Every credential and signing key of the scenario, and the tokens the
	// run obtained.
	var secrets []string
	tn := emu.Server().Tenants()
	for _, a := range tn.Easemob {
		secrets = append(secrets, a.ClientID, a.ClientSecret, a.OSS.AccessKeyID, a.OSS.AccessKeySecret)
	}
	for _, a := range tn.Yunxin {
		secrets = append(secrets, a.AppSecret)
	}
	for _, c := range tn.Op {
		secrets = append(secrets, c.Token, c.Secret, c.Qiniu.AccessKey, c.Qiniu.SecretKey)
	}
	for _, r := range rep.Results {
		secrets = append(secrets, r.secrets...)
	}
	leaks := []*regexp.Regexp{
		regexp.MustCompile(`Signature=(?:[^R&"]|R[^E])`),      // OSS signature
		regexp.MustCompile(`[?&]token=(?:[^R&"]|R[^E])`),      // Qiniu / Op token
		regexp.MustCompile(`OSSAccessKeyId=(?:[^R&"]|R[^E])`), // OSS key id
		regexp.MustCompile(`"(?:CheckSum|access_token|client_id|client_secret|secret|thumbsecret|thumb_secret)": "(?:[^R"(]|R[^E])`),
		regexp.MustCompile(`"Authorization": "Bearer (?:[^R]|R[^E])`),
		regexp.MustCompile(`YWMt`), // Easemob app tokens
	}
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, _ := os.ReadFile(p)
		for _, s := range secrets {
			if s != "" && bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds the secret %q", p, s)
			}
		}
		for _, re := range leaks {
			if m := re.Find(b); m != nil {
				t.Errorf("%s holds %q", p, m)
			}
		}
		return nil
	})
	if n != wantProbes {
		t.Errorf("%d recordings, want %d", n, wantProbes)
	}
}

func TestVendorSamplesPass(t *testing.T) {
	res, err := CheckSamples(fixtures.Samples)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 16 {
		t.Errorf("%d samples checked, want 16", len(res))
	}
	// The waivers the published examples need, and no other.
	wantWaived := map[string]string{
		"chatmessages_response.json":      "stray quote",
		"chatroom_messages_response.json": `"32" as a string`,
		"userMessageList_response.json":   "elides records",
	}
	for _, r := range res {
		if r.Verdict != Pass {
			t.Errorf("%s/%s: %s %v", r.Vendor, r.Probe, r.Verdict, r.Failures)
		}
		if r.Checks == 0 {
			t.Errorf("%s: no check ran", r.Probe)
		}
		if w := wantWaived[r.Probe]; !strings.Contains(r.Reason, w) || (w == "" && r.Reason != "") {
			t.Errorf("%s: waivers %q, want %q", r.Probe, r.Reason, w)
		}
	}
}
