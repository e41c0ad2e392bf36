package main

import (
	"compress/gzip"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/internal/servetest"
)

func get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// buildBinary compiles chatemu into the test's temporary directory.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin, err := servetest.Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// startProcess runs the binary and returns once it has logged that it
// listens: the start-up line is written after the listener is bound.
func startProcess(t testing.TB, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	return servetest.Start(t, bin, args...)
}

// residentKiB reads a process's resident set size from /proc.
func residentKiB(t testing.TB, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestResidentMemoryAfterStart pins the foundation issue's budget: the busy
// scenario (over 10 million messages) costs no more memory to start than
// the default one, under 50 MiB resident; default stays under 30 MiB.
func TestResidentMemoryAfterStart(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	limits := map[string]int{"default": 30 << 10, "busy": 50 << 10, "empty": 30 << 10}
	for _, name := range []string{"default", "busy", "empty"} {
		cmd, url := startProcess(t, bin, "--scenario", name)
		if status, _ := get(t, url+"/_chatemu/tenants"); status != 200 {
			t.Fatalf("%s: tenants answered %d", name, status)
		}
		rss := residentKiB(t, cmd.Process.Pid)
		t.Logf("%s: %d KiB resident after start", name, rss)
		if rss > limits[name] {
			t.Errorf("%s: %d KiB resident, budget %d KiB", name, rss, limits[name])
		}
	}
}

// BenchmarkProcessStart measures exec to first health answer of the built
// binary, per scenario (busy must cost what default costs).
func BenchmarkProcessStart(b *testing.B) {
	bin := buildBinary(b)
	for _, name := range []string{"default", "busy"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				cmd, url := startProcess(b, bin, "--scenario", name)
				if status, _ := get(b, url+"/_chatemu/health"); status != 200 {
					b.Fatalf("health %d", status)
				}
				b.StopTimer()
				cmd.Process.Kill()
				cmd.Wait()
				b.StartTimer()
			}
		})
	}
}

// TestContractAgainstRunningBinary runs `chatemu contract` as a user would,
// against a separately started `chatemu serve` on the default scenario (a
// running clock): every probe passes; then a fault makes the Easemob
// chatmessages answer drift (a renamed field) and the report names the probe
// and the gjson path.
func TestContractAgainstRunningBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	_, url := startProcess(t, bin)
	out, err := exec.Command(bin, "contract", "--vendor", "all", "--base-url", url).CombinedOutput()
	if err != nil {
		t.Fatalf("contract against chatemu: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "no drift") {
		t.Fatalf("no 'no drift' line:\n%s", out)
	}

	drifted := `{"action":"get","application":"6f0e3a2c-1d2b-4c5e-9a7f-20261120de30","uri":"` + url +
		`/chatemu/demo/chatmessages/x","data":[{"url":"` + url + `/_oss/b/o?Expires=1&OSSAccessKeyId=k&Signature=s"}],` +
		`"timestamp":1795168801067,"duration":0,"organization":"chatemu","appName":"demo"}`
	fault := `{"vendor":"easemob","method":"GET","path":"/chatmessages/","status":200,` +
		`"headers":{"Content-Type":"application/json"},"body":` + strconv.Quote(drifted) + `}`
	resp, err := http.Post(url+"/_chatemu/faults", "application/json", strings.NewReader(fault))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST faults: %d", resp.StatusCode)
	}
	out, err = exec.Command(bin, "contract", "--vendor", "easemob", "--base-url", url).CombinedOutput()
	if err == nil {
		t.Fatalf("contract passed a drifted chatmessages:\n%s", out)
	}
	for _, want := range []string{"easemob/chatmessages", "applicationName", "DRIFT"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("drift report lacks %q:\n%s", want, out)
		}
	}
}

// TestTwoProcessesServeTheSameWorld: the same scenario and seed in two
// processes give byte-identical tenants, Yunxin pages, Easemob archives and
// attachment bytes (the base URL aside).
func TestTwoProcessesServeTheSameWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	var answers [2][]string
	for n := range answers {
		_, url := startProcess(t, bin, "--seed", "77", "--now", "2026-11-20T10:00:00Z")
		norm := func(s string) string { return strings.ReplaceAll(s, url, "BASE") }
		_, tenants := get(t, url+"/_chatemu/tenants")
		answers[n] = append(answers[n], norm(tenants))

		// Yunxin: a page, and every attachment on it.
		secret, nonce := demo.Yunxin[0].AppSecret, "n1"
		cur := strconv.FormatInt(clockNow().Unix(), 10)
		req, _ := http.NewRequest("GET", url+"/im/v2/chatrooms/10001/messages?sender_id=amy&limit=30", nil)
		req.Header.Set("AppKey", "chatemu-yunxin-demo")
		req.Header.Set("Nonce", nonce)
		req.Header.Set("CurTime", cur)
		req.Header.Set("CheckSum", checkSum(secret+nonce+cur))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		answers[n] = append(answers[n], norm(string(page)))
		files := regexp.MustCompile(`"url":"([^"]+)"`).FindAllStringSubmatch(string(page), -1)
		if len(files) == 0 {
			t.Fatalf("no attachments on the page: %s", page)
		}
		for _, f := range files {
			_, b := get(t, f[1])
			answers[n] = append(answers[n], b)
		}

		// Easemob: an archive, unzipped (its link carries the clock's now).
		tok := postJSONDefault(t, url+"/chatemu/demo/token",
			`{"grant_type":"client_credentials","client_id":"`+demo.Easemob[0].ClientID+`","client_secret":"`+demo.Easemob[0].ClientSecret+`"}`)
		access := regexp.MustCompile(`"access_token":"([^"]+)"`).FindStringSubmatch(tok)[1]
		req, _ = http.NewRequest("GET", url+"/chatemu/demo/chatmessages/2026112016", nil)
		req.Header.Set("Authorization", "Bearer "+access)
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		cm, _ := io.ReadAll(res.Body)
		res.Body.Close()
		link := regexp.MustCompile(`"url":"([^"]+)"`).FindStringSubmatch(string(cm))[1]
		res, err = http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		records, _ := io.ReadAll(zr)
		res.Body.Close()
		answers[n] = append(answers[n], norm(string(records)))
	}
	if len(answers[0]) != len(answers[1]) {
		t.Fatalf("%d answers against %d", len(answers[0]), len(answers[1]))
	}
	for i := range answers[0] {
		if answers[0][i] != answers[1][i] {
			t.Errorf("answer %d differs between the processes", i)
		}
	}
}

func clockNow() time.Time { return time.Now() } // CurTime is checked against the wall clock

func checkSum(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func postJSONDefault(t *testing.T, url, body string) string {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
