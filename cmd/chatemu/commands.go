package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"text/tabwriter"
	"time"

	"github.com/chatemu/chatemu/scenarios"
)

// scenariosCmd lists the embedded scenarios, or validates a file.
func scenariosCmd(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, name := range scenarios.Names() {
			desc, _ := scenarios.Describe(name)
			fmt.Fprintf(tw, "%s\t%s\n", name, desc)
		}
		tw.Flush()
		return exitOK
	case args[0] == "validate":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: chatemu scenarios validate FILE")
			return exitUsage
		}
		spec, err := scenarios.Load(args[1])
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitUsage
		}
		fmt.Fprintf(stdout, "%s: ok: scenario %q, %d Easemob app(s), %d Yunxin app(s), %d Op client(s)\n",
			args[1], spec.Name, len(spec.Easemob), len(spec.Yunxin), len(spec.Op))
		return exitOK
	}
	fmt.Fprintf(stderr, "chatemu scenarios: unknown subcommand %q\nusage: chatemu scenarios [validate FILE]\n", args[0])
	return exitUsage
}

// health asks the server at --addr for /_chatemu/health: exit 0 on 200.
// The Docker HEALTHCHECK runs it.
func health(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chatemu health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := env("CHATEMU_ADDR")
	if def == "" {
		def = "127.0.0.1:8080"
	}
	addr := fs.String("addr", def, "address of the server to check [$CHATEMU_ADDR]")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	useTLS := fs.Bool("tls", env("CHATEMU_TLS") == "true" || env("CHATEMU_TLS_CERT") != "",
		"the server serves https (--tls or --tls-cert); its certificate is not verified [$CHATEMU_TLS]")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "chatemu health: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	scheme := "http"
	if *useTLS {
		scheme = "https"
	}
	url := baseURL(scheme, *addr) + "/_chatemu/health"
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "chatemu health: %v\n", err)
		return exitUsage
	}
	tr := &http.Transport{Proxy: nil, DialContext: (&net.Dialer{}).DialContext,
		// Checking our own process: a self-signed certificate is expected.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "chatemu health: %v\n", err)
		return exitError
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "chatemu health: %s answered %s\n", url, res.Status)
		return exitError
	}
	fmt.Fprintln(stdout, "ok")
	return exitOK
}

// version is the module version the binary was built from, or "devel".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return "devel"
	}
	return bi.Main.Version
}
