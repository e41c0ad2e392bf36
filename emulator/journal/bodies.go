package journal

import (
	"strings"
	"sync"
)

// A server copies the start of every answer it journals (up to MaxBody)
// as it writes the answer. Allocated on the heap, each copy is an object
// of up to 16 KiB that lives until the journal drops its entry, hundreds
// of requests later: a history walk then allocates, sweeps and collects a
// 16 KiB object a page, about a tenth of a cold Yunxin page of 100's CPU
// time (BENCHMARKS.md). The journal instead keeps those copies in chunks
// of its own, handed out in turn and reused once every entry whose body
// one holds is gone.
//
// A chunk counts the bodies in it that an entry or a writer holds; a body
// is written only by the one writer it was handed to, before its entry is
// added, and read only under the journal's lock, by a reader that copies
// it out (Entries, Entry), so no string a reader gets ever lies in a
// chunk. When every chunk is in use, a body is allocated on the heap as
// before, so the store never holds more than its chunks.

// bodyChunkSize is the size of a body store's chunks.
const bodyChunkSize = 128 << 10

// bodyStore is a journal's chunks for bodies; the zero bodyStore is empty
// and allocates its chunks on first use, at most max of them.
type bodyStore struct {
	mu     sync.Mutex
	max    int
	chunks []*bodyChunk
	cur    int // the chunk being filled (when chunks is not empty)
	off    int // the bytes of chunks[cur] handed out
}

// bodyChunk is one chunk of a bodyStore.
type bodyChunk struct {
	buf  [bodyChunkSize]byte
	refs int // bodies in buf that an entry or a writer holds; under the store's mu
}

// BodyBuffer is room for the start of an answer's body that a server
// fills as it writes the answer, and gives to the answer's entry
// (Entry.KeepResponseBuffer). Its zero value is an empty buffer on the
// heap.
type BodyBuffer struct {
	b     []byte
	chunk *bodyChunk // nil: b is on the heap
}

// Bytes returns what the buffer holds.
func (b *BodyBuffer) Bytes() []byte { return b.b }

// Append adds p to the buffer; past the room it was made with, it moves to
// the heap.
func (b *BodyBuffer) Append(p []byte) { b.b = append(b.b, p...) }

// BodyBuffer returns room for n bytes (at most MaxBody) of an answer's
// body. The buffer must go to an entry that is added (Entry.
// KeepResponseBuffer, then Add), which gives its room back when the entry
// goes; nothing else may keep it.
func (j *Journal) BodyBuffer(n int) BodyBuffer {
	n = min(n, MaxBody)
	if j == nil || j.size == 0 || n == 0 {
		return BodyBuffer{b: make([]byte, 0, n)}
	}
	return j.bodies.take(n)
}

// take hands out n bytes of a chunk: the rest of the current one, or the
// next one in turn when no body in it is held any longer; heap memory when
// the next one is still in use.
func (s *bodyStore) take(n int) BodyBuffer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.chunks) == 0 || s.off+n > bodyChunkSize {
		// The next chunk in turn, the oldest, once its bodies are gone;
		// else a new one, up to max.
		next := 0
		if len(s.chunks) > 0 {
			next = (s.cur + 1) % len(s.chunks)
		}
		switch {
		case len(s.chunks) > 0 && s.chunks[next].refs == 0:
		case len(s.chunks) < s.max:
			next = len(s.chunks)
			s.chunks = append(s.chunks, new(bodyChunk))
		default:
			return BodyBuffer{b: make([]byte, 0, n)}
		}
		s.cur, s.off = next, 0
	}
	c := s.chunks[s.cur]
	c.refs++
	b := c.buf[s.off : s.off : s.off+n]
	s.off += n
	return BodyBuffer{b: b, chunk: c}
}

// release gives back a body's room in chunk c (nil: a heap body).
func (s *bodyStore) release(c *bodyChunk) {
	if c == nil {
		return
	}
	s.mu.Lock()
	c.refs--
	s.mu.Unlock()
}

// clear forgets the chunks; the bodies that writers still hold keep theirs
// alive until they are released.
func (s *bodyStore) clear() {
	s.mu.Lock()
	s.chunks, s.cur, s.off = nil, 0, 0
	s.mu.Unlock()
}

// detach makes e's response body a string of its own, for a reader: the
// store's chunk it lies in is reused once the journal drops e.
func (e *Entry) detach() {
	if e.respChunk != nil {
		e.ResponseBody, e.respChunk = strings.Clone(e.ResponseBody), nil
	}
}
