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
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/easemob"
	"github.com/chatemu/chatemu/emulator/tlscert"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// TB is the part of testing.TB that testkit uses, so that Start works with
// *testing.T, *testing.B and *testing.F, and with anything else that can run
// cleanups and fail (an Example's own helper, say).
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Option configures Start.
type Option func(*options)

type options struct {
	scenario     string
	file         string
	spec         *world.Spec
	seed         *uint64
	now          time.Time
	frozen       bool
	controlToken string
	logger       *slog.Logger
	journalSize  int
	rateLimits   world.RateLimits
	tls          bool
}

// Scenario selects an embedded scenario by name ("default", "empty",
// "busy"), or a file path. The default is "default".
func Scenario(name string) Option {
	return func(o *options) { o.scenario, o.file, o.spec = name, "", nil }
}

// ScenarioFile loads the scenario at path, even if its name is also an
// embedded scenario's.
func ScenarioFile(path string) Option {
	return func(o *options) { o.file, o.scenario, o.spec = path, "", nil }
}

// Spec serves a spec built in Go instead of a scenario file.
func Spec(spec world.Spec) Option {
	return func(o *options) { o.spec, o.scenario, o.file = &spec, "", "" }
}

// Seed replaces the scenario's seed.
func Seed(seed uint64) Option { return func(o *options) { o.seed = &seed } }

// Now starts the clock at t instead of the scenario's clock.start (or the
// wall clock). The clock is frozen there if the scenario says so, else it
// runs; Frozen freezes it.
func Now(t time.Time) Option { return func(o *options) { o.now = t } }

// Frozen starts the clock frozen at t: time moves only when the test moves
// it (Clock().Advance, Set), and Reset brings it back to t, frozen. A zero
// t freezes it at the scenario's clock.start (or at the wall clock's now).
func Frozen(t time.Time) Option { return func(o *options) { o.now, o.frozen = t, true } }

// ControlToken guards the control API with a Bearer token, as
// --control-token does. The testkit's own methods are not affected.
func ControlToken(token string) Option { return func(o *options) { o.controlToken = token } }

// TLS serves https with a self-signed certificate made for this emulator;
// URL starts with https:// and HTTPClient trusts the certificate, for
// clients that insist on https.
func TLS() Option { return func(o *options) { o.tls = true } }

// Logger receives the emulator's logs; by default they are discarded.
func Logger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

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
	hs := emulator.NewHTTPServer(srv, emulator.DefaultTimeouts(), o.logger)
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

func (o *options) load() (*world.Spec, string, error) {
	switch {
	case o.spec != nil:
		return o.spec, o.spec.Name, nil
	case o.file != "":
		spec, err := scenarios.LoadFile(o.file)
		return spec, o.file, err
	}
	spec, err := scenarios.Load(o.scenario)
	return spec, o.scenario, err
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

// EasemobApp is an Easemob app's credentials and base URL.
type EasemobApp struct {
	Org, App     string
	ClientID     string
	ClientSecret string
	// Cluster names the zone of the app's archive hours (see Hour).
	Cluster Cluster
	// BaseURL is the REST base: requests go to BaseURL/{org}/{app}/...
	BaseURL string
	// OSS keys sign the app's archive links.
	OSS   OSSKeys
	Users []string
}

// Tenant returns the app's tenant, for Inject.
func (a EasemobApp) Tenant() TenantID { return EasemobTenant(a.Org, a.App) }

// Hour names the archive hour that holds t as the app's chatmessages API
// takes it (GET /{org}/{app}/chatmessages/{time}): yyyyMMddHH in Beijing
// time (UTC+8) on cluster cn, in UTC on overseas.
func (a EasemobApp) Hour(t time.Time) string {
	return easemob.HourOf(&world.EasemobApp{Cluster: a.Cluster}, t)
}

// YunxinApp is a Yunxin app's credentials and base URL.
type YunxinApp struct {
	AppKey    string
	AppSecret string
	// BaseURL is the API base; the SDK-style prefix /nimserver is optional
	// on every path.
	BaseURL  string
	Accounts []string
}

// Tenant returns the app's tenant, for Inject.
func (a YunxinApp) Tenant() TenantID { return YunxinTenant(a.AppKey) }

// OpClient is an Op API client's credentials and base URL.
type OpClient struct {
	Client  string
	Token   string
	Secret  string
	BaseURL string
	// EasemobApp is the "org/app" whose users and messages the client reads.
	EasemobApp string
	Qiniu      QiniuKeys
}

// Tenant returns the client's tenant, "op:CLIENT", for Requests filters
// and RemoveTenant.
func (c OpClient) Tenant() TenantID { return OpTenant(c.Client) }

// Easemob returns the scenario's first Easemob app; it fails the test if
// there is none.
func (e *Emulator) Easemob() EasemobApp {
	e.t.Helper()
	apps := e.srv.World().EasemobApps()
	if len(apps) == 0 {
		e.t.Fatalf("testkit: scenario %q has no Easemob app", e.srv.ScenarioName())
		return EasemobApp{}
	}
	return e.easemob(apps[0])
}

// EasemobApp returns the Easemob app org/app; it fails the test if there is
// none.
func (e *Emulator) EasemobApp(org, app string) EasemobApp {
	e.t.Helper()
	a, ok := e.srv.World().EasemobApp(org, app)
	if !ok {
		e.t.Fatalf("testkit: scenario %q has no Easemob app %s/%s", e.srv.ScenarioName(), org, app)
		return EasemobApp{}
	}
	return e.easemob(a)
}

func (e *Emulator) easemob(a *world.EasemobApp) EasemobApp {
	return EasemobApp{
		Org: a.Org, App: a.App, ClientID: a.ClientID, ClientSecret: a.ClientSecret, Cluster: a.Cluster,
		BaseURL: e.URL, OSS: a.OSS, Users: append([]string(nil), a.Users...),
	}
}

// Yunxin returns the scenario's first Yunxin app; it fails the test if
// there is none.
func (e *Emulator) Yunxin() YunxinApp {
	e.t.Helper()
	apps := e.srv.World().YunxinApps()
	if len(apps) == 0 {
		e.t.Fatalf("testkit: scenario %q has no Yunxin app", e.srv.ScenarioName())
		return YunxinApp{}
	}
	return e.yunxin(apps[0])
}

// YunxinApp returns the Yunxin app with the given AppKey; it fails the test
// if there is none.
func (e *Emulator) YunxinApp(appKey string) YunxinApp {
	e.t.Helper()
	a, ok := e.srv.World().YunxinApp(appKey)
	if !ok {
		e.t.Fatalf("testkit: scenario %q has no Yunxin app %q", e.srv.ScenarioName(), appKey)
		return YunxinApp{}
	}
	return e.yunxin(a)
}

func (e *Emulator) yunxin(a *world.YunxinApp) YunxinApp {
	return YunxinApp{AppKey: a.AppKey, AppSecret: a.AppSecret, BaseURL: e.URL, Accounts: append([]string(nil), a.Accounts...)}
}

// Op returns the scenario's first Op client; it fails the test if there is
// none.
func (e *Emulator) Op() OpClient {
	e.t.Helper()
	clients := e.srv.World().OpClients()
	if len(clients) == 0 {
		e.t.Fatalf("testkit: scenario %q has no Op client", e.srv.ScenarioName())
		return OpClient{}
	}
	return e.op(clients[0])
}

// OpClient returns the Op client with the given id; it fails the test if
// there is none.
func (e *Emulator) OpClient(client string) OpClient {
	e.t.Helper()
	c, ok := e.srv.World().OpClient(client)
	if !ok {
		e.t.Fatalf("testkit: scenario %q has no Op client %q", e.srv.ScenarioName(), client)
		return OpClient{}
	}
	return e.op(c)
}

func (e *Emulator) op(c *world.OpClient) OpClient {
	app := strings.TrimPrefix(string(c.EasemobApp), "easemob:")
	return OpClient{Client: c.Client, Token: c.Token, Secret: c.Secret, BaseURL: e.URL, EasemobApp: app, Qiniu: c.Qiniu}
}

// The environment variables Env sets.
const (
	EnvURL                 = "CHATEMU_URL"
	EnvControlToken        = "CHATEMU_CONTROL_TOKEN"
	EnvEasemobOrg          = "CHATEMU_EASEMOB_ORG"
	EnvEasemobApp          = "CHATEMU_EASEMOB_APP"
	EnvEasemobClientID     = "CHATEMU_EASEMOB_CLIENT_ID"
	EnvEasemobClientSecret = "CHATEMU_EASEMOB_CLIENT_SECRET"
	EnvYunxinAppKey        = "CHATEMU_YUNXIN_APPKEY"
	EnvYunxinAppSecret     = "CHATEMU_YUNXIN_APP_SECRET"
	EnvOpClient            = "CHATEMU_OP_CLIENT"
	EnvOpToken             = "CHATEMU_OP_TOKEN"
	EnvOpSecret            = "CHATEMU_OP_SECRET"
)

// Env returns the emulator's base URL and the first tenant of each vendor's
// credentials as CHATEMU_* variables, for a client under test run as a
// subprocess (cmd.Env = append(os.Environ(), ...)). Variables of a vendor
// the scenario lacks are absent; CHATEMU_CONTROL_TOKEN is set only when the
// control API is guarded.
func (e *Emulator) Env() map[string]string {
	env := map[string]string{EnvURL: e.URL}
	if e.token != "" {
		env[EnvControlToken] = e.token
	}
	w := e.srv.World()
	if apps := w.EasemobApps(); len(apps) > 0 {
		a := apps[0]
		env[EnvEasemobOrg] = a.Org
		env[EnvEasemobApp] = a.App
		env[EnvEasemobClientID] = a.ClientID
		env[EnvEasemobClientSecret] = a.ClientSecret
	}
	if apps := w.YunxinApps(); len(apps) > 0 {
		env[EnvYunxinAppKey] = apps[0].AppKey
		env[EnvYunxinAppSecret] = apps[0].AppSecret
	}
	if clients := w.OpClients(); len(clients) > 0 {
		env[EnvOpClient] = clients[0].Client
		env[EnvOpToken] = clients[0].Token
		env[EnvOpSecret] = clients[0].Secret
	}
	return env
}
