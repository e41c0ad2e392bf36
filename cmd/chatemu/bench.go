package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatemu/chatemu/emulator/opapi"
)

// The load check: N keep-alive clients send one vendor
// operation for a duration against an in-process server (or a running one
// with --base-url), and the command prints requests/s, latency percentiles
// and the server's peak memory. It is bounded by --duration and meant for
// loopback: the clients and the server share the machine, as in
// BENCHMARKS.md.

// benchOps are the operations chatemu bench can send, per vendor; the first
// is the default.
var benchOps = map[string][]string{
	"yunxin":  {"chatroom_history"},
	"op":      {"user_message_list"},
	"easemob": {"chatmessages", "archive_download", "token"},
}

// benchConfig is a parsed chatemu bench command line.
type benchConfig struct {
	vendor, op   string
	clients      int
	duration     time.Duration
	requests     int
	scenario     string
	baseURL      string
	controlToken string
	journalSize  int   // as emulator.Config.JournalSize
	journalBytes int64 // as emulator.Config.JournalBytes
	limit        int
	walk         bool
	user, room   string
}

// benchResult is what one load run measured.
type benchResult struct {
	Requests  int64
	Errors    int64
	Bytes     int64
	Elapsed   time.Duration
	P50, P99  time.Duration
	Max       time.Duration
	InProcess bool
	// PeakHeap is the peak of HeapInuse+StackInuse sampled every 50 ms,
	// PeakRSS the peak VmRSS of the process (Linux), and StartRSS the
	// VmRSS before the load began; the clients run in the same process.
	PeakHeap, PeakRSS, StartRSS uint64
	FirstError                  string
}

// RPS is the run's requests per second.
func (r benchResult) RPS() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// benchCmd is `chatemu bench`: its flags, each with its environment twin
// CHATEMU_BENCH_<NAME>.
type benchCmd struct {
	Vendor       string        `default:"yunxin" enum:"easemob,yunxin,op" env:"CHATEMU_BENCH_VENDOR" help:"Vendor: easemob, yunxin or op."`
	Op           string        `env:"CHATEMU_BENCH_OP" help:"Operation: yunxin chatroom_history; op user_message_list; easemob chatmessages, archive_download or token (default: the vendor's first)."`
	Clients      int           `default:"4" env:"CHATEMU_BENCH_CLIENTS" help:"Concurrent keep-alive clients."`
	Duration     time.Duration `default:"10s" env:"CHATEMU_BENCH_DURATION" help:"How long to start requests (those under way then complete)."`
	Requests     int           `env:"CHATEMU_BENCH_REQUESTS" help:"Send this many requests in all instead of loading for --duration."`
	Scenario     string        `default:"default" env:"CHATEMU_BENCH_SCENARIO" help:"Scenario of the in-process server (ignored with --base-url)."`
	BaseURL      string        `name:"base-url" env:"CHATEMU_BENCH_BASE_URL" placeholder:"URL" help:"A running chatemu to load instead of an in-process one (its memory is then not reported)."`
	ControlToken string        `name:"control-token" env:"CHATEMU_BENCH_CONTROL_TOKEN" help:"The running chatemu's control token, to read its tenants and clock."`
	JournalSize  int           `default:"${journal_size}" env:"CHATEMU_BENCH_JOURNAL_SIZE" help:"Vendor requests the in-process server's journal keeps; 0 turns the journal off (as serve's --journal-size)."`
	JournalBytes int64         `default:"${journal_bytes}" env:"CHATEMU_BENCH_JOURNAL_BYTES" placeholder:"BYTES" help:"The in-process server's journal byte budget; 0 turns the journal off (as serve's --journal-bytes)."`
	Limit        int           `default:"20" env:"CHATEMU_BENCH_LIMIT" help:"Page size (Yunxin limit, Op pageSize)."`
	Walk         bool          `env:"CHATEMU_BENCH_WALK" help:"Every request a different page (follow next_token / pageNum / hours): the uncached path."`
	WalkToEnd    bool          `name:"walk-to-end" env:"CHATEMU_BENCH_WALK_TO_END" help:"Walk every page once, one request after another, to the last (a history sync); prints p50/p99 and peak RSS."`
	User         string        `env:"CHATEMU_BENCH_USER" help:"Op userId or Yunxin sender_id (default: the tenant's first user or account)."`
	Room         string        `env:"CHATEMU_BENCH_ROOM" help:"Yunxin room id (default: the app's first open room)."`
}

// Validate checks what the flags' types cannot; kong calls it after
// parsing.
func (b *benchCmd) Validate() error {
	ops := benchOps[b.Vendor]
	if b.Op != "" && !slices.Contains(ops, b.Op) {
		return fmt.Errorf("--op %q: %s offers %s", b.Op, b.Vendor, strings.Join(ops, ", "))
	}
	if b.Clients < 1 || b.Duration <= 0 || b.Limit < 1 || b.Requests < 0 {
		return errors.New("--clients, --duration and --limit must be positive, --requests not negative")
	}
	return checkJournal(b.JournalSize, b.JournalBytes)
}

// config is the run the flags ask for.
func (b *benchCmd) config() benchConfig {
	c := benchConfig{vendor: b.Vendor, op: b.Op, clients: b.Clients, duration: b.Duration, requests: b.Requests,
		scenario: b.Scenario, baseURL: b.BaseURL, controlToken: b.ControlToken, journalSize: journalSize(b.JournalSize),
		journalBytes: journalBytes(b.JournalBytes), limit: b.Limit, walk: b.Walk, user: b.User, room: b.Room}
	if c.op == "" {
		c.op = benchOps[c.vendor][0]
	}
	return c
}

// Run loads the server and prints the figures.
func (b *benchCmd) Run(e *runEnv) error {
	ctx, stdout, stderr := e.ctx, e.stdout, e.stderr
	c := b.config()
	if b.WalkToEnd {
		wc := walkConfig{Vendor: c.vendor, Scenario: c.scenario, BaseURL: c.baseURL, ControlToken: c.controlToken, Limit: c.limit, User: c.user, Room: c.room}
		res, err := runWalk(ctx, wc)
		printWalk(stdout, wc, res)
		if err != nil {
			fmt.Fprintf(stderr, "chatemu bench: %v\n", err)
			return exitStatus(exitError)
		}
		return nil
	}
	res, err := runBench(ctx, c)
	if err != nil {
		fmt.Fprintf(stderr, "chatemu bench: %v\n", err)
		return exitStatus(exitError)
	}
	target := c.baseURL
	if res.InProcess {
		target = "in-process, scenario " + c.scenario
	}
	fmt.Fprintf(stdout, "%s %s, %d clients, %s (%s)\n", c.vendor, c.op, c.clients, res.Elapsed.Round(time.Millisecond), target)
	fmt.Fprintf(stdout, "requests  %d (%d errors), %.0f/s, %.1f MB/s\n", res.Requests, res.Errors, res.RPS(),
		float64(res.Bytes)/res.Elapsed.Seconds()/1e6)
	fmt.Fprintf(stdout, "latency   p50 %s  p99 %s  max %s\n", res.P50, res.P99, res.Max)
	if res.InProcess {
		fmt.Fprintf(stdout, "memory    peak heap+stacks %.1f MiB, peak RSS %.1f MiB (%.1f MiB before the load; clients included)\n",
			mib(res.PeakHeap), mib(res.PeakRSS), mib(res.StartRSS))
	} else {
		fmt.Fprintln(stdout, "memory    not measured (--base-url: the server is another process)")
	}
	if res.Errors > 0 {
		fmt.Fprintf(stdout, "first error: %s\n", res.FirstError)
		return exitStatus(exitError)
	}
	return nil
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// runBench starts the in-process server unless c.baseURL is set, prepares
// the operation's requests and runs the load.
func runBench(ctx context.Context, c benchConfig) (benchResult, error) {
	var res benchResult
	base := strings.TrimRight(c.baseURL, "/")
	if base == "" {
		b, stop, err := startInProcess(c.scenario, c.journalSize, c.journalBytes)
		if err != nil {
			return res, err
		}
		defer stop()
		base, res.InProcess = b, true
	}
	tr := &http.Transport{Proxy: nil, DialContext: (&net.Dialer{}).DialContext,
		MaxIdleConnsPerHost: c.clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	target, err := newBenchTarget(ctx, hc, base, c)
	if err != nil {
		return res, err
	}
	return loadRun(ctx, hc, target, c.clients, benchLimit{d: c.duration, requests: c.requests}, res.InProcess)
}

// benchTarget makes a client's requests; each client has its own state
// (its walk position), so next is called by one goroutine at a time.
type benchTarget interface {
	newClient() benchClient
}

type benchClient interface {
	// next returns the next request; done reads the answer's body (for
	// the walk's cursor) and reports whether the answer was a success.
	next() (*http.Request, error)
	done(status int, body []byte) error
}

// benchLimit ends a load run: after requests requests in all when
// requests > 0, else once d has passed. Either way a request under way
// completes and is counted, and each client sends at least one, so a slow
// machine gives slow figures, never an empty run.
type benchLimit struct {
	d        time.Duration
	requests int
}

// loadRun sends requests from clients goroutines until limit.
func loadRun(ctx context.Context, hc *http.Client, target benchTarget, clients int, limit benchLimit, inProcess bool) (benchResult, error) {
	res := benchResult{InProcess: inProcess}
	res.StartRSS = readRSS()
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	var peakHeap, peakRSS atomic.Uint64
	sampler.Go(func() {
		var ms runtime.MemStats
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peakHeap.Store(max(peakHeap.Load(), ms.HeapInuse+ms.StackInuse))
			peakRSS.Store(max(peakRSS.Load(), readRSS()))
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})

	var (
		mu       sync.Mutex
		hist     latencyHist
		firstErr string
		wg       sync.WaitGroup
		expired  atomic.Bool  // the duration has passed
		left     atomic.Int64 // requests still to send, with limit.requests
	)
	left.Store(int64(limit.requests))
	// more reports whether a client sends another request; first is its
	// first request, which is always sent.
	more := func(first bool) bool {
		if ctx.Err() != nil {
			return false
		}
		if limit.requests > 0 {
			return left.Add(-1) >= 0
		}
		return first || !expired.Load()
	}
	if limit.requests <= 0 {
		timer := time.AfterFunc(limit.d, func() { expired.Store(true) })
		defer timer.Stop()
	}
	start := time.Now() // the load generator measures wall time; no emulator clock here
	for range clients {
		cl := target.newClient()
		wg.Go(func() {
			var h latencyHist
			var n, errs, nbytes int64
			var first string
			buf := bytes.NewBuffer(make([]byte, 0, 64<<10))
			for k := 0; more(k == 0); k++ {
				req, err := cl.next()
				if err != nil {
					errs++
					first = cmpOr(first, err.Error())
					break
				}
				t0 := time.Now()
				resp, err := hc.Do(req.WithContext(ctx))
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					errs++
					first = cmpOr(first, err.Error())
					continue
				}
				buf.Reset()
				_, err = buf.ReadFrom(resp.Body)
				resp.Body.Close()
				if err != nil && ctx.Err() != nil {
					break
				}
				h.add(time.Since(t0))
				n++
				nbytes += int64(buf.Len())
				if err == nil {
					err = cl.done(resp.StatusCode, buf.Bytes())
				}
				if err != nil {
					errs++
					first = cmpOr(first, err.Error())
				}
			}
			mu.Lock()
			defer mu.Unlock()
			hist.merge(&h)
			res.Requests += n
			res.Errors += errs
			res.Bytes += nbytes
			firstErr = cmpOr(firstErr, first)
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	close(stop)
	sampler.Wait()
	res.P50, res.P99, res.Max = hist.quantile(0.50), hist.quantile(0.99), hist.max
	res.PeakHeap, res.PeakRSS = peakHeap.Load(), peakRSS.Load()
	res.FirstError = firstErr
	if res.Requests == 0 {
		return res, fmt.Errorf("no request completed: %s", firstErr)
	}
	return res, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// readRSS returns the process's VmRSS in bytes, 0 where /proc is absent.
func readRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// latencyHist is a log-linear histogram of latencies in microseconds:
// exact below 1024 µs, then 512 buckets per power of two (0.2 % error).
type latencyHist struct {
	counts [1024 + 40*512]int64
	n      int64
	max    time.Duration
}

func (h *latencyHist) add(d time.Duration) {
	us := uint64(max(d, 0) / time.Microsecond)
	i := int(us)
	if us >= 1024 {
		e := bits.Len64(us) - 10
		i = 1024 + (e-1)*512 + int(us>>e) - 512
	}
	h.counts[min(i, len(h.counts)-1)]++
	h.n++
	h.max = max(h.max, d)
}

func (h *latencyHist) merge(o *latencyHist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the lower bound of the bucket holding quantile q.
func (h *latencyHist) quantile(q float64) time.Duration {
	rank := int64(q * float64(h.n))
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen > rank {
			if i < 1024 {
				return time.Duration(i) * time.Microsecond
			}
			e := (i-1024)/512 + 1
			return time.Duration(uint64((i-1024)%512+512)<<e) * time.Microsecond
		}
	}
	return h.max
}

// benchTenants is what the bench needs of GET /_chatemu/tenants.
type benchTenants struct {
	Easemob []struct {
		Org, App     string
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Cluster      string
		Users        []string
	}
	Yunxin []struct {
		AppKey    string `json:"appkey"`
		AppSecret string `json:"app_secret"`
		Accounts  []string
		Chatrooms []struct {
			ID     json.Number
			Status string
		}
	}
	Op []struct {
		Client, Token, Secret string
		EasemobApp            string `json:"easemob_app"`
	}
}

func controlGet(ctx context.Context, hc *http.Client, base, token, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_chatemu/"+path, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /_chatemu/%s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// newBenchTarget reads the server's tenants and clock and prepares c's
// operation on its first tenant of the vendor.
func newBenchTarget(ctx context.Context, hc *http.Client, base string, c benchConfig) (benchTarget, error) {
	var ts benchTenants
	if err := controlGet(ctx, hc, base, c.controlToken, "tenants", &ts); err != nil {
		return nil, err
	}
	var clk struct{ Now time.Time }
	if err := controlGet(ctx, hc, base, c.controlToken, "clock", &clk); err != nil {
		return nil, err
	}
	switch c.vendor {
	case "yunxin":
		if len(ts.Yunxin) == 0 || len(ts.Yunxin[0].Accounts) == 0 {
			return nil, errors.New("the scenario has no Yunxin app with accounts")
		}
		a := ts.Yunxin[0]
		t := &yunxinTarget{base: base, appKey: a.AppKey, secret: a.AppSecret, room: c.room, sender: cmpOr(c.user, a.Accounts[0]),
			limit: c.limit, walk: c.walk}
		for _, r := range a.Chatrooms {
			if t.room == "" && r.Status != "closed" {
				t.room = r.ID.String()
			}
		}
		if t.room == "" {
			return nil, errors.New("the Yunxin app has no open room")
		}
		return t, nil
	case "op":
		if len(ts.Op) == 0 {
			return nil, errors.New("the scenario has no Op client")
		}
		o := ts.Op[0]
		t := &opTarget{base: base, client: o.Client, token: o.Token, secret: o.Secret, user: c.user, limit: c.limit, walk: c.walk}
		for _, a := range ts.Easemob {
			if t.user == "" && a.Org+"/"+a.App == o.EasemobApp && len(a.Users) > 0 {
				t.user = a.Users[0]
			}
		}
		if t.user == "" {
			return nil, errors.New("the Op client's app has no users (--user)")
		}
		return t, nil
	}
	if len(ts.Easemob) == 0 {
		return nil, errors.New("the scenario has no Easemob app")
	}
	a := ts.Easemob[0]
	t := &easemobTarget{base: base, org: a.Org, app: a.App, op: c.op, walk: c.walk, zone: time.UTC}
	if a.Cluster == "cn" {
		t.zone = time.FixedZone("CST", 8*60*60)
	}
	// An hour archived on every scenario's defaults (archive_delay 25m or 1h).
	t.hour = clk.Now.Add(-3 * time.Hour).Truncate(time.Hour)
	body, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "client_id": a.ClientID, "client_secret": a.ClientSecret})
	t.tokenBody = body
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/"+a.Org+"/"+a.App+"/token", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("easemob token: %s", resp.Status)
	}
	t.bearer = "Bearer " + tok.AccessToken
	if c.op == "archive_download" {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, t.chatmessagesURL(t.hour), nil)
		req.Header.Set("Authorization", t.bearer)
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var cm struct{ Data []struct{ URL string } }
		if err := json.NewDecoder(resp.Body).Decode(&cm); err != nil || len(cm.Data) == 0 {
			return nil, fmt.Errorf("easemob chatmessages for %s: %s, no link", t.hour, resp.Status)
		}
		t.archive = cm.Data[0].URL
	}
	return t, nil
}

// yunxinTarget sends the chatroom history; --walk follows next_token.
type yunxinTarget struct {
	base, appKey, secret, room, sender string
	limit                              int
	walk                               bool
}

func (t *yunxinTarget) newClient() benchClient { return &yunxinClient{t: t} }

type yunxinClient struct {
	t      *yunxinTarget
	signed time.Time
	header http.Header
	token  string
}

func (c *yunxinClient) next() (*http.Request, error) {
	// CheckSum is over wall-clock CurTime (emulator/yunxin/auth.go); signing
	// every 30 s keeps it inside the window and off the client's profile.
	if now := time.Now(); now.Sub(c.signed) > 30*time.Second {
		c.signed = now
		curTime := strconv.FormatInt(now.Unix(), 10)
		nonce := "chatemu-bench"
		sum := sha1.Sum([]byte(c.t.secret + nonce + curTime))
		c.header = http.Header{"Appkey": {c.t.appKey}, "Nonce": {nonce}, "Curtime": {curTime}, "Checksum": {hex.EncodeToString(sum[:])}}
	}
	q := url.Values{"sender_id": {c.t.sender}, "limit": {strconv.Itoa(c.t.limit)}}
	if c.token != "" {
		q.Set("page_token", c.token)
	}
	req, err := http.NewRequest(http.MethodGet, c.t.base+"/im/v2/chatrooms/"+c.t.room+"/messages?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header = c.header
	return req, nil
}

func (c *yunxinClient) done(status int, body []byte) error {
	if status != http.StatusOK || !bytes.HasPrefix(body, []byte(`{"code":200,`)) {
		return fmt.Errorf("yunxin history: %d %.200s", status, body)
	}
	if c.t.walk {
		var page struct {
			Data struct {
				NextToken string `json:"next_token"`
			}
		}
		json.Unmarshal(body, &page)
		c.token = page.Data.NextToken
	}
	return nil
}

// opTarget sends userMessageList; --walk advances pageNum.
type opTarget struct {
	base, client, token, secret, user string
	limit                             int
	walk                              bool
}

func (t *opTarget) newClient() benchClient { return &opClient{t: t, page: 1} }

type opClient struct {
	t    *opTarget
	page int
}

func (c *opClient) next() (*http.Request, error) {
	body, _ := json.Marshal(map[string]any{"userId": c.t.user, "pageNum": c.page, "pageSize": c.t.limit, "action": "INIT"})
	q := url.Values{"apiVersion": {opapi.APIVersion}, "client": {c.t.client}, "token": {c.t.token}}
	// The md5 rule's sign is accepted by clients of either sign mode.
	q.Set("sign", opapi.SignMD5(q, body, c.t.secret))
	req, err := http.NewRequest(http.MethodPost, c.t.base+opapi.UserMessageListPath+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

func (c *opClient) done(status int, body []byte) error {
	if status != http.StatusOK || !bytes.HasPrefix(body, []byte(`{"code":200,`)) {
		return fmt.Errorf("op userMessageList: %d %.200s", status, body)
	}
	if c.t.walk {
		c.page++
		if bytes.Contains(body, []byte(`"next":false`)) {
			c.page = 1
		}
	}
	return nil
}

// easemobTarget sends the token, chatmessages or archive download calls;
// --walk moves chatmessages back an hour per request (60 hours, then
// again).
type easemobTarget struct {
	base, org, app, op string
	bearer, archive    string
	tokenBody          []byte
	hour               time.Time
	zone               *time.Location
	walk               bool
}

func (t *easemobTarget) chatmessagesURL(h time.Time) string {
	return t.base + "/" + t.org + "/" + t.app + "/chatmessages/" + h.In(t.zone).Format("2006010215")
}

func (t *easemobTarget) newClient() benchClient { return &easemobClient{t: t} }

type easemobClient struct {
	t *easemobTarget
	n int
}

func (c *easemobClient) next() (*http.Request, error) {
	var req *http.Request
	var err error
	switch c.t.op {
	case "token":
		req, err = http.NewRequest(http.MethodPost, c.t.base+"/"+c.t.org+"/"+c.t.app+"/token", bytes.NewReader(c.t.tokenBody))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	case "archive_download":
		return http.NewRequest(http.MethodGet, c.t.archive, nil)
	}
	h := c.t.hour
	if c.t.walk {
		h = h.Add(-time.Duration(c.n%60) * time.Hour)
		c.n++
	}
	req, err = http.NewRequest(http.MethodGet, c.t.chatmessagesURL(h), nil)
	if err == nil {
		req.Header.Set("Authorization", c.t.bearer)
	}
	return req, err
}

func (c *easemobClient) done(status int, body []byte) error {
	if status != http.StatusOK {
		return fmt.Errorf("easemob %s: %d %.200s", c.t.op, status, body)
	}
	return nil
}
