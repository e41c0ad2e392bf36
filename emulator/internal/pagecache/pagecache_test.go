package pagecache

import (
	"strconv"
	"sync"
	"testing"
)

func TestVersionInvalidates(t *testing.T) {
	c := New(4, 1<<20)
	c.Put(1, []byte("k"), []byte("v1"))
	if b, ok := c.Get(1, []byte("k")); !ok || string(b) != "v1" {
		t.Fatalf("Get = %q, %v", b, ok)
	}
	if _, ok := c.Get(2, []byte("k")); ok {
		t.Fatal("a body of version 1 served for version 2")
	}
	c.Put(2, []byte("k"), []byte("v2"))
	if b, _ := c.Get(2, []byte("k")); string(b) != "v2" {
		t.Fatalf("Get = %q", b)
	}
	// A body computed before the world moved is dropped.
	c.Put(1, []byte("old"), []byte("x"))
	if _, ok := c.Get(2, []byte("old")); ok || c.Len() != 1 {
		t.Fatalf("stale put kept (len %d)", c.Len())
	}
	c.Reset()
	if c.Len() != 0 {
		t.Fatal("Reset kept entries")
	}
}

func TestBounded(t *testing.T) {
	c := New(8, 100)
	for i := range 1000 {
		c.Put(1, []byte(strconv.Itoa(i)), make([]byte, 10))
		if n := c.Len(); n > 16 {
			t.Fatalf("%d entries after %d puts", n, i+1)
		}
	}
	// A body over the byte bound of a generation still rotates cleanly.
	c.Put(1, []byte("big"), make([]byte, 200))
	if _, ok := c.Get(1, []byte("big")); !ok {
		t.Fatal("big body not kept")
	}
	c.Put(1, []byte("huge"), make([]byte, MaxBody+1))
	if _, ok := c.Get(1, []byte("huge")); ok {
		t.Fatal("body over MaxBody kept")
	}
}

func TestRecentSurvive(t *testing.T) {
	c := New(4, 1<<20)
	c.Put(1, []byte("hot"), []byte("h"))
	for i := range 20 {
		c.Put(1, []byte(strconv.Itoa(i)), []byte("x"))
		if _, ok := c.Get(1, []byte("hot")); !ok {
			t.Fatalf("hot entry evicted after %d puts", i+1)
		}
	}
}

func TestConcurrent(t *testing.T) {
	c := New(16, 1<<20)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				k := []byte(strconv.Itoa(i % 40))
				v := uint64(i/100 + g%2)
				if b, ok := c.Get(v, k); ok && string(b) != string(k) {
					t.Errorf("key %s: body %s", k, b)
				}
				c.Put(v, k, k)
			}
		})
	}
	wg.Wait()
}

func TestGetAllocs(t *testing.T) {
	c := New(16, 1<<20)
	c.Put(1, []byte("key"), []byte("body"))
	k := []byte("key")
	if n := testing.AllocsPerRun(100, func() { c.Get(1, k) }); n != 0 {
		t.Errorf("Get allocates %v times", n)
	}
}

// TestBuffersBounded: Get gives an empty buffer, and a buffer grown past
// MaxBody is not kept for a later page.
func TestBuffersBounded(t *testing.T) {
	var p Buffers
	big := make([]byte, MaxBody+1)
	p.Put(&big)
	for range 100 {
		b := p.Get()
		if b == &big || cap(*b) > MaxBody || len(*b) != 0 {
			t.Fatalf("Get gave a buffer of len %d, cap %d", len(*b), cap(*b))
		}
		*b = append(*b, "page"...)
		p.Put(b)
	}
}

// TestAdmit: a key is admitted from its second ask on, each key on its own.
func TestAdmit(t *testing.T) {
	c := New(DefaultEntries, DefaultBytes)
	for i, want := range []bool{false, true, true} {
		if got := c.Admit([]byte("page-a")); got != want {
			t.Fatalf("ask %d of page-a: admitted %v, want %v", i+1, got, want)
		}
	}
	if c.Admit([]byte("page-b")) {
		t.Fatal("page-b admitted on its first ask")
	}
	if !c.Admit([]byte("page-b")) {
		t.Fatal("page-b not admitted on its second ask")
	}
}
