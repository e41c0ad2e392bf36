package emulator_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/scenarios"
)

// Soak parameters: a fixed wall-clock budget for CI, a few
// client goroutines over loopback, and generous resource bounds.
const (
	soakFor       = 20 * time.Second
	soakWorkers   = 4
	soakHeapBound = 256 << 20 // HeapInuse after GC, bytes
	// soakGoroutineSlack allows the server's and the clients' connection
	// goroutines while traffic is still open.
	soakGoroutineSlack = 8*soakWorkers + 32
)

// TestSoak drives mixed traffic (Easemob token → hour → archive download,
// Yunxin paging, Op pages, catalogue bad inputs, control injections and
// one-shot faults) from several goroutines for soakFor, then asserts: no
// 5xx that no fault asked for and every answer in its vendor's format; no
// goroutine left behind once connections close; heap bounded; and every
// injected message is served (Easemob archive, Yunxin room page, Op NEW)
// once the clock passes the archive delay.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: skipped with -short")
	}
	leakOpt := goleak.IgnoreCurrent()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	spec, err := scenarios.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	spec.Frozen = true
	srv, err := emulator.New(emulator.Config{Spec: spec, PublicURL: base, Now: badStart})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	tr := &http.Transport{MaxIdleConnsPerHost: soakWorkers}
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	closed := false
	shutdown := func() {
		if !closed {
			closed = true
			tr.CloseIdleConnections()
			hs.Close()
		}
	}
	t.Cleanup(shutdown)

	s := &soak{t: t, base: base, srv: srv, client: client}
	var rows []badRow
	for _, r := range badRows() {
		if !strings.HasPrefix(r.target, "/_chatemu") && len(r.body) < 4096 {
			rows = append(rows, r)
		}
	}

	deadline := time.Now().Add(soakFor)
	var wg sync.WaitGroup
	for w := range soakWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), 9))
			for n := 0; time.Now().Before(deadline) && !s.failed.Load(); n++ {
				switch rnd.IntN(8) {
				case 0:
					s.easemobFlow()
				case 1:
					s.yunxinFlow()
				case 2:
					s.opFlow()
				case 3, 4:
					s.badInput(rows[rnd.IntN(len(rows))])
				case 5:
					s.inject(w, n)
				case 6:
					s.fault(w, n)
				case 7:
					s.checkedGet(base+"/_nos/"+yxAppKey+"/nope.png", nil)
				}
			}
		}()
	}
	wg.Wait()
	if s.failed.Load() {
		t.FailNow()
	}
	during := runtime.NumGoroutine()

	// Every injected message is served once its hour is archived.
	srv.Clock().Advance(2 * time.Hour)
	s.verifyInjected()

	tr.CloseIdleConnections()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("soak: %v, %d workers, %d requests (%d bad inputs, %d faulted), %d messages injected (%d easemob, %d yunxin); goroutines %d during; heap in use %d MiB before, %d MiB after",
		soakFor, soakWorkers, s.requests.Load(), s.bad.Load(), s.faulted.Load(), len(s.emIDs)+len(s.yxTexts), len(s.emIDs), len(s.yxTexts),
		during, before.HeapInuse>>20, after.HeapInuse>>20)
	if after.HeapInuse > soakHeapBound {
		t.Errorf("heap in use %d MiB after GC, bound %d MiB", after.HeapInuse>>20, soakHeapBound>>20)
	}
	if during > soakGoroutineSlack+runtime.NumCPU() {
		t.Errorf("%d goroutines while idle between requests, bound %d", during, soakGoroutineSlack)
	}
	if s.requests.Load() < 100 {
		t.Errorf("only %d requests in %v", s.requests.Load(), soakFor)
	}
	shutdown()
	if err := goleak.Find(leakOpt); err != nil {
		t.Errorf("goroutines left after the server closed: %v", err)
	}
}

type soak struct {
	t      *testing.T
	base   string
	srv    *emulator.Server
	client *http.Client

	requests, bad, faulted atomic.Int64
	failed                 atomic.Bool

	mu      sync.Mutex
	emIDs   []string // injected Easemob message ids
	yxTexts []string // injected Yunxin message texts
}

func (s *soak) errorf(format string, args ...any) {
	s.failed.Store(true)
	s.t.Errorf(format, args...)
}

// do sends a request and checks the answer is its vendor's, with no
// undocumented 5xx.
func (s *soak) do(method, url string, header http.Header, body string) (int, http.Header, []byte) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		s.errorf("%s %s: %v", method, url, err)
		return 0, nil, nil
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := s.client.Do(req)
	if err != nil {
		s.errorf("%s %s: %v", method, url, err)
		return 0, nil, nil
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.errorf("%s %s: reading: %v", method, url, err)
	}
	s.requests.Add(1)
	if p := vendorAnswerProblem(method, req.URL.Path, res.StatusCode, res.Header, b); p != "" {
		s.errorf("%s %s: %s: %s", method, url, p, b)
	}
	return res.StatusCode, res.Header, b
}

func (s *soak) checkedGet(url string, header http.Header) (int, []byte) {
	st, _, b := s.do("GET", url, header, "")
	return st, b
}

func (s *soak) token() string {
	st, _, b := s.do("POST", s.base+"/chatemu/demo/token", http.Header{"Content-Type": {"application/json"}}, emTokenBody)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if st != 200 || json.Unmarshal(b, &tok) != nil {
		s.errorf("token: %d %s", st, b)
	}
	return tok.AccessToken
}

// easemobFlow: token, the hour's link, the archive.
func (s *soak) easemobFlow() {
	tok := s.token()
	st, b := s.checkedGet(s.base+"/chatemu/demo/chatmessages/"+hourOK, http.Header{"Authorization": {"Bearer " + tok}})
	var link struct {
		Data []struct {
			URL string `json:"url"`
		} `json:"data"`
	}
	if st != 200 || json.Unmarshal(b, &link) != nil || len(link.Data) != 1 {
		s.errorf("chatmessages: %d %s", st, b)
		return
	}
	st, b = s.checkedGet(link.Data[0].URL, nil)
	if st != 200 {
		s.errorf("archive: %d %s", st, b)
		return
	}
	if _, err := gunzip(b); err != nil {
		s.errorf("archive: %v", err)
	}
}

// yunxinFlow: two pages of a room.
func (s *soak) yunxinFlow() {
	url := s.base + yxPath + "?sender_id=amy&limit=20"
	token := ""
	for range 2 {
		u := url
		if token != "" {
			u += "&page_token=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(token)
		}
		_, b := s.checkedGet(u, yunxinAuth(s.srv))
		var page struct {
			Code int `json:"code"`
			Data struct {
				NextToken string `json:"next_token"`
			} `json:"data"`
		}
		if json.Unmarshal(b, &page) != nil || page.Code != 200 {
			s.errorf("yunxin page: %s", b)
			return
		}
		token = page.Data.NextToken
	}
}

func (s *soak) opFlow() {
	_, _, b := s.do("POST", s.base+opTarget, http.Header{"Content-Type": {"application/json"}}, `{"userId":"alice","pageNum":2,"pageSize":20}`)
	if !bytes.HasPrefix(b, []byte(`{"code":200,`)) {
		s.errorf("op page: %s", b)
	}
}

// badInput sends a catalogue row and checks only the format (rows assume a
// fresh server; here tokens and counters are shared).
func (s *soak) badInput(row badRow) {
	s.bad.Add(1)
	h := http.Header{}
	if row.yx {
		h = yunxinAuth(s.srv)
	}
	for _, line := range row.header {
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimPrefix(v, " ")
		if strings.Contains(v, "{TOKEN}") {
			continue
		}
		if v == "" {
			h.Del(k)
			continue
		}
		h.Set(k, v)
	}
	s.do(row.method, s.base+row.target, h, row.body)
}

// inject stores one Easemob and one Yunxin message through the control
// API.
func (s *soak) inject(w, n int) {
	text := fmt.Sprintf("soak w%d n%d", w, n)
	body := `{"tenant":"easemob:chatemu/demo","messages":[{"from":"alice","to":"bob","type":"txt","msg":"` + text + `"}]}`
	st, _, b := s.do("POST", s.base+"/_chatemu/messages", http.Header{"Content-Type": {"application/json"}}, body)
	var ids struct {
		IDs []string `json:"ids"`
	}
	if st != 201 || json.Unmarshal(b, &ids) != nil || len(ids.IDs) != 1 {
		s.errorf("inject easemob: %d %s", st, b)
		return
	}
	body = `{"tenant":"yunxin:` + yxAppKey + `","messages":[{"sender":"dan","room":"10002","type":"text","text":"` + text + `"}]}`
	if st, _, b := s.do("POST", s.base+"/_chatemu/messages", http.Header{"Content-Type": {"application/json"}}, body); st != 201 {
		s.errorf("inject yunxin: %d %s", st, b)
		return
	}
	s.mu.Lock()
	s.emIDs = append(s.emIDs, ids.IDs[0])
	s.yxTexts = append(s.yxTexts, text)
	s.mu.Unlock()
}

// fault asks for a one-shot server_error on a path only this call uses,
// sees it answered in Easemob's format, then sees the real answer.
func (s *soak) fault(w, n int) {
	p := fmt.Sprintf("/chatemu/quiet/chatmessages/soak-w%d-n%d", w, n)
	rule := `{"vendor":"easemob","path":"^` + p + `$","kind":"server_error","times":1}`
	if st, _, b := s.do("POST", s.base+"/_chatemu/faults", http.Header{"Content-Type": {"application/json"}}, rule); st != 201 {
		s.errorf("add fault: %d %s", st, b)
		return
	}
	req, _ := http.NewRequest("GET", s.base+p, nil)
	res, err := s.client.Do(req)
	if err != nil {
		s.errorf("faulted request: %v", err)
		return
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	s.requests.Add(1)
	s.faulted.Add(1)
	if res.StatusCode != 500 || !bytes.HasPrefix(b, []byte(`{"error":"internal_server_error",`)) {
		s.errorf("faulted request: %d %s, want the server_error preset", res.StatusCode, b)
	}
	// The rule is spent: the vendor's own answer (no token: 401).
	if st, _ := s.checkedGet(s.base+p, nil); st != 401 {
		s.errorf("after the fault: %d, want 401", st)
	}
}

// verifyInjected finds every injected message: in the Easemob archive of
// the hour it was stamped in, in the Yunxin room's pages, and in Op's NEW.
func (s *soak) verifyInjected() {
	t := s.t
	if len(s.emIDs) == 0 {
		t.Fatal("soak injected nothing")
	}
	// Easemob: stamped at badStart = 18:00 Beijing, archived at 12:00 UTC.
	tok := s.token()
	hour := "2026112018"
	st, b := s.checkedGet(s.base+"/chatemu/demo/chatmessages/"+hour, http.Header{"Authorization": {"Bearer " + tok}})
	var link struct {
		Data []struct {
			URL string `json:"url"`
		} `json:"data"`
	}
	if st != 200 || json.Unmarshal(b, &link) != nil || len(link.Data) != 1 {
		t.Fatalf("chatmessages %s: %d %s", hour, st, b)
	}
	st, b = s.checkedGet(link.Data[0].URL, nil)
	lines, err := gunzip(b)
	if st != 200 || err != nil {
		t.Fatalf("archive %s: %d %v", hour, st, err)
	}
	inArchive := map[string]bool{}
	for _, l := range lines {
		var rec struct {
			MsgID string `json:"msg_id"`
		}
		if json.Unmarshal([]byte(l), &rec) == nil {
			inArchive[rec.MsgID] = true
		}
	}
	for _, id := range s.emIDs {
		if !inArchive[id] {
			t.Errorf("injected Easemob message %s not in archive %s", id, hour)
		}
	}

	// Yunxin: room 10002, sender dan, newest first until all are seen.
	want := map[string]bool{}
	for _, x := range s.yxTexts {
		want[x] = true
	}
	token := ""
	for page := 0; len(want) > 0 && page < 100; page++ {
		u := s.base + "/im/v2/chatrooms/10002/messages?sender_id=dan&limit=100"
		if token != "" {
			u += "&page_token=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(token)
		}
		_, b := s.checkedGet(u, yunxinAuth(s.srv))
		var p struct {
			Code int `json:"code"`
			Data struct {
				HasMore   bool   `json:"has_more"`
				NextToken string `json:"next_token"`
				Items     []struct {
					Text string `json:"text"`
				} `json:"items"`
			} `json:"data"`
		}
		if json.Unmarshal(b, &p) != nil || p.Code != 200 {
			t.Fatalf("yunxin page: %s", b)
		}
		for _, it := range p.Data.Items {
			delete(want, it.Text)
		}
		if !p.Data.HasMore {
			break
		}
		token = p.Data.NextToken
	}
	if len(want) > 0 {
		t.Errorf("%d injected Yunxin messages not served, e.g. %v", len(want), first(want))
	}

	// Op: alice's records newer than a second before the injections.
	wantOp := map[string]bool{}
	for _, id := range s.emIDs {
		wantOp[id] = true
	}
	for pageNum := 1; len(wantOp) > 0 && pageNum < 100; pageNum++ {
		body := fmt.Sprintf(`{"userId":"alice","pageNum":%d,"pageSize":100,"action":"NEW","creatTime":"2026-11-20 17:59:59"}`, pageNum)
		_, _, b := s.do("POST", s.base+opTarget, http.Header{"Content-Type": {"application/json"}}, body)
		var env struct {
			Code int `json:"code"`
			Data []struct {
				HxMsgID string `json:"hxMsgId"`
			} `json:"data"`
			Page struct {
				Next bool `json:"next"`
			} `json:"page"`
		}
		if json.Unmarshal(b, &env) != nil || env.Code != 200 {
			t.Fatalf("op NEW: %s", b)
		}
		for _, r := range env.Data {
			delete(wantOp, r.HxMsgID)
		}
		if !env.Page.Next {
			break
		}
	}
	if len(wantOp) > 0 {
		t.Errorf("%d injected messages not in Op NEW, e.g. %v", len(wantOp), first(wantOp))
	}
}

func first(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}

// gunzip returns the NDJSON lines of an archive.
func gunzip(b []byte) ([]string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var lines []string
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}
