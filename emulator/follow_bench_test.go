package emulator_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chatemu/chatemu/emulator/control"
)

// BenchmarkE2EFollowedJournal: does an open inspector slow the vendor
// routes? The warm Yunxin page of 20 (default scenario, amy in 10001) on
// one server, first alone, then while a client follows the journal over
// server-sent events (GET /_chatemu/requests/stream, as the inspector's
// journal page does: every request becomes an event the client reads and
// parses). x_alone = alone ns/op ÷ followed ns/op, from the same run:
// 1.0 is no slower.
//
//	go test ./emulator -run '^$' -bench E2EFollowedJournal -benchtime 5000x
func BenchmarkE2EFollowedJournal(b *testing.B) {
	e := newBenchServer(b, load(b, "default"))
	req := yunxinRequest(e.http.URL, "chatemu-yunxin-demo", "c0ffee123456", "10001",
		url.Values{"sender_id": {"amy"}, "limit": {"20"}})
	next := func(int64) *http.Request { return req.Clone(req.Context()) }
	a := record(b, e.hc, req)

	var aloneNs float64
	b.Run("alone", func(b *testing.B) { aloneNs, _ = parallel(b, e.hc, next, len(a.body)) })
	b.Run("followed", func(b *testing.B) {
		events := followJournal(b, e.http.URL)
		ns, _ := parallel(b, e.hc, next, len(a.body))
		b.StopTimer()
		// The follower kept up: it saw requests of this run.
		if events.Load() == 0 {
			b.Fatal("the follower received no event")
		}
		b.ReportMetric(aloneNs/ns, "x_alone")
		b.ReportMetric(aloneNs, "alone_ns/op")
	})
}

// followJournal opens the journal's event stream from now on and reads it
// until the benchmark ends; it counts the request events.
func followJournal(b *testing.B, base string) *atomic.Int64 {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/_chatemu/requests/stream?limit=1", nil)
	req.Header.Set("Accept", "text/event-stream")
	res, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			switch line := sc.Text(); {
			case line == "event: ready":
				close(ready)
			case line == "event: request":
				n.Add(1)
			case strings.HasPrefix(line, "data: "):
				var s control.RequestSummary // parsed, as the inspector parses it
				if json.Unmarshal([]byte(line[len("data: "):]), &s) != nil {
					b.Errorf("event data %q", line)
				}
			}
		}
	}()
	<-ready
	b.Cleanup(func() { cancel(); <-done })
	return &n
}
