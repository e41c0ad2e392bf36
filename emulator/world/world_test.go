package world

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"
)

var anchor = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)

func testSpec() Spec {
	return Spec{
		Seed: 7,
		Easemob: []EasemobApp{{
			Org: "acme", App: "chat", Cluster: ClusterCN,
			Users:  []string{"alice", "bob", "carol"},
			Groups: []Group{{ID: "g1", Owner: "alice", Members: []string{"bob"}}},
			Rooms:  []Room{{ID: "r1", Name: "lobby"}},
			Traffic: []Traffic{
				{From: "alice", To: "bob", ChatType: Chat, PerHour: 7, Since: 5 * time.Hour},
				{From: "bob", To: "g1", ChatType: GroupChat, PerHour: 3, Since: 3 * time.Hour, Until: time.Hour},
				{From: "carol", To: "r1", ChatType: ChatRoom, PerHour: 50, Since: 2 * time.Hour},
			},
			Messages: []Message{{ID: "lit-1", From: "carol", To: "alice", ChatType: Chat, Kind: Text, Text: "hi",
				At: time.Date(2026, 11, 20, 8, 15, 0, 0, time.UTC)}},
		}},
		Yunxin: []YunxinApp{{
			AppKey: "yx", Accounts: []string{"u1", "u2"},
			Rooms:   []Room{{ID: "100", Status: RoomOpen}},
			Traffic: []Traffic{{From: "u1", To: "100", ChatType: ChatRoom, PerHour: 40, Since: 4 * time.Hour}},
		}},
	}
}

func newTestWorld(t *testing.T) *World {
	t.Helper()
	w, err := New(testSpec(), anchor)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func collect(w *World, t TenantID, from, to time.Time) []Message {
	var out []Message
	for m := range w.Range(t, from, to) {
		out = append(out, m)
	}
	return out
}

func TestHoursHoldExactCounts(t *testing.T) {
	w := newTestWorld(t)
	ten := EasemobTenant("acme", "chat")
	// Spans are whole UTC hours before 10:30 rounded down: alice→bob 05–10,
	// bob→g1 07–09, carol→r1 08–10, plus the literal at 08:15.
	want := map[int]int{5: 7, 6: 7, 7: 7 + 3, 8: 7 + 3 + 50 + 1, 9: 7 + 50, 10: 0, 4: 0}
	for h, n := range want {
		from := time.Date(2026, 11, 20, h, 0, 0, 0, time.UTC)
		got := collect(w, ten, from, from.Add(time.Hour))
		if len(got) != n {
			t.Errorf("hour %02d: %d messages, want %d", h, len(got), n)
		}
		if c := w.Count(ten, from, from.Add(time.Hour)); c != n {
			t.Errorf("hour %02d: Count %d, want %d", h, c, n)
		}
		for i, m := range got {
			if m.At.Before(from) || !m.At.Before(from.Add(time.Hour)) {
				t.Errorf("hour %02d: message at %v outside the hour", h, m.At)
			}
			if i > 0 && !got[i-1].Key.Less(m.Key) {
				t.Errorf("hour %02d: out of order at %d", h, i)
			}
		}
	}
}

func TestSameSeedSameWorld(t *testing.T) {
	a, b := newTestWorld(t), newTestWorld(t)
	ten := EasemobTenant("acme", "chat")
	ma, mb := collect(a, ten, time.Time{}, time.Time{}), collect(b, ten, time.Time{}, time.Time{})
	if !reflect.DeepEqual(ma, mb) {
		t.Fatal("two worlds of one spec differ")
	}
	spec := testSpec()
	spec.Seed = 8
	c, _ := New(spec, anchor)
	mc := collect(c, ten, time.Time{}, time.Time{})
	if len(mc) != len(ma) || mc[0].ID == ma[0].ID {
		t.Fatal("another seed should change times and ids, not counts")
	}
}

func TestMessageAndAttachmentLookupRoundTrip(t *testing.T) {
	w := newTestWorld(t)
	ten := EasemobTenant("acme", "chat")
	files := 0
	for m := range w.Range(ten, time.Time{}, time.Time{}) {
		got, ok := w.Message(ten, m.ID)
		if !ok || !reflect.DeepEqual(got, m) {
			t.Fatalf("Message(%s) = %v, %v", m.ID, got.ID, ok)
		}
		if a := m.Attachment; a != nil {
			files++
			ga, ok := w.Attachment(ten, a.FileID)
			if !ok || !reflect.DeepEqual(ga, a) {
				t.Fatalf("Attachment(%s) not found or different", a.FileID)
			}
			if b := w.Bytes(a); int64(len(b)) != a.Size {
				t.Fatalf("%s %s: %d bytes, Size says %d", m.Kind, a.Name, len(b), a.Size)
			}
			if a.Thumb != nil {
				if _, ok := w.Attachment(ten, a.Thumb.FileID); !ok {
					t.Fatalf("thumbnail %s not found", a.Thumb.FileID)
				}
			}
		}
	}
	if files == 0 {
		t.Fatal("no attachments generated")
	}
	for _, id := range []string{"", "0", "abc", "123", "99999999999999999999999"} {
		if _, ok := w.Message(ten, id); ok {
			t.Errorf("Message(%q) found", id)
		}
	}
	if _, ok := w.Attachment(ten, "a80db360-d5e7-11e5-961b-09cfaf9addcc"); ok {
		t.Error("a foreign file id was found")
	}
	if _, ok := w.Message(YunxinTenant("yx"), collect(w, ten, time.Time{}, time.Time{})[0].ID); ok {
		t.Error("another tenant's message was found")
	}
}

func TestRoomPagesWalkExactlyBothWays(t *testing.T) {
	w := newTestWorld(t)
	ten := YunxinTenant("yx")
	var all []Message
	for m := range w.Range(ten, time.Time{}, time.Time{}) {
		all = append(all, m)
	}
	for _, kinds := range [][]Kind{nil, {Text}, {Image, Audio}} {
		var want []Message
		for _, m := range all {
			if kinds == nil || slices.Contains(kinds, m.Kind) {
				want = append(want, m)
			}
		}
		for _, desc := range []bool{false, true} {
			for _, limit := range []int{1, 7, 100} {
				var got []Message
				var after *Key
				for pages := 0; ; pages++ {
					page, more, err := w.RoomPage(context.Background(), RoomQuery{Tenant: ten, Room: "100", Sender: "u1", Kinds: kinds, Descending: desc, After: after, Limit: limit})
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, page...)
					if !more {
						break
					}
					k := page[len(page)-1].Key
					after = &k
				}
				exp := slices.Clone(want)
				if desc {
					slices.Reverse(exp)
				}
				if len(got) != len(exp) {
					t.Fatalf("kinds %v desc %v limit %d: %d messages, want %d", kinds, desc, limit, len(got), len(exp))
				}
				for i := range got {
					if got[i].ID != exp[i].ID {
						t.Fatalf("kinds %v desc %v limit %d: [%d] %s, want %s", kinds, desc, limit, i, got[i].ID, exp[i].ID)
					}
				}
			}
		}
	}
}

func TestInjectedMessagesMergeIntoResults(t *testing.T) {
	w := newTestWorld(t)
	ten := EasemobTenant("acme", "chat")
	at := time.Date(2026, 11, 20, 6, 30, 0, 0, time.UTC)
	got, err := w.Inject(ten, []Message{{From: "bob", To: "alice", ChatType: Chat, Kind: Image}}, at)
	if err != nil {
		t.Fatal(err)
	}
	m := got[0]
	if m.ID == "" || m.Attachment == nil || m.Attachment.FileID == "" || m.Attachment.Size == 0 {
		t.Fatalf("injected message not completed: %+v", m)
	}
	hour := collect(w, ten, at.Truncate(time.Hour), at.Truncate(time.Hour).Add(time.Hour))
	if len(hour) != 8 || !slices.ContainsFunc(hour, func(x Message) bool { return x.ID == m.ID }) {
		t.Fatalf("hour holds %d messages, want 8 with the injected one", len(hour))
	}
	if _, ok := w.Attachment(ten, m.Attachment.FileID); !ok {
		t.Fatal("injected attachment not found")
	}
	if _, err := w.Inject(ten, []Message{{ID: m.ID, At: at}}, at); err == nil {
		t.Fatal("duplicate id accepted")
	}
	if err := w.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Message(ten, m.ID); ok {
		t.Fatal("Reset kept an injected message")
	}
	if _, ok := w.Message(ten, "lit-1"); !ok {
		t.Fatal("Reset lost a literal message")
	}
}

func TestUserPageSeesChatsAndGroups(t *testing.T) {
	w := newTestWorld(t)
	ten := EasemobTenant("acme", "chat")
	var want []Message
	for m := range w.Range(ten, time.Time{}, time.Time{}) {
		if (m.ChatType == Chat && (m.From == "bob" || m.To == "bob")) || (m.ChatType == GroupChat && m.To == "g1") {
			want = append(want, m)
		}
	}
	slices.Reverse(want)
	var got []Message
	for off := 0; ; off += 10 {
		page, total, _ := w.UserPage(context.Background(), UserQuery{Tenant: ten, User: "bob", Descending: true, Offset: int64(off), Limit: 10})
		if total != int64(len(want)) {
			t.Fatalf("total %d, want %d", total, len(want))
		}
		got = append(got, page...)
		if len(page) < 10 {
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID {
			t.Fatalf("[%d] %s, want %s", i, got[i].ID, want[i].ID)
		}
	}
	cut := want[5].At
	older, total, _ := w.UserPage(context.Background(), UserQuery{Tenant: ten, User: "bob", Before: cut, Descending: true, Limit: 1000})
	if total != int64(len(want)-6) || int64(len(older)) != total || older[0].ID != want[6].ID {
		t.Fatalf("Before: %d of %d, want %d", len(older), total, len(want)-6)
	}
	newer, total, _ := w.UserPage(context.Background(), UserQuery{Tenant: ten, User: "bob", After: cut, Limit: 1000})
	if total != 5 || newer[0].ID != want[4].ID {
		t.Fatalf("After: total %d, want 5", total)
	}
}

func TestStartCostDoesNotGrowWithTraffic(t *testing.T) {
	spec := testSpec()
	spec.Easemob[0].Traffic[0].PerHour = 3_000_000
	spec.Easemob[0].Traffic[0].Since = 24 * 365 * time.Hour
	w, err := New(spec, anchor)
	if err != nil {
		t.Fatal(err)
	}
	n := w.Count(EasemobTenant("acme", "chat"), time.Time{}, time.Time{})
	if n < 26_000_000_000 {
		t.Fatalf("count %d: the huge stream is missing", n)
	}
}

func TestAttachmentBytesAreRealFilesOfTheirSize(t *testing.T) {
	spec := testSpec()
	spec.Yunxin[0].Traffic[0].Types = []KindWeight{{Image, 1}, {Audio, 1}, {Video, 1}, {File, 1}}
	spec.Easemob[0].Traffic[0].Types = []KindWeight{{Image, 1}, {Audio, 1}, {Video, 1}, {File, 1}, {Combine, 1}}
	w, err := New(spec, anchor)
	if err != nil {
		t.Fatal(err)
	}
	magic := map[string]string{"png": "\x89PNG", "jpg": "\xff\xd8", "amr": "#!AMR\n", "aac": "\xff\xf1", "mp4": "\x00\x00", "pdf": "%PDF", "docx": "PK", "xlsx": "PK", "zip": "PK"}
	seen := map[string]bool{}
	for _, ten := range []TenantID{EasemobTenant("acme", "chat"), YunxinTenant("yx")} {
		for m := range w.Range(ten, time.Time{}, time.Time{}) {
			for a := m.Attachment; a != nil; a = a.Thumb {
				b := w.Bytes(a)
				if int64(len(b)) != a.Size {
					t.Fatalf("%s %s: %d bytes, Size %d", m.Kind, a.Name, len(b), a.Size)
				}
				if p, ok := magic[a.Ext]; ok && string(b[:len(p)]) != p {
					t.Fatalf("%s: starts % x, want %q", a.Name, b[:8], p)
				}
				if a.Ext == "mp4" && string(b[4:8]) != "ftyp" {
					t.Fatalf("%s: no ftyp box", a.Name)
				}
				seen[a.Ext] = true
				if sum := w.MD5(a); len(sum) != 32 || sum != w.MD5(a) {
					t.Fatalf("MD5 %q not stable", sum)
				}
			}
		}
	}
	for _, ext := range []string{"jpg", "amr", "aac", "mp4"} {
		if !seen[ext] {
			t.Errorf("no %s attachment generated", ext)
		}
	}
}

func TestRuntimeTenantsComeAndGo(t *testing.T) {
	w := newTestWorld(t)
	app := EasemobApp{Org: "rt", App: "one", Users: []string{"a", "b"},
		Traffic: []Traffic{{From: "a", To: "b", ChatType: Chat, PerHour: 4, Since: 2 * time.Hour}}}
	if err := w.AddEasemobApp(app, anchor); err != nil {
		t.Fatal(err)
	}
	if err := w.AddEasemobApp(app, anchor); err == nil {
		t.Fatal("a second app of the same name was accepted")
	}
	if err := w.AddOpClient(OpClient{Client: "rt-op", EasemobApp: app.Tenant()}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddYunxinApp(YunxinApp{AppKey: "rt-yx", Accounts: []string{"u"}}, anchor); err != nil {
		t.Fatal(err)
	}
	ten := app.Tenant()
	msgs := collect(w, ten, time.Time{}, time.Time{})
	if len(msgs) != 8 {
		t.Fatalf("runtime app has %d messages, want 8", len(msgs))
	}
	if _, ok := w.Message(ten, msgs[0].ID); !ok {
		t.Fatal("runtime message not found by id")
	}
	if len(collect(w, EasemobTenant("acme", "chat"), time.Time{}, time.Time{})) == 0 {
		t.Fatal("the scenario's app lost its messages")
	}
	if err := w.RemoveTenant(EasemobTenant("acme", "chat")); err == nil {
		t.Fatal("a scenario tenant was removed")
	}
	if err := w.RemoveTenant(ten); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.OpClient("rt-op"); ok {
		t.Fatal("the Op client of a removed app survived")
	}
	if _, ok := w.Message(ten, msgs[0].ID); ok || w.HasTenant(ten) {
		t.Fatal("a removed app still answers")
	}
	if _, ok := w.YunxinApp("rt-yx"); !ok {
		t.Fatal("an unrelated runtime app was removed")
	}
	if err := w.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.YunxinApp("rt-yx"); ok {
		t.Fatal("Reset kept a runtime tenant")
	}
}

func TestVersionMovesWithEveryChange(t *testing.T) {
	w := newTestWorld(t)
	v := w.Version()
	step := func(what string, f func() error) {
		t.Helper()
		if err := f(); err != nil {
			t.Fatal(err)
		}
		if nv := w.Version(); nv == v {
			t.Fatalf("%s left the version at %d", what, v)
		} else {
			v = nv
		}
	}
	step("Inject", func() error {
		_, err := w.Inject(EasemobTenant("acme", "chat"), []Message{{From: "a", To: "b", ChatType: Chat, Kind: Text}}, anchor)
		return err
	})
	step("AddYunxinApp", func() error { return w.AddYunxinApp(YunxinApp{AppKey: "v"}, anchor) })
	step("RemoveTenant", func() error { return w.RemoveTenant(YunxinTenant("v")) })
	step("Reset", w.Reset)
	w.RoomPage(context.Background(), RoomQuery{Tenant: YunxinTenant("yx"), Room: "100", Sender: "u1", Limit: 5})
	if w.Version() != v {
		t.Fatal("a query moved the version")
	}
}

func TestSpecCloneSharesNoSlice(t *testing.T) {
	s := &Spec{
		Easemob: []EasemobApp{{Org: "o", App: "a", Users: []string{"u"}, Groups: []Group{{ID: "g", Members: []string{"u"}}},
			Traffic: []Traffic{{From: "u", To: "u", Types: []KindWeight{{Kind: Text, Weight: 1}}}}}},
		Yunxin: []YunxinApp{{AppKey: "k", Accounts: []string{"a"}}},
		Op:     []OpClient{{Client: "c", Marks: []Mark{{User: "u", Marks: []string{"m"}}}}},
	}
	c := s.Clone()
	c.Easemob[0].Org = "x"
	c.Easemob[0].Users[0] = "x"
	c.Easemob[0].Groups[0].Members[0] = "x"
	c.Easemob[0].Traffic[0].Types[0].Weight = 9
	c.Yunxin[0].Accounts[0] = "x"
	c.Op[0].Sign = SignMD5
	c.Op[0].Marks[0].Marks[0] = "x"
	if s.Easemob[0].Org != "o" || s.Easemob[0].Users[0] != "u" || s.Easemob[0].Groups[0].Members[0] != "u" ||
		s.Easemob[0].Traffic[0].Types[0].Weight != 1 || s.Yunxin[0].Accounts[0] != "a" || s.Op[0].Sign != "" || s.Op[0].Marks[0].Marks[0] != "m" {
		t.Fatalf("changing the clone changed the original: %+v", s)
	}
}

// TestPagesBeforeTheEpoch: a clock near 1970 puts traffic before the epoch
// (negative ms); the open bounds of a query must still count every message
// (t - first once overflowed at math.MaxInt64 and emptied every page).
func TestPagesBeforeTheEpoch(t *testing.T) {
	at := time.Date(1970, 1, 1, 4, 30, 0, 0, time.UTC)
	spec := Spec{Name: "epoch", Seed: 1, Easemob: []EasemobApp{{Org: "o", App: "a", Users: []string{"alice", "bob"},
		Traffic: []Traffic{{From: "alice", To: "bob", ChatType: Chat, PerHour: 3, Since: 10 * time.Hour}}}}}
	w, err := New(spec, at)
	if err != nil {
		t.Fatal(err)
	}
	tenant := EasemobTenant("o", "a")
	want := w.Count(tenant, at.Add(-24*time.Hour), at)
	if want != 30 {
		t.Fatalf("Count = %d, want 30 (10 hours × 3)", want)
	}
	for _, desc := range []bool{true, false} {
		msgs, total, err := w.UserPage(context.Background(), UserQuery{Tenant: tenant, User: "alice", Descending: desc, Offset: 5, Limit: 4})
		if err != nil || total != int64(want) || len(msgs) != 4 {
			t.Errorf("desc %v: %d messages, total %d, err %v; want 4 of %d", desc, len(msgs), total, err, want)
		}
	}
}

// TestTenantVendor: the vendor is the tenant id's part before the first
// colon, whether or not it is one of the three.
func TestTenantVendor(t *testing.T) {
	for in, want := range map[TenantID]Vendor{
		"yunxin:app": Yunxin, "easemob:org/app": Easemob, "op:client": Op, "op": Op,
		"yunxinx:app": "yunxinx", "yunxin": Yunxin, "opx:c": "opx", "": "", ":x": "",
	} {
		if got := in.Vendor(); got != want {
			t.Errorf("TenantID(%q).Vendor() = %q, want %q", in, got, want)
		}
	}
}
