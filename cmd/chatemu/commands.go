package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/chatemu/chatemu/scenarios"
)

// scenariosCmd is `chatemu scenarios`: list (the default) or validate.
type scenariosCmd struct {
	List     scenariosListCmd     `cmd:"" default:"1" help:"List the embedded scenarios (the default)."`
	Validate scenariosValidateCmd `cmd:"" help:"Check a scenario file; exit 2 if it is invalid."`
}

// scenariosListCmd lists the embedded scenarios.
type scenariosListCmd struct{}

// Run prints each embedded scenario with its description.
func (scenariosListCmd) Run(e *runEnv) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, name := range scenarios.Names() {
		desc, _ := scenarios.Describe(name)
		fmt.Fprintf(tw, "%s\t%s\n", name, desc)
	}
	return tw.Flush()
}

// scenariosValidateCmd checks a scenario file.
type scenariosValidateCmd struct {
	File string `arg:"" help:"The scenario file."`
}

// Run loads the file and says what it holds, or why it is invalid.
func (c *scenariosValidateCmd) Run(e *runEnv) error {
	spec, err := scenarios.Load(c.File)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitStatus(exitUsage)
	}
	fmt.Fprintf(e.stdout, "%s: ok: scenario %q, %d Easemob app(s), %d Yunxin app(s), %d Op client(s)\n",
		c.File, spec.Name, len(spec.Easemob), len(spec.Yunxin), len(spec.Op))
	return nil
}

// healthCmd is `chatemu health`: exit 0 if the server at --addr is ready,
// that is answers /_chatemu/readyz with 200 (its world is built, its routes
// compiled, and it is not shutting down). The Docker HEALTHCHECK runs it
// with the image's environment: the same CHATEMU_ADDR, CHATEMU_TLS and
// CHATEMU_TLS_CERT as the server it checks. readyz is open, as health is,
// so a server with a control token needs none here.
type healthCmd struct {
	Addr    string        `default:"127.0.0.1:8080" env:"CHATEMU_ADDR" help:"Address of the server to check."`
	Timeout time.Duration `default:"5s" env:"CHATEMU_HEALTH_TIMEOUT" help:"How long to wait for the answer."`
	TLS     bool          `name:"tls" env:"CHATEMU_TLS" help:"The server serves https (also implied by CHATEMU_TLS_CERT); its certificate is not verified."`
	TLSCert string        `name:"tls-cert" env:"CHATEMU_TLS_CERT" hidden:"" help:"Set: the server serves https (serve's twin, so that one environment serves both)."`
}

// Run asks the server for its health.
func (c *healthCmd) Run(e *runEnv) error {
	scheme := "http"
	if c.TLS || c.TLSCert != "" {
		scheme = "https"
	}
	url := baseURL(scheme, c.Addr) + "/_chatemu/readyz"
	ctx, cancel := context.WithTimeout(e.ctx, c.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "chatemu health: %v\n", err)
		return exitStatus(exitUsage)
	}
	tr := &http.Transport{Proxy: nil, DialContext: (&net.Dialer{}).DialContext,
		// Checking our own process: a self-signed certificate is expected.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		fmt.Fprintf(e.stderr, "chatemu health: %v\n", err)
		return exitStatus(exitError)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode != http.StatusOK {
		why := ""
		if r := res.Header.Get("X-Chatemu-Reason"); r != "" {
			why = ": " + r
		}
		fmt.Fprintf(e.stderr, "chatemu health: %s answered %s%s\n", url, res.Status, why)
		return exitStatus(exitError)
	}
	fmt.Fprintln(e.stdout, "ok")
	return nil
}
