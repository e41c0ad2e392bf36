// Package testkit runs chatemu inside go test: Start gives each test its own
// emulator (world, clock, vendor surfaces, control API) on 127.0.0.1:0, ready
// when Start returns and closed by t.Cleanup, in the miniredis RunT model.
// A test needs no other chatemu import: the types it names (LiteralMessage,
// TenantID, RoomID, Cluster, …) are re-exported here.
//
//	emu := testkit.Start(t, testkit.Frozen(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)))
//	app := emu.Easemob() // Org, App, ClientID, ClientSecret, BaseURL
//	sent := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
//	emu.Inject(t, app.Tenant(), testkit.LiteralMessage{ID: "m1", From: "alice", To: "bob", Msg: "hi", At: sent})
//	ids, err := myclient.New(app.BaseURL, app.ClientID, app.ClientSecret).Hour(app.Hour(sent))
//
// Every control capability is both a method here and a route of the control
// API, so a test in process and a client against the Docker image see the
// same emulator. testkit imports emulator and scenarios; nothing imports it.
package testkit

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/tlscert"
	"github.com/chatemu/chatemu/emulator/world"
)

// TB is the part of testing.TB that testkit uses, so that Start works with
// *testing.T, *testing.B and *testing.F, and with anything else that can run
// cleanups and fail (an Example's own helper, say).
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Emulator is a running chatemu for one test.
type Emulator struct {
	// URL is the emulator's base URL, e.g. "http://127.0.0.1:43817": the base
	// of every vendor surface and of the control API (URL + "/_chatemu/").
	URL string

	t      TB
	srv    *emulator.Server
	client *http.Client
	token  string
}

// Start starts an emulator for t and returns once it accepts requests (its
// listener is bound before Start returns; there is no polling and no
// sleep). t.Cleanup shuts it down and waits for its goroutine. Each call has
// its own server, world and clock, so parallel tests do not share state.
func Start(t TB, opts ...Option) *Emulator {
	t.Helper()
	o := options{scenario: "default"}
	for _, opt := range opts {
		opt(&o)
	}
	spec, name, err := o.load()
	if err != nil {
		t.Fatalf("testkit: %v", err)
		return nil
	}
	if o.frozen {
		frozen := *spec
		frozen.Frozen = true
		spec = &frozen
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testkit: listen: %v", err)
		return nil
	}
	url := "http://" + ln.Addr().String()
	var roots *x509.CertPool
	if o.tls {
		cert, pool, err := tlscert.SelfSigned(clock.Wall().WallNow(), tlscert.LocalHosts()...)
		if err != nil {
			ln.Close()
			t.Fatalf("testkit: %v", err)
			return nil
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		url, roots = "https://"+ln.Addr().String(), pool
	}
	srv, err := emulator.New(emulator.Config{
		Spec:         spec,
		ScenarioName: name,
		Seed:         o.seed,
		Now:          o.now,
		PublicURL:    url,
		ControlToken: o.controlToken,
		Logger:       o.logger,
		JournalSize:  o.journalSize,
		RateLimits:   o.rateLimits,
	})
	if err != nil {
		ln.Close()
		t.Fatalf("testkit: %v", err)
		return nil
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		hs.Serve(ln) // returns http.ErrServerClosed after Shutdown
	}()
	client := &http.Client{Transport: &http.Transport{
		Proxy:               nil, // never send the emulator's traffic to a proxy from the environment
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 16,
		TLSClientConfig:     &tls.Config{RootCAs: roots},
		IdleConnTimeout:     30 * time.Second,
	}}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			hs.Close()
		}
		<-done
		client.CloseIdleConnections()
	})
	return &Emulator{URL: url, t: t, srv: srv, client: client, token: o.controlToken}
}

// Server returns the emulator.Server behind the emulator.
func (e *Emulator) Server() *emulator.Server { return e.srv }

// World returns the emulator's world, for assertions on what it holds.
func (e *Emulator) World() *world.World { return e.srv.World() }

// Clock returns the emulator's clock: Set, Advance and Freeze move the time
// of every vendor surface (archive availability, link expiry, rate limits).
func (e *Emulator) Clock() *clock.Clock { return e.srv.Clock() }

// HTTPClient returns a client for the emulator. It bypasses any proxy from
// the environment, and its idle connections are closed with the emulator.
func (e *Emulator) HTTPClient() *http.Client { return e.client }

// ControlToken returns the control token, "" when the control API is open.
func (e *Emulator) ControlToken() string { return e.token }

// Reset puts the emulator back in its first state, clock included, as POST
// /_chatemu/reset does.
func (e *Emulator) Reset() { e.srv.Reset() }

// Inject stores literal messages for a tenant ("easemob:ORG/APP" or
// "yunxin:APPKEY"; see EasemobApp.Tenant and YunxinApp.Tenant), as POST
// /_chatemu/messages does, and returns their ids. A message without At is
// stamped with the clock's now. Any invalid message fails t and stores
// nothing.
func (e *Emulator) Inject(t TB, tenant TenantID, msgs ...LiteralMessage) []string {
	t.Helper()
	ids, err := e.srv.Inject(tenant, msgs...)
	if err != nil {
		t.Fatalf("testkit: inject: %v", err)
		return nil
	}
	return ids
}
