// Package servetest builds the chatemu binary and runs it for tests that
// drive a real `chatemu serve` process, as a Docker image or a CI service
// would be driven. Only test files import it.
package servetest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// TB is the part of testing.TB that Start uses.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Build compiles cmd/chatemu into dir and returns the binary's path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "chatemu")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/chatemu/chatemu/cmd/chatemu")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// listening is the start-up line, which the server writes once its
// listener is bound.
var listening = regexp.MustCompile(`chatemu listening.* url=(https?://\S+)`)

// stopGrace is how long a stopped server may take to exit before it is
// killed.
const stopGrace = 10 * time.Second

// Start runs `bin serve --addr 127.0.0.1:0 args...`, and returns the process
// and its URL once it has logged that it listens: no polling, no sleep.
// t.Cleanup stops it with SIGTERM (SIGKILL if it has not exited stopGrace
// later) and waits for it.
func Start(t TB, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatalf("servetest: %v", err)
		return nil, ""
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("servetest: %v", err)
		return nil, ""
	}
	drained := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-drained:
		case <-time.After(stopGrace):
			cmd.Process.Kill()
			<-drained
		}
		cmd.Wait()
	})
	lines := bufio.NewScanner(stderr)
	var log []string
	for lines.Scan() {
		log = append(log, lines.Text())
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			// The rest of the log is read until the process exits, so that
			// it never blocks on a full pipe.
			go func() {
				defer close(drained)
				for lines.Scan() {
				}
			}()
			return cmd, m[1]
		}
	}
	close(drained)
	t.Fatalf("servetest: chatemu exited before listening:\n%s", strings.Join(log, "\n"))
	return nil, ""
}
