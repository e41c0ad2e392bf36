package emulator_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator"
)

// BenchmarkObservability: the throughput of a vendor page (a Yunxin
// chatroom-history page of 20, asked again and again by parallel
// keep-alive clients over loopback, as BenchmarkE2EYunxinPage) on a server
// with the access log on (text lines to a file, as `chatemu serve
// --access-log 2>file`), and on one that a scraper reads at a fixed rate
// (/_chatemu/metrics every second, a busy Prometheus, and every 10 ms, a
// hundred times that), each beside a server as it serves by default. Both
// servers run in one process and are driven in alternating rounds, so
// that the machine's load, which drifts, weighs on both alike; x_base is
// the variant's throughput as a fraction of the default server's (1: as
// fast), ns/op the variant's. The scraper runs for the whole benchmark:
// its CPU weighs on both servers, and x_base shows what a scrape does to
// the scraped server's requests (its locks, its allocations);
// BenchmarkScrape measures what one scrape costs.
func BenchmarkObservability(b *testing.B) {
	variants := []struct {
		name   string
		cfg    func(b *testing.B) emulator.Config
		scrape time.Duration
	}{
		{"access_log", func(b *testing.B) emulator.Config {
			f, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { f.Close() })
			return emulator.Config{AccessLog: slog.New(slog.NewTextHandler(f, nil))}
		}, 0},
		{"scraped_every_1s", func(*testing.B) emulator.Config { return emulator.Config{} }, time.Second},
		{"scraped_every_10ms", func(*testing.B) emulator.Config { return emulator.Config{} }, 10 * time.Millisecond},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			spec := load(b, "default")
			base := newBenchServerWith(b, emulator.Config{Spec: spec})
			cfg := v.cfg(b)
			cfg.Spec = spec
			variant := newBenchServerWith(b, cfg)
			page := func(e *benchServer) *http.Request {
				return yunxinRequest(e.http.URL, "chatemu-yunxin-demo", "c0ffee123456", "10001",
					url.Values{"sender_id": {"amy"}, "limit": {"20"}})
			}
			baseReq, variantReq := page(base), page(variant)
			a := record(b, base.hc, baseReq)
			record(b, variant.hc, variantReq)
			b.SetBytes(int64(len(a.body)))
			var scrapes int
			stop := func() {}
			if v.scrape > 0 {
				stop = scrapeLoop(b, variant.http.URL+"/_chatemu/metrics", v.scrape, &scrapes)
			}
			b.ResetTimer()
			var baseTook, variantTook time.Duration
			const round = 256
			for done := 0; done < b.N; done += round {
				n := min(round, b.N-done)
				baseTook += roundTrip(b, base.hc, baseReq, n)
				variantTook += roundTrip(b, variant.hc, variantReq, n)
			}
			b.StopTimer()
			stop()
			// ns/op is the variant's alone; the benchmark's own clock
			// counted both servers' rounds.
			b.ReportMetric(float64(variantTook.Nanoseconds())/float64(b.N), "variant_ns/op")
			b.ReportMetric(float64(baseTook.Nanoseconds())/float64(b.N), "base_ns/op")
			b.ReportMetric(float64(baseTook)/float64(variantTook), "x_base")
			if v.scrape > 0 {
				b.ReportMetric(float64(scrapes), "scrapes")
			}
		})
	}
}

// roundTrip sends n copies of req from GOMAXPROCS×4 keep-alive clients
// and returns how long they took.
func roundTrip(b *testing.B, hc *http.Client, req *http.Request, n int) time.Duration {
	clients := min(4*runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for i := c; i < n; i += clients {
				res, err := hc.Do(req.Clone(req.Context()))
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Errorf("status %d", res.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// scrapeLoop scrapes url every interval, as Prometheus does (gzip asked),
// until stop is called; *n counts the scrapes, read after stop.
func scrapeLoop(b *testing.B, url string, every time.Duration, n *int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	tr := &http.Transport{}
	b.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	scrapeOnce := func() {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Accept", "text/plain;version=0.0.4;q=0.9,*/*;q=0.1")
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := hc.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Errorf("scrape: %d", res.StatusCode)
		}
		*n++
	}
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		scrapeOnce() // at once, so that even a short run is scraped
		for {
			select {
			case <-done:
				return
			case <-t.C:
				scrapeOnce()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// BenchmarkScrape: one scrape of /_chatemu/metrics, served in process.
func BenchmarkScrape(b *testing.B) {
	srv, err := emulator.New(emulator.Config{Spec: load(b, "default"), PublicURL: public, Now: t0})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/_chatemu/metrics", nil)
	srv.ServeHTTP(httptest.NewRecorder(), req)
	b.ReportAllocs()
	for b.Loop() {
		srv.ServeHTTP(httptest.NewRecorder(), req)
	}
}
