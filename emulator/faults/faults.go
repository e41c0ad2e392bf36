// Package faults holds chatemu's fault injection: rules that make the next
// matching vendor requests slow, dropped, or answered with a chosen status
// or with a vendor's own error (POST /_chatemu/faults, testkit's Fail;
// docs/control-api.md), in the style of WireMock's faults and LocalStack's chaos
// API.
//
// A rule matches by vendor, method and a path regexp; rules are tried in
// creation order and the first that matches takes the request. A rule with
// Times n answers the next n matching requests and then disappears; Times 0
// lasts until it is deleted. A fault never touches the world or the
// surfaces' state: the request it answers never reaches the vendor handler
// (a pure delay passes it on after waiting), so the next unfaulted request
// sees the world unchanged.
//
// The presets (RateLimit, ServerError, Unauthorized) are rendered by each
// vendor package in its own format; faults only names them. faults imports
// only the standard library.
package faults

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind names a fault's effect beyond a delay or a raw status: a vendor
// preset or a dropped connection.
type Kind string

// The kinds.
const (
	// RateLimit is the vendor's over-the-limit answer: Easemob 429
	// reach_limit, Yunxin code 416, the Op envelope's, and 503 for OSS and
	// Qiniu downloads in their formats.
	RateLimit Kind = "rate_limit"
	// ServerError is the vendor's internal error: Easemob's 500 envelope,
	// Yunxin code 500, the Op envelope's 500, OSS's InternalError.
	ServerError Kind = "server_error"
	// Unauthorized is the vendor's authentication failure.
	Unauthorized Kind = "unauthorized"
	// Drop closes the connection without an answer: the client sees EOF or
	// a reset.
	Drop Kind = "drop"
)

// Presets lists the kinds a vendor renders, in documentation order.
var Presets = []Kind{RateLimit, ServerError, Unauthorized}

// Vendors are the values Rule.Vendor may take ("" matches every vendor).
var Vendors = []string{"easemob", "yunxin", "op"}

// MaxDelay bounds a fault's delay, so that a typo cannot hang a suite.
const MaxDelay = 10 * time.Minute

// Rule is a fault as a test asks for it: the body of POST
// /_chatemu/faults.
type Rule struct {
	// Vendor restricts the rule to "easemob", "yunxin" or "op"; empty
	// matches all. OSS archive downloads count as easemob, Qiniu downloads
	// as op, NOS files as yunxin.
	Vendor string `json:"vendor,omitempty"`
	// Method restricts the rule to an HTTP method (case-insensitive).
	Method string `json:"method,omitempty"`
	// Path is a regular expression (Go syntax, unanchored: add ^ and $ to
	// anchor) matched against the request's decoded path.
	Path string `json:"path,omitempty"`
	// Times is how many matching requests the rule answers; 0 or absent
	// means until the rule is deleted.
	Times int `json:"times,omitempty"`
	// Delay is real latency before the answer, a Go duration such as
	// "250ms". With no other effect the real answer follows it.
	Delay string `json:"delay,omitempty"`
	// Status and Body answer with a raw status and body instead of the
	// vendor's.
	Status int    `json:"status,omitempty"`
	Body   string `json:"body,omitempty"`
	// Headers are set on a raw answer (Status); Content-Type among them.
	Headers map[string]string `json:"headers,omitempty"`
	// Kind is a preset (rate_limit, server_error, unauthorized) or drop.
	Kind Kind `json:"kind,omitempty"`
}

// Fault is a rule as the server holds it.
type Fault struct {
	ID string
	Rule
	// Remaining is how many more requests the rule answers; -1 when it
	// lasts until deleted.
	Remaining int
	// Hits counts the requests the rule has answered.
	Hits int

	delay time.Duration
	path  *regexp.Regexp
}

// DelayDuration returns the parsed Delay.
func (f *Fault) DelayDuration() time.Duration { return f.delay }

// Error is a rule that cannot be used; Key names the field at fault.
type Error struct {
	Key    string
	Reason string
}

func (e *Error) Error() string { return e.Key + ": " + e.Reason }

// Compile checks r and returns it as a Fault without an id.
func Compile(r Rule) (*Fault, error) {
	f := &Fault{Rule: r, Remaining: -1}
	if r.Vendor != "" && !slices.Contains(Vendors, r.Vendor) {
		return nil, &Error{"vendor", fmt.Sprintf("want one of %s, or absent for every vendor; got %q", strings.Join(Vendors, ", "), r.Vendor)}
	}
	f.Method = strings.ToUpper(r.Method)
	if r.Path != "" {
		re, err := regexp.Compile(r.Path)
		if err != nil {
			return nil, &Error{"path", fmt.Sprintf("not a regular expression: %v", err)}
		}
		f.path = re
	}
	if r.Times < 0 {
		return nil, &Error{"times", fmt.Sprintf("want 0 (until deleted) or a positive count, got %d", r.Times)}
	}
	if r.Times > 0 {
		f.Remaining = r.Times
	}
	if r.Delay != "" {
		d, err := time.ParseDuration(r.Delay)
		if err != nil || d < 0 || d > MaxDelay {
			return nil, &Error{"delay", fmt.Sprintf("want a duration such as \"250ms\" between 0 and %v, got %q", MaxDelay, r.Delay)}
		}
		f.delay = d
	}
	switch r.Kind {
	case "", Drop, RateLimit, ServerError, Unauthorized:
	default:
		return nil, &Error{"kind", fmt.Sprintf("want rate_limit, server_error, unauthorized or drop, got %q", r.Kind)}
	}
	if err := checkStatus(r); err != nil {
		return nil, err
	}
	if err := checkHeaders(r.Headers); err != nil {
		return nil, err
	}
	if r.Kind == "" && r.Status == 0 && f.delay == 0 {
		return nil, &Error{"kind", "the fault has no effect: give kind, status or delay"}
	}
	return f, nil
}

// MinStatus and MaxStatus bound a raw fault's status. Below: the 1xx
// statuses are interim answers, after which net/http sends a final status of
// its own (100 would reach the client as 100 Continue and then a 200 nobody
// asked for). Above: three digits, all that an HTTP/1.1 status line and
// net/http carry; Qiniu sends statuses past 599 (608, 612, 614, 630, 631,
// 640, 701: https://developer.qiniu.com/kodo/3928/error-responses).
const (
	MinStatus = 200
	MaxStatus = 999
)

// checkStatus refuses a raw status a fault cannot honestly send.
func checkStatus(r Rule) *Error {
	switch {
	case r.Status == 0:
		if r.Body != "" || len(r.Headers) > 0 {
			return &Error{"body", "body and headers go with a raw status; set status too"}
		}
		return nil
	case r.Status >= 100 && r.Status < MinStatus:
		return &Error{"status", fmt.Sprintf("%d is an interim (1xx) status: the server would follow it with a final status of its own; want a final status, %d to %d", r.Status, MinStatus, MaxStatus)}
	case r.Status < MinStatus || r.Status > MaxStatus:
		return &Error{"status", fmt.Sprintf("want an HTTP status, %d to %d, got %d", MinStatus, MaxStatus, r.Status)}
	case r.Kind != "":
		return &Error{"status", fmt.Sprintf("a raw status and kind %q exclude each other: the kind renders its own status", r.Kind)}
	case r.Body != "" && !bodyAllowed(r.Status):
		return &Error{"body", fmt.Sprintf("a %d answer carries no body (RFC 9110); drop the body or choose another status", r.Status)}
	}
	return nil
}

// bodyAllowed reports whether an answer of status may carry content: not
// 204 No Content, 205 Reset Content or 304 Not Modified (RFC 9110, sections
// 15.3.5, 15.3.6 and 15.4.5). net/http would drop such a body, or cut the
// connection over it.
func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusResetContent && status != http.StatusNotModified
}

// framingHeaders are the headers that say how the message is framed or
// carried; the server sets them from the body, and a fault's own would make
// the answer lie about its length or its connection.
var framingHeaders = []string{"Connection", "Content-Length", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// checkHeaders refuses headers that are not valid or that a fault may not
// set.
func checkHeaders(h map[string]string) *Error {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if !isToken(k) {
			return &Error{"headers", fmt.Sprintf("%q is not a header name", k)}
		}
		if slices.Contains(framingHeaders, http.CanonicalHeaderKey(k)) {
			return &Error{"headers", fmt.Sprintf("%s is set by the server from the body and the connection; a fault may not set it", http.CanonicalHeaderKey(k))}
		}
		if strings.ContainsFunc(h[k], func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			return &Error{"headers", fmt.Sprintf("%s: a header value may not hold control characters (CR, LF, …)", http.CanonicalHeaderKey(k))}
		}
	}
	return nil
}

// isToken reports whether s is an RFC 9110 token, what a header name is.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// Matches reports whether the rule applies to a request of vendor with
// method and decoded path.
func (f *Fault) Matches(vendor, method, path string) bool {
	return (f.Vendor == "" || f.Vendor == vendor) &&
		(f.Method == "" || f.Method == method) &&
		(f.path == nil || f.path.MatchString(path))
}

// WriteRaw writes the rule's raw status, headers and body.
func (f *Fault) WriteRaw(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range f.Headers {
		h.Set(k, v)
	}
	if f.Status != http.StatusNoContent && f.Status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(len(f.Body)))
	}
	h.Set("X-Chatemu-Reason", "fault "+f.ID+": raw status "+strconv.Itoa(f.Status))
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body))
}

// Set holds a server's faults. It is safe for concurrent use; the zero
// value is empty and ready.
type Set struct {
	mu     sync.Mutex
	faults []*Fault
	nextID int
}

// Add compiles r and appends it; the fault's id is "f1", "f2", … in
// creation order.
func (s *Set) Add(r Rule) (Fault, error) {
	f, err := Compile(r)
	if err != nil {
		return Fault{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	f.ID = "f" + strconv.Itoa(s.nextID)
	s.faults = append(s.faults, f)
	return *f, nil
}

// List returns the faults in creation order, with their remaining counts.
func (s *Set) List() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(s.faults))
	for i, f := range s.faults {
		out[i] = *f
	}
	return out
}

// Delete removes the fault id and reports whether there was one.
func (s *Set) Delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.ID == id {
			s.faults = slices.Delete(s.faults, i, i+1)
			return true
		}
	}
	return false
}

// Clear removes every fault. Ids keep counting.
func (s *Set) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Reset removes every fault and restarts ids at f1.
func (s *Set) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	s.nextID = 0
}

// Take finds the first fault matching a request, counts the request
// against it (removing it when its times are used up) and returns a copy.
func (s *Set) Take(vendor, method, path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !f.Matches(vendor, method, path) {
			continue
		}
		f.Hits++
		if f.Remaining > 0 {
			f.Remaining--
			if f.Remaining == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
		}
		return *f, true
	}
	return Fault{}, false
}

// Len returns how many faults are held; the server skips matching when it
// is zero.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults)
}
