package control

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// Runtime tenants (POST /_chatemu/tenants) give test suites that share one
// emulator (the Docker image in CI) a namespace of their own: each suite
// creates its apps with generated names and credentials and sees only their
// data. Names are deterministic: RuntimeOrg with app "t1", "t2", … for
// Easemob, a 32-hex-digit AppKey derived from the seed and the counter for
// Yunxin, "chatemu-rt-op-N" for Op; credentials are derived from the seed
// and the name as the scenario loader derives them. Reset removes them and
// restarts the counter.

// RuntimeOrg is the Easemob org of runtime apps whose body names none.
const RuntimeOrg = "chatemu-rt"

// opClientKeys are the keys of an Op client in the scenario form; the other
// keys of an Op request without easemob_app describe the Easemob app
// created with it.
var opClientKeys = map[string]bool{
	"client": true, "token": true, "secret": true, "sign": true, "easemob_app": true,
	"qiniu": true, "rate_limits": true, "marks": true, "favorites": true,
}

// liveSpec is the world's spec with its current tenants, runtime ones
// included, for the scenario helpers that resolve names through a spec.
func (a *API) liveSpec() *world.Spec {
	spec := *a.world.Spec()
	spec.Easemob = spec.Easemob[:0:0]
	for _, app := range a.world.EasemobApps() {
		spec.Easemob = append(spec.Easemob, *app)
	}
	spec.Yunxin = spec.Yunxin[:0:0]
	for _, app := range a.world.YunxinApps() {
		spec.Yunxin = append(spec.Yunxin, *app)
	}
	spec.Op = spec.Op[:0:0]
	for _, c := range a.world.OpClients() {
		spec.Op = append(spec.Op, *c)
	}
	return &spec
}

// postTenant is POST /_chatemu/tenants: {"vendor": "easemob"|"yunxin"|"op",
// …the app's or client's keys in the scenario file's form}.
func (a *API) postTenant(r *http.Request) (response, *Error) {
	data, e := readBody(r)
	if e != nil {
		return response{}, e
	}
	var fields map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return response{}, errorf(http.StatusBadRequest, `request body: want a JSON object {"vendor": "easemob"|"yunxin"|"op", …}`)
	}
	if _, err := dec.Token(); err != io.EOF {
		return response{}, errorf(http.StatusBadRequest, "request body: trailing data after the JSON value")
	}
	vendor, _ := fields["vendor"].(string)
	delete(fields, "vendor")
	out, e := a.addTenant(vendor, fields)
	if e != nil {
		return response{}, e
	}
	return response{status: http.StatusCreated, body: out}, nil
}

// AddTenant creates a tenant of vendor ("easemob", "yunxin" or "op") from
// fields in the scenario file's form for one app or client (users, groups,
// chatrooms, accounts, traffic, messages, …), as POST /_chatemu/tenants
// does, and returns it as GET tenants shows it. Absent names and
// credentials are generated. An Op client without easemob_app comes with a
// new Easemob app described by the same fields, and both are returned.
// Traffic spans are measured back from the clock's now. Its error is an
// *Error (errors.As) with the status the route would answer.
func (a *API) AddTenant(vendor string, fields map[string]any) (Tenants, error) {
	out, e := a.addTenant(vendor, fields)
	return out, asError(e)
}

func (a *API) addTenant(vendor string, fields map[string]any) (Tenants, *Error) {
	a.tenantMu.Lock()
	defer a.tenantMu.Unlock()
	// Tenants added at run time stay until removed or reset: their number
	// is bounded so that no client grows the server without end.
	spec := a.world.Spec()
	base := len(spec.Easemob) + len(spec.Yunxin) + len(spec.Op)
	if n := len(a.world.EasemobApps()) + len(a.world.YunxinApps()) + len(a.world.OpClients()) - base; n >= a.maxTenants {
		return Tenants{}, errorf(http.StatusInsufficientStorage,
			"tenants: %d tenants were added at run time and the world keeps at most %d; DELETE some or POST /_chatemu/reset", n, a.maxTenants)
	}
	if fields == nil {
		fields = map[string]any{}
	}
	switch vendor {
	case "easemob":
		app, e := a.newEasemob(fields)
		if e != nil {
			return Tenants{}, e
		}
		return a.tenantsOf([]world.TenantID{app.Tenant()}, nil, nil), nil
	case "yunxin":
		app, e := a.newYunxin(fields)
		if e != nil {
			return Tenants{}, e
		}
		return a.tenantsOf(nil, []string{app.AppKey}, nil), nil
	case "op":
		return a.newOp(fields)
	}
	return Tenants{}, errorf(http.StatusBadRequest, `vendor: want "easemob", "yunxin" or "op", got %q`, vendor)
}

// DefaultMaxRuntimeTenants is Config.MaxRuntimeTenants's default.
const DefaultMaxRuntimeTenants = 10_000

// nextN counts generated names.
func (a *API) nextN() int {
	a.runtimeN++
	return a.runtimeN
}

func (a *API) newEasemob(fields map[string]any) (*world.EasemobApp, *Error) {
	app := cloneFields(fields)
	if _, ok := app["org"]; !ok {
		app["org"] = RuntimeOrg
	}
	if _, ok := app["app"]; !ok {
		org, _ := app["org"].(string)
		for {
			name := "t" + strconv.Itoa(a.nextN())
			if _, taken := a.world.EasemobApp(org, name); !taken {
				app["app"] = name
				break
			}
		}
	}
	a.overrideRateLimits(app)
	spec, e := a.parseTenant(map[string]any{"easemob": map[string]any{"apps": []any{app}}}, "easemob.apps[0].")
	if e != nil {
		return nil, e
	}
	return a.addEasemob(spec.Easemob[0])
}

func (a *API) addEasemob(app world.EasemobApp) (*world.EasemobApp, *Error) {
	if _, taken := a.world.EasemobApp(app.Org, app.App); taken {
		return nil, errorf(http.StatusConflict, "app: Easemob app %s/%s exists", app.Org, app.App)
	}
	if err := a.world.AddEasemobApp(app, a.clock.Now()); err != nil {
		return nil, errorf(http.StatusConflict, "%v", err)
	}
	a.log.Info("tenant added", "tenant", string(app.Tenant()))
	added, _ := a.world.EasemobApp(app.Org, app.App)
	return added, nil
}

func (a *API) newYunxin(fields map[string]any) (*world.YunxinApp, *Error) {
	app := cloneFields(fields)
	if _, ok := app["appkey"]; !ok {
		for {
			sum := sha256.Sum256(fmt.Appendf(nil, "chatemu runtime yunxin appkey\x00%d\x00%d", a.world.Seed(), a.nextN()))
			key := hex.EncodeToString(sum[:16])
			if _, taken := a.world.YunxinApp(key); !taken {
				app["appkey"] = key
				break
			}
		}
	}
	a.overrideRateLimits(app)
	spec, e := a.parseTenant(map[string]any{"yunxin": map[string]any{"apps": []any{app}}}, "yunxin.apps[0].")
	if e != nil {
		return nil, e
	}
	y := spec.Yunxin[0]
	if _, taken := a.world.YunxinApp(y.AppKey); taken {
		return nil, errorf(http.StatusConflict, "appkey: Yunxin app %s exists", y.AppKey)
	}
	if err := a.world.AddYunxinApp(y, a.clock.Now()); err != nil {
		return nil, errorf(http.StatusConflict, "%v", err)
	}
	a.log.Info("tenant added", "tenant", string(y.Tenant()))
	added, _ := a.world.YunxinApp(y.AppKey)
	return added, nil
}

func (a *API) newOp(fields map[string]any) (Tenants, *Error) {
	client := map[string]any{}
	rest := map[string]any{}
	for k, v := range fields {
		if opClientKeys[k] {
			client[k] = v
		} else {
			rest[k] = v
		}
	}
	if _, ok := client["client"]; !ok {
		for {
			name := "chatemu-rt-op-" + strconv.Itoa(a.nextN())
			if _, taken := a.world.OpClient(name); !taken {
				client["client"] = name
				break
			}
		}
	}
	a.overrideRateLimits(client)

	var stub map[string]any // the client's Easemob app as the parser needs it
	var created *world.EasemobApp
	ref, existing := client["easemob_app"]
	if existing {
		if len(rest) > 0 {
			return Tenants{}, errorf(http.StatusBadRequest, "%s: unknown key for an Op client of an existing Easemob app (omit easemob_app to create the app with the client)", firstKey(rest))
		}
		for _, k := range []string{"marks", "favorites"} {
			if _, ok := client[k]; ok {
				return Tenants{}, errorf(http.StatusBadRequest, "%s: needs the app's literal messages; omit easemob_app to create the app with the client and its messages", k)
			}
		}
		s, _ := ref.(string)
		org, name, _ := strings.Cut(s, "/")
		app, ok := a.world.EasemobApp(org, name)
		if !ok {
			return Tenants{}, errorf(http.StatusNotFound, "easemob_app: unknown Easemob app %q (GET %stenants lists them)", s, Prefix)
		}
		stub = map[string]any{"org": app.Org, "app": app.App, "users": app.Users}
	} else {
		if _, ok := rest["org"]; !ok {
			rest["org"] = RuntimeOrg
		}
		if _, ok := rest["app"]; !ok {
			org, _ := rest["org"].(string)
			for {
				name := "t" + strconv.Itoa(a.nextN())
				if _, taken := a.world.EasemobApp(org, name); !taken {
					rest["app"] = name
					break
				}
			}
		}
		a.overrideRateLimits(rest)
		stub = rest
		client["easemob_app"] = fmt.Sprintf("%v/%v", rest["org"], rest["app"])
	}
	doc := map[string]any{
		"easemob": map[string]any{"apps": []any{stub}},
		"op":      map[string]any{"clients": []any{client}},
	}
	spec, e := a.parseTenant(doc, "op.clients[0].", "easemob.apps[0].")
	if e != nil {
		return Tenants{}, e
	}
	c := spec.Op[0]
	if _, taken := a.world.OpClient(c.Client); taken {
		return Tenants{}, errorf(http.StatusConflict, "client: Op client %s exists", c.Client)
	}
	if !existing {
		var err *Error
		if created, err = a.addEasemob(spec.Easemob[0]); err != nil {
			return Tenants{}, err
		}
	}
	if err := a.world.AddOpClient(c); err != nil {
		if created != nil {
			_ = a.world.RemoveTenant(created.Tenant())
		}
		return Tenants{}, errorf(http.StatusConflict, "%v", err)
	}
	a.log.Info("tenant added", "tenant", "op:"+c.Client)
	var apps []world.TenantID
	if created != nil {
		apps = append(apps, created.Tenant())
	}
	return a.tenantsOf(apps, nil, []string{c.Client}), nil
}

// overrideRateLimits applies the server-wide rate-limit mode, if any.
func (a *API) overrideRateLimits(fields map[string]any) {
	if a.rateLimits != "" {
		fields["rate_limits"] = string(a.rateLimits)
	}
}

// parseTenant runs doc, a scenario document, through the scenario loader
// with the world's seed. Errors name keys without the document's prefixes.
func (a *API) parseTenant(doc map[string]any, prefixes ...string) (*world.Spec, *Error) {
	doc["seed"] = a.world.Seed()
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "request body: %v", err)
	}
	spec, err := scenarios.Parse("tenant", data)
	if err != nil {
		var se *scenarios.Error
		if errors.As(err, &se) {
			key := se.Key
			for _, p := range prefixes {
				key = strings.TrimPrefix(key, p)
			}
			if key == "" {
				return nil, errorf(http.StatusBadRequest, "%s", se.Reason)
			}
			return nil, errorf(http.StatusBadRequest, "%s: %s", key, se.Reason)
		}
		return nil, errorf(http.StatusBadRequest, "%v", err)
	}
	return spec, nil
}

// tenantsOf lists the named tenants as GET tenants does.
func (a *API) tenantsOf(easemob []world.TenantID, yunxin, op []string) Tenants {
	out := Tenants{Easemob: []EasemobTenant{}, Yunxin: []YunxinTenant{}, Op: []OpTenant{}}
	for _, t := range easemob {
		if app, ok := a.world.EasemobAppOf(t); ok {
			out.Easemob = append(out.Easemob, easemobTenant(app, a.publicURL))
		}
	}
	for _, k := range yunxin {
		if app, ok := a.world.YunxinApp(k); ok {
			out.Yunxin = append(out.Yunxin, yunxinTenant(app, a.publicURL))
		}
	}
	for _, k := range op {
		if c, ok := a.world.OpClient(k); ok {
			out.Op = append(out.Op, opTenant(c, a.publicURL))
		}
	}
	return out
}

// deleteTenant is DELETE /_chatemu/tenants/{tenant}: a runtime tenant,
// "easemob:ORG/APP", "yunxin:APPKEY" or "op:CLIENT". Removing an Easemob app
// removes its Op clients.
func (a *API) deleteTenant(r *http.Request) (response, *Error) {
	if e := a.removeTenant(world.TenantID(mux.Vars(r)["tenant"])); e != nil {
		return response{}, e
	}
	return response{status: http.StatusNoContent}, nil
}

// RemoveTenant removes a runtime tenant as DELETE /_chatemu/tenants/{id}
// does. Its error is an *Error (errors.As) with the status the route would
// answer.
func (a *API) RemoveTenant(t world.TenantID) error { return asError(a.removeTenant(t)) }

func (a *API) removeTenant(t world.TenantID) *Error {
	a.tenantMu.Lock()
	defer a.tenantMu.Unlock()
	vendor, key, _ := strings.Cut(string(t), ":")
	known := false
	switch vendor {
	case "easemob":
		_, known = a.world.EasemobAppOf(t)
	case "yunxin":
		_, known = a.world.YunxinApp(key)
	case "op":
		_, known = a.world.OpClient(key)
	default:
		return errorf(http.StatusBadRequest, `tenant: want "easemob:ORG/APP", "yunxin:APPKEY" or "op:CLIENT", got %q`, t)
	}
	if !known {
		return errorf(http.StatusNotFound, "tenant: unknown tenant %q (GET %stenants lists them)", t, Prefix)
	}
	if err := a.world.RemoveTenant(t); err != nil {
		return errorf(http.StatusConflict, "tenant: %v", err)
	}
	a.log.Info("tenant removed", "tenant", string(t))
	return nil
}

// ResetTenants restarts the counter of generated names; the server calls it
// when it resets the world (which removes the runtime tenants).
func (a *API) ResetTenants() {
	a.tenantMu.Lock()
	defer a.tenantMu.Unlock()
	a.runtimeN = 0
}

func cloneFields(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func firstKey(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys[0]
}
