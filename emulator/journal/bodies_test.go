package journal

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// addBody adds an entry whose response body, of n bytes, is written into
// the journal's buffer as a server writes it, and returns the body.
func addBody(j *Journal, i, n int) string {
	body := strings.Repeat(fmt.Sprintf("%07d,", i), n/8+1)[:n]
	b := j.BodyBuffer(n)
	b.Append([]byte(body))
	e := Entry{Vendor: "yunxin", Method: "GET", Path: fmt.Sprintf("/p/%d", i), Status: 200, ResponseBodyBytes: int64(n)}
	e.KeepResponseBuffer(b)
	j.Add(e)
	return body
}

// TestBodiesReusedNotOverwritten: the chunks bodies are copied into are
// reused once the journal has dropped their entries, and a body a reader
// got (Entries, Entry) stays as it was when its chunk is written again.
func TestBodiesReusedNotOverwritten(t *testing.T) {
	const n = MaxBody
	j := New(4, 1<<30) // four entries: the chunks go round many times
	want := addBody(j, 0, n)
	got := j.Entries(Filter{})
	one, ok := j.Entry(1)
	if len(got) != 1 || got[0].ResponseBody != want || !ok || one.ResponseBody != want {
		t.Fatalf("read back %d entries, Entry ok %v", len(got), ok)
	}
	for i := 1; i < 40*bodyChunkSize/n; i++ {
		addBody(j, i, n)
	}
	if got[0].ResponseBody != want || one.ResponseBody != want {
		t.Fatal("a body read before its chunk was reused changed with it")
	}
	if len(j.bodies.chunks) > 2 {
		t.Errorf("%d chunks for four entries of %d bytes: they are not reused", len(j.bodies.chunks), n)
	}
	last := j.Entries(Filter{})
	for k, e := range last {
		if i := 40*bodyChunkSize/n - len(last) + k; e.ResponseBody != strings.Repeat(fmt.Sprintf("%07d,", i), n/8+1)[:n] {
			t.Fatalf("entry %d (%s) holds another body", k, e.Path)
		}
	}
	if b, want := j.Bytes(), int64(4*(n+int(entryOverhead))); b < int64(4*n) || b > want+4*1024 {
		t.Errorf("Bytes() = %d, want about %d: a stored body counts its length", b, want)
	}
}

// TestBodiesWhenEveryChunkIsHeld: a body taken while every chunk holds a
// body still being written comes from the heap, and is kept all the same.
func TestBodiesWhenEveryChunkIsHeld(t *testing.T) {
	j := New(100, 2*bodyChunkSize) // three chunks at most
	var held []BodyBuffer
	for range 3 * bodyChunkSize / MaxBody {
		held = append(held, j.BodyBuffer(MaxBody))
	}
	if len(j.bodies.chunks) != j.bodies.max {
		t.Fatalf("%d chunks of %d", len(j.bodies.chunks), j.bodies.max)
	}
	want := addBody(j, 1, 1000)
	if got := j.Entries(Filter{}); len(got) != 1 || got[0].ResponseBody != want {
		t.Fatalf("the heap body was not kept: %d entries", len(got))
	}
	for _, b := range held {
		e := Entry{Method: "GET", Path: "/held"}
		e.KeepResponseBuffer(b)
		j.Add(e)
	}
	j.Clear()
	if want := addBody(j, 2, 1000); j.Entries(Filter{})[0].ResponseBody != want {
		t.Fatal("a body after Clear was not kept")
	}
}

// TestBodiesConcurrent: writers fill buffers and add their entries while
// readers read the journal; every body read is the one its request wrote
// (the race detector watches the chunks' reuse).
func TestBodiesConcurrent(t *testing.T) {
	j := New(8, 1<<30)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				addBody(j, w*1000+i, 1000+(i%7)*2000)
			}
		}()
	}
	check := func(e Entry) {
		var i int
		if _, err := fmt.Sscanf(e.Path, "/p/%d", &i); err != nil {
			t.Errorf("path %q", e.Path)
			return
		}
		if want := strings.Repeat(fmt.Sprintf("%07d,", i), int(e.ResponseBodyBytes)/8+1)[:e.ResponseBodyBytes]; e.ResponseBody != want {
			t.Errorf("%s holds another body", e.Path)
		}
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				for _, e := range j.Entries(Filter{}) {
					check(e)
				}
				if e, ok := j.Entry(j.LastSeq()); ok {
					check(e)
				}
			}
		}()
	}
	wg.Wait()
}
