package opapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator/internal/surfacetest"
	"github.com/chatemu/chatemu/emulator/world"
)

const benchBody = `{"userId":"alice","pageNum":1,"pageSize":20}`

// postPage posts one page-of-20 request and drains the answer.
func postPage(b *testing.B, c *http.Client, rawURL string) int {
	res, err := c.Post(rawURL, "application/json", strings.NewReader(benchBody))
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("status %d", res.StatusCode)
	}
	return int(n)
}

// BenchmarkUserMessageList20 serves a page of 20 records over HTTP and
// reports the ratio of its throughput to a static handler serving the same
// bytes over the same kind of server in the same run (goal: ≥ 0.5).
func BenchmarkUserMessageList20(b *testing.B) {
	e := newEnv(b)
	url := publicURL + UserMessageListPath + "?" + listQuery
	first := e.list(b, listQuery, benchBody)
	if n := len(decode(b, first).Data); n != 20 {
		b.Fatalf("%d records", n)
	}
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", first.Header.Get("Content-Length"))
		w.Write(first.Body)
	}))
	defer static.Close()
	sc := surfacetest.Dialing(static)
	compareToStatic(b,
		func(b *testing.B) { postPage(b, sc, url) },
		func(b *testing.B) { postPage(b, e.client, url) })
}

// compareToStatic runs the static sub-benchmark, then the surface's, which
// reports the ratio of their times (static / surface: 1 is as fast as
// static, 0.5 is half as fast).
func compareToStatic(b *testing.B, static, surface func(*testing.B)) {
	var staticNs float64
	b.Run("static", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			static(b)
		}
		staticNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("opapi", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			surface(b)
		}
		op := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(staticNs, "static-ns/op")
		b.ReportMetric(staticNs/op, "ratio")
	})
}

// BenchmarkUserMessageList20InProcess is the handler alone, without the
// network, to show what the surface itself costs.
func BenchmarkUserMessageList20InProcess(b *testing.B) {
	e := newEnv(b)
	h := e.srv.Config.Handler
	target := publicURL + UserMessageListPath + "?" + listQuery
	first := e.list(b, listQuery, benchBody)
	static := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(first.Body)
	})
	serve := func(h http.Handler) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, target, strings.NewReader(benchBody)))
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
	compareToStatic(b, func(*testing.B) { serve(static) }, func(*testing.B) { serve(h) })
}

// BenchmarkWorldUserPage20 is the world query alone, the floor under the
// surface's cost (the messages are generated on demand).
func BenchmarkWorldUserPage20(b *testing.B) {
	e := newEnv(b)
	q := world.UserQuery{Tenant: tenant, User: "alice", Descending: true, Limit: 20}
	b.ReportAllocs()
	for b.Loop() {
		if msgs, _, _ := e.world.UserPage(context.Background(), q); len(msgs) != 20 {
			b.Fatal(len(msgs))
		}
	}
}

// BenchmarkUserMessageList20ColdInProcess is the handler alone on cold
// pages (a different pageNum each time, deep in a large history).
func BenchmarkUserMessageList20ColdInProcess(b *testing.B) {
	e := newEnvOf(b, deepSpec())
	h := e.srv.Config.Handler
	target := publicURL + UserMessageListPath + "?" + listQuery
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, target, strings.NewReader(`{"userId":"alice","pageNum":`+strconv.Itoa(1_000_000+i)+`,"pageSize":20}`)))
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}
