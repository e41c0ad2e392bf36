package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
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

// buildBinary compiles chatemu once per test binary run into dir.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chatemu")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var listenURL = regexp.MustCompile(`url=(http://\S+)`)

// startProcess runs the binary and returns once it has logged that it
// listens: the start-up line is written after the listener is bound.
func startProcess(t testing.TB, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := listenURL.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() {
				}
			}()
			return cmd, m[1]
		}
	}
	t.Fatalf("chatemu exited before listening")
	return nil, ""
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
