package journal

import (
	"testing"
	"time"
)

// budgetAdd is the allocations of one Journal.Add: one, the entry's own
// copy of its strings, headers and bodies (so that it pins no request).
// Every vendor request adds an entry, so the ring stores entries by value
// and grows only until it is full; redaction allocates only when it
// replaces something other than a Bearer token.
const budgetAdd = 1

func TestAllocsAdd(t *testing.T) {
	j := New(DefaultSize, DefaultBytes)
	headers := []Header{{"Appkey", "chatemu-yunxin-demo"}, {"Checksum", "3f2a"}, {"Curtime", "1795168800"}, {"Host", "127.0.0.1:8080"}, {"Nonce", "n1"}}
	e := Entry{Time: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Vendor: "yunxin", Operation: YunxinChatroomHistory,
		Method: "GET", Path: "/im/v2/chatrooms/10001/messages", Query: "sender_id=amy&limit=20", Status: 200,
		ResponseBody: `{"code":200,"msg":"success","data":{"has_more":false,"items":[]}}`, ResponseBodyBytes: 62,
		Tenant: "yunxin:chatemu-yunxin-demo", Duration: time.Millisecond}
	if n := testing.AllocsPerRun(1000, func() {
		e.RequestHeaders = headers // the caller's slice becomes the entry's
		j.Add(e)
	}); n > budgetAdd {
		t.Errorf("Journal.Add: %v allocations, budget %d", n, budgetAdd)
	}
}
