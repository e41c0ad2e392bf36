package journal

import (
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRing(t *testing.T) {
	j := New(3, DefaultBytes)
	for i := 1; i <= 5; i++ {
		j.Add(Entry{Vendor: []string{"easemob", "yunxin"}[i%2], Operation: Operation("op" + strconv.Itoa(i))})
	}
	got := j.Entries(Filter{})
	if len(got) != 3 || got[0].Seq != 3 || got[2].Seq != 5 || got[0].Operation != "op3" {
		t.Fatalf("entries %+v", got)
	}
	if y := j.Entries(Filter{Vendor: "yunxin"}); len(y) != 2 || y[0].Operation != "op3" || y[1].Operation != "op5" {
		t.Errorf("vendor filter %+v", y)
	}
	if o := j.Entries(Filter{Operation: "op4"}); len(o) != 1 || o[0].Seq != 4 {
		t.Errorf("operation filter %+v", o)
	}
	j.Clear()
	if n := len(j.Entries(Filter{})); n != 0 {
		t.Errorf("%d entries after Clear", n)
	}
	j.Add(Entry{})
	if e := j.Entries(Filter{}); len(e) != 1 || e[0].Seq != 1 {
		t.Errorf("after Clear %+v", e)
	}
}

func TestDisabled(t *testing.T) {
	for _, j := range []*Journal{nil, New(0, DefaultBytes), New(-1, DefaultBytes), New(5, 0), New(5, -1)} {
		j.Add(Entry{Operation: "x"})
		if e := j.Entries(Filter{}); len(e) != 0 || e == nil || j.Size() != 0 {
			t.Errorf("disabled journal kept %+v", e)
		}
		j.Clear()
	}
}

func TestLongFieldsCut(t *testing.T) {
	j := New(1, DefaultBytes)
	j.Add(Entry{Path: strings.Repeat("p", 3*MaxField), Query: strings.Repeat("q", MaxField+1), Reason: "short"})
	e := j.Entries(Filter{})[0]
	if len(e.Path) != MaxField+len("…") || len(e.Query) != MaxField+len("…") || e.Reason != "short" {
		t.Errorf("cut to %d, %d, %q", len(e.Path), len(e.Query), e.Reason)
	}
}

// TestBoundedUnderManyRequests: a small ring holds its size after 200,000
// requests, Add allocates only the entry's copy of its strings, and the full
// ring is never reallocated.
func TestBoundedUnderManyRequests(t *testing.T) {
	const n = 200_000
	j := New(16, DefaultBytes)
	e := Entry{Time: time.Unix(0, 0), Vendor: "easemob", Operation: "easemob.chatmessages", Method: "GET", Path: "/a/b/chatmessages/2026112009"}
	for range 16 {
		j.Add(e)
	}
	ring := &j.ring[0]
	for range n - 16 {
		j.Add(e)
	}
	if got := j.Entries(Filter{}); len(got) != 16 || got[15].Seq != n || got[0].Seq != n-15 {
		t.Fatalf("after %d: %d entries, last seq %d", n, len(got), got[len(got)-1].Seq)
	}
	if &j.ring[0] != ring || cap(j.ring) != 16 {
		t.Error("the ring was reallocated")
	}
	if a := testing.AllocsPerRun(1000, func() { j.Add(e) }); a > budgetAdd {
		t.Errorf("Add allocates %.1f times, budget %d", a, budgetAdd)
	}
}

func TestAnnotation(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	SetTenant(r, "ignored") // no annotation: no effect, no panic
	r, a := WithAnnotation(r)
	SetTenant(r, "easemob:o/a")
	if a.Tenant != "easemob:o/a" {
		t.Errorf("tenant %q", a.Tenant)
	}
}

func BenchmarkAdd(b *testing.B) {
	j := New(DefaultSize, DefaultBytes)
	e := Entry{Vendor: "easemob", Operation: "easemob.chatmessages", Method: "GET", Path: "/a/b/chatmessages/2026112009"}
	b.ReportAllocs()
	for b.Loop() {
		j.Add(e)
	}
}

// heapInuse is the heap in use after a full collection.
func heapInuse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// TestEntriesPinNoRequest: entries whose strings are slices of large
// request strings (net/http slices the method, path and query from the
// request line) keep only their own bytes once the requests are gone.
func TestEntriesPinNoRequest(t *testing.T) {
	const n, line = 200, 1 << 20
	j := New(n, DefaultBytes)
	before := heapInuse()
	for i := range n {
		req := "GET /_nos/k/x.jpg?q=" + strings.Repeat(strconv.Itoa(i%10), line)
		j.Add(Entry{Vendor: "yunxin", Operation: "yunxin.download", Method: req[:3], Path: req[4:17], Query: req[18:], Reason: req[18:40]})
	}
	grown := heapInuse() - before
	if got := len(j.Entries(Filter{})); got != n {
		t.Fatalf("%d entries, want %d", got, n)
	}
	if limit := 2 * j.Bytes(); grown > limit {
		t.Errorf("the heap grew %d bytes for %d entries keeping %d bytes (limit %d): the entries pin their requests", grown, n, j.Bytes(), limit)
	}
	runtime.KeepAlive(j)
}

// TestClearGivesMemoryBack: what the entries keep is freed by Clear.
func TestClearGivesMemoryBack(t *testing.T) {
	j := New(DefaultSize, 64<<20)
	long := strings.Repeat("x", 2*MaxField)
	before := heapInuse()
	for range DefaultSize {
		// Fresh strings each time, as from real requests.
		j.Add(Entry{Path: strings.Clone(long), Query: strings.Clone(long), Reason: strings.Clone(long), Tenant: strings.Clone(long)})
	}
	full := heapInuse() - before
	if kept := j.Bytes(); kept < 4*MaxField*DefaultSize || full < kept {
		t.Fatalf("the journal keeps %d bytes, the heap grew %d", kept, full)
	}
	j.Clear()
	if left := heapInuse() - before; left > 1<<20 {
		t.Errorf("%d bytes still in use after Clear (%d before it)", left, full)
	}
	runtime.KeepAlive(j)
}

// TestByteBudget: the journal never keeps more than its budget; the oldest
// entries go first; an entry larger than the budget is not kept.
func TestByteBudget(t *testing.T) {
	one := Entry{Path: strings.Repeat("p", 1000)}
	size := entryOverhead + 1000
	j := New(100, 10*size)
	for i := range 25 {
		j.Add(one)
		if b := j.Bytes(); b > j.MaxBytes() {
			t.Fatalf("after %d adds: %d bytes, budget %d", i+1, b, j.MaxBytes())
		}
	}
	got := j.Entries(Filter{})
	if len(got) != 10 || got[0].Seq != 16 || got[9].Seq != 25 || j.Bytes() != 10*size {
		t.Fatalf("%d entries from seq %d, %d bytes", len(got), got[0].Seq, j.Bytes())
	}
	// Smaller entries: as many fit as the budget allows, the large ones
	// gone first.
	for range 100 {
		j.Add(Entry{Path: "/"})
	}
	fit := int(j.MaxBytes() / (entryOverhead + 1))
	if n := len(j.Entries(Filter{})); fit <= 10 || n != fit || j.Bytes() != int64(fit)*(entryOverhead+1) {
		t.Errorf("%d small entries, %d bytes; want %d", n, j.Bytes(), fit)
	}
	// Too large for the budget: not kept, the others stay, Seq counts it.
	small := New(10, entryOverhead+100)
	small.Add(Entry{Path: "/a"})
	small.Add(Entry{Path: strings.Repeat("p", 200)})
	small.Add(Entry{Path: "/b"})
	if e := small.Entries(Filter{}); len(e) != 1 || e[0].Path != "/b" || e[0].Seq != 3 {
		t.Errorf("entries %+v", e)
	}
}

// TestEntryKept: what an entry keeps of a request and its answer: bodies
// cut at MaxBody with their size and a truncated flag, bodies that are not
// text dropped, headers in name order cut at MaxHeaders, credentials
// redacted, and the bytes counted against the budget (what the journal
// holds: the bodies as given, cut at MaxBody).
func TestEntryKept(t *testing.T) {
	long := strings.Repeat("é", MaxBody) // 2 bytes a character: cut inside one
	for _, tt := range []struct {
		name                  string
		in                    Entry
		reqBody, respBody     string
		reqTrunc, respTrunc   bool
		headers               int
		authorization, header string
	}{
		{name: "small", in: Entry{RequestBody: `{"a":1}`, RequestBodyBytes: 7, ResponseBody: "ok", ResponseBodyBytes: 2},
			reqBody: `{"a":1}`, respBody: "ok"},
		{name: "body not all read", in: Entry{RequestBody: `{"a"`, RequestBodyBytes: 7},
			reqBody: `{"a"`, reqTrunc: true},
		{name: "long text", in: Entry{RequestBody: long, RequestBodyBytes: int64(len(long)), ResponseBody: long[:MaxBody+1], ResponseBodyBytes: 1 << 20},
			reqBody: long[:MaxBody], reqTrunc: true, respBody: long[:MaxBody], respTrunc: true},
		{name: "cut inside a character", in: Entry{ResponseBody: "a" + long[:MaxBody], ResponseBodyBytes: int64(MaxBody + 1)},
			respBody: "a" + long[:MaxBody-2], respTrunc: true},
		{name: "binary", in: Entry{ResponseBody: "\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", ResponseBodyBytes: 5000},
			respTrunc: true},
		{name: "redacted", in: Entry{RequestBody: `{"client_secret":"s"}`, RequestBodyBytes: 21, ResponseBody: `{"access_token":"t"}`, ResponseBodyBytes: 20,
			RequestHeaders: []Header{{"Authorization", "Bearer t"}, {"Content-Type", "application/json"}}},
			reqBody: `{"client_secret":"REDACTED"}`, respBody: `{"access_token":"REDACTED"}`, headers: 2, authorization: "Bearer REDACTED"},
		{name: "many headers", in: Entry{RequestHeaders: manyHeaders(MaxHeaders + 10)}, headers: MaxHeaders},
	} {
		j := New(10, DefaultBytes)
		j.Add(tt.in)
		e := j.Entries(Filter{})[0]
		if e.RequestBody != tt.reqBody || e.ResponseBody != tt.respBody || e.RequestBodyTruncated != tt.reqTrunc || e.ResponseBodyTruncated != tt.respTrunc ||
			e.RequestBodyBytes != tt.in.RequestBodyBytes || e.ResponseBodyBytes != tt.in.ResponseBodyBytes {
			t.Errorf("%s: request %d %q (%v), response %d %.40q (%v)", tt.name, len(e.RequestBody), e.RequestBody, e.RequestBodyTruncated,
				len(e.ResponseBody), e.ResponseBody, e.ResponseBodyTruncated)
		}
		if len(e.RequestHeaders) != tt.headers || e.Header("authorization") != tt.authorization {
			t.Errorf("%s: %d headers, Authorization %q", tt.name, len(e.RequestHeaders), e.Header("authorization"))
		}
		// The budget counts what the journal holds: the bodies as given,
		// cut at MaxBody, which a reader gets settled (cut at a character,
		// redacted).
		want := entryOverhead + int64(len(e.RequestHeaders))*headerOverhead +
			int64(min(len(tt.in.RequestBody), MaxBody)+min(len(tt.in.ResponseBody), MaxBody))
		for _, h := range e.RequestHeaders {
			want += int64(len(h.Name) + len(h.Value))
		}
		if j.Bytes() != want {
			t.Errorf("%s: %d bytes counted, want %d", tt.name, j.Bytes(), want)
		}
	}
}

func manyHeaders(n int) []Header {
	h := make([]Header, n)
	for i := range h {
		h[i] = Header{"X-H" + strconv.Itoa(1000+i), "v"}
	}
	return h
}

// TestFilter: each filter of GET /_chatemu/requests, alone and together.
func TestFilter(t *testing.T) {
	j := New(100, DefaultBytes)
	for _, e := range []Entry{
		{Vendor: "easemob", Operation: EasemobToken, Status: 200, Tenant: "easemob:o/a"},           // 1
		{Vendor: "easemob", Operation: EasemobChatMessages, Status: 401, Tenant: "easemob:o/a"},    // 2
		{Vendor: "yunxin", Operation: YunxinChatroomHistory, Status: 200, Tenant: "yunxin:k"},      // 3
		{Vendor: "easemob", Operation: EasemobUnknown, Status: 500},                                // 4
		{Vendor: "op", Operation: OpUserMessageList, Status: 200, Tenant: "op:c"},                  // 5
		{Vendor: "yunxin", Operation: YunxinUnknown, Status: 404},                                  // 6
		{Vendor: "easemob", Operation: EasemobChatMessages, Status: 0, Tenant: "easemob:o/a"},      // 7
		{Vendor: "easemob", Operation: EasemobArchiveDownload, Status: 403, Tenant: "easemob:o/a"}, // 8
	} {
		j.Add(e)
	}
	for _, tt := range []struct {
		name string
		f    Filter
		want []uint64
	}{
		{"all", Filter{}, []uint64{1, 2, 3, 4, 5, 6, 7, 8}},
		{"vendor", Filter{Vendor: "easemob"}, []uint64{1, 2, 4, 7, 8}},
		{"operation", Filter{Operation: EasemobChatMessages}, []uint64{2, 7}},
		{"tenant", Filter{Tenant: "easemob:o/a"}, []uint64{1, 2, 7, 8}},
		{"status", Filter{Status: Status(200)}, []uint64{1, 3, 5}},
		{"dropped", Filter{Status: Status(0)}, []uint64{7}},
		{"class", Filter{Status: StatusClass(4)}, []uint64{2, 6, 8}},
		{"since", Filter{Since: 5}, []uint64{6, 7, 8}},
		{"since the last", Filter{Since: 8}, nil},
		{"limit", Filter{Limit: 3}, []uint64{6, 7, 8}},
		{"unmatched", Filter{Unmatched: true}, []uint64{4, 6}},
		{"matched", Filter{Matched: true}, []uint64{1, 2, 3, 5, 7, 8}},
		{"together", Filter{Vendor: "easemob", Status: StatusClass(4), Since: 2, Limit: 1}, []uint64{8}},
		{"limit of a filter", Filter{Tenant: "easemob:o/a", Limit: 2}, []uint64{7, 8}},
	} {
		var got []uint64
		for _, e := range j.Entries(tt.f) {
			got = append(got, e.Seq)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if j.LastSeq() != 8 {
		t.Errorf("LastSeq %d", j.LastSeq())
	}
	for _, tt := range []struct {
		in   string
		ok   bool
		want StatusMatch
	}{
		{"", true, StatusMatch{}}, {"404", true, Status(404)}, {"0", true, Status(0)}, {"4xx", true, StatusClass(4)},
		{"5XX", true, StatusClass(5)}, {"612", true, Status(612)},
		{"40", false, StatusMatch{}}, {"4x", false, StatusMatch{}}, {"x04", false, StatusMatch{}}, {"0xx", false, StatusMatch{}},
		{"-1", false, StatusMatch{}}, {"1000", false, StatusMatch{}}, {"04", false, StatusMatch{}},
	} {
		if got, ok := ParseStatus(tt.in); ok != tt.ok || got != tt.want {
			t.Errorf("ParseStatus(%q) = %+v, %v", tt.in, got, ok)
		}
	}
}

func TestOperations(t *testing.T) {
	for _, o := range Operations {
		if !o.Known() || UnknownOperation(o.Vendor()) == "" || (o == UnknownOperation(o.Vendor())) != o.Unmatched() {
			t.Errorf("%s", o)
		}
	}
	if Operation("easemob.chatmesages").Known() {
		t.Error("a typo is known")
	}
}
