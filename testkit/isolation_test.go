package testkit_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
	"github.com/chatemu/chatemu/testkit"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func noSleep(t *testing.T) func(time.Duration) {
	return func(d time.Duration) { t.Errorf("unexpected back-off of %v", d) }
}

// TestParallelTenantsIsolated: 200 parallel subtests share one emulator,
// each with a runtime tenant of its own, and each sees only its own data
// through the vendor APIs and the journal.
func TestParallelTenantsIsolated(t *testing.T) {
	emu := testkit.Start(t, testkit.Now(t0))
	emu.Clock().Freeze(true)
	emu.Clock().Set(t0)
	const n = 200
	t.Run("suites", func(t *testing.T) {
		for i := range n {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				marker := fmt.Sprintf("marker-%03d", i)
				var got string
				var tenant world.TenantID
				switch i % 3 {
				case 0:
					app := emu.NewEasemobApp(t, testkit.EasemobAppSpec{Users: []string{"ann", "ben"}})
					tenant = app.Tenant()
					emu.Inject(t, tenant, scenarios.LiteralMessage{From: "ann", To: "ben", Msg: marker, At: t0.Add(-2 * time.Hour)})
					c := &easemobSync{base: app.BaseURL, org: app.Org, app: app.App, clientID: app.ClientID, clientSecret: app.ClientSecret,
						http: emu.HTTPClient(), retrier: retrier{sleep: noSleep(t)}}
					msgs, err := c.Sync("2026112016") // 08:00 UTC in Beijing time
					if err != nil {
						t.Fatal(err)
					}
					got = fmt.Sprint(msgs)
					emu.AssertCalled(t, "easemob.archive_download", 1, testkit.Tenant(tenant))
				case 1:
					app := emu.NewYunxinApp(t, testkit.YunxinAppSpec{Accounts: []string{"amy"}, Chatrooms: []testkit.YunxinRoom{{ID: 7}}})
					tenant = app.Tenant()
					emu.Inject(t, tenant, scenarios.LiteralMessage{Sender: "amy", Room: 7, Msg: marker, At: t0.Add(-time.Minute)})
					c := &yunxinSync{base: app.BaseURL, appKey: app.AppKey, appSecret: app.AppSecret, http: emu.HTTPClient(),
						retrier: retrier{sleep: noSleep(t)}, now: emu.Clock().WallNow}
					items, err := c.Room("7", "amy")
					if err != nil {
						t.Fatal(err)
					}
					got = fmt.Sprint(items)
				case 2:
					c := emu.NewOpClient(t, testkit.OpClientSpec{App: testkit.EasemobAppSpec{Users: []string{"zed", "yan"}}})
					tenant = c.Tenant()
					org, name, _ := strings.Cut(c.EasemobApp, "/")
					emu.Inject(t, world.EasemobTenant(org, name), scenarios.LiteralMessage{From: "zed", To: "yan", Msg: marker, At: t0.Add(-time.Minute)})
					sync := &opSync{base: c.BaseURL, client: c.Client, token: c.Token, http: emu.HTTPClient(), retrier: retrier{sleep: noSleep(t)}}
					recs, err := sync.List("zed")
					if err != nil {
						t.Fatal(err)
					}
					if len(recs) != 1 {
						t.Errorf("%d records, want 1", len(recs))
					}
					got = fmt.Sprint(len(recs), *recs[0].Msg)
				}
				if !strings.Contains(got, marker) || strings.Count(got, "marker-") != 1 {
					t.Errorf("tenant %s sees %s, want only %s", tenant, got, marker)
				}
				for _, r := range emu.Requests(testkit.Tenant(tenant)) {
					if r.Tenant != string(tenant) {
						t.Errorf("filter by tenant returned %+v", r)
					}
				}
				if len(emu.Requests(testkit.Tenant(tenant))) == 0 {
					t.Errorf("no journaled request for %s", tenant)
				}
				if i%2 == 0 {
					emu.RemoveTenant(t, tenant)
				}
			})
		}
	})
	// Removed: the Easemob apps of even i; the Op clients of even i (their
	// apps stay).
	want := 2 // the scenario's
	for i := range n {
		if i%3 == 0 && i%2 == 1 || i%3 == 2 {
			want++
		}
	}
	if got := len(emu.Server().Tenants().Easemob); got != want {
		t.Errorf("%d Easemob apps left, want %d", got, want)
	}
}

// TestRetryWithFaultsAndClock: a client's retry loop meets a 429, a dropped
// connection and a server error, and backs off on the emulator's clock:
// the test never sleeps, and the journal shows every attempt in order.
func TestRetryWithFaultsAndClock(t *testing.T) {
	emu := testkit.Start(t, testkit.Now(t0))
	emu.Clock().Freeze(true)
	emu.Clock().Set(t0)
	app := emu.Easemob()
	emu.Fail(t, testkit.Fault{Vendor: "easemob", Path: "/chatmessages/", Kind: testkit.RateLimit, Times: 1})
	emu.Fail(t, testkit.Fault{Vendor: "easemob", Path: "/chatmessages/", Kind: testkit.Drop, Times: 1})
	emu.Fail(t, testkit.Fault{Vendor: "easemob", Path: "/chatmessages/", Kind: testkit.ServerError, Times: 1})
	c := &easemobSync{base: app.BaseURL, org: app.Org, app: app.App, clientID: app.ClientID, clientSecret: app.ClientSecret,
		http: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}, retrier: retrier{sleep: emu.Clock().Advance}}
	msgs, err := c.Sync("2026112016")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 {
		t.Error("no messages")
	}
	if waited := emu.Clock().Now().Sub(t0); waited != 7*time.Second {
		t.Errorf("backed off %v of emulator time, want 1s+2s+4s", waited)
	}
	emu.AssertCalled(t, "easemob.chatmessages", 4)
	emu.AssertCalledWith(t, "easemob.chatmessages", func(r testkit.Request) bool { return r.Status == 0 && r.Fault == "f2" })
	emu.AssertOrder(t, "easemob.token", "easemob.chatmessages", "easemob.archive_download")
	if f := emu.Faults(); len(f) != 0 {
		t.Errorf("faults left: %+v", f)
	}
}

// reporter records assertion failures instead of failing the test.
type reporter struct{ errs []string }

func (*reporter) Helper() {}
func (r *reporter) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestAssertionsReport(t *testing.T) {
	emu := testkit.Start(t, testkit.Scenario("empty"))
	if res, err := emu.HTTPClient().Get(emu.URL + "/a/b/token"); err == nil {
		res.Body.Close()
	}
	var r reporter
	emu.AssertCalled(&r, "easemob.token", 2)
	emu.AssertCalledWith(&r, "easemob.token", func(q testkit.Request) bool { return q.Method == "POST" })
	emu.AssertOrder(&r, "easemob.chatmessages", "easemob.token")
	if len(r.errs) != 3 || !strings.Contains(r.errs[0], "easemob.token called 1 times, want 2") ||
		!strings.Contains(r.errs[0], "#1 easemob.token GET /a/b/token → 404") {
		t.Errorf("reports: %q", r.errs)
	}
	emu.ClearRequests()
	emu.AssertCalled(t, "easemob.token", 0)
	emu.Fail(t, testkit.Fault{Kind: testkit.Drop})
	if !emu.RemoveFault("f1") || emu.RemoveFault("f1") {
		t.Error("RemoveFault")
	}
}

// TestAssertUnknownOperation: asserting on an operation the emulator does
// not have (a typo) is an error, not "called 0 times".
func TestAssertUnknownOperation(t *testing.T) {
	emu := testkit.Start(t, testkit.Scenario("empty"))
	var r reporter
	emu.AssertCalled(&r, "easemob.chatmesages", 0)
	emu.AssertCalledWith(&r, "easemob.tokn", func(testkit.Request) bool { return true })
	emu.AssertOrder(&r, "easemob.token", "yunxin.history")
	if len(r.errs) != 3 {
		t.Fatalf("reports: %q", r.errs)
	}
	for i, op := range []string{"easemob.chatmesages", "easemob.tokn", "yunxin.history"} {
		if !strings.HasPrefix(r.errs[i], `testkit: unknown operation "`+op+`"; the operations are [easemob.token easemob.chatmessages`) {
			t.Errorf("report %d: %s", i, r.errs[i])
		}
	}
}

func TestJournalSizeOption(t *testing.T) {
	emu := testkit.Start(t, testkit.Scenario("empty"), testkit.JournalSize(0))
	res, err := emu.HTTPClient().Get(emu.URL + "/a/b/token")
	if err == nil {
		res.Body.Close()
	}
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("disabled journal holds %d", n)
	}
}
