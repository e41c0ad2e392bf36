package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/internal/golden"
)

// live is a Server behind a real HTTP listener, its clock frozen at t0.
type live struct {
	srv *emulator.Server
	url string
	// client keeps no idle connections: Go's Transport silently retries an
	// idempotent request whose reused connection was dropped, which would
	// hide the drop fault from the tests.
	client *http.Client
}

func startLive(t *testing.T, cfg emulator.Config) *live {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	if cfg.Spec == nil {
		cfg.Spec = load(t, "default")
	}
	cfg.PublicURL = url
	if cfg.Now.IsZero() {
		cfg.Now = t0
	}
	s := newServer(t, cfg)
	s.Clock().Freeze(true)
	s.Clock().Set(cfg.Now)
	hs := httptest.NewUnstartedServer(s)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(func() { tr.CloseIdleConnections(); hs.Close() })
	return &live{srv: s, url: url, client: &http.Client{Transport: checkControl(t, tr)}}
}

// do sends a request and returns the response with its body read.
func (l *live) do(t *testing.T, method, path string, header http.Header, body string) (*http.Response, string) {
	t.Helper()
	res, b, err := l.try(method, path, header, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return res, b
}

func (l *live) try(method, path string, header http.Header, body string) (*http.Response, string, error) {
	req, err := http.NewRequest(method, l.url+path, strings.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if h := header.Get("Host"); h != "" {
		req.Host = h
	}
	res, err := l.client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, string(b), err
}

// control sends a control request with a JSON body and decodes the answer.
func (l *live) control(t *testing.T, method, path, body string, status int, out any) string {
	t.Helper()
	res, b := l.do(t, method, "/_chatemu/"+path, http.Header{"Content-Type": {"application/json"}}, body)
	if res.StatusCode != status {
		t.Fatalf("%s /_chatemu/%s: %d %s, want %d", method, path, res.StatusCode, b, status)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(b), out); err != nil {
			t.Fatalf("%s /_chatemu/%s: %v in %s", method, path, err, b)
		}
	}
	return b
}

// dump writes what a client receives: status line, headers but Date (the
// wall clock's, added by net/http), blank line, body.
func dump(res *http.Response, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", res.Proto, res.Status)
	keys := make([]string, 0, len(res.Header))
	for k := range res.Header {
		if k != "Date" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range res.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	b.WriteString(body)
	return b.String()
}

// faultTargets is one request per vendor format a preset renders in.
var faultTargets = []struct {
	name, vendor, method, path string
	header                     http.Header
	body                       string
}{
	{"easemob", "easemob", "GET", "/chatemu/demo/chatmessages/2026112009", http.Header{"Authorization": {"Bearer x"}}, ""},
	{"oss", "easemob", "GET", "/_oss/" + emBucket + "/history/chatemu/demo/2026112009.gz?Expires=1795140000&OSSAccessKeyId=" + emOSSKeyID + "&Signature=x",
		http.Header{"Host": {"emu.test"}}, ""},
	{"yunxin", "yunxin", "GET", "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=10", http.Header{"AppKey": {"chatemu-yunxin-demo"}}, ""},
	{"nos", "yunxin", "GET", "/_nos/chatemu-yunxin-demo/abc.png", nil, ""},
	{"op", "op", "POST", "/op/v2/userMessageList?client=" + opClient + "&token=" + opToken, nil, `{"userId":"alice","pageNum":1,"pageSize":10}`},
	{"qiniu", "op", "GET", "/_qiniu/abc.png?e=1795140000&token=AK:sig", nil, ""},
}

// TestFaultPresetBytes pins the exact bytes every preset sends in every
// vendor format.
func TestFaultPresetBytes(t *testing.T) {
	for _, target := range faultTargets {
		for _, kind := range faults.Presets {
			t.Run(target.name+"/"+string(kind), func(t *testing.T) {
				l := startLive(t, emulator.Config{})
				if _, err := l.srv.Faults().Add(faults.Rule{Vendor: target.vendor, Kind: kind, Times: 1}); err != nil {
					t.Fatal(err)
				}
				res, body := l.do(t, target.method, target.path, target.header, target.body)
				golden.Check(t, filepath.Join("testdata", "fault_"+target.name+"_"+string(kind)+".golden"), []byte(dump(res, body)))
				if n := len(l.srv.Faults().List()); n != 0 {
					t.Errorf("%d faults left after times: 1", n)
				}
				e := l.srv.Journal().Entries(journal.Filter{})
				if len(e) != 1 || e[0].Fault != "f1" || e[0].Status != res.StatusCode || e[0].Vendor != target.vendor {
					t.Errorf("journal %+v", e)
				}
			})
		}
	}
}

// TestFaultLeavesStateUnchanged: a faulted token request issues no token
// and counts against no rate limit; the next request is served as if the
// fault had never been.
func TestFaultLeavesStateUnchanged(t *testing.T) {
	a := startLive(t, emulator.Config{})
	b := startLive(t, emulator.Config{})
	a.srv.Faults().Add(faults.Rule{Path: "/token$", Kind: faults.ServerError, Times: 2})
	token := emTokenBody
	h := http.Header{"Content-Type": {"application/json"}}
	for range 2 {
		if res, body := a.do(t, "POST", "/chatemu/demo/token", h, token); res.StatusCode != 500 {
			t.Fatalf("faulted token: %d %s", res.StatusCode, body)
		}
	}
	// The first real token of a equals the first token of b, an unfaulted
	// twin: the faulted calls issued nothing.
	_, got := a.do(t, "POST", "/chatemu/demo/token", h, token)
	_, want := b.do(t, "POST", "/chatemu/demo/token", h, token)
	if got != want {
		t.Errorf("after faults:\n%s\nunfaulted twin:\n%s", got, want)
	}
}

func TestFaultMatchingAndLifetime(t *testing.T) {
	l := startLive(t, emulator.Config{})
	var f1, f2, f3 struct {
		ID        string `json:"id"`
		Remaining *int   `json:"remaining"`
	}
	l.control(t, "POST", "faults", `{"vendor":"yunxin","kind":"rate_limit","times":2}`, 201, &f1)
	l.control(t, "POST", "faults", `{"method":"get","path":"^/_nos/","status":418,"body":"teapot","headers":{"Content-Type":"text/plain"}}`, 201, &f2)
	l.control(t, "POST", "faults", `{"vendor":"op","kind":"server_error"}`, 201, &f3)
	if f1.ID != "f1" || *f1.Remaining != 2 || f3.Remaining != nil {
		t.Fatalf("created %+v %+v", f1, f3)
	}
	yx := http.Header{"AppKey": {"chatemu-yunxin-demo"}}
	for i := range 3 {
		_, body := l.do(t, "GET", "/im/v2/chatrooms/10001/messages", yx, "")
		want := `"code":416`
		if i == 2 {
			want = `"code":414` // the real answer: no CurTime
		}
		if !strings.Contains(body, want) {
			t.Errorf("yunxin call %d: %s, want %s", i, body, want)
		}
	}
	// f1 is used up; f2 is first for NOS, in creation order before f3.
	res, body := l.do(t, "GET", "/_nos/chatemu-yunxin-demo/x.png", nil, "")
	if res.StatusCode != 418 || body != "teapot" || res.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("raw fault: %d %q %v", res.StatusCode, body, res.Header)
	}
	var list struct {
		Faults []struct {
			ID        string `json:"id"`
			Remaining *int   `json:"remaining"`
			Hits      int    `json:"hits"`
		} `json:"faults"`
	}
	l.control(t, "GET", "faults", "", 200, &list)
	if len(list.Faults) != 2 || list.Faults[0].ID != "f2" || list.Faults[0].Hits != 1 || list.Faults[1].ID != "f3" {
		t.Errorf("faults %+v", list)
	}
	l.control(t, "DELETE", "faults/f2", "", 204, nil)
	l.control(t, "DELETE", "faults/f2", "", 404, nil)
	if res, _ := l.do(t, "GET", "/_nos/chatemu-yunxin-demo/x.png", nil, ""); res.StatusCode != 404 {
		t.Errorf("after delete: %d, want the real 404", res.StatusCode)
	}
	l.control(t, "DELETE", "faults", "", 204, nil)
	l.control(t, "GET", "faults", "", 200, &list)
	if len(list.Faults) != 0 {
		t.Errorf("after DELETE faults: %+v", list)
	}
}

func TestFaultValidation(t *testing.T) {
	l := startLive(t, emulator.Config{})
	for _, tt := range []struct{ body, want string }{
		{`{}`, `{"error":"kind: the fault has no effect: give kind, status or delay"}`},
		{`{"kind":"boom"}`, `{"error":"kind: want rate_limit, server_error, unauthorized or drop, got \"boom\""}`},
		{`{"vendor":"wechat","kind":"drop"}`, `{"error":"vendor: want one of easemob, yunxin, op, or absent for every vendor; got \"wechat\""}`},
		{`{"path":"(","kind":"drop"}`, "path: not a regular expression"},
		{`{"kind":"drop","times":-1}`, "times: want 0 (until deleted) or a positive count"},
		{`{"delay":"soon"}`, "delay: want a duration"},
		{`{"kind":"rate_limit","status":500}`, "status: a raw status and kind"},
		{`{"body":"x"}`, "body: body and headers go with a raw status"},
		{`{"status":42}`, `{"error":"status: want an HTTP status, 200 to 999, got 42"}`},
		{`{"status":100}`, `{"error":"status: 100 is an interim (1xx) status: the server would follow it with a final status of its own; want a final status, 200 to 999"}`},
		{`{"status":101,"headers":{"Upgrade":"websocket"}}`, `{"error":"status: 101 is an interim (1xx) status: the server would follow it with a final status of its own; want a final status, 200 to 999"}`},
		{`{"status":1000}`, `{"error":"status: want an HTTP status, 200 to 999, got 1000"}`},
		{`{"status":204,"body":"x"}`, `{"error":"body: a 204 answer carries no body (RFC 9110); drop the body or choose another status"}`},
		{`{"status":304,"body":"x"}`, `{"error":"body: a 304 answer carries no body (RFC 9110); drop the body or choose another status"}`},
		{`{"status":200,"body":"x","headers":{"Content-Length":"9"}}`, `{"error":"headers: Content-Length is set by the server from the body and the connection; a fault may not set it"}`},
		{`{"kind":"drop","extra":1}`, `{"error":"extra: unknown key"}`},
	} {
		got := l.control(t, "POST", "faults", tt.body, 400, nil)
		if !strings.Contains(got, tt.want) {
			t.Errorf("POST faults %s: %s, want %s", tt.body, got, tt.want)
		}
	}
}

func TestFaultDrop(t *testing.T) {
	l := startLive(t, emulator.Config{})
	l.srv.Faults().Add(faults.Rule{Vendor: "easemob", Kind: faults.Drop, Times: 1})
	_, _, err := l.try("GET", "/chatemu/demo/chatmessages/2026112009", nil, "")
	if err == nil || !(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "reset")) {
		t.Fatalf("dropped request: err %v, want EOF or reset", err)
	}
	res, _ := l.do(t, "GET", "/chatemu/demo/chatmessages/2026112009", nil, "")
	if res.StatusCode != 401 {
		t.Errorf("after the drop: %d, want the real 401", res.StatusCode)
	}
	e := l.srv.Journal().Entries(journal.Filter{})
	if len(e) != 2 || e[0].Status != 0 || e[0].Fault != "f1" || e[0].Operation != "easemob.chatmessages" || e[1].Status != 401 {
		t.Errorf("journal %+v", e)
	}
}

// TestFaultDelay: a delay passes the request on after waiting; a client
// that gives up ends the wait (no wall-clock threshold: the wait is 10
// minutes and the test ends long before).
func TestFaultDelay(t *testing.T) {
	l := startLive(t, emulator.Config{})
	l.srv.Faults().Add(faults.Rule{Path: "^/_nos/", Delay: "1ms", Times: 1})
	if res, _ := l.do(t, "GET", "/_nos/chatemu-yunxin-demo/x.png", nil, ""); res.StatusCode != 404 {
		t.Errorf("delayed request: %d, want the real 404", res.StatusCode)
	}
	l.srv.Faults().Add(faults.Rule{Path: "^/_nos/", Delay: "10m"})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", l.url+"/_nos/chatemu-yunxin-demo/x.png", nil)
	done := make(chan error, 1)
	go func() {
		res, err := l.client.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	for l.srv.Faults().List()[0].Hits == 0 {
		runtime.Gosched() // until the server is waiting
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v", err)
	}
	// The server's wait ends with the client: its journal entry appears.
	for len(l.srv.Journal().Entries(journal.Filter{})) < 2 {
		runtime.Gosched()
	}
}

func TestControlNotFaultedNorJournaled(t *testing.T) {
	l := startLive(t, emulator.Config{})
	l.srv.Faults().Add(faults.Rule{Kind: faults.Drop})
	l.control(t, "GET", "health", "", 200, nil)
	l.control(t, "GET", "tenants", "", 200, nil)
	var list struct {
		Requests []any `json:"requests"`
	}
	l.control(t, "GET", "requests", "", 200, &list)
	if len(list.Requests) != 0 {
		t.Errorf("control requests journaled: %+v", list)
	}
	if !bytes.Contains([]byte(l.control(t, "GET", "faults", "", 200, nil)), []byte(`"hits":0`)) {
		t.Error("a control request hit the fault")
	}
}

// TestRawFaultStatuses: a raw fault's status reaches the client as given,
// with its body when the status has one, and the journal records that
// status.
func TestRawFaultStatuses(t *testing.T) {
	l := startLive(t, emulator.Config{})
	for _, tt := range []struct {
		rule faults.Rule
		body string
	}{
		{faults.Rule{Status: 204, Times: 1}, ""},
		{faults.Rule{Status: 304, Times: 1, Headers: map[string]string{"ETag": `"v1"`}}, ""},
		{faults.Rule{Status: 612, Times: 1, Body: `{"error":"no such file or directory"}`}, `{"error":"no such file or directory"}`},
		{faults.Rule{Status: 200, Times: 1, Body: "fine"}, "fine"},
	} {
		if _, err := l.srv.Faults().Add(tt.rule); err != nil {
			t.Fatal(err)
		}
		l.srv.Journal().Clear()
		res, body := l.do(t, "GET", "/_qiniu/x.png?e=1&token=a:b", nil, "")
		if res.StatusCode != tt.rule.Status || body != tt.body {
			t.Errorf("status %d: got %d %q", tt.rule.Status, res.StatusCode, body)
		}
		for k, v := range tt.rule.Headers {
			if res.Header.Get(k) != v {
				t.Errorf("status %d: %s %q, want %q", tt.rule.Status, k, res.Header.Get(k), v)
			}
		}
		if e := l.srv.Journal().Entries(journal.Filter{}); len(e) != 1 || e[0].Status != tt.rule.Status {
			t.Errorf("status %d: journal %+v", tt.rule.Status, e)
		}
	}
}
