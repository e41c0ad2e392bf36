package emulator_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/internal/surfacetest"
	"github.com/chatemu/chatemu/emulator/journal"
)

// memoryChildEnv makes the test binary a memory-measured server
// (TestMemoryServerChild) instead of running the tests.
const memoryChildEnv = "CHATEMU_TEST_MEMORY_CHILD"

// memPath is the child's own route: it collects garbage, returns it to the
// OS and answers the process's memory, so that the parent measures what the
// server keeps rather than where the collector happened to be.
const memPath = "/_memtest"

// childMemory is memPath's answer.
type childMemory struct {
	RSS       int64 `json:"rss"`        // VmRSS, bytes
	HWM       int64 `json:"hwm"`        // VmHWM (peak RSS), bytes
	HeapInuse int64 `json:"heap_inuse"` // after GC, bytes
	// JournalBytes is what the journal's entries keep.
	JournalBytes int64 `json:"journal_bytes"`
}

// TestMemoryServerChild is the server of TestJournalMemory in a process of
// its own. It serves until its stdin closes.
func TestMemoryServerChild(t *testing.T) {
	if os.Getenv(memoryChildEnv) == "" {
		t.Skip("the server of TestJournalMemory, run in a child process")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, emulator.Config{Spec: load(t, "default"), PublicURL: "http://" + ln.Addr().String(), Now: t0})
	mux := http.NewServeMux()
	mux.Handle("/", srv)
	mux.HandleFunc(memPath, func(w http.ResponseWriter, r *http.Request) {
		m, err := processMemory()
		m.JournalBytes = srv.Journal().Bytes()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		json.NewEncoder(w).Encode(m)
	})
	hs := &http.Server{Handler: mux}
	go hs.Serve(ln)
	fmt.Printf("listening %s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	hs.Close()
}

// processMemory collects garbage, returns free memory to the OS and reads
// the process's memory from /proc.
func processMemory() (childMemory, error) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := childMemory{HeapInuse: int64(ms.HeapInuse)}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return m, err
	}
	for line := range strings.Lines(string(status)) {
		key, val, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		switch key {
		case "VmRSS":
			m.RSS = kb << 10
		case "VmHWM":
			m.HWM = kb << 10
		}
	}
	if m.RSS == 0 {
		return m, fmt.Errorf("no VmRSS in /proc/self/status")
	}
	return m, nil
}

// TestJournalMemory: 1,000 requests with a 1 MB query on one keep-alive
// connection leave the server's process within 32 MiB of its idle RSS (the
// journal keeps its own bounded copy of each request, not the request), and
// clearing the journal gives its memory back. The server runs in a child
// process so that its RSS is its own.
func TestJournalMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads RSS from /proc")
	}
	const (
		query = 1_000_000
		slack = 32 << 20
	)
	// The race detector makes the server's parsing of a 1 MB request line
	// about six times dearer and keeps shadow memory that RSS counts, so a
	// race build sends a quarter of the requests (on main, a quarter already
	// pins hundreds of MiB) and judges the heap in use alone.
	requests := 1000
	if raceEnabled {
		requests = 250
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryServerChild$")
	cmd.Env = append(os.Environ(), memoryChildEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		t.Fatalf("child: %q, %v", line, err)
	}
	base := "http://" + addr
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	get := func(path string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		res := surfacetest.Do(t, client, req)
		return res.Status, res.Body
	}
	memory := func() childMemory {
		t.Helper()
		_, b := get(memPath)
		var m childMemory
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("child memory: %s", b)
		}
		return m
	}

	get("/_nos/k/x.jpg?q=warm")
	idle := memory()
	// The requests are written raw on one connection, so that the client
	// costs nothing per request beyond the bytes.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raw := []byte("GET /_nos/k/x.jpg?q=" + strings.Repeat("a", query) + " HTTP/1.1\r\nHost: " + addr + "\r\n\r\n")
	br := bufio.NewReader(conn)
	for i := range requests {
		if _, err := conn.Write(raw); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound || res.Close {
			t.Fatalf("request %d: status %d (close %v), want NOS's 404 on a kept-alive connection", i, res.StatusCode, res.Close)
		}
	}
	after := memory()
	var list struct {
		Requests []struct {
			Query string `json:"query"`
		} `json:"requests"`
	}
	_, b := get("/_chatemu/requests?operation=yunxin.download")
	if err := json.Unmarshal(b, &list); err != nil || len(list.Requests) != min(requests+1, journal.DefaultSize) {
		t.Fatalf("journal: %d requests, %v", len(list.Requests), err)
	}
	if q := list.Requests[len(list.Requests)-1].Query; len(q) != journal.MaxField+len("…") {
		t.Errorf("journaled query of %d bytes, want it cut at %d", len(q), journal.MaxField)
	}
	t.Logf("idle: RSS %d MiB, heap in use %d MiB; after %d requests of a %d-byte query: RSS %d MiB (peak %d MiB), heap in use %d MiB, journal %d KiB",
		idle.RSS>>20, idle.HeapInuse>>20, requests, query, after.RSS>>20, after.HWM>>20, after.HeapInuse>>20, after.JournalBytes>>10)
	if after.HeapInuse > idle.HeapInuse+slack {
		t.Errorf("heap in use %d MiB after the requests, idle %d MiB: more than %d MiB above idle", after.HeapInuse>>20, idle.HeapInuse>>20, slack>>20)
	}
	if !raceEnabled && after.RSS > idle.RSS+slack {
		t.Errorf("RSS %d MiB after the requests, idle %d MiB: more than %d MiB above idle", after.RSS>>20, idle.RSS>>20, slack>>20)
	}

	req, _ := http.NewRequest(http.MethodDelete, base+"/_chatemu/requests", nil)
	res, err := client.Do(req)
	if err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE requests: %v %v", res, err)
	}
	res.Body.Close()
	cleared := memory()
	t.Logf("after DELETE /_chatemu/requests: RSS %d MiB, heap in use %d MiB", cleared.RSS>>20, cleared.HeapInuse>>20)
	if freed := after.HeapInuse - cleared.HeapInuse; cleared.JournalBytes != 0 || freed < after.JournalBytes/2 {
		t.Errorf("clearing a journal of %d bytes freed %d bytes of heap (journal left with %d)", after.JournalBytes, freed, cleared.JournalBytes)
	}
}
