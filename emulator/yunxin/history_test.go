package yunxin

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/gojson"
	"github.com/chatemu/chatemu/emulator/world"
)

// TestHistoryGolden pins the success wire format: first page, a later
// page, the last page, both directions, the default flipped, every
// message_type filter, a multi-type filter and an empty result. Both the
// doc-shaped and the SDK-shaped client must get the same bytes.
func TestHistoryGolden(t *testing.T) {
	e := newEnv(t)
	base := query{app: appMain, room: "100", sender: "u1"}
	type tc struct {
		name string
		q    query
		// pages walks this many pages first and pins the last one fetched.
		pages int
	}
	cases := []tc{
		{name: "first_page", q: with(base, func(q *query) { q.limit = 5 })},
		{name: "second_page", q: with(base, func(q *query) { q.limit = 5 }), pages: 2},
		{name: "last_page", q: with(base, func(q *query) { q.limit = 4; q.types = []int{10} }), pages: -1},
		{name: "descending_true", q: with(base, func(q *query) { q.limit = 3; q.descending = ptr(true) })},
		{name: "descending_false", q: with(base, func(q *query) { q.limit = 3; q.descending = ptr(false) })},
		{name: "descending_default_false", q: with(base, func(q *query) { q.app = appAsc; q.limit = 3 })},
		{name: "filter_multi", q: with(base, func(q *query) { q.limit = 4; q.types = []int{4, 100, 5} })},
		{name: "empty", q: with(base, func(q *query) { q.limit = 10; q.sender = "u3" })},
		{name: "literal_kinds", q: with(base, func(q *query) {
			q.limit = 10
			q.descending = ptr(false)
		})},
	}
	for _, mt := range messageTypes {
		cases = append(cases, tc{name: fmt.Sprintf("filter_%d", mt.code), q: with(base, func(q *query) { q.limit = 2; q.types = []int{mt.code} })})
	}
	for _, c := range clients() {
		for _, k := range cases {
			t.Run(c.name()+"/"+k.name, func(t *testing.T) {
				if !c.supports(k.q) {
					t.Skip("the SDK cannot send descending=false")
				}
				q := k.q
				d, body := page(t, e, c, q)
				for n := 1; (k.pages < 0 && *d.HasMore) || n < k.pages; n++ {
					q.pageToken = *d.NextToken
					d, body = page(t, e, c, q)
				}
				if k.pages < 0 && *d.HasMore {
					t.Fatal("last page has has_more")
				}
				goldenBody(t, e, "history/"+k.name+".json", body)
			})
		}
	}
}

func with(q query, f func(*query)) query { f(&q); return q }

// TestLiteralShapes checks the attachment shape of every kind against
// yunxin-server-sdk-java TestHistoryV1.java, field by field, from the decoded JSON.
func TestLiteralShapes(t *testing.T) {
	e := newEnv(t)
	var items []wireItem
	q := query{app: appMain, room: "100", sender: "u1", limit: 100, descending: ptr(false)}
	for {
		d, _ := page(t, e, docClient{}, q)
		items = append(items, d.Items...)
		if !*d.HasMore {
			break
		}
		q.pageToken = *d.NextToken
	}
	want := map[int][]string{
		1:  {"name", "md5", "url", "ext", "w", "h", "size"},
		2:  {"dur", "md5", "url", "ext", "size"},
		3:  {"dur", "md5", "url", "w", "h", "ext", "size"},
		4:  {"title", "lng", "lat"},
		6:  {"name", "md5", "url", "ext", "size"},
		10: {"msg"},
	}
	seen := map[int]bool{}
	for _, it := range items {
		mt := *it.MessageType
		seen[mt] = true
		keys, ok := want[mt]
		switch {
		case ok:
			if len(it.Attachment) != len(keys) {
				t.Errorf("type %d attachment %v, want keys %v", mt, it.Attachment, keys)
			}
			for _, k := range keys {
				if _, ok := it.Attachment[k]; !ok {
					t.Errorf("type %d attachment lacks %q: %v", mt, k, it.Attachment)
				}
			}
		case mt == 0 || mt == 11:
			if it.Attachment != nil || it.Text == nil {
				t.Errorf("type %d: want text only, got %+v", mt, it)
			}
		case mt == 5 || mt == 100:
			if it.Attachment == nil {
				t.Errorf("type %d: no attachment", mt)
			}
		}
	}
	for _, mt := range messageTypes {
		if !seen[mt.code] {
			t.Errorf("no item of type %d in the page", mt.code)
		}
	}
}

// TestAttachmentDownloads downloads every attachment of one page and checks
// that its bytes have the item's md5 and size, with the MIME type set.
func TestAttachmentDownloads(t *testing.T) {
	e := newEnv(t)
	d, _ := page(t, e, newSDKClient(), query{app: appMain, room: "100", sender: "u1", limit: 100, types: []int{1, 2, 3, 6}})
	if len(d.Items) < 10 {
		t.Fatalf("only %d media items", len(d.Items))
	}
	for _, it := range d.Items {
		a := it.Attachment
		u, _ := a["url"].(string)
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		sum := md5.Sum(b)
		if got := hex.EncodeToString(sum[:]); got != a["md5"] {
			t.Errorf("%s: md5 %s, item says %v", u, got, a["md5"])
		}
		if size, _ := a["size"].(float64); int64(size) != int64(len(b)) {
			t.Errorf("%s: %d bytes, item says %v", u, len(b), a["size"])
		}
		if resp.Header.Get("Content-Type") == "" || resp.ContentLength != int64(len(b)) {
			t.Errorf("%s: Content-Type %q Content-Length %d", u, resp.Header.Get("Content-Type"), resp.ContentLength)
		}
	}
}

// TestAttachmentRanges: NOS answers Range with 206, and a Range no byte
// satisfies with S3's 416 InvalidRange XML, never Go's text.
func TestAttachmentRanges(t *testing.T) {
	e := newEnv(t)
	d, _ := page(t, e, newSDKClient(), query{app: appMain, room: "100", sender: "u1", limit: 100, types: []int{1}})
	if len(d.Items) == 0 {
		t.Fatal("no image in the page")
	}
	u, _ := d.Items[0].Attachment["url"].(string)
	for _, tt := range []struct {
		rng    string
		status int
		want   string // a substring of the body, "" for bytes
	}{
		{"bytes=0-9", 206, ""},
		{"bytes=999999999-", 416, "<Code>InvalidRange</Code>"},
	} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Range", tt.rng)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || (tt.want == "" && len(b) != 10) || (tt.want != "" && !bytes.Contains(b, []byte(tt.want))) {
			t.Errorf("Range %s: %d %q", tt.rng, resp.StatusCode, b)
		}
		if tt.status == 416 && (resp.Header.Get("Content-Type") != "application/xml" || resp.Header.Get(reasonHeader) == "") {
			t.Errorf("416 headers %v", resp.Header)
		}
	}
}

// TestFileNotFound pins the download 404.
func TestFileNotFound(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{
		"/_nos/" + appMain + "/00000000-0000-1000-8000-000000000000.jpg",
		"/_nos/nosuchapp/whatever.png",
	} {
		resp, err := http.Get(e.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || resp.Header.Get(reasonHeader) == "" || !bytes.Contains(b, []byte("<Code>NoSuchKey</Code>")) {
			t.Errorf("GET %s: %d %s", p, resp.StatusCode, b)
		}
	}
}

// TestRateLimit: with rate_limits: vendor, call 101 in one second of the
// emulator clock is 416, the block lasts 10 s of that clock, and calls
// spread over seconds are never limited.
func TestRateLimit(t *testing.T) {
	e := newEnv(t)
	q := query{app: appLimited, room: "100", sender: "u1", limit: 1}
	call := func() (int, []byte, string) { return do(t, docClient{}.request(e, q)) }
	for i := 0; i < 100; i++ {
		if _, b, _ := call(); !bytes.HasPrefix(b, []byte(`{"code":200`)) {
			t.Fatalf("call %d: %s", i+1, b)
		}
	}
	status, b, reason := call()
	if status != 200 || reason == "" {
		t.Fatalf("call 101: HTTP %d reason %q", status, reason)
	}
	goldenBody(t, e, "errors/rate_limited.json", b)
	// Other apps are not limited.
	if _, b, _ := do(t, docClient{}.request(e, with(q, func(q *query) { q.app = appMain }))); !bytes.HasPrefix(b, []byte(`{"code":200`)) {
		t.Fatalf("other app: %s", b)
	}
	e.clk.Advance(9 * time.Second)
	if _, b, _ := call(); !bytes.HasPrefix(b, []byte(`{"code":416`)) {
		t.Fatalf("inside the block: %s", b)
	}
	e.clk.Advance(time.Second)
	if _, b, _ := call(); !bytes.HasPrefix(b, []byte(`{"code":200`)) {
		t.Fatalf("after the block: %s", b)
	}
	// 100 a second for three seconds is fine.
	for s := 0; s < 3; s++ {
		e.clk.Advance(time.Second)
		for i := 0; i < 100; i++ {
			if _, b, _ := call(); !bytes.HasPrefix(b, []byte(`{"code":200`)) {
				t.Fatalf("second %d call %d: %s", s, i+1, b)
			}
		}
	}
	// Reset forgets the windows.
	call()
	if _, b, _ := call(); !bytes.HasPrefix(b, []byte(`{"code":416`)) {
		t.Fatalf("want 416: %s", b)
	}
	e.s.Reset()
	if _, b, _ := call(); !bytes.HasPrefix(b, []byte(`{"code":200`)) {
		t.Fatalf("after Reset: %s", b)
	}
}

// TestNotEmulated: other methods on the history path and unknown Yunxin
// paths answer in the v2 envelope with a reason, not another vendor's body.
func TestNotEmulated(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"POST", "/im/v2/chatrooms/100/messages", 405, `{"code":405,"msg":"method not allowed","data":{}}`},
		{"DELETE", "/nimserver/im/v2.1/chatrooms/100/messages", 405, `{"code":405,"msg":"method not allowed","data":{}}`},
		{"GET", "/im/v2/chatrooms/100", 404, `{"code":404,"msg":"not found","data":{}}`},
		{"GET", "/nimserver/history/queryChatroomMsg.action", 404, `{"code":404,"msg":"not found","data":{}}`},
	} {
		req, _ := http.NewRequest(c.method, e.srv.URL+c.path, nil)
		status, b, reason := do(t, req)
		if status != c.status || string(b) != c.body || reason == "" {
			t.Errorf("%s %s: %d %s (%q)", c.method, c.path, status, b, reason)
		}
	}
}

// TestDeterministic: two servers over the same scenario answer byte for byte
// the same, tokens included.
func TestDeterministic(t *testing.T) {
	a, b := newEnv(t), newEnv(t)
	q := query{app: appMain, room: "300", sender: "u1", limit: 50}
	_, ba := page(t, a, docClient{}, q)
	_, bb := page(t, b, docClient{}, q)
	ba = bytes.ReplaceAll(ba, []byte(a.srv.URL), nil)
	bb = bytes.ReplaceAll(bb, []byte(b.srv.URL), nil)
	if !bytes.Equal(ba, bb) {
		t.Error("same scenario, different bytes")
	}
}

// TestAppendString pins the JSON string escaping against encoding/json
// (which agrees except that it escapes HTML and U+2028/2029).
func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "<a&b>", "q\"b\\s", "\x00\x01\x1f\n\r\t\b\f", "你好👋", "\u2028", "bad\xffutf8"} {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%q: %s does not decode: %v", s, got, err)
			continue
		}
		want, _ := json.Marshal(s)
		var wantBack string
		json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("%q round-trips to %q, want %q", s, back, wantBack)
		}
	}
	if got := string(appendString(nil, "<&>")); got != `"<&>"` {
		t.Errorf("HTML escaped: %s", got)
	}
	if got := string(appendDouble(nil, 120)); got != "120.0" {
		t.Errorf("appendDouble(120) = %s", got)
	}
}

// TestMessageTypeCodes keeps the code table and the world's kinds aligned.
func TestMessageTypeCodes(t *testing.T) {
	for _, k := range world.Kinds {
		code, ok := MessageType(k)
		if ok {
			back, ok2 := kindOfCode(code)
			if !ok2 || back != k {
				t.Errorf("%v → %d → %v", k, code, back)
			}
		} else if k != world.Command && k != world.Combine {
			t.Errorf("%v has no Yunxin code", k)
		}
	}
	if got := strconv.Itoa(len(yunxinKinds())); got != "10" {
		t.Errorf("%s kinds", got)
	}
}

// TestInjectedTextEscaped: a generated text is copied as it is
// (world.Message.TextPlain), as are a generated message's file names and
// extension (world.Message.Generated), so an injected message's, which
// may hold anything, must still be escaped as the vendor's Java JSON does:
// in a text item, a tip's msg, a file's name, the extension, a place's
// title and a custom message's type and data alike.
func TestInjectedTextEscaped(t *testing.T) {
	e := newEnv(t)
	text := "a \"quoted\" \\ line\nbreak\x01 <b>&amp; 欢迎 bad\xff"
	var in []world.Message
	for _, k := range []world.Kind{world.Text, world.Tip} {
		in = append(in, world.Message{Kind: k, Text: text, From: "u1", To: "100", ChatType: world.ChatRoom, At: t0.Add(-time.Second)})
	}
	// A file's name and a message's extension are copied as they are only
	// for a generated message.
	in = append(in, world.Message{Kind: world.File, From: "u1", To: "100", ChatType: world.ChatRoom, At: t0.Add(-time.Second),
		Extension: text, Attachment: &world.Attachment{Name: text + ".pdf"}})
	// So are a place's address and a custom message's event and properties.
	in = append(in, world.Message{Kind: world.Location, From: "u1", To: "100", ChatType: world.ChatRoom, At: t0.Add(-time.Second),
		Location: &world.Place{Address: text, Lat: 30, Lng: 120}})
	in = append(in, world.Message{Kind: world.Custom, From: "u1", To: "100", ChatType: world.ChatRoom, At: t0.Add(-time.Second),
		Custom: &world.CustomBody{Event: text, Exts: [][2]string{{text, text}}}})
	if _, err := e.w.Inject(world.YunxinTenant(appMain), in, t0); err != nil {
		t.Fatal(err)
	}
	status, body, _ := do(t, docClient{}.request(e, query{app: appMain, room: "100", sender: "u1", limit: 5}))
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	want := `"a \"quoted\" \\ line\nbreak\u0001 <b>&amp; 欢迎 bad` + "\uFFFD"
	for _, field := range []string{`"text":`, `{"msg":`, `"extension":`, `{"name":`, `{"title":`, `{"type":`, `"data":{`, want + `":`} {
		if !bytes.Contains(body, []byte(field+want)) {
			t.Errorf("no %s%s in %s", field, want, body)
		}
	}
}

// TestNoticeIsTheMapItStandsFor: a generated notification is written as
// the JSON object a scenario would give for it, byte for byte, whatever
// the sender's id and the nickname hold.
func TestNoticeIsTheMapItStandsFor(t *testing.T) {
	for _, c := range []struct {
		from, nick string
		event      int
	}{
		{"u1", "Jerry", 301},
		{"a01", "Chester", 302},
		{`q"u<o>&te\`, "tab\there", 301},
		{"line\u2028sep", "ctl\x01", 302},
		{"bad\xffutf8", "", 301},
		{"名字", "🙂", 302},
	} {
		want, ok := gojson.AppendValue(nil, map[string]any{
			"id": c.event,
			"data": map[string]any{
				"operator": c.from, "opeNick": c.nick,
				"target": []any{c.from}, "tarNick": []any{c.nick}, "ext": "",
			},
		})
		if !ok {
			t.Fatalf("%+v: gojson cannot write the map", c)
		}
		got := appendNotice(nil, c.from, world.Notice{Event: c.event, Nick: c.nick})
		if string(got) != string(want) {
			t.Errorf("%+v:\n got %s\nwant %s", c, got, want)
		}
	}
}

// TestAppendSender: a page's items write their sender id as appendString
// does, whether the id is the one found plain before or another.
func TestAppendSender(t *testing.T) {
	ps := &pageShared{}
	var got, want []byte
	for _, from := range []string{"a01", "a01", `q"u\o`, "a01", "line\nx", "", "b02", "b02", "名字", "a01"} {
		got = ps.appendSender(got, from)
		want = appendString(want, from)
		if string(got) != string(want) {
			t.Fatalf("after %q:\n got %s\nwant %s", from, got, want)
		}
	}
}
