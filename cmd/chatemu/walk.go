package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// A walk is a history sync, the job of most clients under test: every page
// of a Yunxin room's sender, of an Op user's messages, or every hour of an
// Easemob app's retention (chatmessages, then the archive), once, one
// request after the other, to the end. Every page is cold: nothing was
// asked before.

// walkConfig describes one walk.
type walkConfig struct {
	Vendor       string // "yunxin", "op" or "easemob"
	Scenario     string // of the in-process server
	BaseURL      string // a running chatemu instead of an in-process one
	ControlToken string
	Limit        int    // page size (Yunxin limit, Op pageSize)
	User, Room   string // Yunxin sender_id and room, Op userId; "" the first
	Hours        int    // Easemob: hours walked back from the last archived one
	MaxPages     int    // a bound on requests; 0 is 1,000,000
}

// walkResult is what a walk measured.
type walkResult struct {
	Pages     int64 // requests answered
	Bytes     int64 // body bytes read
	Elapsed   time.Duration
	P50, P99  time.Duration
	Max       time.Duration
	InProcess bool
	PeakRSS   uint64 // VmRSS of the process, sampled every 20 ms (in process only)
}

// runWalk walks c's history to its end.
func runWalk(ctx context.Context, c walkConfig) (walkResult, error) {
	var res walkResult
	if c.MaxPages <= 0 {
		c.MaxPages = 1_000_000
	}
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		b, stop, err := startInProcess(c.Scenario, 0, 0)
		if err != nil {
			return res, err
		}
		defer stop()
		base, res.InProcess = b, true
	}
	tr := &http.Transport{Proxy: nil, DialContext: (&net.Dialer{}).DialContext, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	t, err := newBenchTarget(ctx, hc, base, benchConfig{vendor: c.Vendor, op: "chatmessages", controlToken: c.ControlToken,
		limit: c.Limit, walk: true, user: c.User, room: c.Room})
	if err != nil {
		return res, err
	}

	var peak uint64
	var mu sync.Mutex
	inProcess := res.InProcess
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss := readRSS(); inProcess {
				mu.Lock()
				peak = max(peak, rss)
				mu.Unlock()
			}
			select {
			case <-stopSampling:
				return
			case <-tick.C:
			}
		}
	}()

	var hist latencyHist
	send := func(req *http.Request) (int, []byte, error) {
		start := time.Now()
		resp, err := hc.Do(req.WithContext(ctx))
		if err != nil {
			return 0, nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		hist.add(time.Since(start))
		res.Pages++
		res.Bytes += int64(len(body))
		return resp.StatusCode, body, err
	}
	start := time.Now()
	err = walkPages(t, c, send)
	res.Elapsed = time.Since(start)
	close(stopSampling)
	<-sampled
	res.PeakRSS = peak
	res.P50, res.P99, res.Max = hist.quantile(0.5), hist.quantile(0.99), hist.max
	return res, err
}

// walkPages sends the walk's requests in order until its last page.
func walkPages(t benchTarget, c walkConfig, send func(*http.Request) (int, []byte, error)) error {
	if e, ok := t.(*easemobTarget); ok {
		return walkHours(e, c, send)
	}
	cl := t.newClient()
	for n := 0; n < c.MaxPages; n++ {
		req, err := cl.next()
		if err != nil {
			return err
		}
		status, body, err := send(req)
		if err != nil {
			return err
		}
		if err := cl.done(status, body); err != nil {
			return err
		}
		switch cl := cl.(type) {
		case *yunxinClient:
			if cl.token == "" {
				return nil
			}
		case *opClient:
			if cl.page == 1 { // done starts over after the page with "next":false
				return nil
			}
		}
	}
	return nil
}

// walkHours asks chatmessages for each hour back from the last archived
// one and downloads every archive it links.
func walkHours(t *easemobTarget, c walkConfig, send func(*http.Request) (int, []byte, error)) error {
	hours := c.Hours
	if hours <= 0 {
		hours = 69 // the default retention (72 h) less the hours not yet archived
	}
	for i := 0; i < hours && 2*i < c.MaxPages; i++ {
		req, _ := http.NewRequest(http.MethodGet, t.chatmessagesURL(t.hour.Add(-time.Duration(i)*time.Hour)), nil)
		req.Header.Set("Authorization", t.bearer)
		status, body, err := send(req)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("easemob chatmessages %s: %d %.200s", req.URL.Path, status, body)
		}
		var cm struct{ Data []struct{ URL string } }
		if err := json.Unmarshal(body, &cm); err != nil {
			return err
		}
		for _, d := range cm.Data {
			req, _ := http.NewRequest(http.MethodGet, d.URL, nil)
			status, body, err := send(req)
			if err != nil {
				return err
			}
			if status != http.StatusOK {
				return fmt.Errorf("easemob archive %s: %d %.200s", req.URL.Path, status, body)
			}
		}
	}
	return nil
}

// startInProcess serves scenario on a loopback port and returns its base
// URL and a stop function.
func startInProcess(scenario string, journalSize int, journalBytes int64) (string, func(), error) {
	spec, err := scenarios.Load(scenario)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	base := "http://" + ln.Addr().String()
	srv, err := emulator.New(emulator.Config{Spec: spec, ScenarioName: scenario, PublicURL: base,
		JournalSize: journalSize, JournalBytes: journalBytes, RateLimits: world.RateLimitsOff})
	if err != nil {
		ln.Close()
		return "", nil, err
	}
	hs := emulator.NewHTTPServer(srv, emulator.DefaultTimeouts(), nil)
	go hs.Serve(ln)
	return base, func() { hs.Close() }, nil
}

// printWalk writes a walk's figures.
func printWalk(w io.Writer, c walkConfig, res walkResult) {
	fmt.Fprintf(w, "%s walk to the end, page size %d: %d requests in %s, %.1f MB\n", c.Vendor, c.Limit, res.Pages,
		res.Elapsed.Round(time.Millisecond), float64(res.Bytes)/1e6)
	fmt.Fprintf(w, "latency   p50 %s  p99 %s  max %s\n", res.P50, res.P99, res.Max)
	if res.InProcess {
		fmt.Fprintf(w, "memory    peak RSS %.1f MiB (client included)\n", mib(res.PeakRSS))
	}
}
