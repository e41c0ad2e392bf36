package testkit_test

import (
	"fmt"
	"time"

	"github.com/chatemu/chatemu/testkit"
)

// statuses lists the journal's statuses of operation op (0: dropped).
func statuses(emu *testkit.Emulator, op testkit.OperationName) []int {
	var out []int
	for _, r := range emu.Requests(testkit.Operation(op)) {
		out = append(out, r.Status)
	}
	return out
}

// An Easemob history-sync client against the vendor's own failures: the
// real rate limit (10 chatmessages calls a minute) cleared by backing off
// on the emulator's clock, a dropped connection, and an archive link that
// expired before the download.
func Example_easemobHistorySync() {
	t := &exampleT{} // in a test: the test's t
	defer t.done()
	emu := testkit.Start(t, testkit.Frozen(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)), testkit.RateLimits(testkit.RateLimitsVendor))

	app := emu.Easemob()
	c := &easemobSync{base: app.BaseURL, org: app.Org, app: app.App, clientID: app.ClientID, clientSecret: app.ClientSecret,
		http: emu.HTTPClient(),
		// The client's back-off (10 s, 20 s, 40 s: the limit is per minute)
		// sleeps on the emulator's clock: no test waits in real time.
		retrier: retrier{sleep: emu.Clock().Advance, first: 10 * time.Second}}

	// Happy path: 16:00 Beijing time is 08:00 UTC, archived at 10:00.
	msgs, err := c.Sync("2026112016")
	fmt.Println("happy path:", len(msgs), "messages, error", err)

	// The 11th chatmessages call within a minute is the vendor's 429; the
	// client backs off until the window has passed.
	for range 9 {
		c.Link("2026112016")
	}
	emu.ClearRequests()
	before := emu.Clock().Now()
	_, err = c.Sync("2026112015")
	fmt.Println("rate limited:", statuses(emu, "easemob.chatmessages"), "then ok after", emu.Clock().Now().Sub(before), "error", err)

	// A dropped connection: the client (or Go's transport) tries again.
	emu.ClearRequests()
	emu.Fail(t, testkit.Fault{Vendor: "easemob", Path: "/chatmessages/", Kind: testkit.Drop, Times: 1})
	msgs, err = c.Sync("2026112014")
	fmt.Println("dropped:", statuses(emu, "easemob.chatmessages"), len(msgs), "messages, error", err)

	// The link expires (30 minutes) before the download: OSS answers 403
	// and the client asks for a fresh link.
	emu.ClearRequests()
	link, _ := c.Link("2026112013")
	emu.Clock().Advance(31 * time.Minute)
	msgs, err = c.Messages("2026112013", link)
	fmt.Println("expired link:", statuses(emu, "easemob.archive_download"), len(msgs), "messages, error", err)
	// Output:
	// happy path: 47 messages, error <nil>
	// rate limited: [429 429 429 200] then ok after 1m10s error <nil>
	// dropped: [0 200] 41 messages, error <nil>
	// expired link: [403 200] 41 messages, error <nil>
}

// A Yunxin chat-room sync client in its own runtime tenant: Yunxin's
// frequency control (HTTP 200, code 416) twice, then success after backing
// off on the emulator's clock, and a dropped connection.
func Example_yunxinHistorySync() {
	t := &exampleT{}
	defer t.done()
	emu := testkit.Start(t, testkit.Frozen(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)))

	// A tenant of its own, as a suite sharing one emulator would make it.
	app := emu.NewYunxinApp(t, testkit.YunxinAppSpec{
		Accounts:  []string{"amy"},
		Chatrooms: []testkit.YunxinRoom{{ID: 1, Name: "general"}},
		Traffic:   []testkit.Traffic{{From: "amy", Room: 1, PerHour: 50, Since: 3 * time.Hour}},
	})
	c := &yunxinSync{base: app.BaseURL, appKey: app.AppKey, appSecret: app.AppSecret, http: emu.HTTPClient(),
		retrier: retrier{sleep: emu.Clock().Advance}, now: emu.Clock().WallNow}

	items, err := c.Room("1", "amy")
	fmt.Println("happy path:", len(items), "messages in", len(emu.Requests(testkit.Tenant(app.Tenant()))), "pages, error", err)

	emu.ClearRequests()
	emu.Fail(t, testkit.Fault{Vendor: "yunxin", Kind: testkit.RateLimit, Times: 2})
	before := emu.Clock().Now()
	items, err = c.Room("1", "amy")
	fmt.Println("code 416 twice:", len(items), "messages after backing off", emu.Clock().Now().Sub(before), "error", err)

	emu.ClearRequests()
	emu.Fail(t, testkit.Fault{Vendor: "yunxin", Kind: testkit.Drop, Times: 1})
	items, err = c.Room("1", "amy")
	fmt.Println("dropped:", statuses(emu, "yunxin.chatroom_history")[0], "then", len(items), "messages, error", err)
	// Output:
	// happy path: 150 messages in 2 pages, error <nil>
	// code 416 twice: 150 messages after backing off 3s error <nil>
	// dropped: 0 then 150 messages, error <nil>
}

// An Op API client: the envelope's rate-limit code, a dropped POST (never
// retried by Go's transport, so the client's own retry shows), and a
// Qiniu getUrl that expired before the download, refreshed by listing
// again.
func Example_opHistorySync() {
	t := &exampleT{}
	defer t.done()
	emu := testkit.Start(t, testkit.Frozen(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)))

	op := emu.Op()
	c := &opSync{base: op.BaseURL, client: op.Client, token: op.Token, http: emu.HTTPClient(),
		retrier: retrier{sleep: emu.Clock().Advance}}

	recs, err := c.List("alice")
	fmt.Println("happy path:", len(recs), "records, error", err)

	emu.ClearRequests()
	emu.Fail(t, testkit.Fault{Vendor: "op", Path: "userMessageList", Kind: testkit.RateLimit, Times: 1})
	emu.Fail(t, testkit.Fault{Vendor: "op", Path: "userMessageList", Kind: testkit.Drop, Times: 1})
	recs, err = c.List("alice")
	fmt.Println("429 then dropped:", statuses(emu, "op.user_message_list"), len(recs), "records, error", err)

	var img opRecord
	for _, r := range recs {
		if r.Type == "img" && r.GetURL != nil {
			img = r
			break
		}
	}
	emu.ClearRequests()
	emu.Clock().Advance(5*365*24*time.Hour + time.Second) // getUrl links live five 365-day years
	b, err := c.Download("alice", img)
	fmt.Println("expired getUrl:", statuses(emu, "op.qiniu_download"), len(b) > 0, "error", err)
	// Output:
	// happy path: 100 records, error <nil>
	// 429 then dropped: [200 0 200] 100 records, error <nil>
	// expired getUrl: [401 200] true error <nil>
}
