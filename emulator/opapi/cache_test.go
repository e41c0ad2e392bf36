package opapi

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// TestPageCacheFollowsTheWorldAndClock asks one page repeatedly around an
// injection, a clock move and a reset: each answer must be what a surface
// without a cache writes. The page enters the cache on its second ask
// (pagecache.Cache.Admit). A cache that ignored world.Version would serve
// the page from before the injection; one that ignored the clock would
// keep the old operationTime and getUrl deadlines.
func TestPageCacheFollowsTheWorldAndClock(t *testing.T) {
	e := newEnv(t)
	const body = `{"userId":"alice","pageNum":1,"pageSize":20}`
	get := func() []byte {
		t.Helper()
		r := e.list(t, listQuery, body)
		if r.Status != 200 {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		return r.Body
	}
	before := get()
	if n := e.s.pages.Len(); n != 0 {
		t.Fatalf("a page asked for once is cached (%d pages): a walk would fill the cache", n)
	}
	if again := get(); !bytes.Equal(before, again) {
		t.Fatalf("a repeated page differs:\n%s\n%s", before, again)
	}
	if n := e.s.pages.Len(); n != 1 {
		t.Fatalf("a page asked for twice is not cached (%d pages)", n)
	}

	msg := world.Message{Kind: world.Text, Text: "injected after the page was cached", From: "bob", To: "alice",
		ChatType: world.Chat, At: t0.Add(-time.Second)}
	if _, err := e.world.Inject(tenant, []world.Message{msg}, t0); err != nil {
		t.Fatal(err)
	}
	if after := get(); !bytes.Contains(after, []byte("injected after the page was cached")) {
		t.Fatalf("the page after an injection is stale:\n%s", after)
	}

	e.clock.Advance(time.Second)
	later := get()
	if !strings.Contains(string(later), `"operationTime":"2026-03-08 17:29:18"`) {
		t.Fatalf("the page a second later keeps the old clock:\n%s", later)
	}

	if err := e.world.Reset(); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(t0)
	if reset := get(); !bytes.Equal(reset, before) {
		t.Fatalf("the page after a reset differs from the first:\n%s\n%s", before, reset)
	}
}
