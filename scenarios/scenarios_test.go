package scenarios

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

func TestBuiltinsLoad(t *testing.T) {
	if got, want := Names(), []string{"busy", "default", "empty"}; !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			spec, err := Load(name)
			if err != nil {
				t.Fatalf("Load(%q): %v", name, err)
			}
			if spec.Name != name {
				t.Errorf("Name = %q, want %q", spec.Name, name)
			}
			desc, ok := Describe(name)
			if !ok || desc == "" || desc != spec.Description {
				t.Errorf("Describe(%q) = %q, %v; spec says %q", name, desc, ok, spec.Description)
			}
			if len(spec.Easemob) == 0 || len(spec.Yunxin) == 0 || len(spec.Op) == 0 {
				t.Errorf("want a tenant of each vendor, got %d/%d/%d", len(spec.Easemob), len(spec.Yunxin), len(spec.Op))
			}
			// A loaded spec must survive ToWorld for each of its literal
			// messages, as the control API would see them.
			for _, a := range spec.Easemob {
				for _, m := range a.Messages {
					if m.Tenant != a.Tenant() || m.At.IsZero() {
						t.Errorf("message %s: tenant %q, at %v", m.ID, m.Tenant, m.At)
					}
				}
			}
		})
	}
	if _, ok := Describe("nope"); ok {
		t.Error("Describe(nope) reported ok")
	}
}

func TestDefaultScenario(t *testing.T) {
	spec, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	if spec.Seed != 20261120 || !spec.Start.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) || spec.Frozen {
		t.Errorf("seed/start/frozen = %d %v %v", spec.Seed, spec.Start, spec.Frozen)
	}
	demo := spec.Easemob[0]
	if demo.Org != "chatemu" || demo.App != "demo" || demo.Cluster != world.ClusterCN ||
		demo.ClientID != "YXA6ChatemuDemoClientId001" || demo.ClientSecret != "YXA6ChatemuDemoClientSecret0001" {
		t.Errorf("demo app = %+v", demo)
	}
	if !slices.Equal(demo.Users, []string{"alice", "bob", "carol", "dave", "erin", "frank"}) {
		t.Errorf("users = %v", demo.Users)
	}
	if len(demo.Groups) != 2 || len(demo.Rooms) != 1 {
		t.Errorf("groups %d rooms %d", len(demo.Groups), len(demo.Rooms))
	}
	var ids []string
	for _, m := range demo.Messages {
		ids = append(ids, m.ID)
	}
	if want := []string{"m-welcome", "m-photo", "m-voice", "m-place", "m-plan", "m-agenda"}; !slices.Equal(ids, want) {
		t.Errorf("literal ids = %v, want %v", ids, want)
	}
	if n := total(demo.Traffic); n < 2000 || n > 10000 {
		t.Errorf("demo traffic = %d messages, want a few thousand", n)
	}
	covered := false
	for _, tr := range demo.Traffic {
		covered = covered || (tr.Since >= 96*time.Hour && tr.Until == 0)
	}
	if !covered {
		t.Error("no stream covers the last 96 hours")
	}
	if q := spec.Easemob[1]; q.App != "quiet" || len(q.Users) == 0 || len(q.Traffic) != 0 {
		t.Errorf("quiet app = %+v", q)
	}
	yx := spec.Yunxin[0]
	closed := 0
	for _, r := range yx.Rooms {
		if r.Status == world.RoomClosed {
			closed++
		}
	}
	if yx.AppKey != "chatemu-yunxin-demo" || yx.AppSecret != "c0ffee123456" || len(yx.Accounts) != 5 || len(yx.Rooms) != 3 || closed != 1 {
		t.Errorf("yunxin app = %+v", yx)
	}
	op := spec.Op[0]
	if op.EasemobApp != world.EasemobTenant("chatemu", "demo") || op.Token != "chatemu-op-token-0001" || len(op.Marks) == 0 || len(op.Favorites) == 0 {
		t.Errorf("op client = %+v", op)
	}
}

// total counts a set of streams' messages: per_hour in each whole hour of
// [since, until) (spans are whole hours in the built-ins).
func total(ts []world.Traffic) int64 {
	var n int64
	for _, tr := range ts {
		n += int64(tr.PerHour) * int64((tr.Since-tr.Until)/time.Hour)
	}
	return n
}

func TestBusyScenarioTotal(t *testing.T) {
	spec, err := Load("busy")
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, a := range spec.Easemob {
		n += total(a.Traffic)
	}
	em := n
	for _, a := range spec.Yunxin {
		n += total(a.Traffic)
	}
	// The arithmetic in builtin/busy.yaml.
	if em != 5_760_000 || n != 10_560_000 {
		t.Errorf("busy: easemob %d, total %d; want 5,760,000 and 10,560,000", em, n)
	}
	if n < 10_000_000 {
		t.Errorf("busy has %d messages, want at least 10,000,000", n)
	}
}

func TestBadScenarios(t *testing.T) {
	// Each file holds one mistake; the error must start with file:line: key.
	tests := []struct{ file, want string }{
		{"unknown_key_top.yaml", "2: colour: unknown key"},
		{"unknown_key_nested.yaml", "11: easemob.apps[0].traffic[0].rate: unknown key"},
		{"duplicate_key.yaml", "3: name: key repeated"},
		{"syntax.yaml", "3: YAML: "},
		{"wrong_type_int.yaml", "9: easemob.apps[0].traffic[0].per_hour: want an integer"},
		{"wrong_type_list.yaml", "5: easemob.apps[0].users: want a list"},
		{"wrong_type_seed.yaml", "1: seed: want a non-negative integer"},
		{"wrong_type_bool.yaml", "3: clock.frozen: want true or false"},
		{"missing_required.yaml", "3: easemob.apps[0].app: required"},
		{"reserved_org.yaml", "3: easemob.apps[0].org: org and app may not contain"},
		{"alias_bomb.yaml", "18: easemob.apps[0].messages[0].ext.f[1]: the document expands past 200000 values at alias *e (66430 values each time it is used)"},
		{"alias_loop.yaml", "13: easemob.apps[0].messages[0].ext.self: alias *loop refers to a value that contains it (a loop)"},
		{"alias_loop_structured.yaml", "6: easemob.apps[0].groups[0].members[0]: alias *g refers to a value that contains it (a loop)"},
		{"ext_too_many.yaml", "13: easemob.apps[0].messages[0].ext.e[0][2][0][5][2]: free-form values expand past 10000 values"},
		{"unknown_user_traffic.yaml", "9: easemob.apps[0].traffic[1].to: unknown user, group or chat room \"carol\""},
		{"unknown_sender_traffic.yaml", "7: easemob.apps[0].traffic[0].from: unknown user \"mallory\""},
		{"unknown_group_member.yaml", "9: easemob.apps[0].groups[0].members[1]: unknown user \"zed\""},
		{"unknown_group_owner.yaml", "8: easemob.apps[0].groups[0].owner: unknown user"},
		{"not_group_member.yaml", "9: easemob.apps[0].traffic[0].from: \"carol\" is not a member"},
		{"chat_type_disagrees.yaml", "9: easemob.apps[0].traffic[0].chat_type: "},
		{"from_and_sender.yaml", "8: easemob.apps[0].traffic[0].sender: give from or sender"},
		{"unknown_room_yunxin.yaml", "9: yunxin.apps[0].traffic[0].room: unknown chat room \"999\""},
		{"room_not_a_number.yaml", "9: easemob.apps[0].messages[0].room: want a chat room number such as 10001 (or \"10001\"), got \"lobby\"; a chat room whose id is not a number goes in to"},
		{"unknown_account_message.yaml", "9: yunxin.apps[0].messages[0].sender: unknown account \"bea\""},
		{"op_app_missing.yaml", "7: op.clients[0].easemob_app: unknown Easemob app"},
		{"duplicate_app.yaml", "6: easemob.apps[1].app: duplicate app"},
		{"duplicate_appkey.yaml", "4: yunxin.apps[1].appkey: duplicate appkey"},
		{"duplicate_op_client.yaml", "7: op.clients[1].client: duplicate client"},
		{"duplicate_user.yaml", "8: easemob.apps[0].users[2]: duplicate id \"alice\""},
		{"duplicate_account.yaml", "4: yunxin.apps[0].accounts[1]: duplicate account"},
		{"duplicate_group.yaml", "8: easemob.apps[0].groups[1].id: duplicate id \"g1\""},
		{"duplicate_room.yaml", "6: yunxin.apps[0].chatrooms[1].id: duplicate chat room"},
		{"duplicate_easemob_room.yaml", "7: easemob.apps[0].chatrooms[0].id: duplicate id \"lobby\""},
		{"duplicate_message_id.yaml", "8: easemob.apps[0].messages[1].id: duplicate message id"},
		{"bad_duration.yaml", "5: easemob.apps[0].retention: want a duration"},
		{"bad_duration_since.yaml", "7: yunxin.apps[0].traffic[0].since: want a duration"},
		{"bad_time.yaml", "3: clock.start: want an RFC 3339 time"},
		{"bad_message_time.yaml", "10: easemob.apps[0].messages[0].at: want an RFC 3339 time"},
		{"missing_at.yaml", "7: easemob.apps[0].messages[0].at: required"},
		{"per_hour_zero.yaml", "9: easemob.apps[0].traffic[0].per_hour: want 1 to 3600000"},
		{"per_hour_high.yaml", "9: yunxin.apps[0].traffic[0].per_hour: want 1 to 3600000"},
		{"since_until.yaml", "10: easemob.apps[0].traffic[0].since: must be longer than until"},
		{"bad_cluster.yaml", "5: easemob.apps[0].cluster: want cn or overseas"},
		{"bad_status.yaml", "6: yunxin.apps[0].chatrooms[0].status: want open or closed"},
		{"bad_rate_limits.yaml", "4: yunxin.apps[0].rate_limits: want off or vendor"},
		{"bad_sign.yaml", "8: op.clients[0].sign: want any or md5"},
		{"bad_traffic_type.yaml", "13: easemob.apps[0].traffic[0].types.picture: unknown Easemob type"},
		{"bad_message_type.yaml", "10: yunxin.apps[0].messages[0].type: unknown Yunxin type \"gif\""},
		{"field_not_of_type.yaml", "13: easemob.apps[0].messages[0].width: not a field of type \"txt\""},
		{"mark_unknown_message.yaml", "14: op.clients[0].marks[0].message: unknown message \"m2\""},
		{"mark_unknown_user.yaml", "13: op.clients[0].marks[0].user: unknown user \"zoe\""},
		{"favorite_unknown_message.yaml", "14: op.clients[0].favorites[1].message: unknown message \"nope\""},
	}
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) != len(tests) {
		t.Errorf("%d files under testdata/bad, %d table rows", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".yaml"), func(t *testing.T) {
			path := filepath.Join("testdata", "bad", tt.file)
			spec, err := Load(path)
			if err == nil {
				t.Fatalf("Load(%s) = %+v, want an error", path, spec)
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			want := path + ":" + tt.want
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error = %q\nwant prefix %q", err, want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("one mistake, several errors:\n%v", err)
			}
			if se.File != path || se.Line == 0 {
				t.Errorf("Error{File: %q, Line: %d}", se.File, se.Line)
			}
		})
	}
}

func TestUserScenario(t *testing.T) {
	spec, err := Load("testdata/good/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if spec.Name != "shop" || spec.Seed != 7 || !spec.Frozen || !spec.Start.Equal(time.Date(2026, 3, 1, 4, 30, 0, 0, time.UTC)) || spec.Start.Location() != time.UTC {
		t.Errorf("top = %q %d %v %v", spec.Name, spec.Seed, spec.Frozen, spec.Start)
	}

	a := spec.Easemob[0]
	if a.Cluster != world.ClusterOverseas || a.Retention != 72*time.Hour || a.ArchiveDelay != 0 || a.LinkTTL != 30*time.Minute || a.RateLimits != world.RateLimitsVendor {
		t.Errorf("settings = %v %v %v %v %v", a.Cluster, a.Retention, a.ArchiveDelay, a.LinkTTL, a.RateLimits)
	}
	if !regexp.MustCompile(`^YXA6[A-Za-z0-9_-]{22}$`).MatchString(a.ClientID) || !regexp.MustCompile(`^YXA6[A-Za-z0-9_-]{27}$`).MatchString(a.ClientSecret) {
		t.Errorf("derived client credentials %q %q", a.ClientID, a.ClientSecret)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(a.UUID) {
		t.Errorf("derived uuid %q", a.UUID)
	}
	if a.OSS.Bucket != "chatemu-shop-support" || len(a.OSS.AccessKeyID) != 24 || len(a.OSS.AccessKeySecret) != 30 {
		t.Errorf("derived oss %+v", a.OSS)
	}
	if !slices.Equal(a.Users, []string{"agent1", "10001", "buyer"}) {
		t.Errorf("users %v", a.Users)
	}

	wantTraffic := []world.Traffic{
		{From: "buyer", To: "agent1", ChatType: world.Chat, PerHour: 30, Since: 36 * time.Hour, Until: 12 * time.Hour,
			Types: []world.KindWeight{{Kind: world.Text, Weight: 3}, {Kind: world.Image, Weight: 1}}},
		{From: "10001", To: "sale", ChatType: world.ChatRoom, PerHour: 1, Since: 90 * time.Minute},
		{From: "buyer", To: "9001", ChatType: world.GroupChat, PerHour: 2, Since: 2 * time.Hour},
	}
	if !reflect.DeepEqual(a.Traffic, wantTraffic) {
		t.Errorf("traffic\n got %+v\nwant %+v", a.Traffic, wantTraffic)
	}

	tenant := world.EasemobTenant("shop", "support")
	wantMsgs := []world.Message{
		{ID: "order-1", Tenant: tenant, At: time.Date(2026, 3, 1, 3, 0, 0, 123e6, time.UTC), From: "buyer", To: "agent1", ChatType: world.Chat,
			Kind: world.Text, Text: "where is my order?", Ext: map[string]any{"order": 42, "tags": []any{"urgent"}, "vip": true}},
		{Tenant: tenant, At: time.Date(2026, 3, 1, 3, 1, 0, 0, time.UTC), From: "agent1", To: "9001", ChatType: world.GroupChat, Kind: world.Video,
			Attachment: &world.Attachment{Name: "unboxing.MOV", Ext: "MOV", Secret: "s3cr3t", Width: 1920, Height: 1080, Duration: 12 * time.Second}},
		{ID: "loc-1", Tenant: tenant, At: time.Date(2026, 3, 1, 3, 2, 0, 0, time.UTC), From: "buyer", To: "sale", ChatType: world.ChatRoom,
			Kind: world.Location, Location: &world.Place{Address: "Pickup point", Lat: -33.8688, Lng: 151.2093}},
		{ID: "custom-1", Tenant: tenant, At: time.Date(2026, 3, 1, 3, 3, 0, 0, time.UTC), From: "agent1", To: "buyer", ChatType: world.Chat,
			Kind: world.Custom, Custom: &world.CustomBody{Event: "coupon", Exts: [][2]string{{"zeta", "1"}, {"alpha", "2"}}}},
		{ID: "combine-1", Tenant: tenant, At: time.Date(2026, 3, 1, 3, 4, 0, 0, time.UTC), From: "agent1", To: "buyer", ChatType: world.Chat,
			Kind: world.Combine, Attachment: &world.Attachment{Name: "file"}, Combine: &world.CombineBody{Level: 1, Title: "Chat history", Summary: "agent1: hi\nbuyer: hello"}},
		{ID: "cmd-1", Tenant: tenant, At: time.Date(2026, 3, 1, 3, 5, 0, 0, time.UTC), From: "agent1", To: "buyer", ChatType: world.Chat,
			Kind: world.Command, Action: "typing"},
	}
	if !reflect.DeepEqual(a.Messages, wantMsgs) {
		gb, _ := json.MarshalIndent(a.Messages, "", " ")
		wb, _ := json.MarshalIndent(wantMsgs, "", " ")
		t.Errorf("easemob messages\n got %s\nwant %s", gb, wb)
	}

	y := spec.Yunxin[0]
	if y.AppKey != "shopkey" || !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(y.AppSecret) || y.DescendingDefault || y.CurTimeWindow != 10*time.Minute || y.RateLimits != world.RateLimitsOff {
		t.Errorf("yunxin app %+v", y)
	}
	if !reflect.DeepEqual(y.Rooms, []world.Room{{ID: "77", Name: "Live", Status: world.RoomOpen}}) {
		t.Errorf("rooms %+v", y.Rooms)
	}
	wantY := []world.Traffic{{From: "u1", To: "77", ChatType: world.ChatRoom, PerHour: 60, Since: 48 * time.Hour,
		Types: []world.KindWeight{{Kind: world.Text, Weight: 2}, {Kind: world.Image, Weight: 1}, {Kind: world.Custom, Weight: 1}}}}
	if !reflect.DeepEqual(y.Traffic, wantY) {
		t.Errorf("yunxin traffic %+v", y.Traffic)
	}
	yt := world.YunxinTenant("shopkey")
	wantYM := []world.Message{
		{ID: "n-1", Tenant: yt, At: time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC), From: "u2", To: "77", ChatType: world.ChatRoom,
			Kind: world.Notification, Notification: map[string]any{"id": 318, "data": map[string]any{"operator": "u2"}},
			Extension: `{"k":"v"}`, ClientType: 16},
		{Tenant: yt, At: time.Date(2026, 3, 1, 3, 0, 1, 0, time.UTC), From: "u1", To: "77", ChatType: world.ChatRoom, Kind: world.Audio,
			Attachment: &world.Attachment{Name: "file.amr", Ext: "amr", Duration: 3 * time.Second}, ClientType: 32},
	}
	if !reflect.DeepEqual(y.Messages, wantYM) {
		t.Errorf("yunxin messages\n got %+v\nwant %+v", y.Messages, wantYM)
	}

	op := spec.Op[0]
	if op.Client != "shop-op" || op.Sign != world.SignMD5 || op.EasemobApp != tenant || len(op.Token) != 32 || len(op.Secret) != 32 ||
		len(op.Qiniu.AccessKey) != 40 || len(op.Qiniu.SecretKey) != 40 {
		t.Errorf("op client %+v", op)
	}
	if !reflect.DeepEqual(op.Marks, []world.Mark{{User: "buyer", MessageID: "order-1", Marks: []string{"refund"}}}) ||
		!reflect.DeepEqual(op.Favorites, []world.Favorite{{User: "agent1", MessageID: "custom-1"}}) {
		t.Errorf("marks %+v favorites %+v", op.Marks, op.Favorites)
	}

	// Derivation is a pure function of the file.
	again, err := Load("testdata/good/shop.yaml")
	if err != nil || !reflect.DeepEqual(spec, again) {
		t.Errorf("second load differs (err %v)", err)
	}
}

func TestDefaults(t *testing.T) {
	spec, err := Parse("mini.yaml", []byte("easemob:\n  apps:\n    - {org: o, app: a}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := spec.Easemob[0]
	if spec.Name != "mini" || spec.Seed != 1 || !spec.Start.IsZero() || a.Cluster != world.ClusterCN || a.Retention != 72*time.Hour ||
		a.ArchiveDelay != 25*time.Minute || a.LinkTTL != 30*time.Minute || a.RateLimits != world.RateLimitsOff {
		t.Errorf("defaults: %+v %+v", spec, a)
	}
	empty, err := Parse("blank.yaml", nil)
	if err != nil || empty.Name != "blank" || empty.Seed != 1 {
		t.Errorf("empty file: %+v, %v", empty, err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path)
	var se *Error
	if !errors.As(err, &se) || se.File != path {
		t.Fatalf("Load(missing) = %v (%T)", err, err)
	}
	if want := path + ": no such file, and not a built-in scenario (built-ins: busy, default, empty)"; err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	if _, err := Load("defualt"); err == nil || !strings.Contains(err.Error(), "not a built-in scenario") {
		t.Errorf("Load(defualt) = %v", err)
	}
}

func TestLoadFileNamedLikeBuiltin(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "default.yaml")
	if err := os.WriteFile(path, []byte("name: mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := Load(path)
	if err != nil || spec.Name != "mine" {
		t.Errorf("Load(%s) = %+v, %v", path, spec, err)
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "bad.yaml", Line: 12, Key: "easemob.apps[0].traffic[1].to", Reason: `unknown user or group "carol"`},
			`bad.yaml:12: easemob.apps[0].traffic[1].to: unknown user or group "carol"`},
		{Error{File: "bad.yaml", Line: 3, Reason: "YAML: oops"}, "bad.yaml:3: YAML: oops"},
		{Error{File: "x.yaml", Reason: "no such file"}, "x.yaml: no such file"},
		{Error{Key: "to", Reason: "unknown"}, "to: unknown"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90m", 90 * time.Minute, true},
		{"72h", 72 * time.Hour, true},
		{"3d", 72 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"0s", 0, true},
		{"0d", 0, true},
		{"3 days", 0, false},
		{"d", 0, false},
		{"1d-1h", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v", tt.in, got, err)
		}
	}
}

// TestLoadBuiltinIsACopy: a built-in is parsed once per process, and a test
// that changes its spec must not change what the next Load returns.
func TestLoadBuiltinIsACopy(t *testing.T) {
	a, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	want := a.Op[0].Sign
	a.Op[0].Sign = "changed"
	a.Easemob[0].Users[0] = "changed"
	b, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	if b.Op[0].Sign != want || b.Easemob[0].Users[0] == "changed" {
		t.Fatalf("Load returned a spec changed through an earlier Load: sign %q, first user %q", b.Op[0].Sign, b.Easemob[0].Users[0])
	}
}
