package opapi

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/surfacetest"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/internal/golden"
)

// beijingTime formats t as creatTime with milliseconds.
func beijingTime(t time.Time) string {
	return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05.000")
}

func TestUserMessageListGolden(t *testing.T) {
	e := newEnv(t)
	hist := archive(e.world, "alice") // oldest first
	mid := hist[len(hist)/2]
	tests := []struct {
		name, body string
		count      int
		next       bool
	}{
		{"init", `{"userId":"alice","pageNum":1,"pageSize":10}`, 10, true},
		{"init_absent_action", `{"userId":"alice","pageNum":1,"pageSize":10,"needMark":false,"needFavorite":null,"creatTime":"","action":null}`, 10, true},
		{"more", `{"userId":"alice","pageNum":2,"pageSize":5,"creatTime":"` + beijingTime(mid.At) + `","action":"MORE"}`, 5, true},
		{"new", `{"userId":"alice","pageNum":1,"pageSize":5,"creatTime":"` + beijingTime(mid.At) + `","action":"NEW"}`, 5, true},
		{"need_mark", `{"userId":"alice","pageNum":1,"pageSize":20,"needMark":true}`, 3, false},
		{"need_favorite", `{"userId":"alice","pageNum":1,"pageSize":20,"needFavorite":true}`, 3, false},
		{"need_mark_and_favorite", `{"userId":"alice","pageNum":1,"pageSize":20,"needMark":true,"needFavorite":true}`, 1, false},
		{"last_page", fmt.Sprintf(`{"userId":"alice","pageNum":%d,"pageSize":8}`, (len(hist)+7)/8), (len(hist)-1)%8 + 1, false},
		{"past_last_page", `{"userId":"alice","pageNum":99,"pageSize":8}`, 0, false},
		{"coerced", `{"userId":` + numericUID + `,"pageNum":"1","pageSize":"3","needMark":"false","action":"INIT"}`, 2, false},
		// The page's own test request sends only userId; its example
		// answer shows page 1 and pageSize 20.
		{"defaults", `{"userId":"alice"}`, 20, true},
		{"defaults_null", `{"userId":"alice","pageNum":null,"pageSize":null,"action":"MORE"}`, 20, true},
		// creatTime is nullable for every action.
		{"more_without_creat_time", `{"userId":"alice","pageNum":2,"pageSize":5,"action":"MORE"}`, 5, true},
		{"new_without_creat_time", `{"userId":"alice","pageNum":1,"pageSize":5,"action":"NEW"}`, 5, true},
		{"init_with_creat_time", `{"userId":"alice","pageNum":1,"pageSize":5,"creatTime":"` + beijingTime(mid.At) + `","action":"INIT"}`, 5, true},
		{"page_size_over_100", `{"userId":"alice","pageSize":101}`, len(hist), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.list(t, listQuery, tt.body)
			if r.Status != 200 || r.Header.Get("Content-Type") != contentType {
				t.Fatalf("status %d, Content-Type %q", r.Status, r.Header.Get("Content-Type"))
			}
			env := decode(t, r)
			if env.Code != 200 || env.Message != "成功" || env.Page == nil {
				t.Fatalf("envelope %+v", env)
			}
			if env.Page.Count != tt.count || len(env.Data) != tt.count || env.Page.Next != tt.next || env.Page.StartIndex != nil {
				t.Errorf("page %+v with %d records, want count %d next %v", *env.Page, len(env.Data), tt.count, tt.next)
			}
			if strings.HasPrefix(tt.name, "defaults") && (env.Page.Page != DefaultPageNum || env.Page.PageSize != DefaultPageSize || DefaultPageNum != 1 || DefaultPageSize != 20) {
				t.Errorf("page %+v: the page's example answers its userId-only request with page 1 and pageSize 20", *env.Page)
			}
			if env.Foot.OperationTime != "2026-03-08 17:29:17" || env.Foot.ServicePhone != "400800400" || env.Foot.Host != "chatemu" {
				t.Errorf("foot %+v", *env.Foot)
			}
			golden.Check(t, filepath.Join("testdata", tt.name+".json"), r.Body)
		})
	}
}

func TestActionsOrderAndBounds(t *testing.T) {
	e := newEnv(t)
	hist := archive(e.world, "alice")
	mid := hist[len(hist)/2]
	var older, newer []string
	for _, m := range hist {
		switch {
		case m.At.Before(mid.At):
			older = append(older, m.ID)
		case m.At.After(mid.At):
			newer = append(newer, m.ID)
		}
	}
	slices.Reverse(older)
	all := func(action, creat string) ([]string, int) {
		var got []string
		total := 0
		for p := 1; ; p++ {
			body := fmt.Sprintf(`{"userId":"alice","pageNum":%d,"pageSize":4,"creatTime":%q,"action":%q}`, p, creat, action)
			if creat == "" {
				body = fmt.Sprintf(`{"userId":"alice","pageNum":%d,"pageSize":4,"action":%q}`, p, action)
			}
			env := decode(t, e.list(t, listQuery, body))
			got = append(got, ids(env.Data)...)
			total = int(env.Page.Total)
			if !env.Page.Next {
				return got, total
			}
		}
	}
	if got, total := all("MORE", beijingTime(mid.At)); !slices.Equal(got, older) || total != len(older) {
		t.Errorf("MORE: %d ids (total %d), want %d strictly older, newest first", len(got), total, len(older))
	}
	if got, total := all("NEW", beijingTime(mid.At)); !slices.Equal(got, newer) || total != len(newer) {
		t.Errorf("NEW: %d ids (total %d), want %d strictly newer, oldest first", len(got), total, len(newer))
	}
	want := make([]string, len(hist))
	for i, m := range hist {
		want[len(hist)-1-i] = m.ID
	}
	if got, total := all("INIT", ""); !slices.Equal(got, want) || total != len(hist) {
		t.Errorf("INIT pages: %d ids (total %d), want all %d newest first", len(got), total, len(hist))
	}
	// creatTime may be absent for every action, and INIT may carry one.
	if got, total := all("MORE", ""); !slices.Equal(got, want) || total != len(hist) {
		t.Errorf("MORE without creatTime: %d ids (total %d), want INIT's %d, newest first", len(got), total, len(hist))
	}
	oldest := slices.Clone(want)
	slices.Reverse(oldest)
	if got, total := all("NEW", ""); !slices.Equal(got, oldest) || total != len(hist) {
		t.Errorf("NEW without creatTime: %d ids (total %d), want all %d oldest first", len(got), total, len(hist))
	}
	atOrBefore := append([]string{}, older...)
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].At.Equal(mid.At) {
			atOrBefore = append([]string{hist[i].ID}, atOrBefore...)
		}
	}
	if got, total := all("INIT", beijingTime(mid.At)); !slices.Equal(got, atOrBefore) || total != len(atOrBefore) {
		t.Errorf("INIT with creatTime: %d ids (total %d), want the %d at or before it, newest first", len(got), total, len(atOrBefore))
	}
}

// TestWalkWholeHistoryMatchesArchive walks alice's history with MORE in the
// two ways a client can, and checks it equals, id for id, her messages in
// the Easemob archives of the same world.
func TestWalkWholeHistoryMatchesArchive(t *testing.T) {
	e := newEnv(t)
	hist := archive(e.world, "alice")
	want := make([]string, 0, len(hist))
	for i := len(hist) - 1; i >= 0; i-- {
		want = append(want, hist[i].ID)
	}
	if len(want) < 30 {
		t.Fatalf("test world too small: %d messages", len(want))
	}

	t.Run("fixed creatTime, pageNum advances", func(t *testing.T) {
		init := decode(t, e.list(t, listQuery, `{"userId":"alice","pageNum":1,"pageSize":6,"action":"INIT"}`))
		got := ids(init.Data)
		creat := init.Foot.OperationTime + ".0" // the clock's now: nothing is newer
		for p := 2; ; p++ {
			env := decode(t, e.list(t, listQuery, fmt.Sprintf(`{"userId":"alice","pageNum":%d,"pageSize":6,"creatTime":%q,"action":"MORE"}`, p, creat)))
			got = append(got, ids(env.Data)...)
			if !env.Page.Next {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("walk gave %d ids, archive has %d\n got %v\nwant %v", len(got), len(want), got, want)
		}
	})

	t.Run("cursor on the oldest createTime", func(t *testing.T) {
		// createTime has whole seconds; ".999" keeps the oldest record's
		// second, so the cursor repeats some records and loses none.
		env := decode(t, e.list(t, listQuery, `{"userId":"alice","pageNum":1,"pageSize":5}`))
		var got []string
		seen := map[string]bool{}
		for {
			fresh := 0
			for _, r := range env.Data {
				if !seen[r.HxMsgID] {
					seen[r.HxMsgID] = true
					got = append(got, r.HxMsgID)
					fresh++
				}
			}
			if fresh == 0 {
				break
			}
			oldest := env.Data[len(env.Data)-1].CreateTime
			env = decode(t, e.list(t, listQuery, fmt.Sprintf(`{"userId":"alice","pageNum":1,"pageSize":5,"creatTime":"%s.999","action":"MORE"}`, oldest)))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("cursor walk gave %d ids, archive has %d", len(got), len(want))
		}
	})
}

// TestRecordsAreTheArchiveMessages checks every field of every record
// against the world message its hxMsgId names.
func TestRecordsAreTheArchiveMessages(t *testing.T) {
	e := newEnv(t)
	env := decode(t, e.list(t, listQuery, `{"userId":"alice","pageNum":1,"pageSize":100}`))
	kinds := map[string]bool{}
	for _, r := range env.Data {
		m, ok := e.world.Message(tenant, r.HxMsgID)
		if !ok {
			t.Fatalf("hxMsgId %s is not in the world", r.HxMsgID)
		}
		kinds[r.Type] = true
		if r.Form != m.From || r.To != m.To || r.Type != TypeName(m.Kind) || r.CreateTime != m.At.In(time.FixedZone("", 8*3600)).Format("2006-01-02 15:04:05") {
			t.Errorf("%s: record %+v does not match message %+v", m.ID, r, m)
		}
		if r.UserMessageID != UserMessageID(tenant, m.ID) || len(r.UserMessageID) != 37 || !strings.HasPrefix(r.UserMessageID, "u0001") {
			t.Errorf("%s: userMessageId %q", m.ID, r.UserMessageID)
		}
		if string(r.Ext) == "null" {
			t.Errorf("%s: ext is null, want an object", m.ID)
		}
		a := m.Attachment
		if !m.Kind.HasAttachment() {
			if r.URL != nil || r.GetURL != nil || r.Filename != nil || r.Secret != nil || r.Thumb != nil {
				t.Errorf("%s (%s): media fields set", m.ID, r.Type)
			}
		} else {
			wantURL := publicURL + "/acme/chat/chatfiles/" + a.FileID
			if r.URL == nil || *r.URL != wantURL || r.Filename == nil || *r.Filename != a.Name || r.Secret == nil || *r.Secret != a.Secret {
				t.Errorf("%s (%s): url/filename/secret differ from the archive's attachment", m.ID, r.Type)
			}
			if r.GetURL == nil || !strings.HasPrefix(*r.GetURL, publicURL+"/_qiniu/"+QiniuKey(a)+"?e=") {
				t.Errorf("%s: getUrl %v", m.ID, r.GetURL)
			}
		}
		switch m.Kind {
		case world.Text:
			if r.Msg == nil || *r.Msg != m.Text {
				t.Errorf("%s: msg %v, want %q", m.ID, r.Msg, m.Text)
			}
		case world.Audio:
			if r.Length == nil || *r.Length != int64(a.Duration/time.Second) || r.FileLength != nil {
				t.Errorf("%s: audio length %v file_length %v", m.ID, r.Length, r.FileLength)
			}
		case world.Video:
			if r.FileLength == nil || *r.FileLength != a.Size || r.Thumb == nil || *r.Thumb != publicURL+"/acme/chat/chatfiles/"+a.Thumb.FileID {
				t.Errorf("%s: video file_length %v thumb %v", m.ID, r.FileLength, r.Thumb)
			}
		case world.Image:
			if r.Thumb == nil || *r.Thumb != "" || r.ThumbSecret == nil || *r.ThumbSecret != "" || r.FileLength != nil {
				t.Errorf("%s: img thumb %v thumbsecret %v file_length %v, want \"\", \"\", null as in the example", m.ID, r.Thumb, r.ThumbSecret, r.FileLength)
			}
		case world.Location:
			if r.Addr == nil || *r.Addr != m.Location.Address || r.Lat == nil || *r.Lat != m.Location.Lat || r.Lng == nil || *r.Lng != m.Location.Lng {
				t.Errorf("%s: loc %v %v %v", m.ID, r.Addr, r.Lat, r.Lng)
			}
		}
	}
	for _, k := range []string{"txt", "img", "audio", "video", "file", "loc", "cmd", "custom", "combine"} {
		if !kinds[k] {
			t.Errorf("no %s record in alice's history; widen the test world", k)
		}
	}
}

func TestMarksAndFavoritesAreFilled(t *testing.T) {
	e := newEnv(t)
	env := decode(t, e.list(t, listQuery, `{"userId":"alice","pageNum":1,"pageSize":100}`))
	marks, favs := map[string][]string{}, map[string]bool{}
	for _, r := range env.Data {
		if r.Mark != nil {
			marks[r.HxMsgID] = r.Mark
		}
		if r.Favorite {
			favs[r.HxMsgID] = true
		}
	}
	if len(marks) != 3 || !slices.Equal(marks["lit-2"], []string{"重要", "待办"}) || !slices.Equal(marks["lit-1"], []string{"重要"}) {
		t.Errorf("marks %v: want alice's three visible marks, not bob's", marks)
	}
	if len(favs) != 3 || !favs["lit-2"] || favs["lit-1"] {
		t.Errorf("favorites %v: want alice's three, not bob's lit-1", favs)
	}
}

// TestNewAfterInjectReturnsExactlyIt injects a message a minute after a
// load and asks for what is NEW since that load's operationTime.
func TestNewAfterInjectReturnsExactlyIt(t *testing.T) {
	e := newEnv(t)
	init := decode(t, e.list(t, listQuery, `{"userId":"alice","pageNum":1,"pageSize":20}`))
	since := init.Foot.OperationTime + ".0"
	body := `{"userId":"alice","pageNum":1,"pageSize":20,"creatTime":"` + since + `","action":"NEW"}`
	if env := decode(t, e.list(t, listQuery, body)); env.Page.Total != 0 || len(env.Data) != 0 {
		t.Fatalf("NEW before any injection: %d records", len(env.Data))
	}
	e.clock.Advance(time.Minute)
	got, err := e.world.Inject(tenant, []world.Message{
		{From: "bob", To: "alice", ChatType: world.Chat, Kind: world.Video},
		{From: "carol", To: "dave", ChatType: world.Chat, Kind: world.Text, Text: "not alice's"},
	}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	env := decode(t, e.list(t, listQuery, body))
	if env.Page.Total != 1 || len(env.Data) != 1 || env.Data[0].HxMsgID != got[0].ID || env.Data[0].Type != "video" {
		t.Fatalf("NEW after injection: %+v, want exactly %s", env.Data, got[0].ID)
	}
	if env.Data[0].CreateTime != "2026-03-08 17:30:17" {
		t.Errorf("createTime %s", env.Data[0].CreateTime)
	}
	if env := decode(t, e.list(t, listQuery, `{"userId":"alice","pageNum":1,"pageSize":1}`)); env.Data[0].HxMsgID != got[0].ID {
		t.Errorf("INIT's newest is %s, want the injected %s", env.Data[0].HxMsgID, got[0].ID)
	}
}

func TestMD5SignRule(t *testing.T) {
	e := newEnv(t)
	body := `{"userId":"alice","pageNum":1,"pageSize":2}`
	// Independent of SignMD5: the rule written out by hand.
	sum := md5hex("apiVersion=01&client=" + md5Client + "&token=" + md5Token + body + md5Secret)
	q := "client=" + md5Client + "&token=" + md5Token + "&apiVersion=01&sign=" + sum
	if env := decode(t, e.list(t, q, body)); env.Code != 200 || len(env.Data) != 2 {
		t.Fatalf("valid md5 sign refused: %d %s", env.Code, env.Message)
	}
	if env := decode(t, e.list(t, q[:len(q)-32]+strings.ToUpper(sum), body)); env.Code != 200 {
		t.Errorf("upper-case hex refused: %d", env.Code)
	}
	if got := SignMD5(url.Values{"b": {"2"}, "a": {"1"}, "sign": {"x"}}, []byte("{}"), "k"); got != md5hex("a=1&b=2{}k") {
		t.Errorf("SignMD5 = %s", got)
	}
	// The same sign over a changed body.
	r := e.list(t, q, `{"userId":"alice","pageNum":1,"pageSize":3}`)
	if env := decode(t, r); env.Code != int(CodeBadSign) || !strings.Contains(r.Header.Get("X-Chatemu-Reason"), "md5(") {
		t.Errorf("changed body: %d, reason %q", env.Code, r.Header.Get("X-Chatemu-Reason"))
	}
}

func TestParseCreatTime(t *testing.T) {
	s := New(Config{})
	for in, want := range map[string]string{
		"2016-02-18 10:31:05":     "2016-02-18T02:31:05Z",
		"2016-02-18 10:31:05.0":   "2016-02-18T02:31:05Z",
		"2016-02-18 10:31:05.5":   "2016-02-18T02:31:05.5Z",
		"2016-02-18 10:31:05.05":  "2016-02-18T02:31:05.05Z",
		"2016-02-18 10:31:05.123": "2016-02-18T02:31:05.123Z",
		"2016-02-18 07:00:00.000": "2016-02-17T23:00:00Z",
	} {
		got, err := s.parseCreatTime(in)
		if err != nil || got.Format(time.RFC3339Nano) != want {
			t.Errorf("%q → %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"2016-02-18", "2016-02-18T10:31:05", "2016-2-18 10:31:05", "2016-02-18 10:31:05.1234",
		"2016-02-18 10:31:05.", "2016-13-18 10:31:05", "2016-02-30 10:31:05", "2016-02-18 24:00:00", " 2016-02-18 10:31:05", "1456972265000"} {
		if _, err := s.parseCreatTime(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestReturnedJSONIsTheWireShape(t *testing.T) {
	e := newEnv(t)
	r := e.list(t, listQuery, `{"userId":"alice","pageNum":1,"pageSize":1}`)
	var raw struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &raw); err != nil || len(raw.Data) != 1 {
		t.Fatal(err)
	}
	keys := surfacetest.ObjectKeys(t, raw.Data[0])
	want := []string{"to", "createTime", "form", "file_length", "lng", "addr", "type", "msg", "ext", "url", "getUrl",
		"thumbsecret", "length", "filename", "secret", "userMessageId", "thumb", "lat", "hxMsgId", "favorite", "mark"}
	if !slices.Equal(keys, want) {
		t.Errorf("record keys\n got %v\nwant %v", keys, want)
	}
	if keys := surfacetest.ObjectKeys(t, r.Body); !slices.Equal(keys, []string{"code", "message", "data", "page", "foot"}) {
		t.Errorf("envelope keys %v", keys)
	}
}
