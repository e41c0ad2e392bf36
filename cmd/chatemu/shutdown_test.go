package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// shutdownScenario is sized by its traffic: its one archived hour holds
// exactly shutdownRecords messages, about 700 KB of gzip.
const (
	shutdownRecords  = 2 * 5000
	shutdownScenario = `name: shutdown
seed: 5
clock: {start: 2026-11-20T10:00:00Z, frozen: true}
easemob:
  apps:
    - org: o
      app: a
      client_id: YXA6ShutdownClientId
      client_secret: YXA6ShutdownClientSecret
      users: [u1, u2]
      traffic:
        - {from: u1, to: u2, per_hour: 5000, since: 6h}
        - {from: u2, to: u1, per_hour: 5000, since: 6h}
`
	// shutdownHour is an archived hour of the scenario (Beijing time: 3
	// hours before the clock's 18:00).
	shutdownHour = "2026112015"
	shutdownAuth = `{"grant_type":"client_credentials","client_id":"YXA6ShutdownClientId","client_secret":"YXA6ShutdownClientSecret"}`
)

// archiveLink asks the Easemob surface at base for the archive of
// shutdownHour.
func archiveLink(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	var token struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(postJSON(t, c, base+"/o/a/token", shutdownAuth)), &token); err != nil || token.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	req, _ := http.NewRequest("GET", base+"/o/a/chatmessages/"+shutdownHour, nil)
	req.Header.Set("Authorization", "Bearer "+token.AccessToken)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	link := regexp.MustCompile(`"url":"([^"]+)"`).FindStringSubmatch(string(b))
	if link == nil {
		t.Fatalf("no archive link: %d %s", res.StatusCode, b)
	}
	return strings.ReplaceAll(link[1], `\u0026`, "&")
}

// heldRequest is a token request whose handler is running and waiting for
// its body: the server has answered "100 Continue" and the client holds the
// body back. It cannot finish until send is called, however fast or slow
// the machine, which makes it an in-flight request a test controls.
type heldRequest struct {
	conn net.Conn
	r    *bufio.Reader
}

func holdRequest(t *testing.T, addr, path, body string) *heldRequest {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n",
		path, addr, len(body))
	h := &heldRequest{conn: conn, r: bufio.NewReader(conn)}
	// The server sends 100 Continue when the handler first reads the body.
	tp := textproto.NewReader(h.r)
	line, err := tp.ReadLine()
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
		t.Fatalf("want 100 Continue, got %q %v", line, err)
	}
	if _, err := tp.ReadMIMEHeader(); err != nil {
		t.Fatal(err)
	}
	return h
}

// send writes the body and returns the final answer's status and body.
func (h *heldRequest) send(t *testing.T, body string) (int, string) {
	t.Helper()
	if _, err := io.WriteString(h.conn, body); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(h.r, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// TestShutdownFinishesInFlightDownloads: SIGTERM (a cancelled context here)
// lets the requests in flight run to their end, and the server takes no new
// connection once shutdown has begun. Nothing here races the machine: the
// grace is far longer than the test (it is never reached), one request is
// held by the client until the listener is closed, and the archive download
// is read only after that.
func TestShutdownFinishesInFlightDownloads(t *testing.T) {
	file := writeFile(t, "shutdown.yaml", shutdownScenario)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &syncBuffer{}
	ready, draining := make(chan string, 1), make(chan struct{})
	done := make(chan int, 1)
	go func() {
		done <- runWith(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--scenario", file, "--shutdown-grace", "1h"},
			io.Discard, stderr, &hooks{ready: func(a string) { ready <- a }, draining: func() { close(draining) }})
	}()
	addr := <-ready
	base := "http://" + addr
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	dl, err := client.Get(archiveLink(t, client, base))
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Body.Close()
	zr, err := gzip.NewReader(dl.Body) // the first bytes are here: the download has started
	if err != nil {
		t.Fatalf("download %d: %v", dl.StatusCode, err)
	}
	held := holdRequest(t, addr, "/o/a/token", shutdownAuth)

	cancel() // SIGTERM
	<-draining
	if c, err := net.DialTimeout("tcp", addr, time.Minute); err == nil {
		c.Close()
		t.Error("the server accepts connections once shutdown has begun")
	}
	if status, body := held.send(t, shutdownAuth); status != 200 || !strings.Contains(body, `"access_token"`) {
		t.Errorf("held request after shutdown began: %d %s", status, body)
	}
	lines := 0
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines++
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("download cut short after %d records: %v", lines, err)
	}
	if lines != shutdownRecords {
		t.Fatalf("download has %d records, want the hour's %d", lines, shutdownRecords)
	}
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr)
	}
}

// TestServeTimeoutFlags: the connection limits reach the server from the
// flags and from their environment twins: an idle keep-alive connection and
// a request whose headers stall are both closed (the test waits for the
// close).
func TestServeTimeoutFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		send string
	}{
		{"idle flag", nil, []string{"--idle-timeout", "50ms"}, "GET /_chatemu/health HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"idle env", map[string]string{"CHATEMU_IDLE_TIMEOUT": "50ms"}, nil, "GET /_chatemu/health HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"header flag", nil, []string{"--read-header-timeout", "50ms"}, "GET /_chatemu/health HTTP/1.1\r\n"},
		{"body env", map[string]string{"CHATEMU_READ_TIMEOUT": "50ms"}, nil, "POST /chatemu/demo/token HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n{"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, _ := startServe(t, tc.env, tc.args...)
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			io.WriteString(conn, tc.send)
			conn.SetReadDeadline(time.Now().Add(2 * time.Minute)) // a fail-safe only
			_, err = io.ReadAll(conn)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the server kept the connection open")
			}
		})
	}
	code, _, stderr := runCmd(t, nil, "serve", "--write-timeout", "soon")
	if code != exitUsage || !strings.Contains(stderr, `--write-timeout: expected duration but got "soon"`) {
		t.Errorf("bad --write-timeout: %d %s", code, stderr)
	}
}

// procLog collects a child process's log lines as they come.
type procLog struct {
	mu     sync.Mutex
	cond   *sync.Cond
	lines  []string
	closed bool          // the process closed its stderr
	eof    chan struct{} // closed with closed
}

func newProcLog(r io.Reader) *procLog {
	l := &procLog{eof: make(chan struct{})}
	l.cond = sync.NewCond(&l.mu)
	go func() {
		defer close(l.eof)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.lines = append(l.lines, sc.Text())
			l.cond.Broadcast()
			l.mu.Unlock()
		}
		l.mu.Lock()
		l.closed = true
		l.cond.Broadcast()
		l.mu.Unlock()
	}()
	return l
}

// waitFor returns the first line matching re, waiting for it; it fails t
// if the process ends its log without one.
func (l *procLog) waitFor(t *testing.T, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := 0; ; i++ {
		for ; i < len(l.lines); i++ {
			if m := rx.FindStringSubmatch(l.lines[i]); m != nil {
				return m
			}
		}
		if l.closed {
			t.Fatalf("no log line matches %s:\n%s", re, strings.Join(l.lines, "\n"))
		}
		l.cond.Wait()
		i--
	}
}

func (l *procLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// failSafe bounds a wait that the process under test should end long
// before; it only turns a hang into a failure.
const failSafe = 2 * time.Minute

// child is a running chatemu binary.
type child struct {
	cmd    *exec.Cmd
	log    *procLog
	addr   string
	exited chan struct{} // closed once it has exited
}

// startChild starts the built binary serving on a loopback port and
// returns once it listens.
func startChild(t *testing.T, bin string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...), exited: make(chan struct{})}
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.log = newProcLog(stderr)
	go func() {
		// Wait closes the pipe: only once every line has been read.
		<-c.log.eof
		c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.exited
	})
	c.addr = c.log.waitFor(t, `addr=(\S+)`)[1]
	return c
}

// exitCode waits for the process to exit and returns its status; it fails
// t if the process is still running after failSafe.
func (c *child) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-c.exited:
		return c.cmd.ProcessState.ExitCode()
	case <-time.After(failSafe):
		t.Fatalf("the process is still running:\n%s", c.log)
		return 0
	}
}

// TestForcedShutdown runs the binary: a request that cannot finish (held by
// the client) outlasts the grace, or a second SIGTERM comes during the
// grace; either way the process cuts it, logs what it cut and exits 1.
func TestForcedShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	file := writeFile(t, "shutdown.yaml", shutdownScenario)
	for _, tc := range []struct {
		name, grace string
		second      bool
		reason      string
	}{
		{"grace runs out", "50ms", false, "the grace ran out"},
		{"second signal", "1h", true, "a second signal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startChild(t, bin, "--scenario", file, "--shutdown-grace", tc.grace)
			log := c.log
			held := holdRequest(t, c.addr, "/o/a/token", shutdownAuth)
			c.cmd.Process.Signal(syscall.SIGTERM)
			grace, _ := time.ParseDuration(tc.grace)
			log.waitFor(t, `msg="shutting down" grace=`+grace.String()+` in_flight=1`)
			if tc.second {
				c.cmd.Process.Signal(syscall.SIGTERM)
			}
			if code := c.exitCode(t); code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			log.waitFor(t, `level=ERROR msg="forced shutdown: cutting the requests still in flight" reason="`+tc.reason+`" grace=\S+ cut=1`)
			log.waitFor(t, `level=WARN msg="cut request" method=POST path=/o/a/token remote=127\.0\.0\.1:\d+ running=`)
			if strings.Contains(log.String(), "msg=stopped") {
				t.Errorf("a forced shutdown logged a clean stop:\n%s", log)
			}
			held.conn.SetReadDeadline(time.Now().Add(failSafe))
			if b, err := io.ReadAll(held.r); err != nil && !errors.Is(err, syscall.ECONNRESET) || len(b) > 0 {
				t.Errorf("the cut request got %q, %v; want the connection closed", b, err)
			}
		})
	}
}
