// Package pagecache keeps rendered answer bodies of the vendor surfaces, so
// that a client asking the same page again (a poller, a retry, a load test)
// is answered without generating and rendering the messages a second time
// (BENCHMARKS.md).
//
// Only the body is reused: the surface still authenticates, rate-limits and
// validates every request, and the server still journals and faults it.
// A key must name everything the bytes depend on apart from the world
// (the request's parsed parameters, the tenant, and for bodies that carry
// the clock its current second); the world is named by world.Version(),
// which every injection, reset and tenant change moves. A version other
// than the cache's empties the cache, so a stale body is never served and
// never kept.
//
// The cache is bounded in entries and bytes with two generations: entries
// go into the current map; when it is full it becomes the previous one and
// the one before is dropped. A hit in the previous generation moves the
// entry forward, so pages in use survive and the rest age out, at the cost
// of one map clear per generation instead of per-entry bookkeeping.
package pagecache

import (
	"hash/maphash"
	"sync"
)

// Limits of New's cache, for a surface's pages.
const (
	// DefaultEntries bounds the entries of one generation.
	DefaultEntries = 256
	// DefaultBytes bounds the body bytes of one generation (a page of 20
	// is 6 to 25 KB, of 100 30 to 130 KB), so two generations stay under
	// 2 MiB: the resident-memory budgets (BENCHMARKS.md) hold with the
	// caches full.
	DefaultBytes = 1 << 20
	// MaxBody is the largest body kept; larger ones are rendered each time.
	MaxBody = 256 << 10
)

// Cache maps keys to immutable bodies for one world version. It is safe
// for concurrent use. The zero value is not usable; call New.
type Cache struct {
	mu       sync.Mutex
	version  uint64
	entries  int
	bytes    int
	cur, old map[string][]byte
	curBytes int
	// asked holds the hashes of keys asked for (Admit), a slot each;
	// made on the first ask, so that a server starts without it.
	asked *[askedSlots]uint64
	seed  maphash.Seed
}

// askedSlots is how many asks Admit remembers: 32 KiB of hashes.
const askedSlots = 4096

// New returns a cache bounded to entries and bytes per generation.
func New(entries, bytes int) *Cache {
	return &Cache{entries: entries, bytes: bytes, seed: maphash.MakeSeed()}
}

// Admit reports whether key was asked for before, and remembers that it
// now has been. A surface puts a page in the cache only on its second
// ask (TinyLFU's doorkeeper): a history walk asks for each page once, and
// copying each into the cache would cost the walk a pass over memory and
// push out the pages its pollers ask for again and again. Admit remembers
// the last ask of each of askedSlots hash slots: a key that collides with
// a later one waits for one more ask.
func (c *Cache) Admit(key []byte) bool {
	h := maphash.Bytes(c.seed, key) | 1 // never an empty slot's 0
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.asked == nil {
		c.asked = new([askedSlots]uint64)
	}
	slot := &c.asked[h%askedSlots]
	if *slot == h {
		return true
	}
	*slot = h
	return false
}

// Get returns the body stored under key for version. The caller must not
// modify it.
func (c *Cache) Get(version uint64, key []byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return nil, false
	}
	if b, ok := c.cur[string(key)]; ok { // no allocation: map index by string(bytes)
		return b, true
	}
	if b, ok := c.old[string(key)]; ok {
		delete(c.old, string(key))
		c.put(string(key), b)
		return b, true
	}
	return nil, false
}

// Put stores body under key for version, the world version read before the
// body was computed: if the world moved since, the body is dropped. The
// cache keeps body as is; the caller must not modify it afterwards.
func (c *Cache) Put(version uint64, key []byte, body []byte) {
	if len(body) > MaxBody {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version > c.version:
		c.version = version
		c.cur, c.old, c.curBytes = nil, nil, 0
	case version < c.version:
		return
	}
	c.put(string(key), body)
}

func (c *Cache) put(key string, body []byte) {
	if _, ok := c.cur[key]; ok {
		return
	}
	if len(c.cur) >= c.entries || c.curBytes+len(body) > c.bytes {
		c.old, c.cur, c.curBytes = c.cur, nil, 0
	}
	if c.cur == nil {
		c.cur = make(map[string][]byte, c.entries)
	}
	c.cur[key] = body
	c.curBytes += len(body)
}

// Reset empties the cache.
func (c *Cache) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur, c.old, c.curBytes = nil, nil, 0
}

// Len returns the number of bodies held, for tests.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.old)
}

// Buffers keeps the buffers a surface renders its pages in before it
// copies them, at their length, into the cache (or, for a page the cache
// does not admit, writes them from there): rendering a page costs no new
// zeroed buffer, and the cache keeps no spare capacity. A buffer grown
// past MaxBody (for a body the cache does not keep) is left to the garbage
// collector. The zero value is ready; safe for concurrent use.
type Buffers struct{ pool sync.Pool }

// bufferSize is a new buffer's capacity: a page of 100 or more.
const bufferSize = 64 << 10

// Get returns an empty buffer to render in, and to give back with Put.
func (p *Buffers) Get() *[]byte {
	if b, ok := p.pool.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, bufferSize)
	return &b
}

// Put keeps b for a later page once nothing reads what was rendered in it.
func (p *Buffers) Put(b *[]byte) {
	if cap(*b) <= MaxBody {
		p.pool.Put(b)
	}
}
