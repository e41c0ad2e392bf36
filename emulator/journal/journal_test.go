package journal

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRing(t *testing.T) {
	j := New(3)
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
	for _, j := range []*Journal{nil, New(0), New(-1)} {
		j.Add(Entry{Operation: "x"})
		if e := j.Entries(Filter{}); len(e) != 0 || e == nil || j.Size() != 0 {
			t.Errorf("disabled journal kept %+v", e)
		}
		j.Clear()
	}
}

func TestLongFieldsCut(t *testing.T) {
	j := New(1)
	j.Add(Entry{Path: strings.Repeat("p", 3*MaxField), Query: strings.Repeat("q", MaxField+1), Reason: "short"})
	e := j.Entries(Filter{})[0]
	if len(e.Path) != MaxField+len("…") || len(e.Query) != MaxField+len("…") || e.Reason != "short" {
		t.Errorf("cut to %d, %d, %q", len(e.Path), len(e.Query), e.Reason)
	}
}

// TestBoundedUnderAMillionRequests: a small ring holds its size after a
// million requests, Add allocates nothing, and the ring is never
// reallocated.
func TestBoundedUnderAMillionRequests(t *testing.T) {
	j := New(16)
	ring := &j.ring[0]
	e := Entry{Time: time.Unix(0, 0), Vendor: "easemob", Operation: "easemob.chatmessages", Method: "GET", Path: "/a/b/chatmessages/2026112009"}
	for range 1_000_000 {
		j.Add(e)
	}
	if got := j.Entries(Filter{}); len(got) != 16 || got[15].Seq != 1_000_000 || got[0].Seq != 1_000_000-15 {
		t.Fatalf("after 1M: %d entries, last seq %d", len(got), got[len(got)-1].Seq)
	}
	if &j.ring[0] != ring || cap(j.ring) != 16 {
		t.Error("the ring was reallocated")
	}
	if a := testing.AllocsPerRun(1000, func() { j.Add(e) }); a != 0 {
		t.Errorf("Add allocates %.1f times", a)
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
	j := New(DefaultSize)
	e := Entry{Vendor: "easemob", Operation: "easemob.chatmessages", Method: "GET", Path: "/a/b/chatmessages/2026112009"}
	b.ReportAllocs()
	for b.Loop() {
		j.Add(e)
	}
}
