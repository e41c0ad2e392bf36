// Package replay replays the recordings of chatemu contract against chatemu
// started in process: the same probes with the same inputs, every answer
// compared with its recording field by field, so that drift found once
// against a live vendor stays caught offline.
//
// It is kept apart from package contract, the checker, which talks only
// HTTP: replay imports the emulator it starts, contract does not.
package replay

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/chatemu/chatemu/contract"
	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// Options configure Replay.
type Options struct {
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
func Replay(ctx context.Context, dir string, opt Options) (*contract.Report, error) {
	recs, err := contract.LoadRecordings(dir, opt.Vendors...)
	if err != nil {
		return nil, err
	}
	spec := opt.Spec
	if spec == nil {
		if spec, err = scenarios.Load("default"); err != nil {
			return nil, err
		}
	}
	rep := &contract.Report{Target: "chatemu (in process) vs " + dir, Chatemu: true, Mode: "replay"}
	for _, v := range contract.Vendors {
		var mine []contract.Recording
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
	rep.Passed = rep.Failed() == 0
	return rep, nil
}

func replayVendor(ctx context.Context, vendor string, recs []contract.Recording, spec *world.Spec, opt Options) ([]contract.Result, error) {
	in := contract.RecordedInputs(recs, vendor)
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

	cfg := contract.Config{BaseURL: base, Client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, Now: opt.Now}
	tn := srv.Tenants()
	switch vendor {
	case "easemob":
		cfg.Easemob = contract.EasemobInputs{Org: in["org"], App: in["app"], Hour: in["hour"], EmptyHour: in["empty_hour"], Cluster: in["cluster"]}
		for _, a := range tn.Easemob {
			if a.Org == in["org"] && a.App == in["app"] {
				cfg.Easemob.ClientID, cfg.Easemob.ClientSecret = a.ClientID, a.ClientSecret
			}
		}
		if cfg.Easemob.ClientID == "" {
			return nil, fmt.Errorf("the scenario has no Easemob app %s/%s (the recording's); replay with a scenario that holds it", in["org"], in["app"])
		}
	case "yunxin":
		cfg.Yunxin = contract.YunxinInputs{AppKey: in["appkey"], Room: in["room"], Sender: in["sender"]}
		for _, a := range tn.Yunxin {
			if a.AppKey == in["appkey"] {
				cfg.Yunxin.AppSecret = a.AppSecret
			}
		}
		if cfg.Yunxin.AppSecret == "" {
			return nil, fmt.Errorf("the scenario has no Yunxin app %q (the recording's); replay with a scenario that holds it", in["appkey"])
		}
	case "op":
		cfg.Op = contract.OpInputs{Client: in["client"], User: in["user"]}
		for _, c := range tn.Op {
			if c.Client == in["client"] {
				cfg.Op.Token = c.Token
			}
		}
		if cfg.Op.Token == "" {
			return nil, fmt.Errorf("the scenario has no Op client %q (the recording's); replay with a scenario that holds it", in["client"])
		}
	}
	rep, err := contract.Run(ctx, cfg, vendor)
	if err != nil {
		return nil, err
	}
	byProbe := map[string]contract.Recording{}
	for _, r := range recs {
		byProbe[r.Probe] = r
	}
	var out []contract.Result
	for _, res := range rep.Results {
		rec, ok := byProbe[res.Probe]
		if !ok {
			continue // not recorded (skipped against the vendor): nothing to compare
		}
		delete(byProbe, res.Probe)
		out = append(out, contract.CompareRecording(res, rec))
	}
	for _, r := range recs {
		if _, left := byProbe[r.Probe]; left {
			out = append(out, contract.Result{Vendor: vendor, Probe: r.Probe, About: r.About, Verdict: contract.Error,
				Reason: "recorded, but this version of chatemu contract has no such probe"})
		}
	}
	return out, nil
}
