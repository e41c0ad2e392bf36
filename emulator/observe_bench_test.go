package emulator_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator"
)

// BenchmarkObservability: the throughput of a vendor page (a Yunxin
// chatroom-history page of 20, asked again and again by parallel
// keep-alive clients over loopback, as BenchmarkE2EYunxinPage) on a server
// as it serves by default, and the same with the access log on (text lines
// to a file, as `chatemu serve --access-log 2>file`), and while a scraper
// reads /_chatemu/metrics at a fixed rate: every second (a Prometheus
// scrape interval is 15 s to 1 min, so this is already busy) and every
// 10 ms (a hundred times that). Each variant reports x_base, its
// throughput as a fraction of the default server's in the same run (1: as
// fast), and the scrapers their scrape count.
func BenchmarkObservability(b *testing.B) {
	var baseNs float64
	run := func(b *testing.B, cfg emulator.Config, scrapeEvery time.Duration) float64 {
		cfg.Spec = loadSpec(b, "default")
		e := newBenchServerWith(b, cfg)
		req := yunxinRequest(e.http.URL, "chatemu-yunxin-demo", "c0ffee123456", "10001",
			url.Values{"sender_id": {"amy"}, "limit": {"20"}})
		a := record(b, e.hc, req)
		var scrapes int
		stop := func() {}
		if scrapeEvery > 0 {
			stop = scrapeLoop(b, e.http.URL+"/_chatemu/metrics", scrapeEvery, &scrapes)
		}
		ns := parallel(b, e.hc, func(int64) *http.Request { return req.Clone(req.Context()) }, len(a.body))
		stop()
		if scrapeEvery > 0 {
			b.ReportMetric(float64(scrapes), "scrapes")
		}
		if baseNs > 0 {
			b.ReportMetric(baseNs/ns, "x_base")
		}
		return ns
	}
	b.Run("base", func(b *testing.B) { baseNs = 0; baseNs = run(b, emulator.Config{}, 0) })
	b.Run("access_log", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { f.Close() })
		run(b, emulator.Config{AccessLog: slog.New(slog.NewTextHandler(f, nil))}, 0)
	})
	b.Run("scraped_every_1s", func(b *testing.B) { run(b, emulator.Config{}, time.Second) })
	b.Run("scraped_every_10ms", func(b *testing.B) { run(b, emulator.Config{}, 10*time.Millisecond) })
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
	srv, err := emulator.New(emulator.Config{Spec: loadSpec(b, "default"), PublicURL: public, Now: t0})
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
