// Package journal is chatemu's request journal: a bounded ring of the
// vendor requests a server answered, for GET /_chatemu/requests and
// testkit's verification helpers, in the style of WireMock's request
// journal and gock's IsDone. Each entry keeps the request (method, path,
// query, headers, body) with its credentials redacted, the answer (status,
// body, X-Chatemu-Reason), and what chatemu knows of it (operation, tenant,
// fault, emulated and wall time, duration, sequence number).
//
// The journal is bounded twice: by a count of entries and by a byte budget
// over what the entries keep. Add copies every string it keeps, each cut at
// its cap (MaxField, MaxBody; at most MaxHeaders headers), into one
// allocation of the entry's own, so an entry never pins the request it came
// from (a path or query sliced from a 1 MB request line would otherwise
// keep the whole line alive), and the budget measures what the journal
// really holds. A body the journal kept a moment ago (the same page asked
// again) is shared with the entry that kept it rather than copied and
// redacted again, and counted in full by each entry that shares it
// (memo.go). The start of an answer's body, which the server copies as it
// writes the answer, goes into chunks the journal reuses once their
// entries are gone (bodies.go; BodyBuffer), at most the budget's worth and
// one more chunk. When either bound is reached the oldest entries go.
// Clear drops every entry, and with them their memory.
//
// Credentials are redacted (redact.go): the values of the headers, query
// and form parameters and JSON keys under which the vendors carry them
// become "REDACTED", in the request and in the answer (an access_token, a
// signed link's Signature or token). The query and headers are redacted
// as the entry is added; the bodies as an entry is read (Entries, Entry),
// which nothing outside the journal can do before: a history walk adds an
// entry for every page it reads, and scanning 16 KiB of each page for
// credentials nobody may ever look at cost a cold page a fifth of its
// time. What a reader gets is the same either way.
//
// A vendor handler names the tenant whose credentials a request used with
// SetTenant; the operation is the name of the route that matched (the
// vendor packages name their routes; operations.go). The server carries an
// *Annotation in the request's context for that (WithAnnotation).
//
// journal imports only the standard library; vendor packages import it.
package journal

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"
)

// DefaultSize is how many entries the journal keeps when the server is not
// told otherwise (--journal-size).
const DefaultSize = 1000

// DefaultBytes is the journal's byte budget when the server is not told
// otherwise: the bytes its entries keep, strings and fixed part together.
const DefaultBytes = 8 << 20

// MaxField bounds each string an entry keeps but the bodies (path, query,
// header values, reason, …), so that an entry's size is bounded whatever
// clients send; a longer one is cut and marked with "…".
const MaxField = 2048

// MaxBody bounds the request body and the response body an entry keeps;
// the entry says when a body was cut (RequestBodyTruncated,
// ResponseBodyTruncated) and how long it was.
const MaxBody = 16 << 10

// MaxHeaders bounds the request headers an entry keeps (in name order).
const MaxHeaders = 64

// entryOverhead is what an entry costs beyond its strings: its slot in the
// ring. The budget counts it, so that a journal of many small entries is
// bounded by its budget too.
const entryOverhead = int64(unsafe.Sizeof(slot{}))

// headerOverhead is what a kept header costs beyond its strings.
const headerOverhead = int64(unsafe.Sizeof(Header{}))

// Header is one request header value.
type Header struct {
	Name  string
	Value string
}

// Entry is one vendor request as the journal keeps it.
type Entry struct {
	// Seq numbers requests from 1 in the order they finished since the
	// server started or the journal was cleared.
	Seq uint64
	// Time is the emulator clock's time when the request arrived; WallTime
	// the real time.
	Time     time.Time
	WallTime time.Time
	// Vendor is "easemob", "yunxin" or "op" (downloads count as the vendor
	// whose links they are: OSS archives easemob, Qiniu files op, NOS files
	// yunxin).
	Vendor string
	// Operation names the API (the route that served the request);
	// "VENDOR.unknown" for a path no route of the vendor serves.
	Operation Operation
	Method    string
	Path      string
	// Query is the raw query, credentials redacted.
	Query string
	// RequestHeaders are the request's headers in name order, one per
	// value, Host included, credentials redacted.
	RequestHeaders []Header
	// RequestBody is the start of the body the server read (MaxBody at
	// most; empty when it is not text); RequestBodyBytes how long the body
	// was (its Content-Length, or what was read); RequestBodyTruncated
	// that RequestBody is not all of it.
	RequestBody          string
	RequestBodyBytes     int64
	RequestBodyTruncated bool
	// Status is the HTTP status sent; 0 when the connection was dropped by
	// a fault before any answer.
	Status int
	// ResponseBody is the start of the answer's body, as RequestBody;
	// ResponseBodyBytes the bytes sent.
	ResponseBody          string
	ResponseBodyBytes     int64
	ResponseBodyTruncated bool
	// Duration is the real (wall-clock) time the server took to answer,
	// fault delays included.
	Duration time.Duration
	// Tenant is the tenant the request addressed, e.g. "easemob:ORG/APP",
	// "yunxin:APPKEY", "op:CLIENT"; empty when it names none the world has.
	Tenant string
	// Reason is the response's X-Chatemu-Reason, when there is one.
	Reason string
	// Fault is the id of the fault that answered or delayed the request.
	Fault string

	// rawBodies: the bodies are as given, cut at MaxBody only; settle
	// makes them what a reader gets.
	rawBodies bool
	// respHeld, when not 0, says ResponseBody is kept as it is, not
	// copied, and how many bytes keeping it holds (KeepResponseBody).
	respHeld int64
	// respChunk is the body store's chunk ResponseBody lies in
	// (KeepResponseBuffer), whose room the entry gives back when the
	// journal drops it; nil for a body of its own.
	respChunk *bodyChunk
}

// KeepResponseBody tells Add that the bytes of ResponseBody are never
// written again, so that the journal keeps them as they are rather than a
// copy: a cached page's, or a copy made for the journal. held is the
// memory keeping them holds (the whole buffer they start, at least their
// length), which the journal counts against its budget; past 2 × MaxBody,
// the journal copies the start instead.
func (e *Entry) KeepResponseBody(held int64) {
	e.respHeld = max(held, int64(len(e.ResponseBody)), 1)
}

// KeepResponseBuffer makes what b holds the entry's ResponseBody, kept as
// it is: b is the journal's (Journal.BodyBuffer), and goes with the entry.
func (e *Entry) KeepResponseBuffer(b BodyBuffer) {
	e.ResponseBody, e.respChunk = unsafe.String(unsafe.SliceData(b.b), len(b.b)), b.chunk
	held := int64(cap(b.b)) // a heap buffer's room, which keeping it holds
	if b.chunk != nil {
		held = 0 // the chunk's room comes back when the entry goes
	}
	e.KeepResponseBody(held)
}

// settle makes an entry's bodies what a reader gets: cut at a whole
// character (dropped when they are not text) and redacted.
func (e *Entry) settle() {
	if !e.rawBodies {
		return
	}
	e.rawBodies = false
	e.RequestBody, e.RequestBodyTruncated = keptBody(e.RequestBody, e.RequestBodyBytes, e.RequestBodyTruncated)
	e.ResponseBody, e.ResponseBodyTruncated = keptBody(e.ResponseBody, e.ResponseBodyBytes, e.ResponseBodyTruncated)
}

// keptBody is what a reader gets of a body s (cut at MaxBody at most) of
// size bytes.
func keptBody(s string, size int64, truncated bool) (string, bool) {
	s, truncated = cutBody(s, size, truncated)
	return redactBody(s), truncated
}

// Unmatched reports whether no emulated API took the request.
func (e *Entry) Unmatched() bool { return e.Operation.Unmatched() }

// Header returns the values of the request header name (any case), joined
// with ", ".
func (e *Entry) Header(name string) string {
	var out string
	for _, h := range e.RequestHeaders {
		if strings.EqualFold(h.Name, name) {
			if out != "" {
				out += ", "
			}
			out += h.Value
		}
	}
	return out
}

// own redacts e's query and headers and copies every string it keeps,
// each cut at its cap, into one allocation of the entry's own, but for a
// body the memo remembers (memo.go), which the entry shares; the header
// slice becomes the entry's. The bodies are kept as given, cut at MaxBody,
// and settled when read. It returns the bytes the entry keeps, shared
// bodies included.
func (e *Entry) own(memo *bodyMemo) int64 {
	e.Method = method(e.Method)
	// Cut before redacting, so that a long query costs its cap at most.
	if len(e.Query) > MaxField {
		e.Query = redactParams(e.Query[:MaxField]) + cutMark
	} else {
		e.Query = redactParams(e.Query)
	}
	if len(e.RequestHeaders) > MaxHeaders {
		e.RequestHeaders = e.RequestHeaders[:MaxHeaders:MaxHeaders]
	}
	for i := range e.RequestHeaders {
		h := &e.RequestHeaders[i]
		h.Name, h.Value = cutField(h.Name), cutField(redactHeader(h.Name, h.Value))
	}
	// A remembered body comes back as the memo's copy: shared rather than
	// copied once more.
	var reqOwn, respOwn bool
	e.RequestBody, e.RequestBodyTruncated, reqOwn = memo.body(e.RequestBody, e.RequestBodyTruncated)
	held := int64(0) // what a kept response body holds beyond its length
	// A body kept as it is holds its whole buffer: past twice what the
	// entry keeps of it, a copy of the start costs the budget less.
	if e.respHeld > 0 && e.respHeld <= 2*MaxBody {
		if len(e.ResponseBody) > MaxBody {
			e.ResponseBody, e.ResponseBodyTruncated = e.ResponseBody[:MaxBody], true
		}
		respOwn, held = true, e.respHeld-int64(len(e.ResponseBody))
	} else {
		e.ResponseBody, e.ResponseBodyTruncated, respOwn = memo.body(e.ResponseBody, e.ResponseBodyTruncated)
	}
	e.rawBodies = true
	fields := [...]*string{&e.Vendor, (*string)(&e.Operation), &e.Method, &e.Path, &e.Tenant, &e.Reason, &e.Fault}
	for _, f := range fields {
		*f = cutField(*f)
	}

	n := len(e.Query)
	for _, f := range fields {
		n += len(*f)
	}
	for _, h := range e.RequestHeaders {
		n += len(h.Name) + len(h.Value)
	}
	kept := n + len(e.RequestBody) + len(e.ResponseBody)
	if !reqOwn {
		n += len(e.RequestBody)
	}
	if !respOwn {
		n += len(e.ResponseBody)
	}
	if n > 0 {
		var b strings.Builder
		b.Grow(n)
		for _, f := range fields {
			b.WriteString(*f)
		}
		for _, h := range e.RequestHeaders {
			b.WriteString(h.Name)
			b.WriteString(h.Value)
		}
		b.WriteString(e.Query)
		if !reqOwn {
			b.WriteString(e.RequestBody)
		}
		if !respOwn {
			b.WriteString(e.ResponseBody)
		}
		all := b.String()
		take := func(s *string) { *s, all = all[:len(*s)], all[len(*s):] }
		for _, f := range fields {
			take(f)
		}
		for i := range e.RequestHeaders {
			take(&e.RequestHeaders[i].Name)
			take(&e.RequestHeaders[i].Value)
		}
		take(&e.Query)
		if !reqOwn {
			take(&e.RequestBody)
		}
		if !respOwn {
			take(&e.ResponseBody)
		}
	}
	return entryOverhead + int64(len(e.RequestHeaders))*headerOverhead + int64(kept) + held
}

// cutMark marks a field cut at MaxField.
const cutMark = "…"

// cutField bounds s at MaxField bytes, marking the cut; it allocates only
// for a string that long.
func cutField(s string) string {
	if len(s) <= MaxField {
		return s
	}
	return s[:MaxField] + cutMark
}

// cutBody bounds a body at MaxBody bytes and says whether what is kept is
// less than the body's size. A body that is not UTF-8 text (an image, an
// archive) is not kept at all; one cut inside a character loses the
// character's start.
func cutBody(s string, size int64, truncated bool) (string, bool) {
	if len(s) > MaxBody {
		s, truncated = s[:MaxBody], true
	}
	if !utf8.ValidString(s) {
		if t := trimPartialRune(s); utf8.ValidString(t) {
			s = t
		} else {
			s = ""
		}
	}
	return s, truncated || int64(len(s)) < size
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of s.
func trimPartialRune(s string) string {
	for k := len(s) - 1; k >= 0 && k >= len(s)-utf8.UTFMax; k-- {
		if utf8.RuneStart(s[k]) {
			if !utf8.FullRuneInString(s[k:]) {
				return s[:k]
			}
			break
		}
	}
	return s
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

// Filter selects entries; its zero value selects every entry.
type Filter struct {
	Vendor    string
	Operation Operation
	Tenant    string
	// Status selects by the status sent (ParseStatus).
	Status StatusMatch
	// Since selects the entries after sequence number Since.
	Since uint64
	// Unmatched selects the requests no emulated API took, Matched the
	// others.
	Unmatched, Matched bool
	// Limit keeps the newest Limit entries of those selected; 0 keeps all.
	Limit int
	// NoBodies gives the entries without their bodies (RequestBody and
	// ResponseBody empty, their lengths and flags kept): a reader that
	// shows no body saves their redaction.
	NoBodies bool
}

func (f *Filter) match(e *Entry) bool {
	return (f.Vendor == "" || f.Vendor == e.Vendor) &&
		(f.Operation == "" || f.Operation == e.Operation) &&
		(f.Tenant == "" || f.Tenant == e.Tenant) &&
		f.Status.match(e.Status) &&
		e.Seq > f.Since &&
		(!f.Unmatched || e.Unmatched()) && (!f.Matched || !e.Unmatched())
}

// StatusMatch selects entries by status; its zero value selects all.
type StatusMatch struct {
	set    bool
	lo, hi int
}

// Status selects the entries of one status; Status(0) the requests a fault
// dropped before any answer.
func Status(code int) StatusMatch { return StatusMatch{set: true, lo: code, hi: code} }

// StatusClass selects the entries of a status class: StatusClass(4) is
// 400 to 499.
func StatusClass(class int) StatusMatch {
	return StatusMatch{set: true, lo: class * 100, hi: class*100 + 99}
}

// ParseStatus reads a status selector: "" (all), a status ("404"; "0" for
// dropped requests) or a class ("4xx").
func ParseStatus(s string) (StatusMatch, bool) {
	switch {
	case s == "":
		return StatusMatch{}, true
	case len(s) == 3 && '1' <= s[0] && s[0] <= '9' && (s[1:] == "xx" || s[1:] == "XX"):
		return StatusClass(int(s[0] - '0')), true
	case s == "0":
		return Status(0), true
	case len(s) == 3 && '1' <= s[0] && s[0] <= '9' && isDigit(s[1]) && isDigit(s[2]):
		return Status(int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')), true
	}
	return StatusMatch{}, false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func (m StatusMatch) match(status int) bool {
	return !m.set || m.lo <= status && status <= m.hi
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
	// changed is closed, and forgotten, when an entry is added or the
	// journal is cleared; made only when a follower asks (follow.go).
	changed chan struct{}

	memo   bodyMemo  // the last bodies kept (memo.go); not under mu
	bodies bodyStore // the chunks answers' bodies are copied into (bodies.go); not under mu
}

// New returns a journal keeping at most the last size entries and at most
// maxBytes bytes of them; size ≤ 0 or maxBytes ≤ 0 keeps none. The ring
// grows as entries come, so an idle journal costs nothing.
func New(size int, maxBytes int64) *Journal {
	if size <= 0 || maxBytes <= 0 {
		return &Journal{}
	}
	// As many chunks as the budget fills with bodies, and one being filled.
	chunks := int(min(maxBytes/bodyChunkSize+1, 1<<16))
	return &Journal{size: size, maxBytes: maxBytes, bodies: bodyStore{max: chunks}}
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
// budget would be exceeded. It sets e.Seq, redacts credentials, cuts long
// fields and copies what it keeps (e's RequestHeaders slice becomes the
// entry's). An entry larger than the whole budget is not kept (it still
// takes a sequence number).
func (j *Journal) Add(e Entry) {
	if j == nil || j.size == 0 {
		return
	}
	kept := e.own(&j.memo)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.Seq = j.seq
	j.notifyLocked()
	if kept > j.maxBytes {
		j.bodies.release(e.respChunk)
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

// LastSeq returns the sequence number of the last request added (0 when
// none was since the last Clear): GET /_chatemu/requests?since=LastSeq
// then shows only what comes after.
func (j *Journal) LastSeq() uint64 {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.seq
}

// dropOldest forgets the oldest entry, releasing its strings.
func (j *Journal) dropOldest() {
	s := &j.ring[j.head]
	j.bytes -= s.kept
	j.bodies.release(s.e.respChunk)
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

// Entries returns the held entries that f selects, oldest first.
func (j *Journal) Entries(f Filter) []Entry {
	if j == nil || j.size == 0 {
		return []Entry{}
	}
	j.mu.Lock()
	// Newest first, so that Since and Limit stop early; then reversed and
	// settled, outside the lock.
	n := j.count
	if f.Limit > 0 {
		n = min(n, f.Limit)
	}
	out := make([]Entry, 0, n)
	for i := j.count - 1; i >= 0 && len(out) < n; i-- {
		e := &j.ring[(j.head+i)%len(j.ring)].e
		if e.Seq <= f.Since {
			break
		}
		if f.match(e) {
			out = append(out, *e)
			o := &out[len(out)-1]
			if f.NoBodies {
				o.RequestBody, o.ResponseBody, o.rawBodies, o.respChunk = "", "", false, nil
			}
			o.detach()
		}
	}
	j.mu.Unlock()
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	for i := range out {
		out[i].settle()
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
	j.memo.clear()
	j.bodies.clear()
	j.notifyLocked()
}

// Annotation is what a vendor handler tells the journal about a request it
// serves. The server puts one in the request's context; handlers set it
// through SetTenant. It is read after the handler returns, on the same
// goroutine, so it needs no lock.
type Annotation struct {
	Tenant string
	// Records is how many records the answer carries (SetRecords).
	Records int
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
