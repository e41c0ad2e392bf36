package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator"
)

// The cold pages of BenchmarkE2EYunxinPageCold and BenchmarkE2EOpPage20Deep
// in process, without the network: the whole Server (routing, journal,
// faults, the surface) into an httptest.ResponseRecorder, so that a CPU or
// allocation profile shows the server's own work per cold page. Run with
// -cpuprofile or -memprofile; ns/op here is no goal by itself (the E2E
// ratios are). Each also reports cpu-ns/op, the process's CPU time (user
// and system, the garbage collector's included) per page, which a busy
// machine disturbs less than the wall-clock ns/op.

// loopCPU runs serve(i) for i = 0, 1, … under b.Loop and reports the CPU
// time per call.
func loopCPU(b *testing.B, serve func(i int)) {
	b.ReportAllocs()
	start := cpuTime()
	i := 0
	for b.Loop() {
		serve(i)
		i++
	}
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// yunxinColdQueries walks busy's room 20001 (a01) with pages of limit on a
// server of its own and returns n queries, each a page no other one
// overlaps.
func yunxinColdQueries(b testing.TB, limit, n int) []string {
	walker, err := emulator.New(emulator.Config{Spec: load(b, "busy"), PublicURL: public, Now: t0})
	if err != nil {
		b.Fatal(err)
	}
	first := "sender_id=a01&limit=" + strconv.Itoa(limit)
	queries := []string{first}
	for len(queries) < n {
		rec := httptest.NewRecorder()
		walker.ServeHTTP(rec, yunxinAllocRequest(busyYunxinApp, busyYunxinSecret, "20001", queries[len(queries)-1]))
		body := rec.Body.String()
		i := strings.Index(body, `"next_token":"`)
		if i < 0 {
			break
		}
		tok := body[i+14:]
		queries = append(queries, first+"&page_token="+url.QueryEscape(tok[:strings.IndexByte(tok, '"')]))
	}
	return queries
}

func BenchmarkColdInProcess(b *testing.B) {
	// Distinct pages: run at most this many iterations (-benchtime Nx),
	// past which pages repeat and come from the page cache.
	pages := map[int]int{20: 6000, 100: 3000}
	for _, limit := range []int{20, 100} {
		b.Run("yunxin/limit="+strconv.Itoa(limit), func(b *testing.B) {
			queries := yunxinColdQueries(b, limit, pages[limit])
			s, err := emulator.New(emulator.Config{Spec: load(b, "busy"), PublicURL: public, Now: t0})
			if err != nil {
				b.Fatal(err)
			}
			loopCPU(b, func(i int) {
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, yunxinAllocRequest(busyYunxinApp, busyYunxinSecret, "20001", queries[i%len(queries)]))
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			})
		})
	}
	beijing := time.FixedZone("CST", 8*60*60)
	b.Run("op/init-deep", func(b *testing.B) {
		opColdPages(b, func(i int) string {
			return `{"userId":"alice","pageNum":` + strconv.Itoa(1_000_000+i) + `,"pageSize":20,"action":"INIT"}`
		})
	})
	b.Run("op/more", func(b *testing.B) {
		opColdPages(b, func(i int) string {
			at := t0.Add(-time.Duration(i%100_000) * time.Second).In(beijing).Format("2006-01-02 15:04:05")
			return `{"userId":"alice","pageNum":1000,"pageSize":20,"action":"MORE","creatTime":"` + at + `.0"}`
		})
	})
}

// opColdPages serves body(i) for i = 0, 1, … to a server of opDeepSpec as
// userMessageList calls of its client, under loopCPU.
func opColdPages(b *testing.B, body func(i int) string) {
	s, err := emulator.New(emulator.Config{Spec: opDeepSpec(), PublicURL: public, Now: t0})
	if err != nil {
		b.Fatal(err)
	}
	loopCPU(b, func(i int) {
		r := httptest.NewRequest(http.MethodPost, "/op/v2/userMessageList?apiVersion=01&client=bench-op&token=bench-op-token&sign=x",
			strings.NewReader(body(i)))
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}

// BenchmarkWarmInProcess is BenchmarkE2EYunxinPage and BenchmarkE2EOpPage20
// in process: one page asked again and again, answered from the page
// cache, so what it measures is the fixed cost every vendor request pays in
// the server's path (journal, metrics, faults check, routing, auth, the
// cache lookup) plus the test's own request. The answer goes to a writer
// that keeps only its status, as net/http's sends the bytes on: an
// httptest.ResponseRecorder's copy of each body would cost more than the
// server's path.
func BenchmarkWarmInProcess(b *testing.B) {
	for _, limit := range []int{20, 100} {
		b.Run("yunxin/limit="+strconv.Itoa(limit), func(b *testing.B) {
			s, err := emulator.New(emulator.Config{Spec: load(b, "default"), PublicURL: public, Now: t0})
			if err != nil {
				b.Fatal(err)
			}
			q := "sender_id=amy&limit=" + strconv.Itoa(limit)
			loopCPU(b, func(int) {
				serveDiscard(b, s, yunxinAllocRequest(yxAppKey, yxSecret, "10001", q))
			})
		})
	}
	b.Run("op/limit=20", func(b *testing.B) {
		s, err := emulator.New(emulator.Config{Spec: load(b, "default"), PublicURL: public, Now: t0})
		if err != nil {
			b.Fatal(err)
		}
		loopCPU(b, func(int) {
			serveDiscard(b, s, opAllocRequest(`{"userId":"alice","pageNum":1,"pageSize":20,"action":"INIT"}`))
		})
	})
}

// serveDiscard serves r into a discardWriter and fails b unless the
// answer is a 200 with a body.
func serveDiscard(b *testing.B, s http.Handler, r *http.Request) {
	w := &discardWriter{header: http.Header{}}
	s.ServeHTTP(w, r)
	if w.status != 200 || w.written == 0 {
		b.Fatalf("%s: %d, %d bytes", r.URL, w.status, w.written)
	}
}

// discardWriter is an http.ResponseWriter that keeps the status and counts
// the body's bytes.
type discardWriter struct {
	header  http.Header
	status  int
	written int
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.written += len(p)
	return len(p), nil
}
