package testkit

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/emulator/journal"
)

// Request is one vendor request of the journal. Read over HTTP, a header
// repeated in the request is one Header with its values joined by ", ".
type Request = journal.Entry

// RequestFilter selects requests for Requests: a query parameter of GET
// /_chatemu/requests.
type RequestFilter func(url.Values)

// Vendor selects requests of a vendor: "easemob", "yunxin" or "op".
func Vendor(v string) RequestFilter { return func(q url.Values) { q.Set("vendor", v) } }

// Operation selects requests of an operation, e.g. EasemobChatMessages
// ("easemob.chatmessages"; journal.Operations lists them).
func Operation(op journal.Operation) RequestFilter {
	return func(q url.Values) { q.Set("operation", string(op)) }
}

// Tenant selects requests that addressed a tenant, e.g. "easemob:ORG/APP",
// "yunxin:APPKEY", "op:CLIENT".
func Tenant(t TenantID) RequestFilter { return func(q url.Values) { q.Set("tenant", string(t)) } }

// Status selects requests by the status they got: "404", a class "4xx",
// or "0" for connections a fault dropped.
func Status(s string) RequestFilter { return func(q url.Values) { q.Set("status", s) } }

// Since selects the requests after sequence number seq (Request.Seq).
func Since(seq uint64) RequestFilter {
	return func(q url.Values) { q.Set("since", strconv.FormatUint(seq, 10)) }
}

// Limit keeps the newest n of the selected requests.
func Limit(n int) RequestFilter { return func(q url.Values) { q.Set("limit", strconv.Itoa(n)) } }

// Unmatched selects the requests no emulated API took (true) or the others
// (false).
func Unmatched(unmatched bool) RequestFilter {
	return func(q url.Values) { q.Set("unmatched", strconv.FormatBool(unmatched)) }
}

// Requests returns the journal's vendor requests that every filter selects,
// oldest first (the last 1000 unless JournalSize says otherwise).
func (e *Emulator) Requests(filters ...RequestFilter) []Request {
	q := url.Values{}
	for _, f := range filters {
		f(q)
	}
	path := "requests"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var list control.RequestList
	if err := e.ctl.call(http.MethodGet, path, nil, &list); err != nil {
		e.fail(nil, "testkit: requests: %v", err)
		return nil
	}
	out := make([]Request, 0, len(list.Requests))
	for _, v := range list.Requests {
		r, err := requestOf(v)
		if err != nil {
			e.fail(nil, "testkit: requests: #%d: %v", v.Seq, err)
			return nil
		}
		out = append(out, r)
	}
	return out
}

// requestOf reads a journal entry back from GET requests' view of it.
func requestOf(v control.RequestView) (Request, error) {
	at, err := time.Parse(time.RFC3339Nano, v.Time)
	if err != nil {
		return Request{}, err
	}
	wall, err := time.Parse(time.RFC3339Nano, v.WallTime)
	if err != nil {
		return Request{}, err
	}
	names := make([]string, 0, len(v.RequestHeaders))
	for name := range v.RequestHeaders {
		names = append(names, name)
	}
	sort.Strings(names)
	headers := make([]journal.Header, len(names))
	for i, name := range names {
		headers[i] = journal.Header{Name: name, Value: v.RequestHeaders[name]}
	}
	return Request{
		Seq: v.Seq, Time: at.UTC(), WallTime: wall.UTC(), Vendor: v.Vendor, Operation: journal.Operation(v.Operation),
		Method: v.Method, Path: v.Path, Query: v.Query, RequestHeaders: headers,
		RequestBody: v.RequestBody, RequestBodyBytes: v.RequestBodyBytes, RequestBodyTruncated: v.RequestBodyTruncated,
		Status:       v.Status,
		ResponseBody: v.ResponseBody, ResponseBodyBytes: v.ResponseBodyBytes, ResponseBodyTruncated: v.ResponseBodyTruncated,
		Duration: time.Duration(math.Round(v.DurationMS * float64(time.Millisecond))),
		Tenant:   v.Tenant, Reason: v.Reason, Fault: v.Fault,
	}, nil
}

// ClearRequests empties the journal.
func (e *Emulator) ClearRequests() {
	if err := e.ctl.call(http.MethodDelete, "requests", nil, nil); err != nil {
		e.fail(nil, "testkit: clear requests: %v", err)
	}
}

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
