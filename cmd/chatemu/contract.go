package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/contract"
	"github.com/chatemu/chatemu/scenarios"
)

// contractFlags are the settings of `chatemu contract`.
type contractFlags struct {
	vendor, baseURL                                            string
	org, app, clientID, clientSecret, hour, emptyHour, cluster string
	appKey, appSecret, room, sender, maxPages                  string
	client, token, user                                        string
	controlToken, record, replay, scenario, timeout            string
	json, verbose, noClock                                     string
}

// contractFlag is one contract flag and its environment twin
// CHATEMU_CONTRACT_<NAME>.
type contractFlag struct {
	name, env, def, usage string
	dst                   *string
}

func (f *contractFlags) specs() []contractFlag {
	s := func(name, def, usage string, dst *string) contractFlag {
		env := "CHATEMU_CONTRACT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		return contractFlag{name, env, def, usage, dst}
	}
	return []contractFlag{
		s("vendor", "", "easemob, yunxin, op, a comma list, or all (replay: default every recorded vendor)", &f.vendor),
		s("base-url", "", "the endpoint to check: the vendor's API host, a staging copy or a chatemu server", &f.baseURL),
		s("org", "", "Easemob org name", &f.org),
		s("app", "", "Easemob app name", &f.app),
		s("client-id", "", "Easemob client_id", &f.clientID),
		s("client-secret", "", "Easemob client_secret", &f.clientSecret),
		s("hour", "", "Easemob: an archived hour with messages, yyyyMMddHH in the cluster's zone (default: 3 hours before the server's time)", &f.hour),
		s("empty-hour", "", "Easemob: an archived hour in retention without messages (default on chatemu: the hour after its clock; elsewhere the probe is skipped)", &f.emptyHour),
		s("cluster", "", "Easemob cluster for the default --hour: cn (Beijing time) or overseas (UTC); default cn, or chatemu's", &f.cluster),
		s("appkey", "", "Yunxin AppKey", &f.appKey),
		s("app-secret", "", "Yunxin AppSecret", &f.appSecret),
		s("room", "", "Yunxin chat room id with messages from --sender", &f.room),
		s("sender", "", "Yunxin account that sent messages in --room", &f.sender),
		s("max-pages", "100", "Yunxin: most pages the walk to the last page follows", &f.maxPages),
		s("client", "", "Op Api client", &f.client),
		s("token", "", "Op Api token", &f.token),
		s("user", "", "Op Api userId with at least two records", &f.user),
		s("control-token", "", "chatemu's --control-token (a chatemu target only: tenants and clock)", &f.controlToken),
		s("record", "", "store every answer, secrets redacted, as DIR/{vendor}/{probe}.json", &f.record),
		s("replay", "", "compare chatemu, started in process, with the recordings in DIR (no network)", &f.replay),
		s("scenario", "default", "replay: the scenario chatemu serves (must hold the recorded tenants)", &f.scenario),
		s("timeout", "2m", "how long the whole run may take", &f.timeout),
		s("json", "false", "print the report as JSON", &f.json),
		s("verbose", "false", "print what every probe does", &f.verbose),
		s("no-clock", "false", "never move a chatemu target's clock (skips archive-expiry and the default empty-hour)", &f.noClock),
	}
}

// contractCmd is `chatemu contract`: it checks an endpoint against the
// vendors' contracts (emulator/contract) and exits 1 on drift.
func contractCmd(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	f := &contractFlags{}
	fs := flag.NewFlagSet("chatemu contract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, s := range f.specs() {
		def := s.def
		if v := env(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.dst, s.name, def, s.usage+" [$"+s.env+"]")
	}
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage:
  chatemu contract --vendor easemob|yunxin|op|all --base-url URL [credentials] [--record DIR] [--json]
  chatemu contract --replay DIR [--vendor V] [--scenario NAME|FILE] [--json]

Check an endpoint (the real vendor, a staging copy, or chatemu) against the
vendors' documented contracts with a fixed, read-only probe set; exit 1 on
drift. Against chatemu, missing credentials are read from /_chatemu/tenants.
Each flag has an environment twin; the flag wins.

Flags:
`)
		fs.PrintDefaults()
	}
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(stdout)
			break
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "chatemu contract: "+format+"\n", a...)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments %q", fs.Args())
	}
	bools := map[string]bool{}
	for name, v := range map[string]string{"json": f.json, "verbose": f.verbose, "no-clock": f.noClock} {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return usageErr("--%s %q: want true or false", name, v)
		}
		bools[name] = b
	}
	timeout, err := time.ParseDuration(f.timeout)
	if err != nil || timeout <= 0 {
		return usageErr("--timeout %q: want a duration such as 2m", f.timeout)
	}
	maxPages, err := strconv.Atoi(f.maxPages)
	if err != nil || maxPages < 1 {
		return usageErr("--max-pages %q: want a positive integer", f.maxPages)
	}
	var vendors []string
	switch f.vendor {
	case "":
	case "all":
		vendors = contract.Vendors
	default:
		vendors = strings.Split(f.vendor, ",")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var rep *contract.Report
	switch {
	case f.replay != "":
		if f.baseURL != "" || f.record != "" {
			return usageErr("--replay takes no --base-url or --record: it serves chatemu in process")
		}
		spec, err := scenarios.Load(f.scenario)
		if err != nil {
			return usageErr("%v", err)
		}
		rep, err = contract.Replay(ctx, f.replay, contract.ReplayOptions{Spec: spec, Vendors: vendors})
		if err != nil {
			fmt.Fprintf(stderr, "chatemu contract: %v\n", err)
			return exitError
		}
	default:
		if f.baseURL == "" {
			return usageErr("--base-url is required (or --replay DIR)")
		}
		if len(vendors) == 0 {
			return usageErr("--vendor is required: easemob, yunxin, op, a comma list or all")
		}
		cfg := contract.Config{
			BaseURL: f.baseURL,
			Easemob: contract.EasemobInputs{Org: f.org, App: f.app, ClientID: f.clientID, ClientSecret: f.clientSecret,
				Hour: f.hour, EmptyHour: f.emptyHour, Cluster: f.cluster},
			Yunxin:       contract.YunxinInputs{AppKey: f.appKey, AppSecret: f.appSecret, Room: f.room, Sender: f.sender, MaxPages: maxPages},
			Op:           contract.OpInputs{Client: f.client, Token: f.token, User: f.user},
			ControlToken: f.controlToken,
			NoClock:      bools["no-clock"],
		}
		rep, err = contract.Run(ctx, cfg, vendors...)
		if err != nil {
			return usageErr("%v", strings.TrimPrefix(err.Error(), "contract: "))
		}
		if f.record != "" {
			files, err := contract.WriteRecordings(f.record, rep)
			if err != nil {
				fmt.Fprintf(stderr, "chatemu contract: recording: %v\n", err)
				return exitError
			}
			fmt.Fprintf(stderr, "chatemu contract: recorded %d answer(s) under %s\n", len(files), f.record)
		}
	}
	if bools["json"] {
		err = contract.WriteJSON(stdout, rep)
	} else {
		err = contract.WriteTable(stdout, rep, bools["verbose"])
	}
	if err != nil {
		fmt.Fprintf(stderr, "chatemu contract: %v\n", err)
		return exitError
	}
	if !rep.Passed {
		return exitError
	}
	return exitOK
}
