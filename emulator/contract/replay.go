package contract

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/tidwall/gjson"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// ReplayOptions configure Replay.
type ReplayOptions struct {
	// Spec is the world chatemu serves for the replay; nil is the embedded
	// "default" scenario. It must hold the recorded tenants (org/app,
	// appkey, Op client) under the same names; their credentials are
	// chatemu's own (the recording's are redacted).
	Spec *world.Spec
	// Vendors limits the replay; empty replays every vendor recorded.
	Vendors []string
	// Wrap, when set, wraps chatemu's handler (tests use it to make
	// chatemu drift).
	Wrap func(http.Handler) http.Handler
	// Now is the wall clock (Yunxin CurTime); nil is the real time.
	Now func() time.Time
}

// Replay starts chatemu in process, once per recorded vendor, with its
// clock frozen at the recorded time, runs the same probes with the same
// inputs, checks the rules, and compares every answer with its recording
// field by field (compareSpec says what is volatile). Drift is a failure
// of the probe.
func Replay(ctx context.Context, dir string, opt ReplayOptions) (*Report, error) {
	recs, err := LoadRecordings(dir, opt.Vendors...)
	if err != nil {
		return nil, err
	}
	spec := opt.Spec
	if spec == nil {
		if spec, err = scenarios.Load("default"); err != nil {
			return nil, err
		}
	}
	rep := &Report{Target: "chatemu (in process) vs " + dir, Chatemu: true, Mode: "replay"}
	for _, v := range Vendors {
		var mine []Recording
		for _, r := range recs {
			if r.Vendor == v {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			continue
		}
		results, err := replayVendor(ctx, v, mine, spec, opt)
		if err != nil {
			return nil, fmt.Errorf("replay %s: %w", v, err)
		}
		rep.Results = append(rep.Results, results...)
	}
	rep.finish()
	return rep, nil
}

func replayVendor(ctx context.Context, vendor string, recs []Recording, spec *world.Spec, opt ReplayOptions) ([]Result, error) {
	in := inputsOf(recs, vendor)
	now := spec.Start
	if in["now"] != "" {
		t, err := time.Parse(time.RFC3339Nano, in["now"])
		if err != nil {
			return nil, fmt.Errorf("recorded now %q: %w", in["now"], err)
		}
		now = t
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	sp := *spec
	sp.Frozen = true
	srv, err := emulator.New(emulator.Config{Spec: &sp, Now: now, PublicURL: base})
	if err != nil {
		ln.Close()
		return nil, err
	}
	var h http.Handler = srv
	if opt.Wrap != nil {
		h = opt.Wrap(h)
	}
	hs := emulator.NewHTTPServer(h, emulator.DefaultTimeouts(), nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		hs.Serve(ln)
	}()
	tr := &http.Transport{Proxy: nil}
	defer func() {
		hs.Close()
		<-done
		tr.CloseIdleConnections()
	}()

	cfg := Config{BaseURL: base, Client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, Now: opt.Now}
	tn := srv.Tenants()
	switch vendor {
	case "easemob":
		cfg.Easemob = EasemobInputs{Org: in["org"], App: in["app"], Hour: in["hour"], EmptyHour: in["empty_hour"], Cluster: in["cluster"]}
		for _, a := range tn.Easemob {
			if a.Org == in["org"] && a.App == in["app"] {
				cfg.Easemob.ClientID, cfg.Easemob.ClientSecret = a.ClientID, a.ClientSecret
			}
		}
		if cfg.Easemob.ClientID == "" {
			return nil, fmt.Errorf("the scenario has no Easemob app %s/%s (the recording's); replay with a scenario that holds it", in["org"], in["app"])
		}
	case "yunxin":
		cfg.Yunxin = YunxinInputs{AppKey: in["appkey"], Room: in["room"], Sender: in["sender"]}
		for _, a := range tn.Yunxin {
			if a.AppKey == in["appkey"] {
				cfg.Yunxin.AppSecret = a.AppSecret
			}
		}
		if cfg.Yunxin.AppSecret == "" {
			return nil, fmt.Errorf("the scenario has no Yunxin app %q (the recording's); replay with a scenario that holds it", in["appkey"])
		}
	case "op":
		cfg.Op = OpInputs{Client: in["client"], User: in["user"]}
		for _, c := range tn.Op {
			if c.Client == in["client"] {
				cfg.Op.Token = c.Token
			}
		}
		if cfg.Op.Token == "" {
			return nil, fmt.Errorf("the scenario has no Op client %q (the recording's); replay with a scenario that holds it", in["client"])
		}
	}
	rep, err := Run(ctx, cfg, vendor)
	if err != nil {
		return nil, err
	}
	byProbe := map[string]Recording{}
	for _, r := range recs {
		byProbe[r.Probe] = r
	}
	var out []Result
	for _, res := range rep.Results {
		rec, ok := byProbe[res.Probe]
		if !ok {
			continue // not recorded (skipped against the vendor): nothing to compare
		}
		delete(byProbe, res.Probe)
		out = append(out, compareResult(res, rec))
	}
	for _, r := range recs {
		if _, left := byProbe[r.Probe]; left {
			out = append(out, Result{Vendor: vendor, Probe: r.Probe, About: r.About, Verdict: Error,
				Reason: "recorded, but this version of chatemu contract has no such probe"})
		}
	}
	return out, nil
}

// compareResult adds to a probe's result the differences between what
// chatemu answered and the recording.
func compareResult(res Result, rec Recording) Result {
	if res.Verdict == Skip || res.Verdict == Error {
		if res.Verdict == Skip {
			res.Verdict, res.Reason = Error, "recorded, but skipped in the replay: "+res.Reason
		}
		return res
	}
	var fails []Failure
	n := 1
	if res.doc.Status != rec.Status {
		fails = append(fails, Failure{Path: "(status)", Expected: "as recorded: HTTP " + strconv.Itoa(rec.Status), Observed: "HTTP " + strconv.Itoa(res.doc.Status)})
	}
	for name, v := range rec.Header {
		n++
		if got := res.doc.Header[name]; got != v {
			fails = append(fails, Failure{Path: "(header " + name + ")", Expected: "as recorded: " + strconv.Quote(v), Observed: strconv.Quote(got)})
		}
	}
	if !gjson.ValidBytes(rec.Body) {
		fails = append(fails, Failure{Path: "(body)", Expected: "a JSON body in the recording", Observed: "invalid JSON"})
	} else {
		f, c := compareDocs(res.spec, gjson.ParseBytes(rec.Body), res.doc.JSON)
		fails, n = append(fails, f...), n+c
	}
	res.Failures = fold(append(res.Failures, fails...))
	res.Checks += n
	if len(res.Failures) > 0 {
		res.Verdict = Fail
	}
	return res
}
