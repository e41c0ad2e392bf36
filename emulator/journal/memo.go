package journal

import (
	"strings"
	"sync/atomic"
)

// A client that asks the same page again and again (a poller, a retry
// loop, a load test) gets the same bytes each time, and each entry would
// cut, check and redact the same 16 KiB again. The journal remembers the
// last bodies it kept, in memoSlots slots chosen by length, each with the
// form the journal keeps of it, and gives an entry whose body is one of
// them that form itself, shared rather than copied: its content is exactly
// what cutting and redacting would give, as a memo is found only by
// comparing the whole body, never by a hash.
//
// An entry counts a shared body in full against the budget, as if it were
// its own, so the budget never counts less than the entries hold. The memo
// itself holds at most memoSlots × 2 × MaxBody bytes (a body and its
// redacted form), all of them the journal's own copies, and Clear drops it.

// memoSlots is how many bodies the journal remembers.
const memoSlots = 4

// memoMin is the shortest body remembered: a shorter one is cut and
// redacted faster than it is looked up.
const memoMin = 512

// keptBody is a body as an entry was given it, cut at MaxBody, and the
// form the journal keeps of it.
type keptBody struct {
	raw  string // as given, cut at MaxBody: the journal's own copy
	kept string // whole characters, redacted; raw itself when that is all of raw
}

// bodyMemo is the journal's memo of the last bodies kept, safe for
// concurrent use. A nil *bodyMemo remembers nothing.
type bodyMemo struct {
	slots [memoSlots]atomic.Pointer[keptBody]
}

// body returns what an entry keeps of a body s of size bytes (truncated:
// s is already cut): s cut at MaxBody and at a whole character, redacted;
// and whether that is less than the body. own reports that the result is
// already a string of the journal's own, not to be copied again.
func (m *bodyMemo) body(s string, size int64, truncated bool) (kept string, cut, own bool) {
	if len(s) > MaxBody {
		s, truncated = s[:MaxBody], true
	}
	var slot *atomic.Pointer[keptBody]
	if m != nil && len(s) >= memoMin {
		slot = &m.slots[len(s)%memoSlots]
		if k := slot.Load(); k != nil && k.raw == s {
			// The cut at a whole character only shortens raw: kept is raw
			// or its redaction, which a memo of the same raw shares.
			return k.kept, truncated || int64(len(s)) < size, true
		}
	}
	whole, truncated := cutBody(s, size, truncated)
	kept = redactBody(whole)
	own = renewed(kept, whole)
	if slot == nil || len(whole) != len(s) {
		return kept, truncated, own
	}
	// Remembered: the journal's own copies of the body and of its kept
	// form, which the entry shares.
	raw := strings.Clone(s)
	if !own {
		kept = raw
	}
	slot.Store(&keptBody{raw: raw, kept: kept})
	return kept, truncated, true
}

// clear forgets every body.
func (m *bodyMemo) clear() {
	for i := range m.slots {
		m.slots[i].Store(nil)
	}
}
