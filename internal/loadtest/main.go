// Command loadtest measures warm vendor pages from an external load
// generator: wrk (2 threads, 32 keep-alive connections by default) against
// an in-process chatemu and, in the same run, against a static net/http
// handler in the same process serving the same bytes with the same
// Content-Type and Content-Length. It prints each side's requests/s and
// the ratio (emulator ÷ static; the goal is at least 0.6). wrk shares the
// machine with the servers, as a client under test would.
//
//	go run ./internal/loadtest [-duration 10s] [-threads 2] [-connections 32] [-rounds 2]
package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/opapi"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// page is one warm request: its method, path and headers, and the body
// wrk sends.
type page struct {
	name   string
	method string
	path   string
	header http.Header
	body   string
}

func main() {
	duration := flag.Duration("duration", 10*time.Second, "wrk's duration for each side")
	threads := flag.Int("threads", 2, "wrk threads")
	conns := flag.Int("connections", 32, "wrk keep-alive connections")
	rounds := flag.Int("rounds", 2, "static/emulator alternations; each side's best round counts")
	flag.Parse()
	if err := run(*duration, *threads, *conns, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(d time.Duration, threads, conns, rounds int) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk not found (Debian: apt-get install -y wrk): %w", err)
	}
	spec, err := scenarios.Load("default")
	if err != nil {
		return err
	}
	emu, err := listen()
	if err != nil {
		return err
	}
	base := "http://" + emu.Addr().String()
	srv, err := emulator.New(emulator.Config{Spec: spec, PublicURL: base, RateLimits: world.RateLimitsOff})
	if err != nil {
		return err
	}
	go (&http.Server{Handler: srv}).Serve(emu)

	for _, p := range pages(spec) {
		status, ctype, body, err := fetch(base, p)
		if err != nil || status != 200 {
			return fmt.Errorf("%s: %d %v %.200s", p.name, status, err, body)
		}
		st, err := listen()
		if err != nil {
			return err
		}
		cl := strconv.Itoa(len(body))
		go (&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			h := w.Header()
			h.Set("Content-Type", ctype)
			h.Set("Content-Length", cl)
			w.WriteHeader(http.StatusOK)
			w.Write(body)
		})}).Serve(st)
		var best [2]float64
		for r := 0; r < rounds; r++ {
			for i, b := range []string{"http://" + st.Addr().String(), base} {
				rps, err := wrk(b, p, d, threads, conns)
				if err != nil {
					return fmt.Errorf("%s: %w", p.name, err)
				}
				best[i] = max(best[i], rps)
			}
		}
		fmt.Printf("%-40s static %9.0f req/s  emulator %9.0f req/s  x_static %.2f  (%d B)\n",
			p.name, best[0], best[1], best[1]/best[0], len(body))
		st.Close()
	}
	return nil
}

func listen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// pages are the warm requests measured: the default scenario's Yunxin page
// of 20 (amy in 10001, signed: CurTime stays valid for 5 minutes), its Op
// page of 20 (alice) and Easemob chatmessages (with a token).
func pages(spec *world.Spec) []page {
	y := spec.Yunxin[0]
	cur := strconv.FormatInt(time.Now().Unix(), 10)
	sum := sha1.Sum([]byte(y.AppSecret + "loadtest" + cur))
	yh := http.Header{"AppKey": {y.AppKey}, "Nonce": {"loadtest"}, "CurTime": {cur}, "CheckSum": {hex.EncodeToString(sum[:])}}
	o := spec.Op[0]
	opBody := `{"userId":"alice","pageNum":1,"pageSize":20,"action":"INIT"}`
	q := "apiVersion=" + opapi.APIVersion + "&client=" + o.Client + "&token=" + o.Token + "&sign=x"
	return []page{
		{name: "yunxin chatroom history, page of 20", method: "GET", path: "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=20", header: yh},
		{name: "yunxin chatroom history, page of 100", method: "GET", path: "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=100", header: yh},
		{name: "op userMessageList, page of 20", method: "POST", path: opapi.UserMessageListPath + "?" + q,
			header: http.Header{"Content-Type": {"application/json"}}, body: opBody},
	}
}

func fetch(base string, p page) (int, string, []byte, error) {
	req, err := http.NewRequest(p.method, base+p.path, strings.NewReader(p.body))
	if err != nil {
		return 0, "", nil, err
	}
	req.Header = p.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body, err
}

var rpsLine = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)

// wrk runs wrk against base with p's request and returns requests/s; a
// non-2xx answer fails the run.
func wrk(base string, p page, d time.Duration, threads, conns int) (float64, error) {
	script, err := os.CreateTemp("", "loadtest-*.lua")
	if err != nil {
		return 0, err
	}
	defer os.Remove(script.Name())
	fmt.Fprintf(script, "wrk.method = %q\nwrk.body = %q\n", p.method, p.body)
	for k, v := range p.header {
		fmt.Fprintf(script, "wrk.headers[%q] = %q\n", k, v[0])
	}
	script.Close()
	out, err := exec.Command("wrk", "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", d.String(),
		"-s", script.Name(), base+p.path).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("wrk: %v: %s", err, out)
	}
	if bytes.Contains(out, []byte("Non-2xx")) {
		return 0, fmt.Errorf("non-2xx answers: %s", out)
	}
	m := rpsLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no Requests/sec in: %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
