package world

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestTenantPageIsRangeInPages: the pages of an hour, at every offset,
// are Range's messages in order, with the hour's count as total.
func TestTenantPageIsRangeInPages(t *testing.T) {
	w := newTestWorld(t)
	ten := EasemobTenant("acme", "chat")
	if _, err := w.Inject(ten, []Message{{ID: "inj-1", From: "bob", To: "alice", ChatType: Chat, Kind: Text, Text: "x",
		At: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)}}, anchor); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	to := from.Add(time.Hour)
	want := ids(collect(w, ten, from, to))
	if len(want) != 7+3+50+1+1 {
		t.Fatalf("hour 08 holds %d messages", len(want))
	}
	for _, limit := range []int{1, 7, 100} {
		var got []string
		for off := int64(0); off < int64(len(want)); off += int64(limit) {
			msgs, total, err := w.TenantPage(context.Background(), ten, from, to, off, limit)
			if err != nil || total != int64(len(want)) {
				t.Fatalf("offset %d: total %d, %v", off, total, err)
			}
			got = append(got, ids(msgs)...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: pages %v\nwant %v", limit, got, want)
		}
	}
	msgs, total, err := w.TenantPage(context.Background(), ten, from, to, int64(len(want)), 10)
	if len(msgs) != 0 || total != int64(len(want)) || err != nil {
		t.Errorf("past the end: %d messages, total %d, %v", len(msgs), total, err)
	}
}

// TestTenantPageDeepCostsWhatTheFirstCosts: in a history of about
// 1.9 × 10^11 messages, a page at offset 10^10 generates its page and no
// more, examines a few keys more than the first page, and probes the
// sources a logarithmic number of times (the search for the offset).
func TestTenantPageDeepCostsWhatTheFirstCosts(t *testing.T) {
	w, err := New(hugeSpec(), anchor)
	if err != nil {
		t.Fatal(err)
	}
	ten := EasemobTenant("big", "app")
	var first, deep Work
	for _, c := range []struct {
		offset int64
		work   *Work
	}{{0, &first}, {10_000_000_000, &deep}} {
		*c.work = workOf(w, func() {
			msgs, total, err := w.TenantPage(context.Background(), ten, time.Time{}, time.Time{}, c.offset, 20)
			if err != nil || len(msgs) != 20 || total < 1e11 {
				t.Fatalf("offset %d: %d messages of %d, %v", c.offset, len(msgs), total, err)
			}
		})
	}
	if deep.Generated != 20 || deep.Examined > first.Examined+20 || deep.Probes > 256 {
		t.Errorf("deep page work %+v, first page %+v", deep, first)
	}
}

// TestRoomSenders counts each sender's messages in a room: streams,
// literal and injected messages, and nobody else's room.
func TestRoomSenders(t *testing.T) {
	w := newTestWorld(t)
	ten := YunxinTenant("yx")
	if got := w.RoomSenders(ten, "100"); !slices.Equal(got, []SenderCount{{"u1", 4 * 40}}) {
		t.Errorf("before injection: %+v", got)
	}
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	if _, err := w.Inject(ten, []Message{
		{From: "u2", To: "100", ChatType: ChatRoom, Kind: Text, Text: "a", At: at},
		{From: "u2", To: "100", ChatType: ChatRoom, Kind: Tip, Text: "b", At: at},
		{From: "u1", To: "100", ChatType: ChatRoom, Kind: Text, Text: "c", At: at},
		{From: "u1", To: "200", ChatType: ChatRoom, Kind: Text, Text: "elsewhere", At: at},
	}, anchor); err != nil {
		t.Fatal(err)
	}
	if got := w.RoomSenders(ten, "100"); !slices.Equal(got, []SenderCount{{"u1", 4*40 + 1}, {"u2", 2}}) {
		t.Errorf("after injection: %+v", got)
	}
	if got := w.RoomSenders(ten, "999"); len(got) != 0 {
		t.Errorf("unknown room: %+v", got)
	}
	if got := w.RoomSenders(EasemobTenant("acme", "chat"), "r1"); !slices.Equal(got, []SenderCount{{"carol", 2 * 50}}) {
		t.Errorf("Easemob room: %+v", got)
	}
}
