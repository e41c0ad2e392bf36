package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chatemu/chatemu/contract"
	"github.com/chatemu/chatemu/contract/replay"
	"github.com/chatemu/chatemu/scenarios"
)

// contractCmd is `chatemu contract`: it checks an endpoint against the
// vendors' contracts (package contract) and exits 1 on drift. Each flag's
// environment twin is CHATEMU_CONTRACT_<NAME>.
type contractCmd struct {
	Vendor       string        `env:"CHATEMU_CONTRACT_VENDOR" placeholder:"V" help:"easemob, yunxin, op, a comma list, or all (replay: default every recorded vendor)."`
	BaseURL      string        `name:"base-url" env:"CHATEMU_CONTRACT_BASE_URL" placeholder:"URL" help:"The endpoint to check: the vendor's API host, a staging copy or a chatemu server."`
	Org          string        `env:"CHATEMU_CONTRACT_ORG" help:"Easemob org name."`
	App          string        `env:"CHATEMU_CONTRACT_APP" help:"Easemob app name."`
	ClientID     string        `name:"client-id" env:"CHATEMU_CONTRACT_CLIENT_ID" help:"Easemob client_id."`
	ClientSecret string        `name:"client-secret" env:"CHATEMU_CONTRACT_CLIENT_SECRET" help:"Easemob client_secret."`
	Hour         string        `env:"CHATEMU_CONTRACT_HOUR" placeholder:"YYYYMMDDHH" help:"Easemob: an archived hour with messages, in the cluster's zone (default: 3 hours before the server's time)."`
	EmptyHour    string        `name:"empty-hour" env:"CHATEMU_CONTRACT_EMPTY_HOUR" placeholder:"YYYYMMDDHH" help:"Easemob: an archived hour in retention without messages (default on chatemu: the hour after its clock; elsewhere the probe is skipped)."`
	Cluster      string        `env:"CHATEMU_CONTRACT_CLUSTER" placeholder:"cn|overseas" help:"Easemob cluster for the default --hour: cn (Beijing time) or overseas (UTC); default cn, or chatemu's."`
	AppKey       string        `name:"appkey" env:"CHATEMU_CONTRACT_APPKEY" help:"Yunxin AppKey."`
	AppSecret    string        `name:"app-secret" env:"CHATEMU_CONTRACT_APP_SECRET" help:"Yunxin AppSecret."`
	Room         string        `env:"CHATEMU_CONTRACT_ROOM" help:"Yunxin chat room id with messages from --sender."`
	Sender       string        `env:"CHATEMU_CONTRACT_SENDER" help:"Yunxin account that sent messages in --room."`
	MaxPages     int           `name:"max-pages" default:"100" env:"CHATEMU_CONTRACT_MAX_PAGES" help:"Yunxin: most pages the walk to the last page follows."`
	Client       string        `env:"CHATEMU_CONTRACT_CLIENT" help:"Op Api client."`
	Token        string        `env:"CHATEMU_CONTRACT_TOKEN" help:"Op Api token."`
	User         string        `env:"CHATEMU_CONTRACT_USER" help:"Op Api userId with at least two records."`
	ControlToken string        `name:"control-token" env:"CHATEMU_CONTRACT_CONTROL_TOKEN" help:"chatemu's --control-token (a chatemu target only: tenants and clock)."`
	Record       string        `env:"CHATEMU_CONTRACT_RECORD" placeholder:"DIR" help:"Store every answer, secrets redacted, as DIR/{vendor}/{probe}.json."`
	Replay       string        `env:"CHATEMU_CONTRACT_REPLAY" placeholder:"DIR" help:"Compare chatemu, started in process, with the recordings in DIR (no network)."`
	Scenario     string        `default:"default" env:"CHATEMU_CONTRACT_SCENARIO" help:"Replay: the scenario chatemu serves (must hold the recorded tenants)."`
	Timeout      time.Duration `default:"2m" env:"CHATEMU_CONTRACT_TIMEOUT" help:"How long the whole run may take."`
	JSON         bool          `name:"json" env:"CHATEMU_CONTRACT_JSON" help:"Print the report as JSON."`
	Verbose      bool          `env:"CHATEMU_CONTRACT_VERBOSE" help:"Print what every probe does."`
	NoClock      bool          `name:"no-clock" env:"CHATEMU_CONTRACT_NO_CLOCK" help:"Never move a chatemu target's clock (skips archive-expiry and the default empty-hour)."`
}

// Help is the long description under the usage line.
func (*contractCmd) Help() string {
	return `  chatemu contract --vendor easemob|yunxin|op|all --base-url URL [credentials] [--record DIR] [--json]
  chatemu contract --replay DIR [--vendor V] [--scenario NAME|FILE] [--json]

Check an endpoint (the real vendor, a staging copy, or chatemu) against the
vendors' documented contracts with a fixed, read-only probe set; exit 1 on
drift. Against chatemu, missing credentials are read from /_chatemu/tenants.`
}

// Validate checks what the flags' types cannot; kong calls it after
// parsing.
func (f *contractCmd) Validate() error {
	if f.Timeout <= 0 {
		return fmt.Errorf("--timeout: want a positive duration such as 2m, got %s", f.Timeout)
	}
	if f.MaxPages < 1 {
		return fmt.Errorf("--max-pages: want a positive integer, got %d", f.MaxPages)
	}
	return nil
}

// Run runs the probes, or the replay, and prints the report.
func (f *contractCmd) Run(e *runEnv) error {
	ctx, stdout, stderr := e.ctx, e.stdout, e.stderr
	usageErr := func(format string, a ...any) error {
		fmt.Fprintf(stderr, "chatemu contract: "+format+"\n", a...)
		return exitStatus(exitUsage)
	}
	var vendors []string
	switch f.Vendor {
	case "":
	case "all":
		vendors = contract.Vendors
	default:
		vendors = strings.Split(f.Vendor, ",")
	}
	ctx, cancel := context.WithTimeout(ctx, f.Timeout)
	defer cancel()

	var rep *contract.Report
	var err error
	switch {
	case f.Replay != "":
		if f.BaseURL != "" || f.Record != "" {
			return usageErr("--replay takes no --base-url or --record: it serves chatemu in process")
		}
		spec, err := scenarios.Load(f.Scenario)
		if err != nil {
			return usageErr("%v", err)
		}
		rep, err = replay.Replay(ctx, f.Replay, replay.Options{Spec: spec, Vendors: vendors})
		if err != nil {
			fmt.Fprintf(stderr, "chatemu contract: %v\n", err)
			return exitStatus(exitError)
		}
	default:
		if f.BaseURL == "" {
			return usageErr("--base-url is required (or --replay DIR)")
		}
		if len(vendors) == 0 {
			return usageErr("--vendor is required: easemob, yunxin, op, a comma list or all")
		}
		cfg := contract.Config{
			BaseURL: f.BaseURL,
			Easemob: contract.EasemobInputs{Org: f.Org, App: f.App, ClientID: f.ClientID, ClientSecret: f.ClientSecret,
				Hour: f.Hour, EmptyHour: f.EmptyHour, Cluster: f.Cluster},
			Yunxin:       contract.YunxinInputs{AppKey: f.AppKey, AppSecret: f.AppSecret, Room: f.Room, Sender: f.Sender, MaxPages: f.MaxPages},
			Op:           contract.OpInputs{Client: f.Client, Token: f.Token, User: f.User},
			ControlToken: f.ControlToken,
			NoClock:      f.NoClock,
		}
		rep, err = contract.Run(ctx, cfg, vendors...)
		if errors.Is(err, contract.ErrUnreachable) {
			fmt.Fprintf(stderr, "chatemu contract: %v\n", strings.TrimPrefix(err.Error(), "contract: "))
			return exitStatus(exitError)
		}
		if err != nil {
			return usageErr("%v", strings.TrimPrefix(err.Error(), "contract: "))
		}
		if f.Record != "" {
			files, err := contract.WriteRecordings(f.Record, rep)
			if err != nil {
				fmt.Fprintf(stderr, "chatemu contract: recording: %v\n", err)
				return exitStatus(exitError)
			}
			fmt.Fprintf(stderr, "chatemu contract: recorded %d answer(s) under %s\n", len(files), f.Record)
		}
	}
	if f.JSON {
		err = contract.WriteJSON(stdout, rep)
	} else {
		err = contract.WriteTable(stdout, rep, f.Verbose)
	}
	if err != nil {
		fmt.Fprintf(stderr, "chatemu contract: %v\n", err)
		return exitStatus(exitError)
	}
	if !rep.Passed {
		return exitStatus(exitError)
	}
	return nil
}
