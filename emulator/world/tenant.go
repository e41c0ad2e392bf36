package world

import (
	"slices"
	"time"
)

// Cluster says which clock an Easemob app's archive hours follow.
type Cluster string

// Easemob clusters.
const (
	ClusterCN       Cluster = "cn"       // archive hours in Beijing time
	ClusterOverseas Cluster = "overseas" // archive hours in UTC
)

// RateLimits says whether a tenant enforces its vendor's documented limits.
type RateLimits string

// Rate-limit modes.
const (
	RateLimitsOff    RateLimits = "off"
	RateLimitsVendor RateLimits = "vendor"
)

// RoomStatus is a chat room's state.
type RoomStatus string

// Room states.
const (
	RoomOpen   RoomStatus = "open"
	RoomClosed RoomStatus = "closed"
)

// Group is an Easemob group.
type Group struct {
	ID      string
	Owner   string
	Members []string // the owner is a member whether listed or not
}

// Room is a chat room. Yunxin room ids are integers written in decimal.
type Room struct {
	ID     string
	Name   string
	Status RoomStatus
}

// Traffic describes one stream of generated messages: PerHour messages in
// every whole UTC hour of [Start-Since, Start-Until), each hour holding
// exactly PerHour of them.
type Traffic struct {
	From     string
	To       string
	ChatType ChatType
	PerHour  int
	Since    time.Duration
	Until    time.Duration
	// Types weighs the kinds; empty means the vendor's usual mix.
	Types []KindWeight
}

// KindWeight is a kind and its relative weight in a stream.
type KindWeight struct {
	Kind   Kind
	Weight int
}

// OSSKeys are the Aliyun OSS credentials that sign an app's archive links.
type OSSKeys struct {
	Bucket          string
	AccessKeyID     string
	AccessKeySecret string
}

// EasemobApp is an Easemob org/app.
type EasemobApp struct {
	Org, App     string
	ClientID     string
	ClientSecret string
	// UUID is the application's uuid, the "application" field of responses.
	UUID         string
	Cluster      Cluster
	Retention    time.Duration
	ArchiveDelay time.Duration
	LinkTTL      time.Duration
	RateLimits   RateLimits
	OSS          OSSKeys
	Users        []string
	Groups       []Group
	Rooms        []Room
	Traffic      []Traffic
	Messages     []Message
}

// Tenant returns the app's TenantID.
func (a *EasemobApp) Tenant() TenantID { return EasemobTenant(a.Org, a.App) }

// AppKey is the app's key as Easemob writes it in messages: "org#app".
func (a *EasemobApp) AppKey() string { return a.Org + "#" + a.App }

// Group returns the group with the given id.
func (a *EasemobApp) Group(id string) (Group, bool) {
	for _, g := range a.Groups {
		if g.ID == id {
			return g, true
		}
	}
	return Group{}, false
}

// HasUser reports whether user is one of the app's users.
func (a *EasemobApp) HasUser(user string) bool { return contains(a.Users, user) }

// YunxinApp is a Yunxin application.
type YunxinApp struct {
	AppKey    string
	AppSecret string
	Accounts  []string
	Rooms     []Room
	// DescendingDefault is what an absent `descending` means: true = newest
	// first.
	DescendingDefault bool
	// CurTimeWindow is how far CurTime may be from the wall clock.
	CurTimeWindow time.Duration
	RateLimits    RateLimits
	Traffic       []Traffic
	Messages      []Message
}

// Tenant returns the app's TenantID.
func (a *YunxinApp) Tenant() TenantID { return YunxinTenant(a.AppKey) }

// Room returns the room with the given id.
func (a *YunxinApp) Room(id string) (Room, bool) {
	for _, r := range a.Rooms {
		if r.ID == id {
			return r, true
		}
	}
	return Room{}, false
}

// HasAccount reports whether account is one of the app's accounts.
func (a *YunxinApp) HasAccount(account string) bool { return contains(a.Accounts, account) }

// QiniuKeys sign Qiniu private download URLs.
type QiniuKeys struct {
	AccessKey string
	SecretKey string
}

// SignRule is how an Op client's `sign` query parameter is checked.
type SignRule string

// Sign rules. The real algorithm is not public (docs/fidelity/op.md).
const (
	SignAny SignRule = "any" // any value, even empty, is accepted
	// SignMD5 is lowercase hex MD5 over the query parameters other than
	// sign, sorted by name as k=v joined by &, then the raw body, then the
	// client secret.
	SignMD5 SignRule = "md5"
)

// Mark is a user's mark on a message, for the Op API.
type Mark struct {
	User      string
	MessageID string // Easemob msg_id
	Marks     []string
}

// Favorite is a message a user favorited, for the Op API.
type Favorite struct {
	User      string
	MessageID string
}

// OpClient is a client of the Op API, serving one Easemob app's users.
type OpClient struct {
	Client     string
	Token      string
	Secret     string
	Sign       SignRule
	EasemobApp TenantID // the app whose users and messages it serves
	Qiniu      QiniuKeys
	// LinkTTL is how long the getUrl links it hands out stay valid; zero
	// means the Op surface's default.
	LinkTTL    time.Duration
	RateLimits RateLimits
	Marks      []Mark
	Favorites  []Favorite
}

// Spec is everything a world is built from: what a scenario file says.
type Spec struct {
	Name        string
	Description string
	Seed        uint64
	// Start is when the clock starts; traffic spans are measured back from
	// it. Zero means the wall clock at load time.
	Start   time.Time
	Frozen  bool
	Easemob []EasemobApp
	Yunxin  []YunxinApp
	Op      []OpClient
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Clone returns a copy of s that shares no slice with it, so that a caller
// may change the copy (a test tweaking one tenant) without changing s or
// any other copy. Messages are copied as values; their own contents are
// read-only once in a spec.
func (s *Spec) Clone() *Spec {
	c := *s
	c.Easemob = slices.Clone(s.Easemob)
	for i := range c.Easemob {
		a := &c.Easemob[i]
		a.Users = slices.Clone(a.Users)
		a.Groups = slices.Clone(a.Groups)
		for j := range a.Groups {
			a.Groups[j].Members = slices.Clone(a.Groups[j].Members)
		}
		a.Rooms = slices.Clone(a.Rooms)
		a.Traffic = cloneTraffic(a.Traffic)
		a.Messages = slices.Clone(a.Messages)
	}
	c.Yunxin = slices.Clone(s.Yunxin)
	for i := range c.Yunxin {
		a := &c.Yunxin[i]
		a.Accounts = slices.Clone(a.Accounts)
		a.Rooms = slices.Clone(a.Rooms)
		a.Traffic = cloneTraffic(a.Traffic)
		a.Messages = slices.Clone(a.Messages)
	}
	c.Op = slices.Clone(s.Op)
	for i := range c.Op {
		o := &c.Op[i]
		o.Marks = slices.Clone(o.Marks)
		for j := range o.Marks {
			o.Marks[j].Marks = slices.Clone(o.Marks[j].Marks)
		}
		o.Favorites = slices.Clone(o.Favorites)
	}
	return &c
}

func cloneTraffic(ts []Traffic) []Traffic {
	ts = slices.Clone(ts)
	for i := range ts {
		ts[i].Types = slices.Clone(ts[i].Types)
	}
	return ts
}
