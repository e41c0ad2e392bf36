package emulator_test

// The hot paths, end to end: the whole Server (routing, the
// journal at its default size, the faults check, the surface) behind a real
// listener on loopback, driven by parallel keep-alive clients, each beside
// a static net/http handler serving the same bytes with the same headers in
// the same run. The ratio (static ns/op ÷ emulator ns/op, reported as
// "x_static": 1 is as fast as the static handler) is the figure; absolute
// numbers drift between runs. BENCHMARKS.md has the table and the command.
//
// "warm" asks one page again and again (a poller, a retry loop: the page
// cache answers); "cold" asks a different page each time (a walk through
// history: every page is generated and rendered).

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/opapi"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/testkit"
)

// benchServer serves scenario (or spec) over a real listener; the clock
// starts at t0 and runs, as a served scenario's does.
type benchServer struct {
	srv  *emulator.Server
	http *httptest.Server
	hc   *http.Client
}

func newBenchServer(b *testing.B, spec *world.Spec) *benchServer {
	return newBenchServerWith(b, emulator.Config{Spec: spec})
}

// newBenchServerWith is newBenchServer with cfg's other settings.
func newBenchServerWith(b *testing.B, cfg emulator.Config) *benchServer {
	b.Helper()
	hs := httptest.NewUnstartedServer(nil)
	cfg.PublicURL, cfg.Now, cfg.RateLimits = "http://"+hs.Listener.Addr().String(), t0, world.RateLimitsOff
	srv, err := emulator.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	b.Cleanup(hs.Close)
	return &benchServer{srv: srv, http: hs, hc: keepAlive(b)}
}

func keepAlive(b *testing.B) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// reqFunc makes the i-th request of a run; i counts across all clients.
type reqFunc func(i int64) *http.Request

// answer is a recorded emulator answer the static handler replays.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func record(b *testing.B, hc *http.Client, req *http.Request) answer {
	b.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.Fatalf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, body)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: body}
}

// staticServer replays a: same status, Content-Type, Content-Length and
// body; it reads the request body as a handler would.
func staticServer(b *testing.B, a answer) *httptest.Server {
	ct := a.header.Get("Content-Type")
	cl := strconv.Itoa(len(a.body))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("Content-Length", cl)
		w.WriteHeader(a.status)
		w.Write(a.body)
	}))
	b.Cleanup(s.Close)
	return s
}

// retarget points req at another server, keeping path, query and headers.
func retarget(req *http.Request, base string, body []byte) *http.Request {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, _ := http.NewRequest(req.Method, base+req.URL.RequestURI(), rd)
	r.Header = req.Header
	return r
}

// parallel runs next's requests from GOMAXPROCS×4 keep-alive clients and
// returns ns/op and the process's CPU time per op (clients and servers
// alike, reported as cpu-ns/op): on a machine shared with other work the
// ratio of CPU times (cpu_x_static) is steadier than that of wall times,
// and on an idle one it is what the wall-clock ratio tends to.
func parallel(b *testing.B, hc *http.Client, next reqFunc, size int) (ns, cpu float64) {
	b.Helper()
	if size > 0 {
		b.SetBytes(int64(size))
	}
	b.SetParallelism(4)
	var n atomic.Int64
	b.ResetTimer()
	start := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := next(n.Add(1))
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				b.Errorf("%s: status %d, %v", req.URL.Path, resp.StatusCode, err)
				return
			}
		}
	})
	cpu = float64((cpuTime() - start).Nanoseconds()) / float64(b.N)
	b.ReportMetric(cpu, "cpu-ns/op")
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N), cpu
}

// compare runs the static handler, then the emulator, and reports the
// emulator's throughput as a fraction of the static one's.
func compare(b *testing.B, hc *http.Client, static, emu reqFunc, size int) {
	var staticNs, staticCPU float64
	b.Run("static", func(b *testing.B) { staticNs, staticCPU = parallel(b, hc, static, size) })
	b.Run("emulator", func(b *testing.B) {
		ns, cpu := parallel(b, hc, emu, size)
		b.ReportMetric(staticNs/ns, "x_static")
		b.ReportMetric(staticNs, "static_ns/op")
		b.ReportMetric(staticCPU/cpu, "cpu_x_static")
	})
}

// yunxinRequest signs a chatroom-history request (CheckSum over wall-clock
// CurTime, docs/fidelity/yunxin.md).
func yunxinRequest(base, appKey, secret, room string, q url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, base+"/im/v2/chatrooms/"+room+"/messages?"+q.Encode(), nil)
	curTime := strconv.FormatInt(time.Now().Unix(), 10)
	sum := sha1.Sum([]byte(secret + "bench" + curTime))
	req.Header = http.Header{"Appkey": {appKey}, "Nonce": {"bench"}, "Curtime": {curTime}, "Checksum": {hex.EncodeToString(sum[:])}}
	return req
}

// BenchmarkE2EYunxinPage: one page of 20 and of 100 items asked again and
// again (default scenario: amy in room 10001).
func BenchmarkE2EYunxinPage(b *testing.B) {
	for _, limit := range []int{20, 100} {
		b.Run("limit="+strconv.Itoa(limit), func(b *testing.B) {
			e := newBenchServer(b, load(b, "default"))
			req := yunxinRequest(e.http.URL, yxAppKey, yxSecret, "10001",
				url.Values{"sender_id": {"amy"}, "limit": {strconv.Itoa(limit)}})
			a := record(b, e.hc, req)
			if n := bytes.Count(a.body, []byte(`"message_client_id"`)); n != limit {
				b.Fatalf("%d items", n)
			}
			st := staticServer(b, a)
			sreq := retarget(req, st.URL, nil)
			compare(b, e.hc,
				func(int64) *http.Request { return sreq.Clone(sreq.Context()) },
				func(int64) *http.Request { return req.Clone(req.Context()) }, len(a.body))
		})
	}
}

// yunxinWalkTokens walks the busy scenario's room 20001 (a01) with pages
// of 100 on a server of its own, newest first and then oldest first, and
// returns up to n page tokens: each starts a page no other token's page
// of up to 100 overlaps.
func yunxinWalkTokens(b *testing.B, n int) []string {
	rec := newBenchServer(b, load(b, "busy"))
	var toks []string
	for _, desc := range []string{"true", "false"} {
		tok := ""
		for len(toks) < n {
			q := url.Values{"sender_id": {"a01"}, "limit": {"100"}, "descending": {desc}}
			if tok != "" {
				q.Set("page_token", tok)
			}
			a := record(b, rec.hc, yunxinRequest(rec.http.URL, busyYunxinApp, busyYunxinSecret, "20001", q))
			var page struct {
				Data struct {
					NextToken string `json:"next_token"`
				}
			}
			json.Unmarshal(a.body, &page)
			if page.Data.NextToken == "" {
				break
			}
			tok = page.Data.NextToken
			toks = append(toks, desc+" "+tok)
		}
	}
	return toks
}

const busyYunxinApp, busyYunxinSecret = "chatemu-yunxin-busy", "b05ca11ab1e5"

// BenchmarkE2EYunxinPageCold: pages of 20 and of 100 through the busy
// scenario's room 20001 (a01, a quarter of the items with an attachment),
// each request a page the server has never served: the page tokens come
// from a walk on another server, and each emulator run starts a fresh
// server, so every page is generated, every attachment's md5 computed (its
// head's midstates made on first use) and the body rendered. Up to 9,600
// distinct pages (the room's a01 walk both ways); past that, pages repeat.
func BenchmarkE2EYunxinPageCold(b *testing.B) {
	toks := yunxinWalkTokens(b, 9600)
	for _, limit := range []int{20, 100} {
		b.Run("limit="+strconv.Itoa(limit), func(b *testing.B) {
			req := func(base string, i int64) *http.Request {
				desc, tok, _ := strings.Cut(toks[i%int64(len(toks))], " ")
				q := url.Values{"sender_id": {"a01"}, "limit": {strconv.Itoa(limit)}, "descending": {desc}, "page_token": {tok}}
				return yunxinRequest(base, busyYunxinApp, busyYunxinSecret, "20001", q)
			}
			probe := newBenchServer(b, load(b, "busy"))
			a := record(b, probe.hc, req(probe.http.URL, 0))
			if n := bytes.Count(a.body, []byte(`"message_client_id"`)); n != limit {
				b.Fatalf("%d items", n)
			}
			st := staticServer(b, a)
			var staticNs, staticCPU float64
			b.Run("static", func(b *testing.B) {
				staticNs, staticCPU = parallel(b, probe.hc, func(int64) *http.Request { return req(st.URL, 0) }, len(a.body))
			})
			b.Run("emulator", func(b *testing.B) {
				e := newBenchServer(b, load(b, "busy"))
				ns, cpu := parallel(b, e.hc, func(i int64) *http.Request { return req(e.http.URL, i-1) }, len(a.body))
				b.ReportMetric(staticNs/ns, "x_static")
				b.ReportMetric(staticNs, "static_ns/op")
				b.ReportMetric(staticCPU/cpu, "cpu_x_static")
			})
		})
	}
}

// opRequest is a userMessageList call of the default scenario's client.
func opRequest(base, client, token string, body []byte) *http.Request {
	q := "apiVersion=01&client=" + client + "&token=" + token + "&sign=x"
	req, _ := http.NewRequest(http.MethodPost, base+opapi.UserMessageListPath+"?"+q, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// BenchmarkE2EOpPage20: alice's first page of 20 records asked again and
// again (default scenario).
func BenchmarkE2EOpPage20(b *testing.B) {
	e := newBenchServer(b, load(b, "default"))
	body := []byte(`{"userId":"alice","pageNum":1,"pageSize":20,"action":"INIT"}`)
	client, token := opClient, opToken
	a := record(b, e.hc, opRequest(e.http.URL, client, token, body))
	if n := bytes.Count(a.body, []byte(`"hxMsgId"`)); n != 20 {
		b.Fatalf("%d records: %s", n, a.body)
	}
	st := staticServer(b, a)
	compare(b, e.hc,
		func(int64) *http.Request { return opRequest(st.URL, client, token, body) },
		func(int64) *http.Request { return opRequest(e.http.URL, client, token, body) }, len(a.body))
}

// BenchmarkE2EOpPage20Cold: pages of 20, each request a different MORE
// cursor (a second earlier each time) over the busy scenario's u01, so
// every page is generated, signed and rendered.
func BenchmarkE2EOpPage20Cold(b *testing.B) {
	e := newBenchServer(b, load(b, "busy"))
	const client, token = "chatemu-op-busy", "chatemu-op-token-busy"
	beijing := time.FixedZone("CST", 8*60*60)
	bodyAt := func(i int64) []byte {
		at := t0.Add(-time.Duration(i%200_000) * time.Second).In(beijing).Format("2006-01-02 15:04:05")
		return []byte(`{"userId":"u01","pageNum":1,"pageSize":20,"action":"MORE","creatTime":"` + at + `.0"}`)
	}
	compareOpPages(b, e, client, token, bodyAt)
}

// benchEasemobToken gets an app token of the default scenario's chatemu/demo.
func benchEasemobToken(b *testing.B, e *benchServer) string {
	body := emTokenBody
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/chatemu/demo/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	a := record(b, e.hc, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(a.body, &tok); err != nil {
		b.Fatal(err)
	}
	return tok.AccessToken
}

// BenchmarkE2EEasemobChatMessages: GET chatmessages/{hour}, whose answer
// is an OSS link signed at the clock's now (not cached: it is one HMAC).
func BenchmarkE2EEasemobChatMessages(b *testing.B) {
	e := newBenchServer(b, load(b, "default"))
	tok := benchEasemobToken(b, e)
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/chatemu/demo/chatmessages/2026112015", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	a := record(b, e.hc, req)
	st := staticServer(b, a)
	sreq := retarget(req, st.URL, nil)
	compare(b, e.hc,
		func(int64) *http.Request { return sreq.Clone(sreq.Context()) },
		func(int64) *http.Request { return req.Clone(req.Context()) }, len(a.body))
}

// BenchmarkE2EEasemobChatMessagesHours: GET chatmessages for a different
// hour each request (a client walking the retention back hour by hour),
// beside a static handler replaying one hour's answer.
func BenchmarkE2EEasemobChatMessagesHours(b *testing.B) {
	e := newBenchServer(b, load(b, "default"))
	tok := benchEasemobToken(b, e)
	beijing := time.FixedZone("CST", 8*60*60)
	req := func(base string, i int64) *http.Request {
		hour := t0.Add(-time.Duration(2+i%60) * time.Hour).In(beijing).Format("2006010215")
		r, _ := http.NewRequest(http.MethodGet, base+"/chatemu/demo/chatmessages/"+hour, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		return r
	}
	for i := int64(0); i < 60; i++ {
		record(b, e.hc, req(e.http.URL, i)) // every hour of the walk answers 200
	}
	a := record(b, e.hc, req(e.http.URL, 0))
	st := staticServer(b, a)
	compare(b, e.hc,
		func(i int64) *http.Request { return req(st.URL, 0) },
		func(i int64) *http.Request { return req(e.http.URL, i) }, len(a.body))
}

// archiveSpec is one overseas app whose hour 2026111907 UTC holds perHour
// messages of the default mix, archived and within retention at t0.
func archiveSpec(perHour int) *world.Spec {
	a := world.EasemobApp{Org: "acme", App: "chat", ClientID: "YXA6BenchClientId", ClientSecret: "YXA6BenchClientSecret",
		Cluster: world.ClusterOverseas, Retention: 72 * time.Hour, LinkTTL: 30 * time.Minute,
		OSS:   world.OSSKeys{Bucket: "bench", AccessKeyID: "LTAIbench", AccessKeySecret: "bench-secret"},
		Users: []string{"alice", "bob"}, Groups: []world.Group{{ID: "g1", Owner: "alice", Members: []string{"bob"}}},
		Traffic: []world.Traffic{{From: "alice", To: "g1", ChatType: world.GroupChat, PerHour: perHour,
			Since: 27 * time.Hour, Until: 26 * time.Hour}},
	}
	return &world.Spec{Name: "archive", Seed: 42, Start: t0, Frozen: true, Easemob: []world.EasemobApp{a}}
}

// BenchmarkE2EArchiveDownload: the signed archive of an hour of 10,000 and
// 100,000 messages over HTTP (link verification, generation, NDJSON, gzip
// BestSpeed, the network), beside a static handler serving the same gzip
// bytes. It reports messages/s and MB/s of NDJSON before compression.
func BenchmarkE2EArchiveDownload(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("msgs=%d", n), func(b *testing.B) {
			e := newBenchServer(b, archiveSpec(n))
			body := `{"grant_type":"client_credentials","client_id":"YXA6BenchClientId","client_secret":"YXA6BenchClientSecret"}`
			req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/acme/chat/token", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			json.Unmarshal(record(b, e.hc, req).body, &tok)
			req, _ = http.NewRequest(http.MethodGet, e.http.URL+"/acme/chat/chatmessages/2026111907", nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			var cm struct{ Data []struct{ URL string } }
			if err := json.Unmarshal(record(b, e.hc, req).body, &cm); err != nil || len(cm.Data) != 1 {
				b.Fatalf("no link: %v", err)
			}
			link, _ := http.NewRequest(http.MethodGet, cm.Data[0].URL, nil)
			a := record(b, e.hc, link)
			zr, err := gzip.NewReader(bytes.NewReader(a.body))
			if err != nil {
				b.Fatal(err)
			}
			ndjson, _ := io.ReadAll(zr)
			if lines := bytes.Count(ndjson, []byte("\n")); lines != n {
				b.Fatalf("%d records", lines)
			}
			st := staticServer(b, a)
			slink := retarget(link, st.URL, nil)
			var staticNs float64
			run := func(b *testing.B, r *http.Request) float64 {
				b.SetBytes(int64(len(ndjson)))
				for b.Loop() {
					resp, err := e.hc.Do(r.Clone(r.Context()))
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			}
			b.Run("static", func(b *testing.B) { staticNs = run(b, slink) })
			b.Run("emulator", func(b *testing.B) {
				ns := run(b, link)
				b.ReportMetric(float64(n)/(ns/1e9), "msgs/s")
				b.ReportMetric(staticNs/ns, "x_static")
				b.ReportMetric(float64(len(a.body))/float64(len(ndjson)), "gz/json")
			})
		})
	}
}

// BenchmarkTestkitStart: testkit.Start on the default and busy scenarios
// (the goal is a median of at most 1 ms on default); reports the
// median and p90 of the individual starts beside the mean ns/op. Servers
// are closed when the benchmark ends, as a test's would be.
func BenchmarkTestkitStart(b *testing.B) {
	for _, name := range []string{"default", "busy"} {
		b.Run(name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				testkit.Start(b, testkit.Scenario(name))
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50_ns")
			b.ReportMetric(float64(took[len(took)*9/10].Nanoseconds()), "p90_ns")
		})
	}
}
