package easemob

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/world"
)

// benchSpec is one app with perHour messages of the default mix in the hour
// 2026111908 UTC (overseas), archived and within retention at t0.
func benchSpec(perHour int) world.Spec {
	a := app("acme", "chat", world.ClusterOverseas)
	a.ArchiveDelay = 0
	a.Traffic = []world.Traffic{{From: "alice", To: "g1", ChatType: world.GroupChat, PerHour: perHour,
		Since: 27 * time.Hour, Until: 26 * time.Hour}}
	return world.Spec{Seed: 42, Start: t0, Frozen: true, Easemob: []world.EasemobApp{a}}
}

var benchHour = time.Date(2026, 11, 19, 7, 0, 0, 0, time.UTC)

// heapProbe is an io.Writer that counts bytes and samples the heap every
// MiB written, so the archive's peak heap is observed while it streams.
type heapProbe struct {
	n, next  int64
	peak     uint64
	forceGC  bool
	mem      runtime.MemStats
	maxAlloc uint64
}

func (p *heapProbe) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if p.n >= p.next {
		p.next = p.n + 1<<20
		if p.forceGC {
			runtime.GC() // what stays is live: the streaming's real footprint
		}
		runtime.ReadMemStats(&p.mem)
		p.peak = max(p.peak, p.mem.HeapInuse)
		p.maxAlloc = max(p.maxAlloc, p.mem.HeapAlloc)
	}
	return len(b), nil
}

// TestArchiveHeapDoesNotGrow streams a 10,000- and a 100,000-message hour
// and samples the live heap (after a GC) every MiB of output: the peak must
// not grow with the hour's size.
func TestArchiveHeapDoesNotGrow(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 110,000 messages")
	}
	// The process's content pools and shared files fill on first use and
	// are then kept, bounded (TestPoolMemory, world's files.go): filled
	// first, so that the peaks measure the streaming alone.
	warm := newEnv(t, benchSpec(100_000), testBase)
	if err := warm.s.WriteArchive(io.Discard, warm.world.EasemobApps()[0], benchHour); err != nil {
		t.Fatal(err)
	}
	peaks := map[int]uint64{}
	for _, n := range []int{10_000, 100_000} {
		e := newEnv(t, benchSpec(n), testBase)
		a := e.world.EasemobApps()[0]
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		p := &heapProbe{forceGC: true}
		if err := e.s.WriteArchive(p, a, benchHour); err != nil {
			t.Fatal(err)
		}
		peaks[n] = p.maxAlloc - min(p.maxAlloc, base.HeapAlloc)
		t.Logf("%d messages: %d bytes gzip, peak live heap above baseline %d KiB", n, p.n, peaks[n]>>10)
	}
	if peaks[100_000] > peaks[10_000]+1<<20 {
		t.Errorf("peak heap grows with the hour: %d KiB for 10k, %d KiB for 100k", peaks[10_000]>>10, peaks[100_000]>>10)
	}
}

// BenchmarkArchive streams one hour into gzip (the download's work, without
// the network) at each size and gzip level; it reports messages/s, MB/s of
// NDJSON before compression, and the peak HeapInuse sampled every MiB.
func BenchmarkArchive(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, level := range []int{gzip.BestSpeed, gzip.DefaultCompression} {
			b.Run(fmt.Sprintf("msgs=%d/gzip=%d", n, level), func(b *testing.B) {
				e := newEnv(b, benchSpec(n), testBase)
				e.s.cfg.GzipLevel = level
				a := e.world.EasemobApps()[0]
				var gz bytes.Buffer
				if err := e.s.WriteArchive(&gz, a, benchHour); err != nil {
					b.Fatal(err)
				}
				gzBytes := gz.Len()
				zr, _ := gzip.NewReader(&gz)
				jsonBytes, _ := io.Copy(io.Discard, zr)
				gz = bytes.Buffer{} // not live while the heap is sampled
				runtime.GC()
				b.ResetTimer()
				var peak uint64
				for range b.N {
					p := &heapProbe{}
					if err := e.s.WriteArchive(p, a, benchHour); err != nil {
						b.Fatal(err)
					}
					peak = max(peak, p.peak)
				}
				secs := b.Elapsed().Seconds()
				b.ReportMetric(float64(n*b.N)/secs, "msgs/s")
				b.ReportMetric(float64(jsonBytes)*float64(b.N)/secs/1e6, "jsonMB/s")
				b.ReportMetric(float64(peak)/(1<<20), "peakHeapInuseMiB")
				b.ReportMetric(float64(gzBytes)/float64(jsonBytes), "gz/json")
			})
		}
	}
}

// BenchmarkArchiveGenerateOnly is the world's share: Range over the hour
// with no encoding, so the encoder's cost reads off the difference.
func BenchmarkArchiveGenerateOnly(b *testing.B) {
	e := newEnv(b, benchSpec(100_000), testBase)
	a := e.world.EasemobApps()[0]
	b.ResetTimer()
	for range b.N {
		for m := range e.world.Range(a.Tenant(), benchHour, benchHour.Add(time.Hour)) {
			_ = m
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkChatMessages is the chatmessages call in process against a
// static handler writing the same bytes in the same run.
func BenchmarkChatMessages(b *testing.B) {
	e := newEnv(b, testSpec(), testBase)
	tok := e.token("acme", "chat", "")
	url := chatmessages("acme", "chat", hourAgo(3))
	rec := e.do(getWithToken(url, tok))
	if rec.Code != 200 {
		b.Fatal(rec.Body)
	}
	body := rec.Body.Bytes()
	static := e.s.rest.Handle(func(*http.Request) (respond.Response, *Error) { return jsonBody(200, body), nil })
	var surface, baseline float64
	b.Run("surface", func(b *testing.B) {
		req := getWithToken(url, tok)
		for range b.N {
			e.router.ServeHTTP(httptest.NewRecorder(), req)
		}
		surface = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("static", func(b *testing.B) {
		req := getWithToken(url, tok)
		for range b.N {
			static.ServeHTTP(httptest.NewRecorder(), req)
		}
		baseline = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	if baseline > 0 {
		b.Logf("chatmessages: %.0f ns/op, static %.0f ns/op, ratio %.1f", surface, baseline, surface/baseline)
	}
}

// BenchmarkArchiveDownload is the archive over the router against a static
// handler serving the same gzip bytes.
func BenchmarkArchiveDownload(b *testing.B) {
	e := newEnv(b, benchSpec(10_000), testBase)
	link := e.archiveLink("acme", "chat", "2026111907")
	rec := e.do(ossRequest(http.MethodGet, link))
	gz := rec.Body.Bytes()
	static := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(gz) })
	var surface, baseline float64
	b.Run("surface", func(b *testing.B) {
		for range b.N {
			e.router.ServeHTTP(discardWriter{h: http.Header{}}, ossRequest(http.MethodGet, link))
		}
		surface = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("static", func(b *testing.B) {
		for range b.N {
			static.ServeHTTP(discardWriter{h: http.Header{}}, ossRequest(http.MethodGet, link))
		}
		baseline = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	if baseline > 0 {
		b.Logf("archive download (10,000 msgs): %.2f ms/op, static %.3f ms/op, ratio %.0f", surface/1e6, baseline/1e6, surface/baseline)
	}
}

type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

// BenchmarkArchiveDownloadFirst: the first download of an hour writes the
// archive twice (once to size and hash it for Content-Length, ETag and
// x-oss-hash-crc64ecma, once to send it); later ones find the meta cached
// and write it once. The ratio first/again is the price of those headers.
func BenchmarkArchiveDownloadFirst(b *testing.B) {
	e := newEnv(b, benchSpec(10_000), testBase)
	link := e.archiveLink("acme", "chat", "2026111907")
	var first, again float64
	b.Run("first", func(b *testing.B) {
		for range b.N {
			e.s.archiveMeta.Reset()
			e.s.archiveBytes.Reset()
			e.router.ServeHTTP(discardWriter{h: http.Header{}}, ossRequest(http.MethodGet, link))
		}
		first = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("again", func(b *testing.B) {
		for range b.N {
			e.router.ServeHTTP(discardWriter{h: http.Header{}}, ossRequest(http.MethodGet, link))
		}
		again = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	if again > 0 {
		b.Logf("archive download (10,000 msgs): first %.2f ms/op, again %.2f ms/op, ratio %.2f", first/1e6, again/1e6, first/again)
	}
}
