package testkit

import (
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/easemob"
	"github.com/chatemu/chatemu/emulator/world"
)

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
