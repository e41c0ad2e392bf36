package journal

import (
	"strings"
	"testing"
	"unsafe"
)

// TestMemoKeepsWhatAFreshJournalKeeps: an entry whose body the journal
// remembers keeps exactly what a journal that never saw the body keeps
// (cut, whole characters, redaction, truncated flag, bytes counted), for
// every body asked twice, whichever came between.
func TestMemoKeepsWhatAFreshJournalKeeps(t *testing.T) {
	page := `{"code":200,"data":{"items":[` + strings.Repeat(`{"text":"hello","url":"https://x/a.jpg?e=1&token=k:s"},`, 40) + `{}]}}`
	same := strings.Repeat("y", len(page)) // same length: the same slot
	long := strings.Repeat(`{"access_token":"t","n":"é"}`, MaxBody/20)
	cases := []struct {
		name string
		e    Entry
	}{
		{"page with credentials", Entry{ResponseBody: page, ResponseBodyBytes: int64(len(page))}},
		{"cut by the writer", Entry{ResponseBody: page, ResponseBodyBytes: 1 << 20}},
		{"same length, other bytes", Entry{ResponseBody: same, ResponseBodyBytes: int64(len(same))}},
		{"no credentials", Entry{RequestBody: strings.Repeat("z", 4096), RequestBodyBytes: 4096}},
		{"no credentials again", Entry{RequestBody: strings.Repeat("z", 4096), RequestBodyBytes: 4096}},
		{"cut at MaxBody inside a character", Entry{ResponseBody: long, ResponseBodyBytes: int64(len(long))}},
		{"request and answer the same", Entry{RequestBody: page, RequestBodyBytes: int64(len(page)), ResponseBody: page, ResponseBodyBytes: int64(len(page))}},
		{"not UTF-8", Entry{ResponseBody: "\xff" + page, ResponseBodyBytes: int64(len(page) + 1)}},
	}
	j := New(DefaultSize, DefaultBytes)
	for round := range 3 {
		for _, c := range cases {
			fresh := New(1, DefaultBytes)
			fresh.Add(c.e)
			want := fresh.Entries(Filter{})[0]
			j.Add(c.e)
			got := j.Entries(Filter{Limit: 1})[0]
			want.Seq = got.Seq
			if got.RequestBody != want.RequestBody || got.ResponseBody != want.ResponseBody ||
				got.RequestBodyTruncated != want.RequestBodyTruncated || got.ResponseBodyTruncated != want.ResponseBodyTruncated {
				t.Errorf("round %d, %s: kept %.80q (cut %v), want %.80q (cut %v)", round, c.name,
					got.ResponseBody, got.ResponseBodyTruncated, want.ResponseBody, want.ResponseBodyTruncated)
			}
			if fresh.Bytes() != j.ring[(j.head+j.count-1)%len(j.ring)].kept {
				t.Errorf("round %d, %s: counted %d bytes, a fresh journal %d", round, c.name, j.ring[(j.head+j.count-1)%len(j.ring)].kept, fresh.Bytes())
			}
		}
	}
	if got := j.Entries(Filter{Limit: 1})[0].ResponseBody; strings.Contains(got, "token=k") {
		t.Errorf("a credential kept: %.200s", got)
	}
}

// TestMemoShares: a page asked again is shared with the entry that kept it
// (no copy, one allocation: the entry's other strings), and Clear forgets
// it.
func TestMemoShares(t *testing.T) {
	page := strings.Repeat(`{"text":"hello"},`, 200)
	j := New(DefaultSize, DefaultBytes)
	e := Entry{Path: "/p", ResponseBody: page, ResponseBodyBytes: int64(len(page))}
	j.Add(e)
	if n := testing.AllocsPerRun(100, func() { j.Add(e) }); n > budgetAdd {
		t.Errorf("Add of a remembered body: %v allocations, budget %d", n, budgetAdd)
	}
	all := j.Entries(Filter{})
	first, last := all[0].ResponseBody, all[len(all)-1].ResponseBody
	if first != page || unsafe.StringData(first) != unsafe.StringData(last) || unsafe.StringData(first) == unsafe.StringData(page) {
		t.Errorf("the body is not the journal's own copy shared by its entries")
	}
	j.Clear()
	j.Add(e)
	if again := j.Entries(Filter{})[0].ResponseBody; unsafe.StringData(again) == unsafe.StringData(first) {
		t.Errorf("a body remembered across Clear")
	}
}

// TestBodiesSettleOnRead: a body is held as given until read, and every
// way of reading an entry gives it cut at a whole character and redacted;
// a reader that asks for no bodies gets none, with their lengths. Adding
// a new page with credentials costs two allocations (the entry's strings
// and the memo's copy of the page), not its redaction's.
func TestBodiesSettleOnRead(t *testing.T) {
	page := `{"items":[` + strings.Repeat(`{"url":"https://x/a.jpg?e=1&token=k:s"},`, 40) + `{}],"n":"é"}`
	j := New(DefaultSize, DefaultBytes)
	n := 0
	if a := testing.AllocsPerRun(100, func() {
		n++
		p := page + strings.Repeat(" ", n%memoSlots) // a body the memo does not hold
		j.Add(Entry{Path: "/p", ResponseBody: p, ResponseBodyBytes: int64(len(p))})
	}); a > budgetAdd+1+1 { // + the test's own page
		t.Errorf("Add of a new page: %v allocations, want ≤ %d", a, budgetAdd+2)
	}
	seq := j.LastSeq()
	want := redactBody(page + strings.Repeat(" ", n%memoSlots))
	if !strings.Contains(want, Redacted) || strings.Contains(want, "token=k") {
		t.Fatalf("the test's page is not redacted: %.100s", want)
	}
	all := j.Entries(Filter{})
	one, ok := j.Entry(seq)
	reads := map[string]string{"Entries": all[len(all)-1].ResponseBody, "Entry": one.ResponseBody}
	for how, got := range reads {
		if !ok || got != want {
			t.Errorf("%s: %.100q, want %.100q", how, got, want)
		}
	}
	bare := j.Entries(Filter{NoBodies: true, Limit: 1})[0]
	if bare.ResponseBody != "" || bare.RequestBody != "" || bare.ResponseBodyBytes != int64(len(page)+n%memoSlots) || bare.Seq != seq {
		t.Errorf("NoBodies: %+v", bare)
	}
	cut := "a" + strings.Repeat("é", MaxBody)
	j.Add(Entry{ResponseBody: cut, ResponseBodyBytes: int64(len(cut))})
	if e, _ := j.Entry(j.LastSeq()); len(e.ResponseBody) != MaxBody-1 || !e.ResponseBodyTruncated {
		t.Errorf("Entry of a body cut inside a character: %d bytes, truncated %v", len(e.ResponseBody), e.ResponseBodyTruncated)
	}
}

// TestKeepResponseBody: a body the caller says nothing writes again is
// kept as it is, not copied (no allocation for it), counted at the memory
// it holds, and read settled like any other.
func TestKeepResponseBody(t *testing.T) {
	page := []byte(`{"items":[` + strings.Repeat(`{"url":"https://x/a.jpg?e=1&token=k:s"},`, 600) + `{}]}`)
	page = page[:len(page):len(page)] // 24 KiB: kept as it is
	body := unsafe.String(&page[0], MaxBody)
	j := New(DefaultSize, DefaultBytes)
	e := Entry{Path: "/p", ResponseBody: body, ResponseBodyBytes: int64(len(page))}
	e.KeepResponseBody(int64(cap(page)))
	if n := testing.AllocsPerRun(100, func() { j.Add(e) }); n > budgetAdd {
		t.Errorf("Add of a kept body: %v allocations, budget %d", n, budgetAdd)
	}
	j.Clear()
	j.Add(e)
	if got := j.ring[j.head].e.ResponseBody; unsafe.StringData(got) != unsafe.StringData(body) {
		t.Errorf("the body was copied")
	}
	if got, min := j.Bytes(), int64(cap(page)); got < min {
		t.Errorf("counted %d bytes, want at least the %d the body holds", got, min)
	}
	read := j.Entries(Filter{})[0]
	if want := redactBody(string(page[:MaxBody])); read.ResponseBody != want || !read.ResponseBodyTruncated {
		t.Errorf("read %.80q (cut %v), want %.80q", read.ResponseBody, read.ResponseBodyTruncated, want)
	}

	// A body in a buffer past twice MaxBody is copied: the copy costs the
	// budget less than the buffer.
	big := append(page, make([]byte, 2*MaxBody)...)
	e.ResponseBody = unsafe.String(&big[0], MaxBody)
	e.KeepResponseBody(int64(cap(big)))
	j.Clear()
	j.Add(e)
	if got := j.ring[j.head].e.ResponseBody; unsafe.StringData(got) == unsafe.StringData(e.ResponseBody) {
		t.Errorf("a body of a %d-byte buffer was kept, not copied", cap(big))
	}
	if got := j.Bytes(); got >= int64(cap(big)) {
		t.Errorf("counted %d bytes for a copy of %d", got, MaxBody)
	}
}
