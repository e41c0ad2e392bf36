package yunxin

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
)

// TestPageCacheFollowsTheWorld asks one page repeatedly around an
// injection and a reset: each answer must be what a surface without a
// cache would write. A cache that ignored world.Version would serve the
// page from before the injection.
func TestPageCacheFollowsTheWorld(t *testing.T) {
	e := newEnv(t)
	q := query{app: appMain, room: "100", sender: "u1", limit: 5}
	get := func() []byte {
		t.Helper()
		status, body, _ := do(t, docClient{}.request(e, q))
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		return body
	}
	before := get()
	if again := get(); !bytes.Equal(before, again) {
		t.Fatalf("a repeated page differs:\n%s\n%s", before, again)
	}
	if e.s.pages.Len() == 0 {
		t.Fatal("the page was not cached")
	}

	tenant := world.YunxinTenant(appMain)
	msg := world.Message{Kind: world.Text, Text: "injected after the page was cached", From: "u1", To: "100",
		ChatType: world.ChatRoom, At: t0.Add(-time.Minute)}
	if _, err := e.w.Inject(tenant, []world.Message{msg}, t0); err != nil {
		t.Fatal(err)
	}
	after := get()
	if !bytes.Contains(after, []byte("injected after the page was cached")) {
		t.Fatalf("the page after an injection is stale:\n%s", after)
	}

	if err := e.w.Reset(); err != nil {
		t.Fatal(err)
	}
	if reset := get(); !bytes.Equal(reset, before) {
		t.Fatalf("the page after a reset differs from the first:\n%s\n%s", before, reset)
	}

	// A fresh surface over the same world (no cache yet) writes the same
	// bytes as the cached one.
	e.s.pages.Reset()
	if cold := get(); !bytes.Equal(cold, before) {
		t.Fatalf("cold and cached pages differ:\n%s\n%s", before, cold)
	}
}

// TestPagesCachedOnSecondAsk: a page enters the cache on its second ask
// (pagecache.Cache.Admit), so a walk, asking each page once, leaves the
// cache alone; and a first ask's page longer than the journal keeps,
// written from the buffer it was rendered in, is the same bytes as the
// cached one.
func TestPagesCachedOnSecondAsk(t *testing.T) {
	e := newEnv(t)
	first := walkRoom(t, e, 100, nil)
	if n := e.s.pages.Len(); n != 0 {
		t.Fatalf("a walk asking each page once left %d pages in the cache", n)
	}
	if len(first) < 2 || len(first[0]) <= journal.MaxBody {
		t.Fatalf("%d pages, the first of %d bytes: none longer than the journal keeps (%d)", len(first), len(first[0]), journal.MaxBody)
	}
	for ask := 2; ask <= 3; ask++ {
		again := walkRoom(t, e, 100, nil)
		for i := range again {
			if !bytes.Equal(again[i], first[i]) {
				t.Fatalf("ask %d of page %d differs from the first", ask, i)
			}
		}
		if n := e.s.pages.Len(); n != len(first) {
			t.Fatalf("after ask %d of each page, %d pages cached, want %d", ask, n, len(first))
		}
	}
}

// TestFirstAsksAtOnce: walks at once, each of its own page size so that
// every ask is a first one, written from the buffer it was rendered in
// (run with -race), read what the same walks read one at a time on
// another server: no buffer goes back to the pool while it is written.
func TestFirstAsksAtOnce(t *testing.T) {
	limits := []int{100, 97, 94, 91, 88, 85, 82, 79}
	lone := newEnv(t)
	want := map[int][][]byte{}
	for _, limit := range limits {
		want[limit] = walkRoom(t, lone, limit, nil)
	}
	e := newEnv(t)
	fix := func(p []byte) []byte { return bytes.ReplaceAll(p, []byte(lone.srv.URL), []byte(e.srv.URL)) }
	var wg sync.WaitGroup
	for _, limit := range limits {
		wg.Go(func() {
			walkRoom(t, e, limit, func(i int, p []byte) {
				if i >= len(want[limit]) || !bytes.Equal(p, fix(want[limit][i])) {
					t.Errorf("limit %d: page %d differs from the lone walk's", limit, i)
				}
			})
		})
	}
	wg.Wait()
}

// walkRoom walks room 100's pages of u1, limit a page, and returns them;
// each, with its index, goes to each when not nil. Errors are the test's
// (t.Errorf: walkRoom may run on other goroutines).
func walkRoom(t *testing.T, e *env, limit int, each func(int, []byte)) [][]byte {
	var pages [][]byte
	q := query{app: appMain, room: "100", sender: "u1", limit: limit}
	for {
		status, body, _ := do(t, docClient{}.request(e, q))
		if status != 200 {
			t.Errorf("status %d: %s", status, body)
			return pages
		}
		if each != nil {
			each(len(pages), body)
		}
		pages = append(pages, body)
		var p struct {
			Data struct {
				NextToken string `json:"next_token"`
			}
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("%v: %s", err, body)
			return pages
		}
		if p.Data.NextToken == "" {
			return pages
		}
		q.pageToken = p.Data.NextToken
	}
}
