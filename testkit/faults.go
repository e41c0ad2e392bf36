package testkit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
)

// JournalSize sets how many vendor requests the journal keeps (default
// 1000, as --journal-size); 0 disables the journal.
func JournalSize(n int) Option {
	return func(o *options) {
		if n == 0 {
			n = -1
		}
		o.journalSize = n
	}
}

// RateLimits forces every tenant's rate-limit mode, as --rate-limits does:
// RateLimitsVendor enforces the vendors' documented limits on the
// emulator's clock (drive them with Clock().Advance), RateLimitsOff lifts
// them.
func RateLimits(mode RateLimitMode) Option { return func(o *options) { o.rateLimits = mode } }

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

// Request is one vendor request of the journal.
type Request = journal.Entry

// RequestFilter selects requests for Requests.
type RequestFilter func(*journal.Filter)

// Vendor selects requests of a vendor: "easemob", "yunxin" or "op".
func Vendor(v string) RequestFilter { return func(f *journal.Filter) { f.Vendor = v } }

// Operation selects requests of an operation, e.g. EasemobChatMessages
// ("easemob.chatmessages"; journal.Operations lists them).
func Operation(op journal.Operation) RequestFilter {
	return func(f *journal.Filter) { f.Operation = op }
}

// Tenant selects requests that addressed a tenant, e.g. "easemob:ORG/APP",
// "yunxin:APPKEY", "op:CLIENT".
func Tenant(t TenantID) RequestFilter { return func(f *journal.Filter) { f.Tenant = string(t) } }

// Requests returns the journal's vendor requests that every filter selects,
// oldest first (the last 1000 unless JournalSize says otherwise).
func (e *Emulator) Requests(filters ...RequestFilter) []Request {
	var f journal.Filter
	for _, fl := range filters {
		fl(&f)
	}
	return e.srv.Journal().Entries(f)
}

// ClearRequests empties the journal.
func (e *Emulator) ClearRequests() { e.srv.Journal().Clear() }

// Reporter is the part of testing.TB the assertions use.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// AssertCalled checks that operation op was requested exactly n times
// (among the requests filters select, when given), like gock's IsDone or
// WireMock's verify(n, …).
func (e *Emulator) AssertCalled(t Reporter, op journal.Operation, n int, filters ...RequestFilter) {
	t.Helper()
	if !knownOperations(t, op) {
		return
	}
	got := e.Requests(append(filters, Operation(op))...)
	if len(got) != n {
		t.Errorf("testkit: %s called %d times, want %d; journal:\n%s", op, len(got), n, e.journalText())
	}
}

// AssertCalledWith checks that at least one request of operation op
// satisfies match (its method, path, query, status, tenant, …).
func (e *Emulator) AssertCalledWith(t Reporter, op journal.Operation, match func(Request) bool) {
	t.Helper()
	if !knownOperations(t, op) {
		return
	}
	if !slices.ContainsFunc(e.Requests(Operation(op)), match) {
		t.Errorf("testkit: no %s request matches; journal:\n%s", op, e.journalText())
	}
}

// AssertOrder checks that the operations ops were requested in this order
// (other requests may come between them).
func (e *Emulator) AssertOrder(t Reporter, ops ...journal.Operation) {
	t.Helper()
	if !knownOperations(t, ops...) {
		return
	}
	i := 0
	for _, r := range e.Requests() {
		if i < len(ops) && r.Operation == ops[i] {
			i++
		}
	}
	if i < len(ops) {
		t.Errorf("testkit: operations %v not requested in order (found the first %d); journal:\n%s",
			ops, i, e.journalText())
	}
}

// knownOperations fails t for an operation the emulator has not (a typo
// would otherwise pass as "called 0 times").
func knownOperations(t Reporter, ops ...journal.Operation) bool {
	t.Helper()
	for _, op := range ops {
		if !op.Known() {
			t.Errorf("testkit: unknown operation %q; the operations are %v", op, journal.Operations)
			return false
		}
	}
	return true
}

// journalText writes the journal one request a line, for failure messages.
func (e *Emulator) journalText() string {
	var b strings.Builder
	reqs := e.Requests()
	if len(reqs) == 0 {
		return "  (empty)"
	}
	for _, r := range reqs {
		fmt.Fprintf(&b, "  #%d %s %s %s", r.Seq, r.Operation, r.Method, r.Path)
		if r.Query != "" {
			b.WriteString("?" + r.Query)
		}
		fmt.Fprintf(&b, " → %d", r.Status)
		if r.Fault != "" {
			b.WriteString(" (fault " + r.Fault + ")")
		}
		if r.Tenant != "" {
			b.WriteString(" [" + r.Tenant + "]")
		}
		b.WriteByte('\n')
	}
	return b.String()
}
