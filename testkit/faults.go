package testkit

import (
	"net/http"
	"net/url"
	"time"

	"github.com/chatemu/chatemu/emulator/control"
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
	var added control.FaultView
	if err := e.ctl.call(http.MethodPost, "faults", r, &added); err != nil {
		e.fail(t, "testkit: fault: %v", err)
		return ""
	}
	return added.ID
}

// Faults lists the faults still active, with their remaining counts
// (Remaining -1: until removed).
func (e *Emulator) Faults() []faults.Fault {
	var list control.FaultList
	if err := e.ctl.call(http.MethodGet, "faults", nil, &list); err != nil {
		e.fail(nil, "testkit: faults: %v", err)
		return nil
	}
	out := make([]faults.Fault, 0, len(list.Faults))
	for _, v := range list.Faults {
		f, err := faults.Compile(v.Rule)
		if err != nil {
			e.fail(nil, "testkit: faults: the emulator lists fault %s, which does not compile: %v", v.ID, err)
			return nil
		}
		f.ID, f.Remaining, f.Hits = v.ID, -1, v.Hits
		if v.Remaining != nil {
			f.Remaining = *v.Remaining
		}
		out = append(out, *f)
	}
	return out
}

// RemoveFault removes the fault id; it reports whether there was one (a
// fault whose Times are used up is already gone).
func (e *Emulator) RemoveFault(id string) bool {
	err := e.ctl.call(http.MethodDelete, "faults/"+url.PathEscape(id), nil, nil)
	if ce, ok := err.(*controlError); ok && ce.status == http.StatusNotFound {
		return false
	}
	if err != nil {
		e.fail(nil, "testkit: remove fault: %v", err)
	}
	return true
}

// ClearFaults removes every fault.
func (e *Emulator) ClearFaults() {
	if err := e.ctl.call(http.MethodDelete, "faults", nil, nil); err != nil {
		e.fail(nil, "testkit: clear faults: %v", err)
	}
}
