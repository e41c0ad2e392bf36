// Package journal is chatemu's request journal: a bounded ring of the
// vendor requests a server answered (time, vendor, operation, method, path,
// query, status, duration, tenant, reason), for GET /_chatemu/requests and
// testkit's verification helpers, in the style of WireMock's request
// journal and gock's IsDone.
//
// The journal is bounded twice: by a count of entries and by a byte budget
// over what the entries keep. Add copies every string it keeps into one
// allocation of the entry's own (cut at MaxField), so an entry never pins
// the request it came from (a path or query sliced from a 1 MB request line
// would otherwise keep the whole line alive), and the budget measures what
// the journal really holds. When either bound is reached the oldest entries
// go. Clear drops every entry, and with them their memory.
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
	"strings"
	"sync"
	"time"
	"unsafe"
)

// DefaultSize is how many entries the journal keeps when the server is not
// told otherwise (--journal-size).
const DefaultSize = 1000

// DefaultBytes is the journal's byte budget when the server is not told
// otherwise: the bytes its entries keep, strings and fixed part together.
const DefaultBytes = 8 << 20

// MaxField bounds each string an entry keeps (path, query, reason, …), so
// that an entry's size is bounded whatever clients send; a longer one is cut
// and marked with "…".
const MaxField = 2048

// entryOverhead is what an entry costs beyond its strings: its slot in the
// ring. The budget counts it, so that a journal of many small entries is
// bounded by its budget too.
const entryOverhead = int64(unsafe.Sizeof(Entry{}))

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

// strs lists the entry's strings, for own and kept.
func (e *Entry) strs() [8]*string {
	return [8]*string{&e.Vendor, &e.Operation, &e.Method, &e.Path, &e.Query, &e.Tenant, &e.Reason, &e.Fault}
}

// own copies every string of e, each cut at MaxField, into one allocation
// of the entry's own. It returns the bytes the entry keeps.
func (e *Entry) own() int64 {
	e.Method = method(e.Method)
	fields := e.strs()
	n := 0
	for _, f := range fields {
		n += cutLen(*f)
	}
	if n > 0 {
		var b strings.Builder
		b.Grow(n)
		for _, f := range fields {
			writeCut(&b, *f)
		}
		all := b.String()
		for _, f := range fields {
			l := cutLen(*f)
			*f, all = all[:l], all[l:]
		}
	}
	return entryOverhead + int64(n)
}

// cutMark marks a field cut at MaxField.
const cutMark = "…"

// cutLen is the length of s once cut at MaxField.
func cutLen(s string) int {
	if len(s) <= MaxField {
		return len(s)
	}
	return MaxField + len(cutMark)
}

// writeCut writes s cut at MaxField.
func writeCut(b *strings.Builder, s string) {
	if len(s) <= MaxField {
		b.WriteString(s)
		return
	}
	b.WriteString(s[:MaxField])
	b.WriteString(cutMark)
}

// method returns the standard methods as constants, which cost the entry
// nothing (net/http slices the method from the request line).
func method(m string) string {
	for _, std := range [...]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace} {
		if m == std {
			return std
		}
	}
	return m
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

// slot is a held entry and the bytes it keeps.
type slot struct {
	e    Entry
	kept int64
}

// Journal is a bounded ring of entries, safe for concurrent use. A nil
// *Journal, or one of size 0, keeps nothing.
type Journal struct {
	size     int   // entries kept at most
	maxBytes int64 // bytes kept at most

	mu    sync.Mutex
	ring  []slot // grows to at most size slots
	head  int    // slot of the oldest entry
	count int    // entries held
	bytes int64  // bytes the held entries keep
	seq   uint64 // entries added since the last Clear
}

// New returns a journal keeping at most the last size entries and at most
// maxBytes bytes of them; size ≤ 0 or maxBytes ≤ 0 keeps none. The ring
// grows as entries come, so an idle journal costs nothing.
func New(size int, maxBytes int64) *Journal {
	if size <= 0 || maxBytes <= 0 {
		return &Journal{}
	}
	return &Journal{size: size, maxBytes: maxBytes}
}

// Size returns how many entries the journal keeps at most.
func (j *Journal) Size() int {
	if j == nil {
		return 0
	}
	return j.size
}

// MaxBytes returns the journal's byte budget.
func (j *Journal) MaxBytes() int64 {
	if j == nil {
		return 0
	}
	return j.maxBytes
}

// Bytes returns the bytes the held entries keep, within MaxBytes.
func (j *Journal) Bytes() int64 {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bytes
}

// Add records e, dropping the oldest entries when the count or the byte
// budget would be exceeded. It sets e.Seq, cuts long fields and copies what
// it keeps. An entry larger than the whole budget is not kept (it still
// takes a sequence number).
func (j *Journal) Add(e Entry) {
	if j == nil || j.size == 0 {
		return
	}
	kept := e.own()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.Seq = j.seq
	if kept > j.maxBytes {
		return
	}
	for j.count > 0 && (j.count == j.size || j.bytes+kept > j.maxBytes) {
		j.dropOldest()
	}
	if j.count == len(j.ring) {
		j.grow()
	}
	j.ring[(j.head+j.count)%len(j.ring)] = slot{e: e, kept: kept}
	j.count++
	j.bytes += kept
}

// dropOldest forgets the oldest entry, releasing its strings.
func (j *Journal) dropOldest() {
	s := &j.ring[j.head]
	j.bytes -= s.kept
	*s = slot{}
	j.head = (j.head + 1) % len(j.ring)
	j.count--
}

// grow doubles the ring, up to size slots, keeping the entries in order.
func (j *Journal) grow() {
	n := min(max(2*len(j.ring), 16), j.size)
	ring := make([]slot, n)
	for i := range j.count {
		ring[i] = j.ring[(j.head+i)%len(j.ring)]
	}
	j.ring, j.head = ring, 0
}

// Entries returns the held entries that f matches, oldest first.
func (j *Journal) Entries(f Filter) []Entry {
	if j == nil || j.size == 0 {
		return []Entry{}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, 0, j.count)
	for i := range j.count {
		e := &j.ring[(j.head+i)%len(j.ring)].e
		if f.match(e) {
			out = append(out, *e)
		}
	}
	return out
}

// Clear forgets every entry, gives back the ring, and restarts Seq at 1.
func (j *Journal) Clear() {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring, j.head, j.count, j.bytes, j.seq = nil, 0, 0, 0, 0
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
