// Package testkit runs chatemu inside go test: Start gives each test its own
// emulator (world, clock, vendor surfaces, control API) on 127.0.0.1:0, ready
// when Start returns and closed by t.Cleanup, in the miniredis RunT model.
// New does the same for a package-wide emulator in TestMain, and Connect
// drives a chatemu that already runs (the Docker image, a CI service) with
// the same API, so a suite switches between them with one line. A test
// needs no other chatemu import: the types it names (LiteralMessage,
// TenantID, RoomID, Cluster, …) are re-exported here.
//
//	emu := testkit.Start(t, testkit.Frozen(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)))
//	// or: emu := testkit.Connect(t, os.Getenv("CHATEMU_URL"))
//	app := emu.Easemob() // Org, App, ClientID, ClientSecret, BaseURL
//	sent := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
//	emu.Inject(t, app.Tenant(), testkit.LiteralMessage{ID: "m1", From: "alice", To: "bob", Msg: "hi", At: sent})
//	ids, err := myclient.New(app.BaseURL, app.ClientID, app.ClientSecret).Hour(app.Hour(sent))
//
// Every method talks to the emulator through its control API over HTTP, in
// process (a loopback call) as against a running server, so the two modes
// are one implementation and every in-process test exercises the remote
// path. Server and World alone reach into an in-process emulator. testkit
// imports emulator, control and scenarios; nothing imports it.
package testkit

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
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

// Emulator is a chatemu for a test: one Start or New runs in process, or
// one Connect reaches over HTTP.
//
// Methods that take a TB fail it when the emulator refuses or cannot be
// reached; the others fail the TB given to Start or Connect. An Emulator
// from New has no TB of its own: those methods panic instead, which fails
// the test that called them.
type Emulator struct {
	// URL is the emulator's base URL, e.g. "http://127.0.0.1:43817": the base
	// of every vendor surface and of the control API (URL + "/_chatemu/").
	URL string

	t      TB
	srv    *emulator.Server // nil when connected
	client *http.Client
	token  string
	ctl    *controlClient

	// stop shuts down an in-process server; idle closes the clients' idle
	// connections; closed makes Close run once.
	stop   func()
	idle   func()
	closed sync.Once
}

// Start starts an emulator for t and returns once it accepts requests (its
// listener is bound before Start returns; there is no polling and no
// sleep). t.Cleanup shuts it down and waits for its goroutine. Each call has
// its own server, world and clock, so parallel tests do not share state.
func Start(t TB, opts ...Option) *Emulator {
	t.Helper()
	e, err := New(opts...)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	e.t = t
	t.Cleanup(e.Close)
	return e
}

// New starts an emulator as Start does, for a whole package: start it in
// TestMain, share it between tests, and Close it after m.Run. Tests that
// share one emulator keep apart with runtime tenants (NewEasemobApp, …).
//
//	var emu *testkit.Emulator
//
//	func TestMain(m *testing.M) {
//		var err error
//		if emu, err = testkit.New(testkit.Scenario("default")); err != nil {
//			log.Fatal(err)
//		}
//		code := m.Run()
//		emu.Close()
//		os.Exit(code)
//	}
func New(opts ...Option) (*Emulator, error) {
	o := newOptions(opts)
	spec, name, err := o.load()
	if err != nil {
		return nil, fmt.Errorf("testkit: %w", err)
	}
	if o.frozen {
		frozen := *spec
		frozen.Frozen = true
		spec = &frozen
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("testkit: listen: %w", err)
	}
	url := "http://" + ln.Addr().String()
	var roots *x509.CertPool
	if o.tls {
		cert, pool, err := tlscert.SelfSigned(clock.Wall().WallNow(), tlscert.LocalHosts()...)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("testkit: %w", err)
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
		return nil, fmt.Errorf("testkit: %w", err)
	}
	hs := emulator.NewHTTPServer(srv, emulator.DefaultTimeouts(), o.logger)
	done := make(chan struct{})
	go func() {
		defer close(done)
		hs.Serve(ln) // returns http.ErrServerClosed after Shutdown
	}()
	e := newEmulator(url, o.controlToken, roots, o.wrap)
	e.srv = srv
	e.stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			hs.Close()
		}
		<-done
	}
	return e, nil
}

// newEmulator returns an Emulator for the server at url, with its clients;
// wrap, when not nil, wraps their transport.
func newEmulator(url, token string, roots *x509.CertPool, wrap func(http.RoundTripper) http.RoundTripper) *Emulator {
	tr := &http.Transport{
		Proxy:               nil, // never send the emulator's traffic to a proxy from the environment
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 16,
		TLSClientConfig:     &tls.Config{RootCAs: roots},
		IdleConnTimeout:     30 * time.Second,
	}
	var rt http.RoundTripper = tr
	if wrap != nil {
		rt = wrap(tr)
	}
	client := &http.Client{Transport: rt}
	return &Emulator{URL: url, client: client, token: token, ctl: newControlClient(url, token, rt), idle: tr.CloseIdleConnections}
}

// Close shuts an emulator from New down and waits for it; Start's and
// Connect's close with their test. After Close the Emulator answers
// nothing. Close may be called more than once.
func (e *Emulator) Close() {
	e.closed.Do(func() {
		if e.stop != nil {
			e.stop()
		}
		e.idle()
	})
}

// fail fails t, or the Emulator's own TB when t is nil, or panics when
// there is neither (an Emulator from New).
func (e *Emulator) fail(t TB, format string, args ...any) {
	if t == nil {
		t = e.t
	}
	if t == nil {
		panic(fmt.Sprintf(format, args...))
	}
	t.Helper()
	t.Fatalf(format, args...)
}

// inProcess returns the in-process server, failing the test for a
// connected emulator: what is asked for has no control route.
func (e *Emulator) inProcess(what string) *emulator.Server {
	if e.srv == nil {
		e.fail(nil, "testkit: %s is in process only (Start or New); the emulator at %s is reached over HTTP", what, e.URL)
	}
	return e.srv
}

// Server returns the emulator.Server behind an emulator from Start or New.
// It fails the test for one from Connect.
func (e *Emulator) Server() *emulator.Server { return e.inProcess("Server") }

// World returns the world of an emulator from Start or New, for
// assertions on what it holds (messages by id, counts). It fails the test
// for one from Connect: the control API has no route for the world's
// contents.
func (e *Emulator) World() *world.World {
	if s := e.inProcess("World"); s != nil {
		return s.World()
	}
	return nil
}

// HTTPClient returns a client for the emulator. It bypasses any proxy from
// the environment, and its idle connections are closed with the emulator.
func (e *Emulator) HTTPClient() *http.Client { return e.client }

// ControlToken returns the control token, "" when the control API is open.
func (e *Emulator) ControlToken() string { return e.token }

// Reset puts the emulator back in its first state, clock included, as POST
// /_chatemu/reset does.
func (e *Emulator) Reset() {
	if err := e.ctl.call(http.MethodPost, "reset", nil, nil); err != nil {
		e.fail(nil, "testkit: reset: %v", err)
	}
}

// Inject stores literal messages for a tenant ("easemob:ORG/APP" or
// "yunxin:APPKEY"; see EasemobApp.Tenant and YunxinApp.Tenant), as POST
// /_chatemu/messages does, and returns their ids. A message without At is
// stamped with the clock's now. Any invalid message fails t and stores
// nothing.
func (e *Emulator) Inject(t TB, tenant TenantID, msgs ...LiteralMessage) []string {
	t.Helper()
	if msgs == nil {
		msgs = []LiteralMessage{}
	}
	in := struct {
		Tenant   TenantID         `json:"tenant"`
		Messages []LiteralMessage `json:"messages"`
	}{tenant, msgs}
	var out struct {
		IDs []string `json:"ids"`
	}
	if err := e.ctl.call(http.MethodPost, "messages", in, &out); err != nil {
		e.fail(t, "testkit: inject: %v", err)
		return nil
	}
	return out.IDs
}

// errNotChatemu says a server answered, but not as chatemu's control API.
var errNotChatemu = errors.New("not chatemu's control API")
