package inspector_test

// The inspector in a real headless Chromium, driven from Go with chromedp
// over the DevTools protocol: each test starts an emulator of its own,
// opens the pages in a tab of one shared browser, acts as a person would
// (clicks, types, keys) and waits for what the page shows (DOM conditions
// checked on every DOM mutation), never for a duration.
//
// Without a browser the tests skip, naming the package to install (Debian:
// chromium); in CI (CI set) or with CHATEMU_REQUIRE_BROWSER=1 a missing
// browser fails them. CHATEMU_CHROME names a browser binary to use.
//
// go test ./emulator/inspector -run Browser -update rewrites the
// screenshots under docs/images/inspector/ (CHATEMU_UPDATE_SCREENSHOTS=1
// does the same); a normal run takes them in memory only.

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/internal/surfacetest"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

var update = flag.Bool("update", false, "rewrite the screenshots under docs/images/inspector")

// shotDir is where the screenshots go, from this package's directory.
const shotDir = "../../docs/images/inspector"

// t0 is where the tests' clocks stand (frozen): the default scenario's
// start, so that the screenshots are the same on every run.
var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// The viewports the pages must read well at: a laptop and a phone.
var viewports = []struct {
	name          string
	width, height int64
}{{"desktop", 1280, 800}, {"phone", 390, 844}}

// browserPath finds a Chromium or Chrome binary.
func browserPath() string {
	if p := os.Getenv("CHATEMU_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startBrowser launches one headless browser for a test and its subtests,
// or skips (fails in CI) when there is none.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := browserPath()
	if path == "" {
		msg := "no headless Chromium found: install the package chromium (Debian: apt-get install -y chromium) or set CHATEMU_CHROME"
		if os.Getenv("CI") != "" || os.Getenv("CHATEMU_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	// The flags that work on a closed network: without the background
	// networking ones, the browser's own connections are refused and it
	// stalls.
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// emu is an emulator behind a real listener, its clock frozen at t0.
type emu struct {
	srv *emulator.Server
	url string
	hc  *http.Client
}

func startEmulator(t *testing.T, token string) *emu {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := scenarios.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	srv, err := emulator.New(emulator.Config{Spec: spec, PublicURL: url, Now: t0, ControlToken: token})
	if err != nil {
		t.Fatal(err)
	}
	srv.Clock().Freeze(true)
	srv.Clock().Set(t0)
	hs := httptest.NewUnstartedServer(srv)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	tr := &http.Transport{}
	t.Cleanup(func() { tr.CloseIdleConnections(); hs.Close() })
	return &emu{srv: srv, url: url, hc: &http.Client{Transport: tr}}
}

// call is a Go client's request to the emulator; it returns the status
// and the body.
func (e *emu) call(t *testing.T, method, path string, header http.Header, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res := surfacetest.Do(t, e.hc, req)
	return res.Status, string(res.Body)
}

// yunxinHeaders signs a Yunxin request of the default app as a client
// does (CheckSum = sha1(AppSecret + Nonce + CurTime), CurTime from the
// wall clock); checksum, when not empty, replaces the right one.
func (e *emu) yunxinHeaders(checksum string) http.Header {
	cur := strconv.FormatInt(e.srv.Clock().WallNow().Unix(), 10)
	if checksum == "" {
		sum := sha1.Sum([]byte("c0ffee123456" + "n0nce" + cur))
		checksum = hex.EncodeToString(sum[:])
	}
	return http.Header{"Appkey": {"chatemu-yunxin-demo"}, "Nonce": {"n0nce"}, "Curtime": {cur}, "Checksum": {checksum}}
}

// tab is one browser tab on an emulator.
type tab struct {
	t   *testing.T
	ctx context.Context
	emu *emu
}

func newTab(t *testing.T, browser context.Context, e *emu) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	return &tab{t: t, ctx: ctx, emu: e}
}

// do runs steps in the tab, failing the test at the first error.
func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// open loads an inspector page (a slug and a query) and waits until its
// script has shown what the control API gave it.
func (b *tab) open(page string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.emu.url+"/_chatemu/ui/"+page), chromedp.WaitReady(chromedp.CSS(`body[data-ready="true"]`)))
	if msg := b.text("#status"); strings.Contains(b.attr("#status", "class"), "error") {
		b.t.Fatalf("%s: the page says %q", page, msg)
	}
}

// wait waits until a JavaScript condition holds, checking it on every DOM
// change.
func (b *tab) wait(cond string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(0))); err != nil {
		b.t.Fatalf("waiting for %s: %v", cond, err)
	}
}

func eval[T any](b *tab, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel))
}

func (b *tab) attr(sel, name string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%q) || {getAttribute: () => ""}).getAttribute(%q) || ""`, sel, name))
}

// shot takes a screenshot of what the viewport shows; with -update it is
// written to docs/images/inspector/name.png.
func (b *tab) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	if len(png) < 1000 {
		b.t.Fatalf("screenshot %s: %d bytes", name, len(png))
	}
	if *update || os.Getenv("CHATEMU_UPDATE_SCREENSHOTS") == "1" {
		if err := os.MkdirAll(shotDir, 0o755); err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shotDir, name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// TestBrowser runs the inspector's pages in one headless Chromium.
func TestBrowser(t *testing.T) {
	browser := startBrowser(t)

	t.Run("TenantsListTheScenario", func(t *testing.T) {
		e := startEmulator(t, "")
		b := newTab(t, browser, e)
		b.open("tenants")
		got := eval[[]string](b, `[...document.querySelectorAll('.tenant')].map((n) => n.dataset.tenant)`)
		if want := e.srv.TenantNames(); !slices.Equal(got, want) {
			t.Errorf("the page lists %v, the scenario has %v", got, want)
		}
		page := b.text("#tenants")
		for _, want := range []string{"YXA6ChatemuDemoClientSecret0001", "c0ffee123456", "chatemu-op-token-0001",
			"/chatemu/demo/chatmessages/2026112016", "CheckSum: $CHECKSUM", "userMessageList?apiVersion=01&client=chatemu-op"} {
			if !strings.Contains(page, want) {
				t.Errorf("the tenants page lacks %q", want)
			}
		}
	})

	t.Run("JournalFollowsWithoutReload", func(t *testing.T) {
		e := startEmulator(t, "")
		b := newTab(t, browser, e)
		b.open("journal")
		b.wait(`document.querySelector('#live').dataset.state === 'on'`)
		b.do(chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`))

		status, _ := e.call(t, "POST", "/op/v2/userMessageList?apiVersion=01&client=chatemu-op&token=chatemu-op-token-0001&sign=x",
			http.Header{"Content-Type": {"application/json"}}, `{"userId":"alice","pageSize":5}`)
		if status != 200 {
			t.Fatalf("Op call: %d", status)
		}
		b.wait(`!!document.querySelector('tr[data-seq="1"]')`)
		if row := b.text(`tr[data-seq="1"]`); !strings.Contains(row, "op.user_message_list") || !strings.Contains(row, "200") {
			t.Errorf("row 1: %q", row)
		}

		// A wrong CheckSum: the row carries the reason.
		e.call(t, "GET", "/im/v2.1/chatrooms/10001/messages?sender_id=amy&limit=5", e.yunxinHeaders("0123abcd"), "")
		b.wait(`!!document.querySelector('tr[data-seq="2"]')`)
		if reason := b.text(`tr[data-seq="2"] td.reason`); !strings.Contains(reason, "CheckSum mismatch") {
			t.Errorf("row 2's reason: %q", reason)
		}
		// A path no emulated API takes is marked.
		e.call(t, "GET", "/chatemu/demo/no-such-api", nil, "")
		b.wait(`!!document.querySelector('tr[data-seq="3"].unmatched')`)

		// Details: the redacted headers and the vendor's body.
		b.do(chromedp.Click(chromedp.CSS(`tr[data-seq="2"] button`)))
		b.wait(`!!document.querySelector('tr.detail')`)
		detail := b.text("tr.detail")
		for _, want := range []string{"Checksum", "REDACTED", `"code": 414`} {
			if !strings.Contains(detail, want) {
				t.Errorf("details lack %q: %s", want, detail)
			}
		}
		if b.attr(`tr[data-seq="2"] button`, "aria-expanded") != "true" {
			t.Error("the details button does not say it is expanded")
		}
		if !eval[bool](b, `window.notReloaded === true`) {
			t.Error("the page reloaded")
		}
		b.shot("journal")

		// Filtering by vendor shows only that vendor's requests.
		b.do(chromedp.SetValue(chromedp.CSS("#f-vendor"), "yunxin"), chromedp.Click(chromedp.CSS(`#journal-filter button[type="submit"]`)))
		b.wait(`document.querySelectorAll('tr[data-seq]').length === 1 && !!document.querySelector('tr[data-seq="2"]')`)
	})

	t.Run("AdvanceAnHourArchivesTheHour", func(t *testing.T) {
		e := startEmulator(t, "")
		b := newTab(t, browser, e)
		b.open("world?tenant=easemob:chatemu/demo")
		b.wait(`!!document.querySelector('tr[data-hour="2026112017"] [data-state="pending"]')`)

		b.open("clock")
		if now := b.text("#clock-now"); now != "2026-11-20 10:00:00 UTC" {
			t.Errorf("the clock page shows %q", now)
		}
		b.do(chromedp.Click(chromedp.CSS(`button[data-advance="1h"]`)))
		b.wait(`document.querySelector('#clock-now').textContent === '2026-11-20 11:00:00 UTC'`)
		if now := e.srv.Clock().Now(); !now.Equal(t0.Add(time.Hour)) {
			t.Errorf("the emulator's clock is at %v", now)
		}
		b.shot("clock")

		b.open("world?tenant=easemob:chatemu/demo")
		b.wait(`!!document.querySelector('tr[data-hour="2026112017"] [data-state="archived"]')`)
		b.do(chromedp.Click(chromedp.CSS(`button[aria-label="Records of hour 2026112017"]`)))
		b.wait(`!!document.querySelector('#archive-link') && document.querySelectorAll('ol.records li').length === 20`)
		b.shot("world-hour")
	})

	t.Run("FaultPresetFailsTheNextCall", func(t *testing.T) {
		e := startEmulator(t, "")
		b := newTab(t, browser, e)
		b.open("faults")
		b.do(chromedp.SetValue(chromedp.CSS("#fault-vendor"), "yunxin"),
			chromedp.SetValue(chromedp.CSS("#fault-kind"), "server_error"),
			chromedp.Click(chromedp.CSS(`#fault-form button[type="submit"]`)))
		b.wait(`document.querySelectorAll('tr[data-fault]').length === 1`)
		b.shot("faults")

		status, body := e.call(t, "GET", "/im/v2.1/chatrooms/10001/messages?sender_id=amy&limit=5", e.yunxinHeaders(""), "")
		if status != 200 || !strings.HasPrefix(body, `{"code":500,`) {
			t.Errorf("the call after the fault: %d %s, want Yunxin's code 500", status, body)
		}
		status, body = e.call(t, "GET", "/im/v2.1/chatrooms/10001/messages?sender_id=amy&limit=5", e.yunxinHeaders(""), "")
		if status != 200 || !strings.HasPrefix(body, `{"code":200,`) {
			t.Errorf("the call after that: %d %s, want a page (times: 1)", status, body)
		}
		b.open("faults")
		if !eval[bool](b, `document.querySelector('#faults-empty').hidden === false && !document.querySelector('tr[data-fault]')`) {
			t.Error("the used-up fault is still listed")
		}
	})

	t.Run("InjectedMessageAppearsInItsHour", func(t *testing.T) {
		e := startEmulator(t, "")
		b := newTab(t, browser, e)
		b.open("inject")
		b.do(chromedp.SetValue(chromedp.CSS("#em-content"), "hello from the inspector"),
			chromedp.Click(chromedp.CSS(`#inject-easemob button[type="submit"]`)))
		b.wait(`!!document.querySelector('#inject-easemob-result a.where')`)
		id := b.text("#inject-easemob-result .msg-id")
		m, ok := e.srv.World().Message(world.EasemobTenant("chatemu", "demo"), id)
		if !ok || m.Text != "hello from the inspector" || !m.At.Equal(t0) {
			t.Fatalf("the world holds %q: %+v, %v", id, m, ok)
		}
		b.shot("inject")
		if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS("#inject-easemob-result a.where"))); err != nil {
			t.Fatal(err)
		}
		b.wait(fmt.Sprintf(`document.body.dataset.page === 'world' && document.body.dataset.ready === 'true' && !!document.querySelector('li.hl[data-msg-id=%q]')`, id))
		if rec := b.text(fmt.Sprintf(`li[data-msg-id=%q]`, id)); !strings.Contains(rec, `"msg":"hello from the inspector"`) {
			t.Errorf("the record: %s", rec)
		}
		if h := b.text("#hour-h"); h != "Hour 2026112018" {
			t.Errorf("the message is shown in %q, want hour 2026112018 (10:00 UTC is 18:00 in Beijing)", h)
		}

		// Yunxin: the link opens the sender's first page in the room, where
		// the newest message is the one injected now.
		b.open("inject")
		b.do(chromedp.SetValue(chromedp.CSS("#yx-content"), "你好 from the inspector"),
			chromedp.Click(chromedp.CSS(`#inject-yunxin button[type="submit"]`)))
		b.wait(`!!document.querySelector('#inject-yunxin-result a.where')`)
		if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS("#inject-yunxin-result a.where"))); err != nil {
			t.Fatal(err)
		}
		b.wait(`document.body.dataset.ready === 'true' && !!document.querySelector('#page-body')`)
		if page := b.text("#page-body"); !strings.Contains(page, `"text": "你好 from the inspector"`) {
			t.Errorf("the Yunxin page lacks the message: %s", page)
		}

		// Op: the link opens the receiver's records, newest first.
		b.open("inject")
		b.do(chromedp.SetValue(chromedp.CSS("#op-content"), "hello, Op"),
			chromedp.Click(chromedp.CSS(`#inject-op button[type="submit"]`)))
		b.wait(`!!document.querySelector('#inject-op-result a.where')`)
		if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS("#inject-op-result a.where"))); err != nil {
			t.Fatal(err)
		}
		b.wait(`document.body.dataset.ready === 'true' && !!document.querySelector('#records-body')`)
		if recs := b.text("#records-body"); !strings.Contains(recs, `"msg": "hello, Op"`) {
			t.Errorf("the Op records lack the message: %.600s", recs)
		}
	})

	t.Run("ControlTokenIsAskedAndSent", func(t *testing.T) {
		e := startEmulator(t, "s3cret")
		b := newTab(t, browser, e)
		b.do(chromedp.Navigate(e.url + "/_chatemu/ui/tenants"))
		b.wait(`document.querySelector('#token-dialog').open`)
		b.shot("token")
		b.do(chromedp.SendKeys(chromedp.CSS("#token-input"), "wrong"), chromedp.KeyEvent(kb.Enter))
		b.wait(`document.querySelector('#token-dialog').open && document.querySelector('#token-why').textContent.includes('refused')`)
		b.do(chromedp.SendKeys(chromedp.CSS("#token-input"), "s3cret"), chromedp.KeyEvent(kb.Enter))
		b.wait(`document.body.dataset.ready === 'true' && document.querySelectorAll('.tenant').length === 4`)
		// The next page of the tab uses the kept token without asking.
		b.open("journal")
		b.wait(`document.querySelector('#live').dataset.state === 'on'`)
		if eval[bool](b, `document.querySelector('#token-dialog').open`) {
			t.Error("the journal asked for the token again")
		}
	})

	t.Run("ReadableAndKeyboardUsable", func(t *testing.T) {
		e := startEmulator(t, "")
		// A few requests, so that the journal has rows to lay out.
		e.call(t, "GET", "/im/v2.1/chatrooms/10001/messages?sender_id=amy&limit=5", e.yunxinHeaders(""), "")
		e.call(t, "GET", "/im/v2.1/chatrooms/10001/messages?sender_id=amy&limit=5", e.yunxinHeaders("bad"), "")
		e.call(t, "GET", "/chatemu/demo/no-such-api", nil, "")
		b := newTab(t, browser, e)
		for _, vp := range viewports {
			b.do(chromedp.EmulateViewport(vp.width, vp.height))
			for _, page := range []string{"tenants", "world", "journal", "clock", "faults", "inject"} {
				b.open(page)
				if page == "journal" {
					b.wait(`document.querySelectorAll('tr[data-seq]').length === 3`)
				}
				// Nothing wider than the viewport: no sideways scrolling.
				if w := eval[[]int](b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); w[0] > w[1] {
					t.Errorf("%s at %dx%d: the page is %d px wide in a %d px viewport", page, vp.width, vp.height, w[0], w[1])
				}
				// Every control has a name a screen reader reads.
				if bad := eval[[]string](b, `[...document.querySelectorAll('input, select, textarea, button, a')].filter((n) =>
						n.matches('input, select, textarea') ? !(n.labels.length || n.getAttribute('aria-label')) : !(n.textContent.trim() || n.getAttribute('aria-label'))
					).map((n) => n.outerHTML.slice(0, 80))`); len(bad) > 0 {
					t.Errorf("%s: controls without a name: %v", page, bad)
				}
				b.shot(page + "-" + vp.name)
			}
		}

		// Keyboard: the first Tab reaches the skip link, the next ones the
		// navigation, each with a visible focus ring; a button works with
		// Enter.
		b.do(chromedp.EmulateViewport(1280, 800))
		b.open("clock")
		var order []string
		for range 4 {
			b.do(chromedp.KeyEvent(kb.Tab))
			order = append(order, eval[string](b, `document.activeElement.textContent.trim()`))
			if ring := eval[string](b, `getComputedStyle(document.activeElement).outlineStyle`); ring == "none" {
				t.Errorf("%q has focus without a visible ring", order[len(order)-1])
			}
		}
		if want := []string{"Skip to content", "chatemu inspector", "Tenants", "World"}; !slices.Equal(order, want) {
			t.Errorf("tab order %q, want %q", order, want)
		}
		b.do(chromedp.Focus(chromedp.CSS(`button[data-advance="1m"]`)), chromedp.KeyEvent(kb.Enter))
		b.wait(`document.querySelector('#clock-now').textContent === '2026-11-20 10:01:00 UTC'`)
	})
}
