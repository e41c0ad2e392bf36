package emulator_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
)

// TestWorldHoursOnTheClock: the hours page lists the Easemob app's hours
// newest first, each with the world's count and the state chatmessages
// gives it on the emulated clock; moving the clock an hour archives the
// pending one; pages chain through older and newer.
func TestWorldHoursOnTheClock(t *testing.T) {
	l := startLive(t, emulator.Config{})
	ten := world.EasemobTenant("chatemu", "demo")
	var page control.ArchiveHours
	l.control(t, "GET", "world/easemob/chatemu/demo/hours?limit=80", "", 200, &page)
	if len(page.Hours) != 80 || page.Cluster != "cn" || page.Retention != "72h0m0s" || page.ArchiveDelay != "25m0s" || page.Newer != "" {
		t.Fatalf("page %+v", page)
	}
	for i, h := range page.Hours {
		start := t0.Add(-time.Duration(i) * time.Hour)
		want := "archived"
		switch {
		case i < 2: // 10:00 is under way; 09:00 is archived at 10:25
			want = "pending"
		case i > 72: // starts before now − 72h
			want = "expired"
		}
		if h.Hour != start.In(time.FixedZone("CST", 8*3600)).Format("2006010215") || h.State != want ||
			h.Messages != l.srv.World().Count(ten, start, start.Add(time.Hour)) || (want != "archived") != (h.Reason != "") {
			t.Errorf("hours[%d] = %+v, want hour starting %v, state %s, %d messages", i, h, start, want, l.srv.World().Count(ten, start, start.Add(time.Hour)))
		}
	}
	if page.Hours[1].Messages == 0 || page.Hours[1].ArchivedAt != "2026-11-20T10:25:00.000Z" {
		t.Errorf("hour 09:00 UTC: %+v", page.Hours[1])
	}

	l.control(t, "POST", "clock", `{"advance":"1h"}`, 200, nil)
	var after control.ArchiveHours
	l.control(t, "GET", "world/easemob/chatemu/demo/hours?from=2026112017&limit=1", "", 200, &after)
	if len(after.Hours) != 1 || after.Hours[0].State != "archived" || after.Hours[0].Messages != page.Hours[1].Messages {
		t.Errorf("hour 2026112017 after an hour: %+v", after.Hours)
	}
	if after.Older != "2026112016" || after.Newer != "2026112018" {
		t.Errorf("older %q newer %q", after.Older, after.Newer)
	}

	for _, bad := range []struct {
		path   string
		status int
		want   string
	}{
		{"world/easemob/chatemu/demo/hours?from=2026113099", 400, "from: want an hour yyyyMMddHH"},
		{"world/easemob/chatemu/demo/hours?limit=169", 400, "limit: want an integer from 1 to 168"},
		{"world/easemob/chatemu/demo/hours?sort=asc", 400, `query parameter "sort": unknown (from, limit)`},
		{"world/easemob/chatemu/nope/hours", 404, "unknown Easemob app chatemu/nope"},
		{"world/easemob/chatemu/demo/hours/20261120", 404, "hour: want yyyyMMddHH"},
	} {
		var e struct{ Error string }
		l.control(t, "GET", bad.path, "", bad.status, &e)
		if !strings.Contains(e.Error, bad.want) {
			t.Errorf("%s: %q, want %q", bad.path, e.Error, bad.want)
		}
	}
}

// TestWorldHourRecordsAreTheArchive: an hour's records are the lines of
// its archive, byte for byte, at any offset, and the archive link is the
// one chatmessages gives.
func TestWorldHourRecordsAreTheArchive(t *testing.T) {
	l := startLive(t, emulator.Config{})
	var hour control.HourRecords
	l.control(t, "GET", "world/easemob/chatemu/demo/hours/2026112016?limit=100", "", 200, &hour)
	if hour.State != "archived" || hour.ArchiveURL == "" || hour.Chatmessages != "GET /chatemu/demo/chatmessages/2026112016" ||
		len(hour.Records) != hour.Messages || hour.Messages < 40 {
		t.Fatalf("hour %+v", hour)
	}
	res, err := l.client.Get(hour.ArchiveURL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatalf("archive %d: %v", res.StatusCode, err)
	}
	archive, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(archive), "\n"), "\n")
	if len(lines) != hour.Messages {
		t.Fatalf("archive has %d lines, the hour %d messages", len(lines), hour.Messages)
	}
	for i, rec := range hour.Records {
		if string(rec) != lines[i] {
			t.Errorf("record %d:\n%s\narchive line:\n%s", i, rec, lines[i])
		}
	}
	var page control.HourRecords
	l.control(t, "GET", "world/easemob/chatemu/demo/hours/2026112016?offset=10&limit=5", "", 200, &page)
	if len(page.Records) != 5 || page.Offset != 10 {
		t.Fatalf("page %+v", page)
	}
	for i, rec := range page.Records {
		if string(rec) != lines[10+i] {
			t.Errorf("offset 10, record %d: %s, want %s", i, rec, lines[10+i])
		}
	}

	// ?at= opens the page that starts with the messages of that instant.
	var rec10 struct {
		Timestamp int64 `json:"timestamp"`
	}
	if err := json.Unmarshal([]byte(lines[10]), &rec10); err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(rec10.Timestamp).UTC().Format(time.RFC3339Nano)
	var atPage control.HourRecords
	l.control(t, "GET", "world/easemob/chatemu/demo/hours/2026112016?limit=3&at="+at, "", 200, &atPage)
	if atPage.Offset != 10 || len(atPage.Records) != 3 || string(atPage.Records[0]) != lines[10] {
		t.Errorf("at=%s: offset %d, first record %s", at, atPage.Offset, atPage.Records[0])
	}
	for _, bad := range []struct{ query, want string }{
		{"at=" + at + "&offset=2", "at: give at or offset, not both"},
		{"at=2026-11-20T07:59:59Z", "is not in hour 2026112016"},
		{"at=yesterday", `at: want an RFC 3339 time, got "yesterday"`},
	} {
		var e struct{ Error string }
		l.control(t, "GET", "world/easemob/chatemu/demo/hours/2026112016?"+bad.query, "", 400, &e)
		if !strings.Contains(e.Error, bad.want) {
			t.Errorf("%s: %q, want %q", bad.query, e.Error, bad.want)
		}
	}

	var pending control.HourRecords
	l.control(t, "GET", "world/easemob/chatemu/demo/hours/2026112017", "", 200, &pending)
	if pending.State != "pending" || pending.ArchiveURL != "" || len(pending.Records) != control.DefaultRecords ||
		!strings.Contains(pending.Reason, "not archived yet") {
		t.Errorf("pending hour %+v", pending)
	}
}

// TestWorldYunxinPagesAreTheAPI: rooms carry their senders' counts, and a
// sender's page is the history API's own answer, byte for byte, errors
// included.
func TestWorldYunxinPagesAreTheAPI(t *testing.T) {
	l := startLive(t, emulator.Config{})
	var rooms control.YunxinRooms
	l.control(t, "GET", "world/yunxin/chatemu-yunxin-demo/rooms", "", 200, &rooms)
	if rooms.Total != 3 || len(rooms.Rooms) != 3 || !rooms.DescendingDefault {
		t.Fatalf("rooms %+v", rooms)
	}
	general, closed := rooms.Rooms[0], rooms.Rooms[2]
	if general.Name != "general" || general.Status != "open" || closed.Status != "closed" ||
		len(general.Senders) != 2 || general.Senders[0].Account != "amy" ||
		general.Messages != general.Senders[0].Messages+general.Senders[1].Messages {
		t.Errorf("rooms %+v", rooms.Rooms)
	}
	if n := general.Senders[0].Messages; n != 8*96+1 {
		t.Errorf("amy has %d messages in general, want %d (8 an hour for 96 h and one literal)", n, 8*96+1)
	}

	for _, q := range []string{"sender_id=amy&limit=3", "sender_id=ben&limit=2&descending=false", "sender_id=amy&limit=0", "sender_id=nobody&limit=5"} {
		var got control.VendorAnswer
		l.control(t, "GET", "world/yunxin/chatemu-yunxin-demo/rooms/10001/messages?"+q, "", 200, &got)
		res, want := l.do(t, "GET", "/im/v2.1/chatrooms/10001/messages?"+q, yunxinAuth(l.srv), "")
		if got.Status != res.StatusCode || string(got.Body) != want || got.Reason != res.Header.Get("X-Chatemu-Reason") ||
			got.Call != "GET /im/v2.1/chatrooms/10001/messages?"+q {
			t.Errorf("%s: world route %+v\nAPI %d %s (reason %q)", q, got, res.StatusCode, want, res.Header.Get("X-Chatemu-Reason"))
		}
	}
	var next control.VendorAnswer
	l.control(t, "GET", "world/yunxin/chatemu-yunxin-demo/rooms/10001/messages?sender_id=amy&limit=3", "", 200, &next)
	var page struct {
		Data struct {
			NextToken string `json:"next_token"`
		} `json:"data"`
	}
	if json.Unmarshal(next.Body, &page) != nil || page.Data.NextToken == "" {
		t.Fatalf("no next_token in %s", next.Body)
	}
	// The page token the world route shows pages the API, and back.
	q := "sender_id=amy&limit=3&page_token=" + page.Data.NextToken
	var second control.VendorAnswer
	l.control(t, "GET", "world/yunxin/chatemu-yunxin-demo/rooms/10001/messages?"+q, "", 200, &second)
	if _, want := l.do(t, "GET", "/im/v2.1/chatrooms/10001/messages?"+q, yunxinAuth(l.srv), ""); string(second.Body) != want {
		t.Errorf("second page:\n%s\nAPI:\n%s", second.Body, want)
	}
}

// TestWorldOpRecordsAreTheAPI: users carry userMessageList's totals, and a
// user's records are the API's own answer, byte for byte.
func TestWorldOpRecordsAreTheAPI(t *testing.T) {
	l := startLive(t, emulator.Config{})
	var users control.OpUsers
	l.control(t, "GET", "world/op/chatemu-op/users?offset=0&limit=2", "", 200, &users)
	if users.Total != 6 || len(users.Users) != 2 || users.Users[0].User != "alice" || users.EasemobApp != "chatemu/demo" {
		t.Fatalf("users %+v", users)
	}
	for _, c := range []struct{ query, body string }{
		{"pageNum=2&pageSize=5", `{"userId":"alice","pageNum":2,"pageSize":5}`},
		{"pageSize=3&needMark=true", `{"userId":"alice","pageSize":3,"needMark":true}`},
		{"action=NEW&creatTime=2026-11-20 16:00:00", `{"userId":"alice","action":"NEW","creatTime":"2026-11-20 16:00:00"}`},
		{"pageSize=0", `{"userId":"alice","pageSize":0}`},
	} {
		var got control.VendorAnswer
		l.control(t, "GET", "world/op/chatemu-op/users/alice/messages?"+strings.ReplaceAll(c.query, " ", "%20"), "", 200, &got)
		res, want := l.do(t, "POST", "/op/v2/userMessageList?"+opQuery, http.Header{"Content-Type": {"application/json"}}, c.body)
		if got.RequestBody != c.body || got.Status != res.StatusCode || string(got.Body) != want || got.Reason != res.Header.Get("X-Chatemu-Reason") {
			t.Errorf("%s: world route %+v\nAPI %d %s", c.query, got, res.StatusCode, want)
		}
	}
	var first control.VendorAnswer
	l.control(t, "GET", "world/op/chatemu-op/users/alice/messages?pageSize=1", "", 200, &first)
	var env struct {
		Page struct {
			Total int64 `json:"total"`
		} `json:"page"`
	}
	if json.Unmarshal(first.Body, &env) != nil || env.Page.Total != users.Users[0].Messages {
		t.Errorf("alice: users says %d messages, userMessageList %s", users.Users[0].Messages, first.Body)
	}
	var e struct{ Error string }
	if l.control(t, "GET", "world/op/chatemu-op/users/alice/messages?userId=bob", "", 400, &e); !strings.HasPrefix(e.Error, `query parameter "userId": unknown`) {
		t.Errorf("userId in the query: %q", e.Error)
	}
}

// TestWorldOverview counts every tenant's messages.
func TestWorldOverview(t *testing.T) {
	l := startLive(t, emulator.Config{})
	var o control.WorldOverview
	l.control(t, "GET", "world", "", 200, &o)
	if len(o.Easemob) != 2 || o.Easemob[0].Messages != 3840+6 || o.Easemob[1].Messages != 0 ||
		len(o.Yunxin) != 1 || o.Yunxin[0].Messages != 2064+4 || len(o.Op) != 1 || o.Op[0].Users != 6 {
		t.Errorf("overview %+v", o)
	}
}

// event is one server-sent event.
type event struct {
	name, id, data string
}

// follow opens the request stream and returns its events as they come;
// the stream ends when the test does.
func follow(t *testing.T, url string, header http.Header) <-chan event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	out := make(chan event, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		defer res.Body.Close()
		var e event
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.name != "" {
					out <- e
				}
				e = event{}
			case strings.HasPrefix(line, "event: "):
				e.name = line[len("event: "):]
			case strings.HasPrefix(line, "id: "):
				e.id = line[len("id: "):]
			case strings.HasPrefix(line, "data: "):
				e.data = line[len("data: "):]
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		for range out { // let the reader finish
		}
		<-done
	})
	return out
}

// next returns the next event that is not a heartbeat.
func next(t *testing.T, events <-chan event) event {
	t.Helper()
	e, ok := <-events
	if !ok {
		t.Fatal("the stream ended")
	}
	return e
}

// TestRequestStream follows the journal: a ready event, each request as
// it is answered (a refused CheckSum with its reason, an unmatched path),
// a cleared event when the journal is cleared, and a reconnection from
// Last-Event-ID; GET requests/{seq} has the details.
func TestRequestStream(t *testing.T) {
	l := startLive(t, emulator.Config{})
	if res, body := l.do(t, "GET", "/_chatemu/requests/stream", nil, ""); res.StatusCode != 406 || !strings.Contains(body, "Accept: text/event-stream") {
		t.Errorf("without Accept: %d %s", res.StatusCode, body)
	}
	events := follow(t, l.url+"/_chatemu/requests/stream", nil)
	if e := next(t, events); e.name != "ready" || e.data != `{"last_seq":0,"size":1000}` {
		t.Fatalf("first event %+v", e)
	}
	bad := yunxinAuth(l.srv)
	bad.Set("Checksum", "0000")
	l.do(t, "GET", "/im/v2.1/chatrooms/10001/messages?sender_id=amy&limit=1", bad, "")
	e := next(t, events)
	var s control.RequestSummary
	if e.name != "request" || e.id != "1" || json.Unmarshal([]byte(e.data), &s) != nil ||
		s.Seq != 1 || s.Vendor != "yunxin" || s.Operation != "yunxin.chatroom_history" || !strings.Contains(s.Reason, "CheckSum mismatch") {
		t.Fatalf("event %+v", e)
	}
	l.do(t, "GET", "/no/such/api/anywhere", nil, "")
	if e := next(t, events); e.id != "2" || !strings.Contains(e.data, `"unmatched":true`) {
		t.Errorf("unmatched event %+v", e)
	}

	var full control.RequestView
	l.control(t, "GET", "requests/1", "", 200, &full)
	if full.RequestHeaders["Checksum"] != "REDACTED" || full.Reason != s.Reason || !strings.Contains(full.ResponseBody, `"code":414`) {
		t.Errorf("requests/1: %+v", full)
	}
	if body := l.control(t, "GET", "requests/99", "", 404, nil); !strings.Contains(body, "no request 99 in the journal") {
		t.Errorf("requests/99: %s", body)
	}

	// Filters apply; a reconnection starts after Last-Event-ID.
	unmatched := follow(t, l.url+"/_chatemu/requests/stream?unmatched=true", http.Header{"Last-Event-ID": {"1"}})
	if e := next(t, unmatched); e.name != "ready" || e.data != `{"last_seq":2,"size":1000}` {
		t.Fatalf("ready %+v", e)
	}
	if e := next(t, unmatched); e.id != "2" {
		t.Errorf("after Last-Event-ID 1: %+v", e)
	}

	l.control(t, "DELETE", "requests", "", 204, nil)
	if e := next(t, events); e.name != "cleared" {
		t.Errorf("after DELETE requests: %+v", e)
	}
	l.do(t, "GET", "/again/unmatched", nil, "")
	if e := next(t, events); e.name != "request" || e.id != "1" {
		t.Errorf("after the clear: %+v", e)
	}
}

// TestRequestStreamEndsOnShutdown: a stream left open does not hold the
// server's graceful shutdown.
func TestRequestStreamEndsOnShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, emulator.Config{Spec: load(t, "default"), PublicURL: "http://" + ln.Addr().String()})
	hs := &http.Server{Handler: s}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	events := follow(t, "http://"+ln.Addr().String()+"/_chatemu/requests/stream", nil)
	if e := next(t, events); e.name != "ready" {
		t.Fatalf("first event %+v", e)
	}
	// A hang here is the failure: Shutdown would wait for the stream.
	if err := hs.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-served
	for range events {
	}
}

// TestRequestStreamMany: a burst larger than the stream's batches arrives
// whole and in order.
func TestRequestStreamMany(t *testing.T) {
	l := startLive(t, emulator.Config{})
	events := follow(t, l.url+"/_chatemu/requests/stream", nil)
	next(t, events)
	const n = 300
	for range n {
		l.do(t, "GET", "/_nos/chatemu-yunxin-demo/none.png", nil, "")
	}
	for i := 1; i <= n; i++ {
		if e := next(t, events); e.id != strconv.Itoa(i) {
			t.Fatalf("event %d has id %q", i, e.id)
		}
	}
}

// TestInspectorMounted: the server serves the inspector's pages at
// /_chatemu/ui without the control token (they hold no data), keeps its
// own requests out of the journal, and still guards the control API.
func TestInspectorMounted(t *testing.T) {
	l := startLive(t, emulator.Config{ControlToken: "s3cret"})
	res, body := l.do(t, "GET", "/_chatemu/ui/journal", nil, "")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(body, "<title>Journal · chatemu inspector</title>") {
		t.Errorf("GET /_chatemu/ui/journal: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := l.do(t, "GET", "/_chatemu/ui/assets/app.js", nil, ""); res.StatusCode != 200 {
		t.Errorf("GET app.js: %d", res.StatusCode)
	}
	if res, _ := l.do(t, "GET", "/_chatemu/world", nil, ""); res.StatusCode != 401 {
		t.Errorf("GET /_chatemu/world without the token: %d", res.StatusCode)
	}
	if res, body := l.do(t, "GET", "/_chatemu/ui/nosuchpage", nil, ""); res.StatusCode != 404 || !strings.Contains(body, "No inspector page here") {
		t.Errorf("GET /_chatemu/ui/nosuchpage: %d %s", res.StatusCode, body)
	}
	// A path that only begins like the inspector's is the control API's.
	if res, body := l.do(t, "GET", "/_chatemu/uiother", nil, "Bearer s3cret"); res.StatusCode != 404 || body != `{"error":"no control route /_chatemu/uiother"}`+"\n" {
		t.Errorf("GET /_chatemu/uiother: %d %s", res.StatusCode, body)
	}
	if n := len(l.srv.Journal().Entries(journal.Filter{})); n != 0 {
		t.Errorf("the inspector's requests were journaled: %d entries", n)
	}
}

// TestWorldRoutesOnTenMillion: on the busy scenario (10,560,000 messages)
// every world route answers from counts and pages: a week of hours, the
// rooms, the users and the overview generate no message, and a page of
// records deep in an hour, a Yunxin page and an Op page generate exactly
// their page.
func TestWorldRoutesOnTenMillion(t *testing.T) {
	l := startLive(t, emulator.Config{Spec: load(t, "busy")})
	w := l.srv.World()
	for _, c := range []struct {
		path      string
		generated int64
	}{
		{"world", 0},
		{"world/easemob/chatemu/busy/hours?limit=168", 0},
		{"world/easemob/chatemu/busy/hours/2026111912?offset=59000&limit=100", 100},
		{"world/yunxin/chatemu-yunxin-busy/rooms", 0},
		{"world/yunxin/chatemu-yunxin-busy/rooms/20001/messages?sender_id=a01&limit=100", 100},
		{"world/op/chatemu-op-busy/users", 0},
		{"world/op/chatemu-op-busy/users/u01/messages?pageNum=2000&pageSize=50", 50},
	} {
		before := w.Work()
		body := l.control(t, "GET", c.path, "", 200, nil)
		if got := w.Work().Generated - before.Generated; got != c.generated {
			t.Errorf("%s generated %d messages, want %d", c.path, got, c.generated)
		}
		if strings.Contains(body, `"code":4`) || strings.Contains(body, `"status":4`) {
			t.Errorf("%s: %.300s", c.path, body)
		}
	}
	var o control.WorldOverview
	l.control(t, "GET", "world", "", 200, &o)
	if o.Easemob[0].Messages+o.Yunxin[0].Messages != 10_560_000 {
		t.Errorf("overview: %+v", o)
	}
	var h control.HourRecords
	l.control(t, "GET", "world/easemob/chatemu/busy/hours/2026111912?offset=59990&limit=100", "", 200, &h)
	if h.Messages != 12*5000 || len(h.Records) != 10 {
		t.Errorf("hour 2026111912: %d messages, %d records at offset 59990", h.Messages, len(h.Records))
	}
}
