package yunxin

import (
	"bytes"
	"testing"
	"time"

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
