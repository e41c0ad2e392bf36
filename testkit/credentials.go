package testkit

import (
	"fmt"
	"net/http"
	"time"

	"github.com/chatemu/chatemu/emulator/control"
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

// tenants lists the emulator's tenants (GET /_chatemu/tenants).
func (e *Emulator) tenants() control.Tenants {
	var out control.Tenants
	if err := e.ctl.call(http.MethodGet, "tenants", nil, &out); err != nil {
		e.fail(nil, "testkit: tenants: %v", err)
	}
	return out
}

// name says which emulator a failure is about.
func (e *Emulator) name() string {
	if e.srv != nil {
		return fmt.Sprintf("scenario %q", e.srv.ScenarioName())
	}
	return "the emulator at " + e.URL
}

// Easemob returns the emulator's first Easemob app; it fails the test if
// there is none.
func (e *Emulator) Easemob() EasemobApp {
	apps := e.tenants().Easemob
	if len(apps) == 0 {
		e.fail(nil, "testkit: %s has no Easemob app", e.name())
		return EasemobApp{}
	}
	return easemobApp(apps[0])
}

// EasemobApp returns the Easemob app org/app; it fails the test if there is
// none.
func (e *Emulator) EasemobApp(org, app string) EasemobApp {
	for _, a := range e.tenants().Easemob {
		if a.Org == org && a.App == app {
			return easemobApp(a)
		}
	}
	e.fail(nil, "testkit: %s has no Easemob app %s/%s", e.name(), org, app)
	return EasemobApp{}
}

func easemobApp(a control.EasemobTenant) EasemobApp {
	return EasemobApp{
		Org: a.Org, App: a.App, ClientID: a.ClientID, ClientSecret: a.ClientSecret, Cluster: Cluster(a.Cluster),
		BaseURL: a.BaseURL, Users: a.Users,
		OSS: OSSKeys{Bucket: a.OSS.Bucket, AccessKeyID: a.OSS.AccessKeyID, AccessKeySecret: a.OSS.AccessKeySecret},
	}
}

// Yunxin returns the emulator's first Yunxin app; it fails the test if
// there is none.
func (e *Emulator) Yunxin() YunxinApp {
	apps := e.tenants().Yunxin
	if len(apps) == 0 {
		e.fail(nil, "testkit: %s has no Yunxin app", e.name())
		return YunxinApp{}
	}
	return yunxinApp(apps[0])
}

// YunxinApp returns the Yunxin app with the given AppKey; it fails the test
// if there is none.
func (e *Emulator) YunxinApp(appKey string) YunxinApp {
	for _, a := range e.tenants().Yunxin {
		if a.AppKey == appKey {
			return yunxinApp(a)
		}
	}
	e.fail(nil, "testkit: %s has no Yunxin app %q", e.name(), appKey)
	return YunxinApp{}
}

func yunxinApp(a control.YunxinTenant) YunxinApp {
	return YunxinApp{AppKey: a.AppKey, AppSecret: a.AppSecret, BaseURL: a.BaseURL, Accounts: a.Accounts}
}

// Op returns the emulator's first Op client; it fails the test if there is
// none.
func (e *Emulator) Op() OpClient {
	clients := e.tenants().Op
	if len(clients) == 0 {
		e.fail(nil, "testkit: %s has no Op client", e.name())
		return OpClient{}
	}
	return opClient(clients[0])
}

// OpClient returns the Op client with the given id; it fails the test if
// there is none.
func (e *Emulator) OpClient(client string) OpClient {
	for _, c := range e.tenants().Op {
		if c.Client == client {
			return opClient(c)
		}
	}
	e.fail(nil, "testkit: %s has no Op client %q", e.name(), client)
	return OpClient{}
}

func opClient(c control.OpTenant) OpClient {
	return OpClient{Client: c.Client, Token: c.Token, Secret: c.Secret, BaseURL: c.BaseURL, EasemobApp: c.EasemobApp,
		Qiniu: QiniuKeys{AccessKey: c.Qiniu.AccessKey, SecretKey: c.Qiniu.SecretKey}}
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
// the emulator lacks are absent; CHATEMU_CONTROL_TOKEN is set only when the
// control API is guarded.
func (e *Emulator) Env() map[string]string {
	env := map[string]string{EnvURL: e.URL}
	if e.token != "" {
		env[EnvControlToken] = e.token
	}
	ts := e.tenants()
	if len(ts.Easemob) > 0 {
		a := ts.Easemob[0]
		env[EnvEasemobOrg] = a.Org
		env[EnvEasemobApp] = a.App
		env[EnvEasemobClientID] = a.ClientID
		env[EnvEasemobClientSecret] = a.ClientSecret
	}
	if len(ts.Yunxin) > 0 {
		env[EnvYunxinAppKey] = ts.Yunxin[0].AppKey
		env[EnvYunxinAppSecret] = ts.Yunxin[0].AppSecret
	}
	if len(ts.Op) > 0 {
		env[EnvOpClient] = ts.Op[0].Client
		env[EnvOpToken] = ts.Op[0].Token
		env[EnvOpSecret] = ts.Op[0].Secret
	}
	return env
}
