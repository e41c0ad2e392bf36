package testkit_test

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/testkit"
)

// TestFrozen: one option starts the clock frozen at t; it stays there
// until the test moves it, and Reset brings it back there, frozen.
func TestFrozen(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, scenario := range []string{"empty", "default"} { // the empty scenario's clock runs, the default's starts elsewhere
		t.Run(scenario, func(t *testing.T) {
			emu := testkit.Start(t, testkit.Scenario(scenario), testkit.Frozen(at))
			if now := emu.Clock().Now(); !now.Equal(at) || !emu.Clock().Frozen() {
				t.Fatalf("clock at %v, frozen %v; want frozen at %v", now, emu.Clock().Frozen(), at)
			}
			if status, _ := get(t, emu, "/_chatemu/health", ""); status != 200 {
				t.Fatal(status)
			}
			if now := emu.Clock().Now(); !now.Equal(at) {
				t.Errorf("frozen clock moved to %v", now)
			}
			emu.Clock().Advance(time.Hour)
			emu.Reset()
			if now := emu.Clock().Now(); !now.Equal(at) || !emu.Clock().Frozen() {
				t.Errorf("after Reset: %v frozen %v", now, emu.Clock().Frozen())
			}
		})
	}
	// A zero time freezes the scenario's own start.
	emu := testkit.Start(t, testkit.Frozen(time.Time{}))
	if want := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC); !emu.Clock().Now().Equal(want) || !emu.Clock().Frozen() {
		t.Errorf("Frozen(zero): %v frozen %v", emu.Clock().Now(), emu.Clock().Frozen())
	}
}

func TestEasemobHour(t *testing.T) {
	tests := []struct {
		cluster testkit.Cluster
		at      time.Time
		want    string
	}{
		{testkit.ClusterCN, time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC), "2026112017"},
		{testkit.ClusterOverseas, time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC), "2026112009"},
		{testkit.ClusterCN, time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "2027010100"}, // a new year in Beijing
		{testkit.ClusterOverseas, time.Date(2027, 1, 1, 7, 59, 59, 0, time.FixedZone("CST", 8*3600)), "2026123123"},
		{"", time.Date(2026, 11, 20, 15, 59, 0, 0, time.UTC), "2026112023"}, // no cluster is cn
	}
	for _, tt := range tests {
		if got := (testkit.EasemobApp{Cluster: tt.cluster}).Hour(tt.at); got != tt.want {
			t.Errorf("%q Hour(%v) = %s, want %s", tt.cluster, tt.at, got, tt.want)
		}
	}

	// The name Hour gives is the hour the vendor surface archives the
	// message in, on either cluster.
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	emu := testkit.Start(t, testkit.Scenario("empty"), testkit.Frozen(at))
	for _, cluster := range []testkit.Cluster{testkit.ClusterCN, testkit.ClusterOverseas} {
		app := emu.NewEasemobApp(t, testkit.EasemobAppSpec{Cluster: cluster, Users: []string{"ann", "ben"}})
		sent := at.Add(-90 * time.Minute)
		emu.Inject(t, app.Tenant(), testkit.LiteralMessage{ID: "m-" + string(cluster), From: "ann", To: "ben", Msg: "hi", At: sent})
		c := &easemobSync{base: app.BaseURL, org: app.Org, app: app.App, clientID: app.ClientID, clientSecret: app.ClientSecret,
			http: emu.HTTPClient(), retrier: retrier{sleep: noSleep(t)}}
		msgs, err := c.Sync(app.Hour(sent))
		if err != nil {
			t.Fatalf("%s: %v", cluster, err)
		}
		if len(msgs) != 1 || msgs[0]["msg_id"] != "m-"+string(cluster) {
			t.Errorf("%s hour %s holds %v", cluster, app.Hour(sent), msgs)
		}
	}
}

// TestTypedTenants: every field of the typed specs reaches the world.
func TestTypedTenants(t *testing.T) {
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	emu := testkit.Start(t, testkit.Scenario("empty"), testkit.Frozen(at))

	em := emu.NewEasemobApp(t, testkit.EasemobAppSpec{
		Org: "shop", App: "support", ClientID: "YXA6id", ClientSecret: "YXA6secret",
		OSS:     testkit.OSSKeys{Bucket: "shop-bucket"},
		Cluster: testkit.ClusterOverseas, Retention: 48 * time.Hour, ArchiveDelay: testkit.NoArchiveDelay, LinkTTL: 10 * time.Minute,
		RateLimits: testkit.RateLimitsVendor,
		Users:      []string{"ann", "ben", "cat"},
		Groups:     []testkit.Group{{ID: "team", Owner: "ann", Members: []string{"ben"}}},
		Chatrooms:  []testkit.EasemobRoom{{ID: "lobby", Name: "Lobby"}},
		Traffic: []testkit.Traffic{
			{From: "ann", To: "team", PerHour: 4, Since: 3 * time.Hour, Until: time.Hour, Types: map[string]int{"txt": 3, "img": 1}},
		},
		Messages: []testkit.LiteralMessage{{ID: "m1", From: "cat", To: "lobby", Msg: "hi", At: at.Add(-time.Minute)}},
	})
	if em.Org != "shop" || em.App != "support" || em.ClientID != "YXA6id" || em.ClientSecret != "YXA6secret" || em.Cluster != testkit.ClusterOverseas {
		t.Errorf("app %+v", em)
	}
	wa, _ := emu.World().EasemobApp("shop", "support")
	if wa.OSS.Bucket != "shop-bucket" || wa.OSS.AccessKeyID == "" || wa.Retention != 48*time.Hour || wa.ArchiveDelay != 0 ||
		wa.LinkTTL != 10*time.Minute || wa.RateLimits != world.RateLimitsVendor ||
		!reflect.DeepEqual(wa.Groups, []world.Group{{ID: "team", Owner: "ann", Members: []string{"ben"}}}) ||
		!reflect.DeepEqual(wa.Rooms, []world.Room{{ID: "lobby", Name: "Lobby", Status: world.RoomOpen}}) {
		t.Errorf("world app %+v", wa)
	}
	wantTraffic := []world.Traffic{{From: "ann", To: "team", ChatType: world.GroupChat, PerHour: 4, Since: 3 * time.Hour, Until: time.Hour,
		Types: []world.KindWeight{{Kind: world.Image, Weight: 1}, {Kind: world.Text, Weight: 3}}}}
	if !reflect.DeepEqual(wa.Traffic, wantTraffic) {
		t.Errorf("traffic %+v", wa.Traffic)
	}
	if m, ok := emu.World().Message(em.Tenant(), "m1"); !ok || m.ChatType != world.ChatRoom || m.To != "lobby" {
		t.Errorf("literal message %+v", m)
	}

	yx := emu.NewYunxinApp(t, testkit.YunxinAppSpec{
		AppKey: "live", AppSecret: "s3cr3t", Accounts: []string{"amy", "bo"},
		Chatrooms:        []testkit.YunxinRoom{{ID: 7001, Name: "Live"}, {ID: 7002, Status: testkit.RoomClosed}},
		AscendingDefault: true, CurTimeWindow: time.Minute,
		Traffic:  []testkit.Traffic{{From: "amy", Room: 7001, PerHour: 2, Since: 2 * time.Hour}},
		Messages: []testkit.LiteralMessage{{ID: "y1", Sender: "bo", Room: 7002, Msg: "bye", At: at.Add(-time.Hour)}},
	})
	wy, _ := emu.World().YunxinApp("live")
	if yx.AppSecret != "s3cr3t" || wy.DescendingDefault || wy.CurTimeWindow != time.Minute ||
		!reflect.DeepEqual(wy.Rooms, []world.Room{{ID: "7001", Name: "Live", Status: world.RoomOpen}, {ID: "7002", Status: world.RoomClosed}}) ||
		len(wy.Traffic) != 1 || wy.Traffic[0].To != "7001" {
		t.Errorf("yunxin app %+v", wy)
	}
	if m, ok := emu.World().Message(yx.Tenant(), "y1"); !ok || m.To != "7002" {
		t.Errorf("yunxin literal %+v", m)
	}

	op := emu.NewOpClient(t, testkit.OpClientSpec{
		Client: "ops", Sign: testkit.SignMD5,
		App: testkit.EasemobAppSpec{Users: []string{"zed", "yan"},
			Messages: []testkit.LiteralMessage{{ID: "o1", From: "zed", To: "yan", Msg: "x", At: at.Add(-time.Hour)}}},
		Marks:     []testkit.Mark{{User: "zed", MessageID: "o1", Marks: []string{"todo"}}},
		Favorites: []testkit.Favorite{{User: "yan", MessageID: "o1"}},
	})
	wo, _ := emu.World().OpClient("ops")
	if op.Tenant() != testkit.OpTenant("ops") || wo.Sign != world.SignMD5 || len(wo.Marks) != 1 || len(wo.Favorites) != 1 ||
		!strings.HasPrefix(op.EasemobApp, "chatemu-rt/") {
		t.Errorf("op client %+v / %+v", op, wo)
	}
	shared := emu.NewOpClient(t, testkit.OpClientSpec{EasemobApp: "shop/support"})
	if shared.EasemobApp != "shop/support" || shared.Client == "" {
		t.Errorf("op client of an existing app %+v", shared)
	}

	// A mistake fails the test with the loader's key and reason.
	ft := &fakeT{T: t}
	emu.NewEasemobApp(ft, testkit.EasemobAppSpec{Users: []string{"ann"},
		Traffic: []testkit.Traffic{{From: "ann", To: "bob", PerHour: 1, Since: time.Hour}}})
	if want := `testkit: new easemob tenant: traffic[0].to: unknown user, group or chat room "bob"`; !strings.HasPrefix(ft.failed, want) {
		t.Errorf("bad spec: %q\nwant %q", ft.failed, want)
	}
	ft.failed = ""
	emu.NewYunxinApp(ft, testkit.YunxinAppSpec{Chatrooms: []testkit.YunxinRoom{{Name: "no id"}}})
	if want := "testkit: new yunxin tenant: chatrooms[0].id: want a positive integer, got 0"; ft.failed != want {
		t.Errorf("room without id: %q\nwant %q", ft.failed, want)
	}
}

// TestNumericRoomOverHTTP: POST /_chatemu/messages takes a room as a
// JSON number or a string of digits, and says why it refuses anything
// else.
func TestNumericRoomOverHTTP(t *testing.T) {
	emu := testkit.Start(t)
	tests := []struct {
		room   string
		status int
		body   string
	}{
		{`10001`, 201, `{"ids":["r-10001"]}`},
		{`"10002"`, 201, `{"ids":["r-10002"]}`},
		{`"lobby"`, 400, `{"error":"messages[0].room: want a chat room number such as 10001 (or \"10001\"), got \"lobby\"; a chat room whose id is not a number goes in to"}`},
		{`10009`, 400, `{"error":"messages[0].room: unknown chat room \"10009\" (did you mean \"10001\"?)"}`},
	}
	for _, tt := range tests {
		id := "r-" + strings.Trim(tt.room, `"`)
		body := `{"tenant":"yunxin:chatemu-yunxin-demo","messages":[{"id":"` + id + `","sender":"amy","room":` + tt.room + `,"text":"hi"}]}`
		res, err := emu.HTTPClient().Post(emu.URL+"/_chatemu/messages", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status || strings.TrimSpace(string(got)) != tt.body {
			t.Errorf("room %s: %d %s\nwant %d %s", tt.room, res.StatusCode, got, tt.status, tt.body)
		}
	}
	if m, ok := emu.World().Message(emu.Yunxin().Tenant(), "r-10001"); !ok || m.To != "10001" {
		t.Errorf("stored %+v", m)
	}
	// And in Go, a number.
	ids := emu.Inject(t, emu.Yunxin().Tenant(), testkit.LiteralMessage{Sender: "amy", Room: 10001, Msg: "from Go"})
	if m, _ := emu.World().Message(emu.Yunxin().Tenant(), ids[0]); m.To != "10001" {
		t.Errorf("Inject with Room 10001 stored %+v", m)
	}
}
