package control

import (
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
)

// Faults is what the control API needs of the server's faults.
// *faults.Set satisfies it.
type Faults interface {
	Add(r faults.Rule) (faults.Fault, error)
	List() []faults.Fault
	Delete(id string) bool
	Clear()
}

// Journal is what the control API needs of the server's request journal.
// *journal.Journal satisfies it.
type Journal interface {
	Entries(f journal.Filter) []journal.Entry
	Clear()
	Size() int
	MaxBytes() int64
	Bytes() int64
	LastSeq() uint64
	// Follower serves the event stream and requests/{seq} (stream.go).
	Follower
}

// FaultView is a fault as GET and POST /_chatemu/faults show it: the rule
// as given, its id, how many more requests it answers (null: until
// deleted) and how many it has answered.
type FaultView struct {
	ID string `json:"id"`
	faults.Rule
	Remaining *int `json:"remaining"`
	Hits      int  `json:"hits"`
}

// FaultList is the body of GET /_chatemu/faults, in creation (matching)
// order.
type FaultList struct {
	Faults []FaultView `json:"faults"`
}

func faultView(f faults.Fault) FaultView {
	v := FaultView{ID: f.ID, Rule: f.Rule, Hits: f.Hits}
	if f.Remaining >= 0 {
		n := f.Remaining
		v.Remaining = &n
	}
	return v
}

func (a *API) getFaults(*http.Request) (response, *Error) {
	list := FaultList{Faults: []FaultView{}}
	for _, f := range a.faults.List() {
		list.Faults = append(list.Faults, faultView(f))
	}
	return response{status: http.StatusOK, body: list}, nil
}

func (a *API) postFault(r *http.Request) (response, *Error) {
	var rule faults.Rule
	if err := decode(r, &rule); err != nil {
		return response{}, err
	}
	f, e := a.addFault(rule)
	if e != nil {
		return response{}, e
	}
	return response{status: http.StatusCreated, body: faultView(f)}, nil
}

// AddFault adds a fault as POST /_chatemu/faults does. Its error is an
// *Error (errors.As) with the status the route would answer.
func (a *API) AddFault(rule faults.Rule) (faults.Fault, error) {
	f, e := a.addFault(rule)
	return f, asError(e)
}

func (a *API) addFault(rule faults.Rule) (faults.Fault, *Error) {
	f, err := a.faults.Add(rule)
	if err != nil {
		var fe *faults.Error
		if errors.As(err, &fe) {
			return faults.Fault{}, errorf(http.StatusBadRequest, "%s: %s", fe.Key, fe.Reason)
		}
		return faults.Fault{}, errorf(http.StatusBadRequest, "%v", err)
	}
	a.log.Info("fault added", "id", f.ID, "vendor", f.Vendor, "method", f.Method, "path", f.Path, "kind", string(f.Kind), "status", f.Status, "delay", f.Delay, "times", f.Times)
	return f, nil
}

func (a *API) deleteFaults(*http.Request) (response, *Error) {
	a.faults.Clear()
	return response{status: http.StatusNoContent}, nil
}

func (a *API) deleteFault(r *http.Request) (response, *Error) {
	id := mux.Vars(r)["id"]
	if !a.faults.Delete(id) {
		return response{}, errorf(http.StatusNotFound, "no fault %q (GET %sfaults lists them; a fault whose times are used up is gone)", id, Prefix)
	}
	return response{status: http.StatusNoContent}, nil
}

// RequestView is one journal entry as GET /_chatemu/requests shows it.
// Credentials are redacted ("REDACTED") in the query, the headers and the
// bodies; bodies are cut at journal.MaxBody and kept only when they are
// text.
type RequestView struct {
	Seq      uint64 `json:"seq"`
	Time     string `json:"time"`      // the emulator clock at arrival, RFC 3339, ms
	WallTime string `json:"wall_time"` // the real time at arrival
	Vendor   string `json:"vendor"`
	// Operation names the API; Unmatched says no emulated API took the
	// request (the operation is then "VENDOR.unknown").
	Operation      string            `json:"operation"`
	Unmatched      bool              `json:"unmatched"`
	Method         string            `json:"method"`
	Path           string            `json:"path"`
	Query          string            `json:"query"`
	RequestHeaders map[string]string `json:"request_headers"` // repeated values joined with ", "
	// RequestBody is the start of the body the server read;
	// RequestBodyBytes the body's length; RequestBodyTruncated that
	// RequestBody is not all of it (cut, or not text).
	RequestBody           string  `json:"request_body"`
	RequestBodyBytes      int64   `json:"request_body_bytes"`
	RequestBodyTruncated  bool    `json:"request_body_truncated"`
	Status                int     `json:"status"` // 0: dropped by a fault
	ResponseBody          string  `json:"response_body"`
	ResponseBodyBytes     int64   `json:"response_body_bytes"`
	ResponseBodyTruncated bool    `json:"response_body_truncated"`
	DurationMS            float64 `json:"duration_ms"`
	Tenant                string  `json:"tenant"`
	Reason                string  `json:"reason,omitempty"`
	Fault                 string  `json:"fault,omitempty"`
}

// RequestList is the body of GET /_chatemu/requests: the selected entries,
// oldest first; the journal's bounds (size entries, max_bytes bytes) and
// what it holds (bytes); and the sequence number of the last request
// journaled, to poll with since.
type RequestList struct {
	Requests []RequestView `json:"requests"`
	Size     int           `json:"size"`
	MaxBytes int64         `json:"max_bytes"`
	Bytes    int64         `json:"bytes"`
	LastSeq  uint64        `json:"last_seq"`
}

// requestFilters are the query parameters GET requests takes, in the order
// error messages list them.
var requestFilters = []string{"vendor", "operation", "tenant", "status", "since", "limit", "unmatched"}

// requestFilter reads GET requests' query into a journal filter.
func requestFilter(rawQuery string) (journal.Filter, *Error) {
	var f journal.Filter
	q, e := queryOf(rawQuery, requestFilters)
	if e != nil {
		return f, e
	}
	var err error
	f.Vendor, f.Tenant = q.Get("vendor"), q.Get("tenant")
	if f.Vendor != "" && !slices.Contains(faults.Vendors, f.Vendor) {
		return f, errorf(http.StatusBadRequest, "vendor: want %s, got %q", strings.Join(faults.Vendors, ", "), f.Vendor)
	}
	if op := journal.Operation(q.Get("operation")); op != "" {
		if !op.Known() {
			return f, errorf(http.StatusBadRequest, "operation: unknown operation %q; want one of %s", op, operationList())
		}
		f.Operation = op
	}
	var ok bool
	if f.Status, ok = journal.ParseStatus(q.Get("status")); !ok {
		return f, errorf(http.StatusBadRequest, "status: want a status (404), a class (4xx) or 0 (dropped by a fault), got %q", q.Get("status"))
	}
	if v := q.Get("since"); v != "" {
		if f.Since, err = strconv.ParseUint(v, 10, 64); err != nil {
			return f, errorf(http.StatusBadRequest, "since: want a sequence number (0 or more), got %q", v)
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 {
			return f, errorf(http.StatusBadRequest, "limit: want a count of 1 or more, got %q", v)
		}
	}
	switch v := q.Get("unmatched"); v {
	case "":
	case "true":
		f.Unmatched = true
	case "false":
		f.Matched = true
	default:
		return f, errorf(http.StatusBadRequest, "unmatched: want true or false, got %q", v)
	}
	return f, nil
}

// operationList lists the known operations for error messages.
func operationList() string {
	names := make([]string, len(journal.Operations))
	for i, o := range journal.Operations {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}

func (a *API) getRequests(r *http.Request) (response, *Error) {
	f, e := requestFilter(r.URL.RawQuery)
	if e != nil {
		return response{}, e
	}
	list := RequestList{Requests: []RequestView{}, Size: a.journal.Size(), MaxBytes: a.journal.MaxBytes(),
		Bytes: a.journal.Bytes(), LastSeq: a.journal.LastSeq()}
	for _, e := range a.journal.Entries(f) {
		list.Requests = append(list.Requests, RequestViewOf(e))
	}
	return response{status: http.StatusOK, body: list}, nil
}

// RequestViewOf is e as GET requests shows it.
func RequestViewOf(e journal.Entry) RequestView {
	headers := make(map[string]string, len(e.RequestHeaders))
	for _, h := range e.RequestHeaders {
		if v, ok := headers[h.Name]; ok {
			headers[h.Name] = v + ", " + h.Value
		} else {
			headers[h.Name] = h.Value
		}
	}
	return RequestView{
		Seq: e.Seq, Time: e.Time.UTC().Format(TimeLayout), WallTime: e.WallTime.UTC().Format(TimeLayout),
		Vendor: e.Vendor, Operation: string(e.Operation), Unmatched: e.Unmatched(),
		Method: e.Method, Path: e.Path, Query: e.Query, RequestHeaders: headers,
		RequestBody: e.RequestBody, RequestBodyBytes: e.RequestBodyBytes, RequestBodyTruncated: e.RequestBodyTruncated,
		Status:       e.Status,
		ResponseBody: e.ResponseBody, ResponseBodyBytes: e.ResponseBodyBytes, ResponseBodyTruncated: e.ResponseBodyTruncated,
		DurationMS: math.Round(float64(e.Duration)/float64(time.Microsecond)) / 1000,
		Tenant:     e.Tenant, Reason: e.Reason, Fault: e.Fault,
	}
}

func (a *API) deleteRequests(*http.Request) (response, *Error) {
	a.journal.Clear()
	return response{status: http.StatusNoContent}, nil
}
