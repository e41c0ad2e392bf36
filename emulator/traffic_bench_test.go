package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// BenchmarkJournalOverhead measures a cheap vendor request (a Yunxin NOS
// 404) through the server with the journal on and off, and a static
// handler writing the same bytes; the ratio to the static handler is
// reported as x_static.
func BenchmarkJournalOverhead(b *testing.B) {
	req := httptest.NewRequest("GET", "/_nos/chatemu-yunxin-demo/none.png", nil)
	spec, err := emulatorSpec()
	if err != nil {
		b.Fatal(err)
	}
	rec := httptest.NewRecorder()
	on, _ := emulator.New(emulator.Config{Spec: spec, PublicURL: public, Now: t0})
	on.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	static := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(404)
		w.Write(body)
	})
	off, _ := emulator.New(emulator.Config{Spec: spec, PublicURL: public, Now: t0, JournalSize: -1})
	run := func(b *testing.B, h http.Handler) float64 {
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
		return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	}
	var base float64
	b.Run("static", func(b *testing.B) { base = run(b, static) })
	b.Run("journal_on", func(b *testing.B) { b.ReportMetric(run(b, on)/base, "x_static") })
	b.Run("journal_off", func(b *testing.B) { b.ReportMetric(run(b, off)/base, "x_static") })
}

func emulatorSpec() (*world.Spec, error) { return scenarios.Load("default") }
