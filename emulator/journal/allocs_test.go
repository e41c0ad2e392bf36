package journal

import (
	"testing"
	"time"
)

// budgetAdd is the allocations of one Journal.Add: one, the entry's own
// copy of its strings (so that it pins no request). Every vendor request
// adds an entry, so the ring stores entries by value and grows only until
// it is full.
const budgetAdd = 1

func TestAllocsAdd(t *testing.T) {
	j := New(DefaultSize, DefaultBytes)
	e := Entry{Time: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Vendor: "yunxin", Operation: "yunxin.chatroom_history",
		Method: "GET", Path: "/im/v2/chatrooms/10001/messages", Query: "sender_id=amy&limit=20", Status: 200,
		Tenant: "yunxin:chatemu-yunxin-demo", Duration: time.Millisecond}
	if n := testing.AllocsPerRun(1000, func() { j.Add(e) }); n > budgetAdd {
		t.Errorf("Journal.Add: %v allocations, budget %d", n, budgetAdd)
	}
}
