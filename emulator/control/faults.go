package control

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"sort"
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
	f, e := a.AddFault(rule)
	if e != nil {
		return response{}, e
	}
	return response{status: http.StatusCreated, body: faultView(f)}, nil
}

// AddFault adds a fault as POST /_chatemu/faults does.
func (a *API) AddFault(rule faults.Rule) (faults.Fault, *Error) {
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
type RequestView struct {
	Seq        uint64  `json:"seq"`
	Time       string  `json:"time"` // the emulator clock, RFC 3339, ms
	Vendor     string  `json:"vendor"`
	Operation  string  `json:"operation"`
	Method     string  `json:"method"`
	Path       string  `json:"path"`
	Query      string  `json:"query"`
	Status     int     `json:"status"` // 0: dropped by a fault
	DurationMS float64 `json:"duration_ms"`
	Tenant     string  `json:"tenant"`
	Reason     string  `json:"reason,omitempty"`
	Fault      string  `json:"fault,omitempty"`
}

// RequestList is the body of GET /_chatemu/requests: the journal's
// entries, oldest first, and the ring's size.
type RequestList struct {
	Requests []RequestView `json:"requests"`
	Size     int           `json:"size"`
}

// requestFilters are the query parameters GET requests takes.
var requestFilters = map[string]bool{"vendor": true, "operation": true, "tenant": true}

func (a *API) getRequests(r *http.Request) (response, *Error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return response{}, errorf(http.StatusBadRequest, "query: %v", err)
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !requestFilters[k] {
			return response{}, errorf(http.StatusBadRequest, "query parameter %q: unknown (vendor, operation, tenant)", k)
		}
	}
	f := journal.Filter{Vendor: q.Get("vendor"), Operation: q.Get("operation"), Tenant: q.Get("tenant")}
	list := RequestList{Requests: []RequestView{}, Size: a.journal.Size()}
	for _, e := range a.journal.Entries(f) {
		list.Requests = append(list.Requests, RequestViewOf(e))
	}
	return response{status: http.StatusOK, body: list}, nil
}

// RequestViewOf is e as GET requests shows it.
func RequestViewOf(e journal.Entry) RequestView {
	return RequestView{
		Seq: e.Seq, Time: e.Time.UTC().Format(TimeLayout), Vendor: e.Vendor, Operation: e.Operation,
		Method: e.Method, Path: e.Path, Query: e.Query, Status: e.Status,
		DurationMS: math.Round(float64(e.Duration)/float64(time.Microsecond)) / 1000,
		Tenant:     e.Tenant, Reason: e.Reason, Fault: e.Fault,
	}
}

func (a *API) deleteRequests(*http.Request) (response, *Error) {
	a.journal.Clear()
	return response{status: http.StatusNoContent}, nil
}
