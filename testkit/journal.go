package testkit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/chatemu/chatemu/emulator/journal"
)

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
