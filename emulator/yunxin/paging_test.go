package yunxin

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// TestPagingProperty walks every page for random limits (1..100), both
// directions and random type filters, through both clients, and checks
// that the walk returns exactly the world's messages for (room, sender,
// types), ordered, with no duplicate and no gap, also when messages are
// injected mid-walk: an injected message ahead of the cursor (in the walk's
// direction) appears exactly once, one behind it never.
func TestPagingProperty(t *testing.T) {
	e := newEnv(t)
	rnd := rand.New(rand.NewPCG(2026, 11))
	const iterations = 30
	for _, c := range clients() {
		for it := 0; it < iterations; it++ {
			inject := it%2 == 1
			q := query{
				room:   []string{"100", "300"}[rnd.IntN(2)],
				sender: []string{"u1", "u2"}[rnd.IntN(2)],
				limit:  1 + rnd.IntN(100),
			}
			if it%5 == 0 {
				q.limit = 1 + rnd.IntN(7) // small pages: many token round trips
			}
			desc := rnd.IntN(2) == 0
			q.app = appMain
			switch {
			case !desc && c.name() == "sdk":
				q.app = appAsc // the SDK cannot send false; the default does it
			case !desc:
				q.descending = ptr(false)
			case rnd.IntN(2) == 0:
				q.descending = ptr(true)
			}
			if rnd.IntN(3) > 0 {
				for _, mt := range messageTypes {
					if rnd.IntN(3) == 0 {
						q.types = append(q.types, mt.code)
					}
				}
			}
			name := fmt.Sprintf("%s/%02d/room=%s,sender=%s,limit=%d,desc=%v,types=%v,inject=%v", c.name(), it, q.room, q.sender, q.limit, desc, q.types, inject)
			t.Run(name, func(t *testing.T) {
				if err := e.w.Reset(); err != nil {
					t.Fatal(err)
				}
				walk(t, e, c, q, desc, inject, rnd)
			})
		}
	}
}

type itemID struct {
	at       int64
	clientID string
}

func walk(t *testing.T, e *env, c client, q query, desc, inject bool, rnd *rand.Rand) {
	app, _ := e.w.YunxinApp(q.app)
	kinds := map[world.Kind]bool{}
	for _, code := range q.types {
		k, _ := kindOfCode(code)
		kinds[k] = true
	}
	matches := func(m *world.Message) bool {
		_, yunxin := MessageType(m.Kind)
		return yunxin && m.ChatType == world.ChatRoom && m.To == q.room && m.From == q.sender && (len(kinds) == 0 || kinds[m.Kind])
	}
	// keys maps every message the walk may return to its world key.
	keys := map[itemID]world.Key{}
	var want []world.Message
	for m := range e.w.Range(app.Tenant(), time.Time{}, time.Time{}) {
		if matches(&m) {
			want = append(want, m)
			keys[itemID{m.At.UnixMilli(), m.ClientID}] = m.Key
		}
	}
	var got []itemID
	pages := 0
	for {
		d, _ := page(t, e, c, q)
		pages++
		if len(d.Items) > q.limit || (len(d.Items) == 0 && pages > 1) {
			t.Fatalf("page %d has %d items (limit %d)", pages, len(d.Items), q.limit)
		}
		for _, it := range d.Items {
			got = append(got, itemID{*it.CreateTime, *it.MessageClientID})
		}
		if !*d.HasMore {
			break
		}
		if len(d.Items) != q.limit {
			t.Fatalf("page %d: has_more with a short page (%d of %d)", pages, len(d.Items), q.limit)
		}
		q.pageToken = *d.NextToken
		if inject && len(got) > 0 {
			cursor, ok := keys[got[len(got)-1]]
			if !ok {
				t.Fatalf("item %v is not in the world", got[len(got)-1])
			}
			want = append(want, injectAround(t, e, app, q, cursor, desc, matches, keys, rnd)...)
		}
		if pages > 10_000 {
			t.Fatal("walk does not end")
		}
	}
	slices.SortFunc(want, func(a, b world.Message) int {
		if a.Key == b.Key {
			return 0
		}
		if a.Key.Less(b.Key) != desc {
			return -1
		}
		return 1
	})
	wantIDs := make([]itemID, len(want))
	for i, m := range want {
		wantIDs[i] = itemID{m.At.UnixMilli(), m.ClientID}
	}
	seen := map[itemID]bool{}
	for _, id := range got {
		if seen[id] {
			t.Fatalf("duplicate %v", id)
		}
		seen[id] = true
	}
	if !slices.Equal(got, wantIDs) {
		t.Fatalf("walk of %d pages returned %d items, want %d; first difference at %d", pages, len(got), len(wantIDs), firstDiff(got, wantIDs))
	}
}

// injectAround injects a few messages near the cursor, for this query and
// for others (noise), and returns those the rest of the walk must return:
// the matching ones ahead of the cursor in the walk's direction.
func injectAround(t *testing.T, e *env, app *world.YunxinApp, q query, cursor world.Key, desc bool,
	matches func(*world.Message) bool, keys map[itemID]world.Key, rnd *rand.Rand) []world.Message {
	var in []world.Message
	for n := rnd.IntN(4); n > 0; n-- {
		at := time.UnixMilli(cursor.At + int64(rnd.IntN(7_200_000)) - 3_600_000).UTC()
		if rnd.IntN(4) == 0 {
			at = time.UnixMilli(cursor.At).UTC() // a tie with the cursor's ms
		}
		m := world.Message{
			At: at, To: q.room, From: q.sender, ChatType: world.ChatRoom,
			Kind: messageTypes[rnd.IntN(len(messageTypes))].kind,
		}
		switch rnd.IntN(5) {
		case 0:
			m.From = "u3"
		case 1:
			m.To = "300"
			if q.room == "300" {
				m.To = "100"
			}
		}
		in = append(in, m)
	}
	stored, err := e.w.Inject(app.Tenant(), in, e.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	var ahead []world.Message
	for _, m := range stored {
		if !matches(&m) {
			continue
		}
		keys[itemID{m.At.UnixMilli(), m.ClientID}] = m.Key
		if (desc && m.Key.Less(cursor)) || (!desc && cursor.Less(m.Key)) {
			ahead = append(ahead, m)
		}
	}
	return ahead
}

func firstDiff(a, b []itemID) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
