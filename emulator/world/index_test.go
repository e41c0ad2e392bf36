package world

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// reference returns every message of tenant t, oldest first, built without
// the query code: each stream message by index, each literal one from the
// id map.
func reference(w *World, t TenantID) []Message {
	var all []Message
	for _, s := range w.tenants.Load().byTenant[t] {
		for i := int64(0); i < s.len(); i++ {
			all = append(all, w.generate(s, i, nil))
		}
	}
	w.mu.RLock()
	if lits := w.literals[t]; lits != nil {
		for _, m := range lits.byID {
			all = append(all, *m)
		}
	}
	w.mu.RUnlock()
	slices.SortFunc(all, func(a, b Message) int { return compareKeys(a.Key, b.Key) })
	return all
}

func ids(msgs []Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

// crowdedSpec is a small world whose literal store is busy: many messages
// share milliseconds, among themselves and with streams.
func crowdedSpec() Spec {
	spec := testSpec()
	spec.Easemob[0].Traffic = append(spec.Easemob[0].Traffic,
		Traffic{From: "carol", To: "alice", ChatType: Chat, PerHour: 40, Since: 4 * time.Hour},
		Traffic{From: "alice", To: "g1", ChatType: GroupChat, PerHour: 30, Since: 2 * time.Hour})
	return spec
}

// injectCrowd injects n messages of every chat type in batches of random
// size, in random time order, a third of them sharing one millisecond.
func injectCrowd(t testing.TB, w *World, n int, r *rand.Rand) {
	t.Helper()
	ten := EasemobTenant("acme", "chat")
	crowd := anchor.Add(-90 * time.Minute)
	users := []string{"alice", "bob", "carol"}
	for done := 0; done < n; {
		batch := make([]Message, 1+r.IntN(300))
		for i := range batch {
			m := Message{From: users[r.IntN(3)], Kind: []Kind{Text, Image, Audio, Location}[r.IntN(4)]}
			switch r.IntN(3) {
			case 0:
				m.ChatType, m.To = Chat, users[r.IntN(3)]
			case 1:
				m.ChatType, m.To = GroupChat, "g1"
			default:
				m.ChatType, m.To = ChatRoom, "r1"
			}
			m.At = crowd
			if r.IntN(3) > 0 {
				m.At = anchor.Add(-time.Duration(r.Int64N(int64(6 * time.Hour))))
			}
			batch[i] = m
		}
		if _, err := w.Inject(ten, batch, anchor); err != nil {
			t.Fatal(err)
		}
		done += len(batch)
	}
}

// TestPagesMatchTheReference checks user pages at every offset, both ways
// and with time bounds, room pages with kind filters, Range and Count
// against the reference, over a store of many runs and crowded
// milliseconds.
func TestPagesMatchTheReference(t *testing.T) {
	w, err := New(crowdedSpec(), anchor)
	if err != nil {
		t.Fatal(err)
	}
	injectCrowd(t, w, 3000, rand.New(rand.NewPCG(1, 2)))
	ten := EasemobTenant("acme", "chat")
	all := reference(w, ten)
	lits := w.literals[ten]
	if n := len(lits.lists[listKey{view: viewAll}].runs); n < 2 {
		t.Fatalf("the store has %d run(s); the test wants several", n)
	}

	sees := func(m Message, user string) bool {
		return m.ChatType == Chat && (m.From == user || m.To == user) ||
			m.ChatType == GroupChat && m.To == "g1" && (user == "alice" || user == "bob")
	}
	crowd := anchor.Add(-90 * time.Minute)
	for _, user := range []string{"alice", "bob", "carol"} {
		for _, bounds := range [][2]time.Time{{}, {crowd.Add(-time.Millisecond), time.Time{}}, {time.Time{}, crowd.Add(time.Millisecond)}, {anchor.Add(-5 * time.Hour), crowd.Add(time.Hour)}} {
			var want []Message
			for _, m := range all {
				ms := m.At.UnixMilli()
				if sees(m, user) && (bounds[0].IsZero() || ms > bounds[0].UnixMilli()) && (bounds[1].IsZero() || ms < bounds[1].UnixMilli()) {
					want = append(want, m)
				}
			}
			for _, desc := range []bool{false, true} {
				exp := ids(want)
				if desc {
					slices.Reverse(exp)
				}
				for _, limit := range []int{3, 50} {
					var got []string
					for off := int64(0); ; off += int64(limit) {
						page, total, err := w.UserPage(context.Background(), UserQuery{Tenant: ten, User: user, After: bounds[0], Before: bounds[1], Descending: desc, Offset: off, Limit: limit})
						if err != nil || total != int64(len(exp)) {
							t.Fatalf("%s %v desc %v: total %d, %v; want %d", user, bounds, desc, total, err, len(exp))
						}
						if len(page) == 0 {
							break
						}
						got = append(got, ids(page)...)
					}
					if !slices.Equal(got, exp) {
						t.Fatalf("%s %v desc %v limit %d: pages differ from the reference (%d vs %d ids)", user, bounds, desc, limit, len(got), len(exp))
					}
				}
			}
		}
	}

	for _, kinds := range [][]Kind{nil, {Text}, {Image, Audio}, {Location, Text}} {
		var want []string
		for _, m := range all {
			if m.ChatType == ChatRoom && m.To == "r1" && m.From == "carol" && (kinds == nil || slices.Contains(kinds, m.Kind)) {
				want = append(want, m.ID)
			}
		}
		for _, desc := range []bool{false, true} {
			exp := slices.Clone(want)
			if desc {
				slices.Reverse(exp)
			}
			var got []string
			var after *Key
			for {
				page, more, err := w.RoomPage(context.Background(), RoomQuery{Tenant: ten, Room: "r1", Sender: "carol", Kinds: kinds, Descending: desc, After: after, Limit: 9})
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, ids(page)...)
				if !more {
					break
				}
				k := page[len(page)-1].Key
				after = &k
			}
			if !slices.Equal(got, exp) {
				t.Fatalf("room kinds %v desc %v: %d ids, want %d", kinds, desc, len(got), len(exp))
			}
		}
	}

	for _, span := range [][2]time.Time{{}, {crowd, crowd.Add(time.Millisecond)}, {crowd.Truncate(time.Hour), crowd.Truncate(time.Hour).Add(time.Hour)}} {
		var want []string
		for _, m := range all {
			if (span[0].IsZero() || !m.At.Before(span[0])) && (span[1].IsZero() || m.At.Before(span[1])) {
				want = append(want, m.ID)
			}
		}
		if got := ids(collect(w, ten, span[0], span[1])); !slices.Equal(got, want) {
			t.Errorf("Range %v: %d ids, want %d", span, len(got), len(want))
		}
		if n := w.Count(ten, span[0], span[1]); n != len(want) {
			t.Errorf("Count %v = %d, want %d", span, n, len(want))
		}
	}
}

// TestInjectIsAllOrNothing: a batch with a duplicate id stores none of it.
func TestInjectIsAllOrNothing(t *testing.T) {
	w := newTestWorld(t)
	ten := EasemobTenant("acme", "chat")
	before, v := w.Count(ten, time.Time{}, time.Time{}), w.Version()
	_, err := w.Inject(ten, []Message{{ID: "new-1", From: "a", To: "b", ChatType: Chat, Kind: Text}, {ID: "lit-1", From: "a", To: "b", ChatType: Chat, Kind: Text}}, anchor)
	if err == nil {
		t.Fatal("a duplicate id was accepted")
	}
	if _, ok := w.Message(ten, "new-1"); ok || w.Count(ten, time.Time{}, time.Time{}) != before || w.Version() != v {
		t.Fatal("a refused batch left messages behind or moved the version")
	}
}

// workOf runs f and returns the work it did.
func workOf(w *World, f func()) Work {
	a := w.Work()
	f()
	b := w.Work()
	return Work{Generated: b.Generated - a.Generated, Examined: b.Examined - a.Examined, Probes: b.Probes - a.Probes}
}

// hugeSpec is alice's history of 2 × 10^11 messages: three streams at the
// highest rate (one message a millisecond) for two years.
func hugeSpec() Spec {
	const span = 2 * 365 * 24 * time.Hour
	return Spec{Seed: 3, Easemob: []EasemobApp{{
		Org: "big", App: "app", Users: []string{"alice", "bob"},
		Groups: []Group{{ID: "g1", Owner: "alice", Members: []string{"bob"}}},
		Traffic: []Traffic{
			{From: "alice", To: "bob", ChatType: Chat, PerHour: 3_600_000, Since: span},
			{From: "bob", To: "alice", ChatType: Chat, PerHour: 3_600_000, Since: span},
			{From: "bob", To: "g1", ChatType: GroupChat, PerHour: 3_600_000, Since: span},
		},
	}}}
}

// TestDeepPagesCostWhatTheFirstCosts pages alice's huge history at pageNum
// 1, 10^3, 10^6 and 2^31-1 (pages of 20), newest and oldest first, with and
// without 20,000 messages injected into one millisecond, and asserts the
// work of each page: exactly 20 messages generated, a few more keys
// examined, and a number of probes that does not grow with depth.
func TestDeepPagesCostWhatTheFirstCosts(t *testing.T) {
	w, err := New(hugeSpec(), anchor)
	if err != nil {
		t.Fatal(err)
	}
	ten := EasemobTenant("big", "app")
	page := func(pageNum int64, desc bool) ([]Message, Work) {
		var msgs []Message
		work := workOf(w, func() {
			var err error
			msgs, _, err = w.UserPage(context.Background(), UserQuery{Tenant: ten, User: "alice", Descending: desc, Offset: (pageNum - 1) * 20, Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
		})
		return msgs, work
	}
	for _, crowded := range []bool{false, true} {
		if crowded {
			batch := make([]Message, 20_000)
			at := anchor.Add(-365 * 24 * time.Hour)
			for i := range batch {
				batch[i] = Message{From: "alice", To: "bob", ChatType: Chat, Kind: Text, Text: "x", At: at}
			}
			if _, err := w.Inject(ten, batch, anchor); err != nil {
				t.Fatal(err)
			}
		}
		total := int64(w.Count(ten, time.Time{}, time.Time{}))
		if crowded {
			// A page that starts inside the crowded millisecond: the seek
			// searches by source and sequence there.
			crowd := Key{At: anchor.Add(-365 * 24 * time.Hour).UnixMilli()}
			off := w.countKeys(ten, "alice", crowd) + 10_000
			msgs, work := page(off/20+1, false)
			t.Logf("inside the crowd, offset %d: %+v", off/20*20, work)
			if k := msgs[0].Key; k.At != crowd.At || k.Src != 0 || w.countKeys(ten, "alice", k) != off/20*20 {
				t.Errorf("page inside the crowd starts at %+v", k)
			}
			if work.Generated != 20 || work.Examined > 20+4 || work.Probes > 3*64*4 {
				t.Errorf("page inside the crowd: %+v", work)
			}
		}
		var first Work
		for _, pageNum := range []int64{1, 1_000, 1_000_000, 1<<31 - 1} {
			for _, desc := range []bool{true, false} {
				msgs, work := page(pageNum, desc)
				t.Logf("crowded %v pageNum %d desc %v: %+v", crowded, pageNum, desc, work)
				if len(msgs) != 20 || work.Generated != 20 {
					t.Fatalf("pageNum %d: %d messages, %d generated; want 20", pageNum, len(msgs), work.Generated)
				}
				if work.Examined > 20+4+walkWithin {
					t.Errorf("pageNum %d: %d keys examined for a page of 20", pageNum, work.Examined)
				}
				if pageNum == 1 && desc {
					first = work
				}
				// Probes grow with the log of the span and the number of
				// sources, never with depth: a seek is at most three binary
				// searches (ms, source, sequence) over the sources.
				if limit := first.Probes + 3*64*4; work.Probes > limit {
					t.Errorf("pageNum %d: %d probes, the first page took %d", pageNum, work.Probes, first.Probes)
				}
				// The page is the reference's: message rank r from the
				// chosen end, checked by count.
				off := (pageNum - 1) * 20
				k := msgs[0].Key
				if !desc {
					if n := w.countKeys(ten, "alice", k); n != off {
						t.Errorf("pageNum %d: first message has %d before it, want %d", pageNum, n, off)
					}
				} else if n := w.countKeys(ten, "alice", k.next()); n != total-off {
					t.Errorf("pageNum %d desc: first message has %d at or before it, want %d", pageNum, n, total-off)
				}
				if !slices.IsSortedFunc(msgs, func(a, b Message) int {
					if desc {
						return compareKeys(b.Key, a.Key)
					}
					return compareKeys(a.Key, b.Key)
				}) {
					t.Errorf("pageNum %d: page out of order", pageNum)
				}
			}
		}
	}
}

// countKeys counts a user's messages with keys before k, by arithmetic
// over the streams and a scan of the literal ones.
func (w *World) countKeys(t TenantID, user string, k Key) int64 {
	var n int64
	for _, s := range w.tenants.Load().byTenant[t] {
		n += s.beforeKey(k)
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, m := range w.literals[t].byID {
		if m.Key.Less(k) && (m.From == user || m.To == user || m.ChatType == GroupChat) {
			n++
		}
	}
	return n
}

// TestInjectedPagesReadOnlyWhatTheyReturn injects 40,000 messages (each
// page used to copy them all; opapi's load test has the 156,000 of the
// report) and asserts the work of user pages (first and deep), room pages,
// a second's Range and Count.
func TestInjectedPagesReadOnlyWhatTheyReturn(t *testing.T) {
	w := newTestWorld(t)
	ten := EasemobTenant("acme", "chat")
	injectMany(t, w, ten, 40)
	runs := 0
	for _, l := range w.literals[ten].lists {
		runs = max(runs, len(l.runs))
	}
	// A page reads every stream of the view and every run of its lists.
	bound := int64(20 + 3 + 3*runs + walkWithin)
	for _, tc := range []struct {
		name string
		n    int
		f    func() int
	}{
		{"user page 1", 20, func() int {
			m, _, _ := w.UserPage(context.Background(), UserQuery{Tenant: ten, User: "alice", Descending: true, Limit: 20})
			return len(m)
		}},
		{"user page 1000", 20, func() int {
			m, _, _ := w.UserPage(context.Background(), UserQuery{Tenant: ten, User: "alice", Descending: true, Offset: 1000 * 20, Limit: 20})
			return len(m)
		}},
		{"user NEW page", 20, func() int {
			m, _, _ := w.UserPage(context.Background(), UserQuery{Tenant: ten, User: "bob", After: anchor.Add(-2 * time.Hour), Limit: 20})
			return len(m)
		}},
		{"room page", 20, func() int {
			m, _, _ := w.RoomPage(context.Background(), RoomQuery{Tenant: ten, Room: "r1", Sender: "carol", Kinds: []Kind{Image}, Descending: true, Limit: 20})
			return len(m)
		}},
		{"range of a minute", -1, func() int {
			return len(collect(w, ten, anchor.Add(-2*time.Hour), anchor.Add(-2*time.Hour+time.Minute)))
		}},
		{"count", 0, func() int { w.Count(ten, time.Time{}, time.Time{}); return 0 }},
	} {
		var got int
		work := workOf(w, func() { got = tc.f() })
		t.Logf("%s: %d messages, %+v", tc.name, got, work)
		if tc.n >= 0 && got != tc.n || tc.n < 0 && got == 0 {
			t.Errorf("%s: %d messages, want %d", tc.name, got, tc.n)
		}
		if work.Generated != int64(got) || work.Examined > int64(got)+bound-20 || work.Probes > 64*int64(4+3*runs) {
			t.Errorf("%s: %+v for %d messages (bound %d keys)", tc.name, work, got, bound)
		}
	}
}

// injectMany injects batches of 1,000 messages into t as the control API
// would, at the clock's now or spread over the last hours: one-to-one chats,
// group and room messages.
func injectMany(t testing.TB, w *World, ten TenantID, batches int) {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 6))
	for b := 0; b < batches; b++ {
		batch := make([]Message, 1000)
		for i := range batch {
			m := Message{From: "bob", To: "alice", ChatType: Chat, Kind: Text, Text: fmt.Sprint("m", b, "-", i)}
			switch i % 4 {
			case 1:
				m.From, m.To = "alice", "carol"
			case 2:
				m.ChatType, m.To = GroupChat, "g1"
			case 3:
				m.ChatType, m.From, m.To, m.Kind = ChatRoom, "carol", "r1", Image
			}
			if b%2 == 1 {
				m.At = anchor.Add(-time.Duration(r.Int64N(int64(4 * time.Hour))))
			}
			batch[i] = m
		}
		if _, err := w.Inject(ten, batch, anchor); err != nil {
			t.Fatal(err)
		}
	}
}

// TestInjectionUnderConcurrentReadsLosesNothing injects messages one by one
// (alternately a chat to alice and a room message) while readers page:
// every message acknowledged before a read began is in that read, on every
// view that shows it.
func TestInjectionUnderConcurrentReadsLosesNothing(t *testing.T) {
	w := newTestWorld(t)
	ten := EasemobTenant("acme", "chat")
	const n = 600
	_, userBase, _ := w.UserPage(context.Background(), UserQuery{Tenant: ten, User: "alice"})
	allBase := int64(w.Count(ten, time.Time{}, time.Time{}))
	var acked atomic.Int64
	var lastChat, lastRoom atomic.Pointer[Message]
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			m := Message{From: "bob", To: "alice", ChatType: Chat, Kind: Text, Text: "hi", At: anchor.Add(-time.Duration(i%7) * time.Hour)}
			if i%2 == 1 {
				m.From, m.To, m.ChatType = "carol", "r1", ChatRoom
			}
			got, err := w.Inject(ten, []Message{m}, anchor)
			if err != nil {
				t.Error(err)
				return
			}
			if i%2 == 1 {
				lastRoom.Store(&got[0])
			} else {
				lastChat.Store(&got[0])
			}
			acked.Add(1)
		}
	}()
	errs := make(chan error, 6)
	for r := 0; r < 6; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			for acked.Load() < n {
				a := acked.Load()
				chat, room := lastChat.Load(), lastRoom.Load()
				switch r % 3 {
				case 0:
					_, total, err := w.UserPage(context.Background(), UserQuery{Tenant: ten, User: "alice", Descending: true, Offset: 7, Limit: 20})
					if err != nil || total < userBase+(a+1)/2 {
						errs <- fmt.Errorf("user page: total %d after %d chats acknowledged (base %d), %v", total, (a+1)/2, userBase, err)
						return
					}
				case 1:
					if c := int64(w.Count(ten, time.Time{}, time.Time{})); c < allBase+a {
						errs <- fmt.Errorf("count %d after %d acknowledged", c, a)
						return
					}
					if chat != nil && !slices.ContainsFunc(collect(w, ten, chat.At, chat.At.Add(time.Millisecond)), func(x Message) bool { return x.ID == chat.ID }) {
						errs <- fmt.Errorf("acknowledged %s missing from Range", chat.ID)
						return
					}
				case 2:
					if room == nil {
						continue
					}
					after := Key{At: room.Key.At - 1, Src: math.MaxUint32, Seq: math.MaxUint64}
					page, _, err := w.RoomPage(context.Background(), RoomQuery{Tenant: ten, Room: "r1", Sender: "carol", After: &after, Limit: 100})
					if err != nil || !slices.ContainsFunc(page, func(x Message) bool { return x.ID == room.ID }) {
						errs <- fmt.Errorf("acknowledged %s missing from the room page, %v", room.ID, err)
						return
					}
				}
			}
		}(r)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, total, _ := w.UserPage(context.Background(), UserQuery{Tenant: ten, User: "alice"}); total != userBase+n/2 {
		t.Errorf("user total %d, want %d", total, userBase+n/2)
	}
}

// countdown is a context whose Err turns to Canceled after a number of
// calls: a client that goes away in the middle of a walk, deterministically.
type countdown struct {
	context.Context
	left atomic.Int32
}

func (c *countdown) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// TestCancelledQueriesStop: a room page for a kind that almost never comes
// (a walk over millions of messages) stops within a check interval once
// its context is done, and a query whose context is done does no work.
func TestCancelledQueriesStop(t *testing.T) {
	spec := testSpec()
	spec.Yunxin[0].Traffic[0] = Traffic{From: "u1", To: "100", ChatType: ChatRoom, PerHour: 1_000_000, Since: 96 * time.Hour,
		Types: []KindWeight{{Text, 100_000_000}, {Image, 1}}}
	w, err := New(spec, anchor)
	if err != nil {
		t.Fatal(err)
	}
	q := RoomQuery{Tenant: YunxinTenant("yx"), Room: "100", Sender: "u1", Kinds: []Kind{Image}, Limit: 20}
	ctx := &countdown{Context: context.Background()}
	ctx.left.Store(3)
	work := workOf(w, func() {
		if _, _, err := w.RoomPage(ctx, q); err != context.Canceled {
			t.Errorf("RoomPage: %v, want context.Canceled", err)
		}
	})
	if work.Examined > 3*checkEvery || work.Examined < checkEvery {
		t.Errorf("a cancelled walk examined %d keys; it should stop at the check after the client left", work.Examined)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	work = workOf(w, func() {
		if _, _, _, err := w.RoomVisit(done, q, func(*Message) { t.Error("a cancelled visit visited") }); err != context.Canceled {
			t.Errorf("RoomVisit: %v, want context.Canceled", err)
		}
		if _, _, err := w.UserPage(done, UserQuery{Tenant: EasemobTenant("acme", "chat"), User: "alice", Offset: 5, Limit: 20}); err != context.Canceled {
			t.Errorf("UserPage: %v, want context.Canceled", err)
		}
	})
	if work.Generated != 0 || work.Examined != 0 {
		t.Errorf("a cancelled query did %+v", work)
	}
}

// TestRoomVisitIsRoomPage walks rooms of streams, literal and injected
// messages with RoomVisit and RoomPage side by side: every page visits the
// messages RoomPage returns, whole (attachments, thumbnails, strings of the
// rewound slab), in order, with the same count, last key and "more"; with
// fields omitted, the same messages without them (and only them: the
// draws of an omitted thumbnail are made all the same).
func TestRoomVisitIsRoomPage(t *testing.T) {
	w, err := New(crowdedSpec(), anchor)
	if err != nil {
		t.Fatal(err)
	}
	injectCrowd(t, w, 600, rand.New(rand.NewPCG(3, 4)))
	yx := YunxinTenant("yx")
	var lits []Message
	for i := range 40 {
		lits = append(lits, Message{From: "u1", To: "100", ChatType: ChatRoom, Kind: []Kind{Text, Image, Video, File}[i%4],
			At: anchor.Add(-time.Duration(i*5) * time.Minute)})
	}
	if _, err := w.Inject(yx, lits, anchor); err != nil {
		t.Fatal(err)
	}
	rooms := []RoomQuery{
		{Tenant: EasemobTenant("acme", "chat"), Room: "r1", Sender: "carol"},
		{Tenant: yx, Room: "100", Sender: "u1"},
	}
	for _, base := range rooms {
		for _, kinds := range [][]Kind{nil, {Image, Video}, {Text}} {
			for _, desc := range []bool{false, true} {
				for _, limit := range []int{1, 7, 100} {
					for _, omit := range []Fields{0, OmitID | OmitSecret | OmitThumb | OmitName, OmitName} {
						q := base
						q.Kinds, q.Descending, q.Limit, q.Omit = kinds, desc, limit, omit
						pages, seen := 0, 0
						for {
							want, wantMore, err := w.RoomPage(context.Background(), q)
							if err != nil {
								t.Fatal(err)
							}
							i := 0
							n, last, more, err := w.RoomVisit(context.Background(), q, func(m *Message) {
								if i < len(want) && omit != 0 && want[i].Key.Src != 0 {
									want[i] = without(want[i], omit)
								}
								if i >= len(want) || !reflect.DeepEqual(*m, want[i]) {
									t.Fatalf("%s %v desc %v limit %d page %d: message %d differs from RoomPage's", q.Tenant, kinds, desc, limit, pages, i)
								}
								i++
							})
							if err != nil || n != len(want) || i != n || more != wantMore {
								t.Fatalf("%s %v desc %v limit %d page %d: visited %d (%d calls), more %v, %v; RoomPage has %d, more %v",
									q.Tenant, kinds, desc, limit, pages, n, i, more, err, len(want), wantMore)
							}
							seen += n
							pages++
							if !more {
								break
							}
							if last != want[n-1].Key {
								t.Fatalf("last key %v, want %v", last, want[n-1].Key)
							}
							q.After = &last
						}
						if seen == 0 {
							t.Fatalf("%s %v: an empty walk tests nothing", q.Tenant, kinds)
						}
					}
				}
			}
		}
	}
}

// without is m, a generated message, as RoomVisit makes it when omit
// names fields.
func without(m Message, omit Fields) Message {
	if omit&OmitID != 0 {
		m.ID = ""
	}
	if m.Attachment != nil {
		a := *m.Attachment
		if omit&OmitSecret != 0 {
			a.Secret = ""
		}
		if omit&OmitThumb != 0 {
			a.Thumb = nil
		}
		if omit&OmitName != 0 && (m.Kind == Audio || m.Kind == Video) {
			a.Name = ""
		}
		if omit&OmitName != 0 && a.Thumb != nil {
			t := *a.Thumb
			t.Name = ""
			a.Thumb = &t
		}
		m.Attachment = &a
	}
	return m
}
