package main

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chatemu/chatemu/emulator/clock"
)

// inFlight tracks the requests being served, so that a forced shutdown can
// say what it cut.
type inFlight struct {
	wall *clock.Clock
	mu   sync.Mutex
	reqs map[*flightReq]struct{}
}

// flightReq is one request being served: its method and path (never the
// query, which may carry a signature), the client's address and when it
// began.
type flightReq struct {
	method, path, remote string
	start                time.Time
}

func newInFlight() *inFlight {
	return &inFlight{wall: clock.Wall(), reqs: map[*flightReq]struct{}{}}
}

// wrap returns h, counting its requests in f.
func (f *inFlight) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &flightReq{method: r.Method, path: r.URL.Path, remote: r.RemoteAddr, start: f.wall.WallNow()}
		f.mu.Lock()
		f.reqs[q] = struct{}{}
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			delete(f.reqs, q)
			f.mu.Unlock()
		}()
		h.ServeHTTP(w, r)
	})
}

// count is how many requests are being served.
func (f *inFlight) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

// logCut logs each request still being served, oldest first, as cut.
func (f *inFlight) logCut(log *slog.Logger) {
	f.mu.Lock()
	reqs := make([]*flightReq, 0, len(f.reqs))
	for q := range f.reqs {
		reqs = append(reqs, q)
	}
	f.mu.Unlock()
	slices.SortFunc(reqs, func(a, b *flightReq) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return strings.Compare(a.remote, b.remote)
	})
	now := f.wall.WallNow()
	for _, q := range reqs {
		log.Warn("cut request", "method", q.method, "path", q.path, "remote", q.remote,
			"running", now.Sub(q.start).Round(time.Millisecond).String())
	}
}

// shutdown stops hs: it lets the requests in flight run for grace, or until
// force is closed (a second SIGINT/SIGTERM), then cuts those still running
// and logs each. It reports whether the shutdown was clean.
func shutdown(hs *http.Server, served <-chan error, flights *inFlight, grace time.Duration, force <-chan struct{}, log *slog.Logger) bool {
	log.Info("shutting down", "grace", grace.String(), "in_flight", flights.count())
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	forced := make(chan struct{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case <-force:
			close(forced)
			cancel()
		case <-stop:
		}
	})
	err := hs.Shutdown(ctx)
	close(stop)
	wg.Wait()
	clean := err == nil
	if !clean {
		reason := "the grace ran out"
		select {
		case <-forced:
			reason = "a second signal"
		default:
		}
		log.Error("forced shutdown: cutting the requests still in flight", "reason", reason,
			"grace", grace.String(), "cut", flights.count())
		flights.logCut(log)
		hs.Close()
	}
	<-served
	return clean
}
