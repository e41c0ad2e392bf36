package journal

import (
	"testing"
)

// closed reports whether ch is closed, without waiting.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestChanged: the channel a follower holds is closed by the next Add and
// by Clear, and a new one is handed out after.
func TestChanged(t *testing.T) {
	j := New(4, DefaultBytes)
	ch := j.Changed()
	if closed(ch) {
		t.Fatal("closed before any entry")
	}
	if again := j.Changed(); again != ch {
		t.Error("two followers got different channels before a change")
	}
	j.Add(Entry{Vendor: "easemob"})
	if !closed(ch) {
		t.Fatal("Add did not close the channel")
	}
	next := j.Changed()
	if closed(next) {
		t.Fatal("the channel after a change is already closed")
	}
	j.Clear()
	if !closed(next) {
		t.Error("Clear did not close the channel")
	}
	for _, off := range []*Journal{nil, New(0, DefaultBytes)} {
		if ch := off.Changed(); ch != nil {
			t.Errorf("a disabled journal handed out %v, want nil (never fires)", ch)
		}
	}
}

// TestChangedAllocs: Add costs no more while nobody follows, and one
// follower's wake-up costs the channel only.
func TestChangedAllocs(t *testing.T) {
	j := New(DefaultSize, DefaultBytes)
	e := Entry{Vendor: "op", Operation: OpUserMessageList, Path: "/op/v2/userMessageList"}
	base := testing.AllocsPerRun(200, func() { j.Add(e) })
	followed := testing.AllocsPerRun(200, func() {
		j.Changed()
		j.Add(e)
	})
	if followed > base+1 {
		t.Errorf("Add with a follower: %v allocations, without %v; want at most one more (the channel)", followed, base)
	}
}

// TestEntry finds held entries by sequence number, across the ring's wrap
// and the gaps left by entries over the budget, and not the gone ones.
func TestEntry(t *testing.T) {
	j := New(4, 4096)
	big := make([]byte, 8192)
	for i := range big {
		big[i] = 'x'
	}
	for i := 1; i <= 7; i++ {
		e := Entry{Vendor: "yunxin", Path: "/p" + string(rune('0'+i))}
		if i == 6 {
			e.ResponseBody, e.ResponseBodyBytes = string(big), int64(len(big)) // over the budget: not kept
		}
		j.Add(e)
	}
	// Held: 3, 4, 5, 7 (6 was never kept; 1 and 2 fell out of the ring).
	for seq, want := range map[uint64]string{3: "/p3", 4: "/p4", 5: "/p5", 7: "/p7"} {
		e, ok := j.Entry(seq)
		if !ok || e.Seq != seq || e.Path != want {
			t.Errorf("Entry(%d) = %+v, %v; want path %s", seq, e, ok, want)
		}
	}
	for _, seq := range []uint64{0, 1, 2, 6, 8, 100} {
		if e, ok := j.Entry(seq); ok {
			t.Errorf("Entry(%d) = %+v, want none", seq, e)
		}
	}
	j.Clear()
	if _, ok := j.Entry(7); ok {
		t.Error("Entry(7) after Clear")
	}
	var none *Journal
	if _, ok := none.Entry(1); ok {
		t.Error("nil journal has an entry")
	}
}
