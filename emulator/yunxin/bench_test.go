package yunxin

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/gorilla/mux"
)

// BenchmarkHistory serves pages of 20 and 100 items over HTTP and, in the
// same run, a static handler serving the same bytes with the same headers,
// and reports the emulator's throughput as a fraction of the static one
// (goal: at least 0.5). Both run in parallel over keep-alive connections.
func BenchmarkHistory(b *testing.B) {
	for _, limit := range []int{20, 100} {
		b.Run("limit="+strconv.Itoa(limit), func(b *testing.B) {
			e := newEnv(b)
			q := query{app: appMain, room: "300", sender: "u1", limit: limit}
			req := docClient{}.request(e, q) // signed once: CurTime stays valid for 5 minutes
			tr := &http.Transport{MaxIdleConnsPerHost: 256}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr}
			_, body, _ := do(b, req)
			if len(body) < 1000 {
				b.Fatalf("short page: %s", body)
			}
			static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h := w.Header()
				h.Set("Content-Type", contentTypeJSON)
				h.Set("Content-Length", strconv.Itoa(len(body)))
				w.Write(body)
			}))
			defer static.Close()
			staticReq, _ := http.NewRequest(http.MethodGet, static.URL+req.URL.RequestURI(), nil)
			staticReq.Header = req.Header.Clone()

			// Each sub-benchmark records its final ns/op; the static one, run
			// second, reports the ratio (testing.Benchmark cannot nest).
			var emuNs, staticNs float64
			run := func(req *http.Request, out *float64) func(*testing.B) {
				return func(b *testing.B) {
					b.SetBytes(int64(len(body)))
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							resp, err := hc.Do(req.Clone(req.Context()))
							if err != nil {
								b.Error(err)
								return
							}
							n, _ := io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							if resp.StatusCode != 200 || n != int64(len(body)) {
								b.Errorf("status %d, %d bytes", resp.StatusCode, n)
								return
							}
						}
					})
					*out = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				}
			}
			b.Run("emulator", run(req, &emuNs))
			b.Run("static", func(b *testing.B) {
				run(staticReq, &staticNs)(b)
				if emuNs > 0 {
					b.ReportMetric(staticNs/emuNs, "emu/static")
				}
			})
			if emuNs > 0 && staticNs > 0 {
				b.Logf("limit=%d: %d-byte page, emulator %.0f ns/op, static %.0f ns/op, throughput ratio %.2f",
					limit, len(body), emuNs, staticNs, staticNs/emuNs)
			}
		})
	}
}

// BenchmarkRenderPage measures the handler work without the network: world
// query and rendering of a 100-item page.
func BenchmarkRenderPage(b *testing.B) {
	e := newEnv(b)
	req := docClient{}.request(e, query{app: appMain, room: "300", sender: "u1", limit: 100})
	r := httptest.NewRequest(http.MethodGet, req.URL.RequestURI(), nil)
	r.Header = req.Header
	h := e.s
	router := newRouter(h)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		router.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Body.String())
		}
	}
}

func newRouter(s *Surface) *mux.Router {
	r := mux.NewRouter()
	s.Routes(r)
	return r
}
