package emulator_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator"
)

// failSafe bounds a wait that the server under test should end long
// before; it only turns a hang into a failure.
const failSafe = 2 * time.Minute

// serveHTTP serves h through emulator.NewHTTPServer with t on a loopback
// port and returns the address.
func serveHTTP(tb testing.TB, h http.Handler, t emulator.Timeouts) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	hs := emulator.NewHTTPServer(h, t, nil)
	done := make(chan struct{})
	go func() { defer close(done); hs.Serve(ln) }()
	tb.Cleanup(func() { hs.Close(); <-done })
	return ln.Addr().String()
}

// dialSmall opens a connection whose receive buffer is small and fixed, so
// that a response the client does not read soon fills it.
func dialSmall(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return errors.Join(err, serr)
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// readToClose reads conn until the server closes it and returns what came.
// It fails t if the connection is still open after failSafe.
func readToClose(t *testing.T, conn net.Conn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(failSafe))
	b, err := io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open (read %d bytes)", len(b))
	}
	return string(b) // EOF or a reset: closed either way
}

// TestReadTimeouts: a request whose headers or body stall is closed once
// the read timeouts pass (configured small here); the test waits for the
// close, not for a duration. A body stalled after one byte gets the
// vendor's answer to a malformed body, if the client is still there to
// read it, and the connection is closed.
func TestReadTimeouts(t *testing.T) {
	srv := newServer(t, emulatorConfig(t))
	tests := []struct {
		name     string
		t        emulator.Timeouts
		send     string
		wantBody string // substring of what comes back before the close; "" for nothing
	}{
		{"header stalled", emulator.Timeouts{ReadHeader: 50 * time.Millisecond},
			"GET /_chatemu/health HTTP/1.1\r\nHost: x\r\n", ""},
		{"body stalled after one byte", emulator.Timeouts{Read: 50 * time.Millisecond},
			"POST /chatemu/demo/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", "HTTP/1.1 400 "},
		{"Op body stalled", emulator.Timeouts{ReadHeader: time.Hour, Read: 50 * time.Millisecond},
			"POST /op/v2/userMessageList?apiVersion=01 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"u", "HTTP/1.1 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := serveHTTP(t, srv, tt.t)
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			io.WriteString(conn, tt.send)
			got := readToClose(t, conn)
			t.Logf("%q", got)
			if tt.wantBody == "" && got != "" || !strings.Contains(got, tt.wantBody) {
				t.Errorf("before the close: %q, want %q", got, tt.wantBody)
			}
		})
	}
}

// TestIdleTimeoutClosesKeepAlive: every idle keep-alive connection is closed
// once the idle timeout passes, each after a complete answer.
func TestIdleTimeoutClosesKeepAlive(t *testing.T) {
	srv := newServer(t, emulatorConfig(t))
	addr := serveHTTP(t, srv, emulator.Timeouts{ReadHeader: time.Hour, Idle: 50 * time.Millisecond})
	const conns = 20
	results := make(chan error, conns)
	for range conns {
		go func() {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				results <- err
				return
			}
			defer conn.Close()
			io.WriteString(conn, "GET /_chatemu/health HTTP/1.1\r\nHost: x\r\n\r\n")
			br := bufio.NewReader(conn)
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				results <- err
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || res.Close {
				results <- fmt.Errorf("health %d, close %v: want a kept-alive 200", res.StatusCode, res.Close)
				return
			}
			conn.SetReadDeadline(time.Now().Add(failSafe))
			if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
				results <- fmt.Errorf("idle connection: %v, want it closed (EOF)", err)
				return
			}
			results <- nil
		}()
	}
	for range conns {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
}

// TestWriteTimeoutReleasesNonReader: a client that requests an endless
// download and never reads it is let go once a write has waited for the
// write timeout: the handler's write fails and the connection is closed.
func TestWriteTimeoutReleasesNonReader(t *testing.T) {
	written := make(chan error, 1)
	endless := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 256<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				written <- err
				return
			}
		}
	})
	addr := serveHTTP(t, endless, emulator.Timeouts{Write: 50 * time.Millisecond})
	conn := dialSmall(t, addr)
	io.WriteString(conn, "GET /download HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case err := <-written:
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("the handler's write failed with %v, want a timeout", err)
		}
	case <-time.After(failSafe):
		t.Fatal("the server still writes to a client that reads nothing")
	}
	// The connection is closed: reading it now ends.
	readToClose(t, conn)
}

// TestWriteTimeoutSparesMovingDownload: a download that runs several times
// the write timeout completes, because each chunk has its own deadline.
// The handler pauses between chunks until a timer longer than the timeout
// fires, so the whole response always outlasts it (a single deadline for
// the whole response would cut it).
func TestWriteTimeoutSparesMovingDownload(t *testing.T) {
	const timeout, chunks = time.Second, 3
	chunk := strings.Repeat("x", 200<<10)
	paced := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range chunks {
			if i > 0 {
				<-time.After(timeout * 5 / 4)
			}
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
			http.NewResponseController(w).Flush()
		}
	})
	addr := serveHTTP(t, paced, emulator.Timeouts{Write: timeout})
	res, err := http.Get("http://" + addr + "/download")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || len(b) != chunks*len(chunk) {
		t.Fatalf("download: %d of %d bytes, %v", len(b), chunks*len(chunk), err)
	}
}

// TestDeadlineWriterKeepsInterfaces: behind NewHTTPServer a handler still
// flushes (streaming) and hijacks (the drop fault) as before.
func TestDeadlineWriterKeepsInterfaces(t *testing.T) {
	got := make(chan string, 2)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, flusher := w.(http.Flusher)
		_, hijacker := w.(http.Hijacker)
		got <- fmt.Sprint(flusher, hijacker)
		if r.URL.Path == "/drop" {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				got <- err.Error()
				return
			}
			got <- "hijacked"
			conn.Close()
		}
	})
	addr := serveHTTP(t, h, emulator.DefaultTimeouts())
	if _, err := http.Get("http://" + addr + "/drop"); err == nil {
		t.Error("a dropped connection answered")
	}
	if a, b := <-got, <-got; a != "true true" || b != "hijacked" {
		t.Errorf("flusher, hijacker: %s; hijack: %s", a, b)
	}
}

func emulatorConfig(t *testing.T) emulator.Config {
	return emulator.Config{Spec: load(t, "default"), PublicURL: "http://127.0.0.1:1", Now: t0}
}
