// Package journal is chatemu's request journal: a fixed-size ring of the
// vendor requests a server answered (time, vendor, operation, method, path,
// query, status, duration, tenant, reason), for GET /_chatemu/requests and
// testkit's verification helpers (DESIGN.md §3), in the style of WireMock's
// request journal and gock's IsDone.
//
// The ring never grows: New allocates it once and every request overwrites
// the oldest entry, so a server's memory stays bounded however long it runs.
// Paths, queries and reasons longer than MaxField are cut.
//
// A vendor handler names the tenant whose credentials a request used with
// SetTenant; the operation is the name of the route that matched (the
// vendor packages name their routes). The server carries an *Annotation in
// the request's context for that (WithAnnotation).
//
// journal imports only the standard library; vendor packages import it.
package journal

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// DefaultSize is the ring's size when the server is not told otherwise
// (--journal-size).
const DefaultSize = 1000

// MaxField bounds the path, query and reason kept per entry, so that the
// ring's memory is bounded by its size, not by what clients send.
const MaxField = 2048

// Entry is one vendor request as the journal keeps it.
type Entry struct {
	// Seq numbers requests from 1 in the order they finished since the
	// server started or the journal was cleared.
	Seq uint64
	// Time is the emulator clock's time when the request arrived.
	Time time.Time
	// Vendor is "easemob", "yunxin" or "op" (downloads count as the vendor
	// whose links they are: OSS archives easemob, Qiniu files op, NOS files
	// yunxin).
	Vendor string
	// Operation names the API, e.g. "easemob.chatmessages",
	// "yunxin.chatroom_history", "op.user_message_list"; "VENDOR.unknown"
	// for a path no route of the vendor serves.
	Operation string
	Method    string
	Path      string
	Query     string
	// Status is the HTTP status sent; 0 when the connection was dropped by
	// a fault before any answer.
	Status int
	// Duration is the real (wall-clock) time the server took, fault delays
	// included.
	Duration time.Duration
	// Tenant is the tenant the request addressed, e.g. "easemob:ORG/APP",
	// "yunxin:APPKEY", "op:CLIENT"; empty when it names none the world has.
	Tenant string
	// Reason is the response's X-Chatemu-Reason, when there is one.
	Reason string
	// Fault is the id of the fault that answered or delayed the request.
	Fault string
}

// Filter selects entries; empty fields match everything.
type Filter struct {
	Vendor    string
	Operation string
	Tenant    string
}

func (f Filter) match(e *Entry) bool {
	return (f.Vendor == "" || f.Vendor == e.Vendor) &&
		(f.Operation == "" || f.Operation == e.Operation) &&
		(f.Tenant == "" || f.Tenant == e.Tenant)
}

// Journal is a bounded ring of entries, safe for concurrent use. A nil
// *Journal, or one of size 0, keeps nothing.
type Journal struct {
	mu    sync.Mutex
	ring  []Entry
	next  int    // slot the next entry goes to
	count int    // entries held, ≤ len(ring)
	seq   uint64 // entries added since the last Clear
}

// New returns a journal keeping the last size entries; size ≤ 0 keeps none.
func New(size int) *Journal {
	if size < 0 {
		size = 0
	}
	return &Journal{ring: make([]Entry, size)}
}

// Size returns how many entries the journal keeps at most.
func (j *Journal) Size() int {
	if j == nil {
		return 0
	}
	return len(j.ring)
}

// Add records e, overwriting the oldest entry when the ring is full. It
// sets e.Seq and cuts long fields.
func (j *Journal) Add(e Entry) {
	if j == nil || len(j.ring) == 0 {
		return
	}
	e.Path = cut(e.Path)
	e.Query = cut(e.Query)
	e.Reason = cut(e.Reason)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.Seq = j.seq
	j.ring[j.next] = e
	j.next = (j.next + 1) % len(j.ring)
	if j.count < len(j.ring) {
		j.count++
	}
}

// Entries returns the held entries that f matches, oldest first.
func (j *Journal) Entries(f Filter) []Entry {
	if j == nil || len(j.ring) == 0 {
		return []Entry{}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, 0, j.count)
	first := (j.next - j.count + len(j.ring)) % len(j.ring)
	for i := 0; i < j.count; i++ {
		e := &j.ring[(first+i)%len(j.ring)]
		if f.match(e) {
			out = append(out, *e)
		}
	}
	return out
}

// Clear forgets every entry and restarts Seq at 1.
func (j *Journal) Clear() {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.ring)
	j.next, j.count, j.seq = 0, 0, 0
}

// cut bounds a field at MaxField bytes, marking the cut with "…".
func cut(s string) string {
	if len(s) <= MaxField {
		return s
	}
	return s[:MaxField] + "…"
}

// Annotation is what a vendor handler tells the journal about a request it
// serves. The server puts one in the request's context; handlers set it
// through SetTenant. It is read after the handler returns, on the same
// goroutine, so it needs no lock.
type Annotation struct {
	Tenant string
}

type annotationKey struct{}

// WithAnnotation returns r carrying a fresh Annotation, and the annotation.
func WithAnnotation(r *http.Request) (*http.Request, *Annotation) {
	a := &Annotation{}
	return r.WithContext(context.WithValue(r.Context(), annotationKey{}, a)), a
}

// SetTenant names the tenant a request addressed, e.g. "easemob:ORG/APP".
// It does nothing when the request carries no Annotation (a surface served
// without the server's journal, as in the vendor packages' own tests).
func SetTenant(r *http.Request, tenant string) {
	if a, ok := r.Context().Value(annotationKey{}).(*Annotation); ok {
		a.Tenant = tenant
	}
}
