package testkit

import (
	"net/http"
	"net/url"
	"time"

	"github.com/chatemu/chatemu/emulator/control"
)

// Runtime tenants: suites that share one emulator each create tenants of
// their own (POST /_chatemu/tenants), described by the typed specs below.
// A spec is the scenario file's entry for one app or client, in Go: a zero
// field takes the scenario default, and names and credentials left empty
// are generated (deterministic from the seed and a counter). The spec goes
// through the scenario loader, so a mistake fails the test with the
// loader's "key: reason". Traffic spans count back from the clock's now;
// Reset removes runtime tenants.

// EasemobAppSpec describes an Easemob app for NewEasemobApp (a scenario
// file's easemob.apps[] entry).
type EasemobAppSpec struct {
	// Org and App name the app; generated when empty (org "chatemu-rt",
	// app "t1", "t2", …).
	Org, App string
	// ClientID, ClientSecret and OSS are derived when empty.
	ClientID     string
	ClientSecret string
	OSS          OSSKeys
	// Cluster is ClusterCN (the default) or ClusterOverseas.
	Cluster Cluster
	// Retention, ArchiveDelay and LinkTTL are the scenario defaults when
	// zero; NoArchiveDelay archives an hour as soon as it ends.
	Retention    time.Duration
	ArchiveDelay time.Duration
	LinkTTL      time.Duration
	RateLimits   RateLimitMode
	Users        []string
	Groups       []Group
	Chatrooms    []EasemobRoom
	Traffic      []Traffic
	// Messages are literal messages; each needs At.
	Messages []LiteralMessage
}

// NoArchiveDelay as EasemobAppSpec.ArchiveDelay archives an hour as soon
// as it ends (archive_delay: 0s), where zero means the default.
const NoArchiveDelay time.Duration = -1

// EasemobRoom is an Easemob chat room; its id may be any name.
type EasemobRoom struct {
	ID, Name string
}

// YunxinAppSpec describes a Yunxin app for NewYunxinApp (a scenario file's
// yunxin.apps[] entry).
type YunxinAppSpec struct {
	// AppKey and AppSecret are generated when empty.
	AppKey, AppSecret string
	Accounts          []string
	Chatrooms         []YunxinRoom
	// AscendingDefault makes an absent `descending` mean oldest first; by
	// default it means newest first (descending_default: true).
	AscendingDefault bool
	// CurTimeWindow is how far a request's CurTime may be from the wall
	// clock; the scenario default when zero.
	CurTimeWindow time.Duration
	RateLimits    RateLimitMode
	Traffic       []Traffic
	// Messages are literal messages; each needs At.
	Messages []LiteralMessage
}

// YunxinRoom is a Yunxin chat room: a number, a name, open (the default)
// or closed.
type YunxinRoom struct {
	ID     RoomID
	Name   string
	Status RoomStatus
}

// OpClientSpec describes an Op API client for NewOpClient (a scenario
// file's op.clients[] entry).
type OpClientSpec struct {
	// Client, Token, Secret and Qiniu are generated when empty.
	Client, Token, Secret string
	Qiniu                 QiniuKeys
	// Sign is SignAny (the default) or SignMD5.
	Sign       SignRule
	RateLimits RateLimitMode
	// EasemobApp is an existing Easemob app, "org/app", whose users and
	// messages the client reads. Empty: App is created with the client.
	EasemobApp string
	// App is the Easemob app created with the client when EasemobApp is
	// empty.
	App EasemobAppSpec
	// Marks and Favorites name literal messages of App.
	Marks     []Mark
	Favorites []Favorite
}

// Traffic is a stream of generated messages (a traffic[] entry): PerHour
// messages in every whole hour from Since to Until before the clock's now.
type Traffic struct {
	// From is the sender: an Easemob user or a Yunxin account.
	From string
	// To is an Easemob user, group or chat room; Room a chat room by its
	// number (a Yunxin room). Give one.
	To   string
	Room RoomID
	// ChatType (chat, groupchat, chatroom) is inferred from To when empty.
	ChatType string
	PerHour  int
	// Since (required) and Until (default 0: up to now) bound the stream,
	// counted back from the clock's now; Since is the longer.
	Since, Until time.Duration
	// Types weighs the vendor's type names, {"txt": 3, "img": 1}, taken in
	// the order of their names; empty is the vendor's usual mix.
	Types map[string]int
}

// NewEasemobApp creates an Easemob app at run time, as POST
// /_chatemu/tenants does, and returns it; it fails t if the spec is
// invalid. Reset removes it, as does RemoveTenant.
//
//	app := emu.NewEasemobApp(t, testkit.EasemobAppSpec{
//		Users:   []string{"ann", "ben"},
//		Traffic: []testkit.Traffic{{From: "ann", To: "ben", PerHour: 20, Since: 24 * time.Hour}},
//	})
func (e *Emulator) NewEasemobApp(t TB, spec EasemobAppSpec) EasemobApp {
	t.Helper()
	if out, ok := e.addTenant(t, "easemob", spec.fields()); ok {
		return easemobApp(out.Easemob[0])
	}
	return EasemobApp{}
}

// NewYunxinApp creates a Yunxin app at run time and returns it; it fails t
// if the spec is invalid.
//
//	app := emu.NewYunxinApp(t, testkit.YunxinAppSpec{
//		Accounts:  []string{"amy"},
//		Chatrooms: []testkit.YunxinRoom{{ID: 7001}},
//	})
func (e *Emulator) NewYunxinApp(t TB, spec YunxinAppSpec) YunxinApp {
	t.Helper()
	if out, ok := e.addTenant(t, "yunxin", spec.fields()); ok {
		return yunxinApp(out.Yunxin[0])
	}
	return YunxinApp{}
}

// NewOpClient creates an Op client at run time and returns it; it fails t
// if the spec is invalid. Without EasemobApp it comes with a new Easemob
// app described by App, which the client serves (OpClient.EasemobApp
// names it).
func (e *Emulator) NewOpClient(t TB, spec OpClientSpec) OpClient {
	t.Helper()
	if out, ok := e.addTenant(t, "op", spec.fields()); ok {
		return opClient(out.Op[0])
	}
	return OpClient{}
}

// addTenant creates the tenant; on an error it fails t and reports false
// (a TB whose Fatalf returns sees the first failure only). On success
// there is one tenant of vendor in the answer.
func (e *Emulator) addTenant(t TB, vendor string, fields fieldSet) (control.Tenants, bool) {
	t.Helper()
	body := fieldSet{"vendor": vendor}
	for k, v := range fields {
		body[k] = v
	}
	var out control.Tenants
	if err := e.ctl.call(http.MethodPost, "tenants", body, &out); err != nil {
		e.fail(t, "testkit: new %s tenant: %v", vendor, err)
		return out, false
	}
	if n := map[string]int{"easemob": len(out.Easemob), "yunxin": len(out.Yunxin), "op": len(out.Op)}[vendor]; n != 1 {
		e.fail(t, "testkit: new %s tenant: the emulator answered with %d", vendor, n)
		return out, false
	}
	return out, true
}

// RemoveTenant removes a runtime tenant ("easemob:ORG/APP",
// "yunxin:APPKEY", "op:CLIENT"); it fails t if there is none.
func (e *Emulator) RemoveTenant(t TB, tenant TenantID) {
	t.Helper()
	if err := e.ctl.call(http.MethodDelete, "tenants/"+url.PathEscape(string(tenant)), nil, nil); err != nil {
		e.fail(t, "testkit: remove tenant: %v", err)
	}
}

// The specs in the scenario file's form (the keys POST /_chatemu/tenants
// takes), with zero fields left out so that the loader's defaults apply.

// fieldSet collects a spec's non-zero fields by scenario key.
type fieldSet map[string]any

// strs is the non-empty strings of key, value pairs.
func strs(kv ...string) fieldSet {
	f := fieldSet{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			f[kv[i]] = kv[i+1]
		}
	}
	return f
}

// set sets key to v unless v is empty.
func (f fieldSet) set(key string, v fieldSet) {
	if len(v) > 0 {
		f[key] = v
	}
}

func (f fieldSet) strings(key string, v []string) {
	if len(v) > 0 {
		f[key] = v
	}
}

func (f fieldSet) duration(key string, d time.Duration) {
	switch {
	case d == NoArchiveDelay && key == "archive_delay":
		f[key] = "0s"
	case d != 0:
		f[key] = d.String() // a negative duration reaches the loader, which refuses it
	}
}

// list sets key to items in the scenario form, unless there are none.
func list[T any](f fieldSet, key string, items []T, form func(T) any) {
	if len(items) == 0 {
		return
	}
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = form(it)
	}
	f[key] = out
}

func literal(m LiteralMessage) any { return m }

func (s EasemobAppSpec) fields() fieldSet {
	f := strs("org", s.Org, "app", s.App, "client_id", s.ClientID, "client_secret", s.ClientSecret,
		"cluster", string(s.Cluster), "rate_limits", string(s.RateLimits))
	f.set("oss", strs("bucket", s.OSS.Bucket, "access_key_id", s.OSS.AccessKeyID, "access_key_secret", s.OSS.AccessKeySecret))
	f.duration("retention", s.Retention)
	f.duration("archive_delay", s.ArchiveDelay)
	f.duration("link_ttl", s.LinkTTL)
	f.strings("users", s.Users)
	list(f, "groups", s.Groups, func(g Group) any {
		gf := strs("id", g.ID, "owner", g.Owner)
		gf.strings("members", g.Members)
		return gf
	})
	list(f, "chatrooms", s.Chatrooms, func(r EasemobRoom) any { return strs("id", r.ID, "name", r.Name) })
	list(f, "traffic", s.Traffic, Traffic.fields)
	list(f, "messages", s.Messages, literal)
	return f
}

func (s YunxinAppSpec) fields() fieldSet {
	f := strs("appkey", s.AppKey, "app_secret", s.AppSecret, "rate_limits", string(s.RateLimits))
	f.strings("accounts", s.Accounts)
	list(f, "chatrooms", s.Chatrooms, func(r YunxinRoom) any {
		rf := strs("name", r.Name, "status", string(r.Status))
		rf["id"] = int64(r.ID)
		return rf
	})
	if s.AscendingDefault {
		f["descending_default"] = false
	}
	f.duration("curtime_window", s.CurTimeWindow)
	list(f, "traffic", s.Traffic, Traffic.fields)
	list(f, "messages", s.Messages, literal)
	return f
}

func (s OpClientSpec) fields() fieldSet {
	// The client's keys, and without easemob_app the new app's beside them
	// (the client's and the app's rate_limits are one key).
	f := fieldSet{}
	if s.EasemobApp == "" {
		f = s.App.fields()
	}
	for k, v := range strs("client", s.Client, "token", s.Token, "secret", s.Secret, "sign", string(s.Sign),
		"easemob_app", s.EasemobApp, "rate_limits", string(s.RateLimits)) {
		f[k] = v
	}
	f.set("qiniu", strs("access_key", s.Qiniu.AccessKey, "secret_key", s.Qiniu.SecretKey))
	list(f, "marks", s.Marks, func(m Mark) any {
		mf := strs("user", m.User, "message", m.MessageID)
		mf.strings("marks", m.Marks)
		return mf
	})
	list(f, "favorites", s.Favorites, func(fv Favorite) any { return strs("user", fv.User, "message", fv.MessageID) })
	return f
}

func (tr Traffic) fields() any {
	f := strs("from", tr.From, "to", tr.To, "chat_type", tr.ChatType)
	if tr.Room != 0 {
		f["room"] = int64(tr.Room)
	}
	if tr.PerHour != 0 {
		f["per_hour"] = tr.PerHour
	}
	f.duration("since", tr.Since)
	f.duration("until", tr.Until)
	if len(tr.Types) > 0 {
		f["types"] = tr.Types
	}
	return f
}
