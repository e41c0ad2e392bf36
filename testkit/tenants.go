package testkit

import (
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
	out, ok := e.addTenant(t, "easemob", spec.fields())
	if !ok {
		return EasemobApp{}
	}
	if len(out.Easemob) != 1 {
		t.Fatalf("testkit: new Easemob app: got %d apps", len(out.Easemob))
		return EasemobApp{}
	}
	return e.EasemobApp(out.Easemob[0].Org, out.Easemob[0].App)
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
	out, ok := e.addTenant(t, "yunxin", spec.fields())
	if !ok {
		return YunxinApp{}
	}
	if len(out.Yunxin) != 1 {
		t.Fatalf("testkit: new Yunxin app: got %d apps", len(out.Yunxin))
		return YunxinApp{}
	}
	return e.YunxinApp(out.Yunxin[0].AppKey)
}

// NewOpClient creates an Op client at run time and returns it; it fails t
// if the spec is invalid. Without EasemobApp it comes with a new Easemob
// app described by App, which the client serves (OpClient.EasemobApp
// names it).
func (e *Emulator) NewOpClient(t TB, spec OpClientSpec) OpClient {
	t.Helper()
	out, ok := e.addTenant(t, "op", spec.fields())
	if !ok {
		return OpClient{}
	}
	if len(out.Op) != 1 {
		t.Fatalf("testkit: new Op client: got %d clients", len(out.Op))
		return OpClient{}
	}
	return e.OpClient(out.Op[0].Client)
}

// addTenant creates the tenant; on an error it fails t and returns no
// tenants (a TB whose Fatalf returns sees the first failure only).
func (e *Emulator) addTenant(t TB, vendor string, fields map[string]any) (control.Tenants, bool) {
	t.Helper()
	out, err := e.srv.AddTenant(vendor, fields)
	if err != nil {
		t.Fatalf("testkit: new %s tenant: %v", vendor, err)
		return out, false
	}
	return out, true
}

// RemoveTenant removes a runtime tenant ("easemob:ORG/APP",
// "yunxin:APPKEY", "op:CLIENT"); it fails t if there is none.
func (e *Emulator) RemoveTenant(t TB, tenant TenantID) {
	t.Helper()
	if err := e.srv.RemoveTenant(tenant); err != nil {
		t.Fatalf("testkit: remove tenant: %v", err)
	}
}

// The specs in the scenario file's form (the keys POST /_chatemu/tenants
// takes), with zero fields left out so that the loader's defaults apply.

// fieldSet collects a spec's non-zero fields by scenario key.
type fieldSet map[string]any

func (f fieldSet) str(key, v string) {
	if v != "" {
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

func (f fieldSet) list(key string, n int, item func(i int) any) {
	if n == 0 {
		return
	}
	out := make([]any, n)
	for i := range out {
		out[i] = item(i)
	}
	f[key] = out
}

func (s EasemobAppSpec) fields() map[string]any {
	f := fieldSet{}
	f.str("org", s.Org)
	f.str("app", s.App)
	f.str("client_id", s.ClientID)
	f.str("client_secret", s.ClientSecret)
	oss := fieldSet{}
	oss.str("bucket", s.OSS.Bucket)
	oss.str("access_key_id", s.OSS.AccessKeyID)
	oss.str("access_key_secret", s.OSS.AccessKeySecret)
	if len(oss) > 0 {
		f["oss"] = map[string]any(oss)
	}
	f.str("cluster", string(s.Cluster))
	f.duration("retention", s.Retention)
	f.duration("archive_delay", s.ArchiveDelay)
	f.duration("link_ttl", s.LinkTTL)
	f.str("rate_limits", string(s.RateLimits))
	f.list("users", len(s.Users), func(i int) any { return s.Users[i] })
	f.list("groups", len(s.Groups), func(i int) any {
		g := s.Groups[i]
		gf := fieldSet{}
		gf.str("id", g.ID)
		gf.str("owner", g.Owner)
		gf.list("members", len(g.Members), func(j int) any { return g.Members[j] })
		return map[string]any(gf)
	})
	f.list("chatrooms", len(s.Chatrooms), func(i int) any {
		r := fieldSet{}
		r.str("id", s.Chatrooms[i].ID)
		r.str("name", s.Chatrooms[i].Name)
		return map[string]any(r)
	})
	f.list("traffic", len(s.Traffic), func(i int) any { return s.Traffic[i].fields() })
	f.list("messages", len(s.Messages), func(i int) any { return s.Messages[i] })
	return f
}

func (s YunxinAppSpec) fields() map[string]any {
	f := fieldSet{}
	f.str("appkey", s.AppKey)
	f.str("app_secret", s.AppSecret)
	f.list("accounts", len(s.Accounts), func(i int) any { return s.Accounts[i] })
	f.list("chatrooms", len(s.Chatrooms), func(i int) any {
		room := s.Chatrooms[i]
		r := fieldSet{"id": int64(room.ID)}
		r.str("name", room.Name)
		r.str("status", string(room.Status))
		return map[string]any(r)
	})
	if s.AscendingDefault {
		f["descending_default"] = false
	}
	f.duration("curtime_window", s.CurTimeWindow)
	f.str("rate_limits", string(s.RateLimits))
	f.list("traffic", len(s.Traffic), func(i int) any { return s.Traffic[i].fields() })
	f.list("messages", len(s.Messages), func(i int) any { return s.Messages[i] })
	return f
}

func (s OpClientSpec) fields() map[string]any {
	// The client's keys, and without easemob_app the new app's beside them.
	f := fieldSet{}
	if s.EasemobApp == "" {
		f = s.App.fields()
	}
	f.str("client", s.Client)
	f.str("token", s.Token)
	f.str("secret", s.Secret)
	q := fieldSet{}
	q.str("access_key", s.Qiniu.AccessKey)
	q.str("secret_key", s.Qiniu.SecretKey)
	if len(q) > 0 {
		f["qiniu"] = map[string]any(q)
	}
	f.str("sign", string(s.Sign))
	f.str("easemob_app", s.EasemobApp)
	if s.RateLimits != "" {
		// The client's and its new app's rate_limits are one key.
		f["rate_limits"] = string(s.RateLimits)
	}
	f.list("marks", len(s.Marks), func(i int) any {
		m := s.Marks[i]
		mf := fieldSet{}
		mf.str("user", m.User)
		mf.str("message", m.MessageID)
		mf.list("marks", len(m.Marks), func(j int) any { return m.Marks[j] })
		return map[string]any(mf)
	})
	f.list("favorites", len(s.Favorites), func(i int) any {
		fv := fieldSet{}
		fv.str("user", s.Favorites[i].User)
		fv.str("message", s.Favorites[i].MessageID)
		return map[string]any(fv)
	})
	return f
}

func (tr Traffic) fields() map[string]any {
	f := fieldSet{}
	f.str("from", tr.From)
	f.str("to", tr.To)
	if tr.Room != 0 {
		f["room"] = int64(tr.Room)
	}
	f.str("chat_type", tr.ChatType)
	if tr.PerHour != 0 {
		f["per_hour"] = tr.PerHour
	}
	f.duration("since", tr.Since)
	f.duration("until", tr.Until)
	if len(tr.Types) > 0 {
		types := make(map[string]any, len(tr.Types))
		for k, v := range tr.Types {
			types[k] = v
		}
		f["types"] = types
	}
	return f
}
