package journal

import (
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRing(t *testing.T) {
	j := New(3, DefaultBytes)
	for i := 1; i <= 5; i++ {
		j.Add(Entry{Vendor: []string{"easemob", "yunxin"}[i%2], Operation: "op" + strconv.Itoa(i)})
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

// TestBoundedUnderAMillionRequests: a small ring holds its size after a
// million requests, Add allocates only the entry's copy of its strings, and
// the full ring is never reallocated.
func TestBoundedUnderAMillionRequests(t *testing.T) {
	j := New(16, DefaultBytes)
	e := Entry{Time: time.Unix(0, 0), Vendor: "easemob", Operation: "easemob.chatmessages", Method: "GET", Path: "/a/b/chatmessages/2026112009"}
	for range 16 {
		j.Add(e)
	}
	ring := &j.ring[0]
	for range 1_000_000 - 16 {
		j.Add(e)
	}
	if got := j.Entries(Filter{}); len(got) != 16 || got[15].Seq != 1_000_000 || got[0].Seq != 1_000_000-15 {
		t.Fatalf("after 1M: %d entries, last seq %d", len(got), got[len(got)-1].Seq)
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
