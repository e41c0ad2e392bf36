package testkit

import (
	"time"

	"github.com/chatemu/chatemu/emulator/faults"
)

// The fault kinds: the presets render the vendor's own error, Drop closes
// the connection without an answer.
const (
	RateLimit    = faults.RateLimit
	ServerError  = faults.ServerError
	Unauthorized = faults.Unauthorized
	Drop         = faults.Drop
)

// Fault is a fault for Fail: which requests it matches and what it does to
// them (POST /_chatemu/faults).
type Fault struct {
	// Vendor ("easemob", "yunxin", "op"), Method and Path (a regexp,
	// unanchored, on the decoded path) select requests; empty selects all.
	// OSS archive downloads are easemob's, Qiniu downloads op's, NOS files
	// yunxin's.
	Vendor, Method, Path string
	// Times is how many matching requests the fault answers; 0 means until
	// it is removed.
	Times int
	// Delay is real latency before the answer; alone, the real answer
	// follows it. A client that gives up ends the wait.
	Delay time.Duration
	// Kind is a preset (RateLimit, ServerError, Unauthorized) or Drop.
	Kind FaultKind
	// Status, Body and Headers answer with a raw response instead.
	Status  int
	Body    string
	Headers map[string]string
}

// Fail adds a fault and returns its id ("f1", "f2", …); faults are matched
// in the order they were added. It fails t if the fault is invalid.
func (e *Emulator) Fail(t TB, f Fault) string {
	t.Helper()
	r := faults.Rule{Vendor: f.Vendor, Method: f.Method, Path: f.Path, Times: f.Times,
		Kind: f.Kind, Status: f.Status, Body: f.Body, Headers: f.Headers}
	if f.Delay != 0 {
		r.Delay = f.Delay.String()
	}
	added, err := e.srv.Faults().Add(r)
	if err != nil {
		t.Fatalf("testkit: fault: %v", err)
		return ""
	}
	return added.ID
}

// Faults lists the faults still active, with their remaining counts.
func (e *Emulator) Faults() []faults.Fault { return e.srv.Faults().List() }

// RemoveFault removes the fault id; it reports whether there was one (a
// fault whose Times are used up is already gone).
func (e *Emulator) RemoveFault(id string) bool { return e.srv.Faults().Delete(id) }

// ClearFaults removes every fault.
func (e *Emulator) ClearFaults() { e.srv.Faults().Clear() }
