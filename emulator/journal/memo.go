package journal

import (
	"strings"
	"sync/atomic"
)

// A client that asks the same page again and again (a poller, a retry
// loop, a load test) gets the same bytes each time, and each entry would
// copy the same 16 KiB again. The journal remembers the last bodies it
// kept, in memoSlots slots chosen by length, and gives an entry whose body
// is one of them the journal's copy, shared rather than copied: a memo is
// found only by comparing the whole body, never by a hash.
//
// An entry counts a shared body in full against the budget, as if it were
// its own, so the budget never counts less than the entries hold. The memo
// itself holds at most memoSlots × MaxBody bytes, all of them the
// journal's own copies, and Clear drops it.

// memoSlots is how many bodies the journal remembers.
const memoSlots = 4

// memoMin is the shortest body remembered: a shorter one is copied faster
// than it is looked up.
const memoMin = 512

// bodyMemo is the journal's memo of the last bodies kept, safe for
// concurrent use. A nil *bodyMemo remembers nothing.
type bodyMemo struct {
	slots [memoSlots]atomic.Pointer[string]
}

// body returns what an entry keeps of a body s (truncated: s is already
// cut) until it is read: s cut at MaxBody, and whether that cut it. own
// reports that the result is a string of the journal's own (the memo's),
// not to be copied again.
func (m *bodyMemo) body(s string, truncated bool) (kept string, cut, own bool) {
	if len(s) > MaxBody {
		s, truncated = s[:MaxBody], true
	}
	if m == nil || len(s) < memoMin {
		return s, truncated, false
	}
	slot := &m.slots[len(s)%memoSlots]
	if k := slot.Load(); k != nil && *k == s {
		return *k, truncated, true
	}
	raw := strings.Clone(s)
	slot.Store(&raw)
	return raw, truncated, true
}

// clear forgets every body.
func (m *bodyMemo) clear() {
	for i := range m.slots {
		m.slots[i].Store(nil)
	}
}
