package scenarios

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// The scenario file's shape. Durations, times, enums and references are
// checked in build, with the lines the decoder recorded.
type rawFile struct {
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Seed        uint64     `yaml:"seed"`
	Clock       rawClock   `yaml:"clock"`
	Easemob     rawEasemob `yaml:"easemob"`
	Yunxin      rawYunxin  `yaml:"yunxin"`
	Op          rawOp      `yaml:"op"`
}

type rawClock struct {
	Start  time.Time `yaml:"start"`
	Frozen bool      `yaml:"frozen"`
}

type rawEasemob struct {
	Apps []rawEasemobApp `yaml:"apps"`
}

type rawEasemobApp struct {
	Org          string           `yaml:"org"`
	App          string           `yaml:"app"`
	ClientID     string           `yaml:"client_id"`
	ClientSecret string           `yaml:"client_secret"`
	UUID         string           `yaml:"uuid"`
	Cluster      string           `yaml:"cluster"`
	Retention    duration         `yaml:"retention"`
	ArchiveDelay duration         `yaml:"archive_delay"`
	LinkTTL      duration         `yaml:"link_ttl"`
	RateLimits   string           `yaml:"rate_limits"`
	OSS          rawOSS           `yaml:"oss"`
	Users        []string         `yaml:"users"`
	Groups       []rawGroup       `yaml:"groups"`
	Chatrooms    []rawEasemobRoom `yaml:"chatrooms"`
	Traffic      []rawTraffic     `yaml:"traffic"`
	Messages     []LiteralMessage `yaml:"messages"`
}

type rawOSS struct {
	Bucket          string `yaml:"bucket"`
	AccessKeyID     string `yaml:"access_key_id"`
	AccessKeySecret string `yaml:"access_key_secret"`
}

type rawGroup struct {
	ID      string   `yaml:"id"`
	Owner   string   `yaml:"owner"`
	Members []string `yaml:"members"`
}

type rawEasemobRoom struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
}

type rawYunxin struct {
	Apps []rawYunxinApp `yaml:"apps"`
}

type rawYunxinApp struct {
	AppKey            string           `yaml:"appkey"`
	AppSecret         string           `yaml:"app_secret"`
	Accounts          []string         `yaml:"accounts"`
	Chatrooms         []rawYunxinRoom  `yaml:"chatrooms"`
	DescendingDefault bool             `yaml:"descending_default"`
	CurTimeWindow     duration         `yaml:"curtime_window"`
	RateLimits        string           `yaml:"rate_limits"`
	Traffic           []rawTraffic     `yaml:"traffic"`
	Messages          []LiteralMessage `yaml:"messages"`
}

type rawYunxinRoom struct {
	ID     int64  `yaml:"id"`
	Name   string `yaml:"name"`
	Status string `yaml:"status"`
}

type rawOp struct {
	Clients []rawOpClient `yaml:"clients"`
}

type rawOpClient struct {
	Client     string        `yaml:"client"`
	Token      string        `yaml:"token"`
	Secret     string        `yaml:"secret"`
	Sign       string        `yaml:"sign"`
	EasemobApp string        `yaml:"easemob_app"`
	Qiniu      rawQiniu      `yaml:"qiniu"`
	LinkTTL    duration      `yaml:"link_ttl"`
	RateLimits string        `yaml:"rate_limits"`
	Marks      []rawMark     `yaml:"marks"`
	Favorites  []rawFavorite `yaml:"favorites"`
}

type rawQiniu struct {
	AccessKey string `yaml:"access_key"`
	SecretKey string `yaml:"secret_key"`
}

type rawMark struct {
	User    string   `yaml:"user"`
	Message string   `yaml:"message"`
	Marks   []string `yaml:"marks"`
}

type rawFavorite struct {
	User    string `yaml:"user"`
	Message string `yaml:"message"`
}

type rawTraffic struct {
	From     string   `yaml:"from"`
	Sender   string   `yaml:"sender"`
	To       string   `yaml:"to"`
	Room     string   `yaml:"room"`
	ChatType string   `yaml:"chat_type"`
	PerHour  int      `yaml:"per_hour"`
	Since    duration `yaml:"since"`
	Until    duration `yaml:"until"`
	Types    weights  `yaml:"types"`
}

// Defaults (docs/scenarios.md).
const (
	defaultSeed      = 1
	defaultRetention = 72 * time.Hour
	// defaultArchiveDelay: the Easemob page's example asks for hour
	// 2018112717 (Beijing, ending 18:00 +08:00) and gets its link at
	// timestamp 1543314322601, 18:25:22 +08:00
	// (https://doc.easemob.com/document/server-side/message_historical.html).
	// 25 min is the longest whole-minute delay that example allows: a
	// shorter one would let a client fetch earlier than the vendor was
	// seen to serve.
	defaultArchiveDelay  = 25 * time.Minute
	defaultLinkTTL       = 30 * time.Minute
	defaultCurTimeWindow = 5 * time.Minute
	maxPerHour           = 3600000
	yunxinRESTClient     = 32
)

// build checks raw and turns it into a spec, recording errors on d.
func (d *decoder) build(raw *rawFile) *world.Spec {
	spec := &world.Spec{
		Name:        raw.Name,
		Description: raw.Description,
		Seed:        raw.Seed,
		Start:       raw.Clock.Start,
		Frozen:      raw.Clock.Frozen,
	}
	if !d.has("seed") {
		spec.Seed = defaultSeed
	}
	if !spec.Start.IsZero() {
		spec.Start = spec.Start.UTC()
	}

	appIDs := map[string]string{} // org/app -> path
	for i := range raw.Easemob.Apps {
		p := fmt.Sprintf("easemob.apps[%d]", i)
		app := d.easemobApp(spec.Seed, p, &raw.Easemob.Apps[i])
		if app.Org != "" && app.App != "" {
			id := app.Org + "/" + app.App
			if prev, ok := appIDs[id]; ok {
				d.failf(p+".app", "duplicate app %q (also %s)", id, prev)
			} else {
				appIDs[id] = p
			}
		}
		spec.Easemob = append(spec.Easemob, app)
	}

	appKeys := map[string]string{}
	for i := range raw.Yunxin.Apps {
		p := fmt.Sprintf("yunxin.apps[%d]", i)
		app := d.yunxinApp(spec.Seed, p, &raw.Yunxin.Apps[i])
		if app.AppKey != "" {
			if prev, ok := appKeys[app.AppKey]; ok {
				d.failf(p+".appkey", "duplicate appkey %q (also %s)", app.AppKey, prev)
			} else {
				appKeys[app.AppKey] = p
			}
		}
		spec.Yunxin = append(spec.Yunxin, app)
	}

	clients := map[string]string{}
	tokens := map[string]string{}
	for i := range raw.Op.Clients {
		p := fmt.Sprintf("op.clients[%d]", i)
		c := d.opClient(spec, p, &raw.Op.Clients[i])
		if c.Client != "" {
			if prev, ok := clients[c.Client]; ok {
				d.failf(p+".client", "duplicate client %q (also %s)", c.Client, prev)
			} else {
				clients[c.Client] = p
			}
		}
		if d.has(p + ".token") { // a derived token repeats only with its client name
			if prev, ok := tokens[c.Token]; ok {
				d.failf(p+".token", "duplicate token %q (also %s)", c.Token, prev)
			} else {
				tokens[c.Token] = p
			}
		}
		spec.Op = append(spec.Op, c)
	}
	return spec
}

func (d *decoder) easemobApp(seed uint64, p string, r *rawEasemobApp) world.EasemobApp {
	d.required(p, "org", r.Org)
	d.required(p, "app", r.App)
	// Paths under /_ are chatemu's own (/_chatemu, /_oss, …), and org and
	// app are path segments.
	if strings.HasPrefix(r.Org, "_") || strings.ContainsAny(r.Org+r.App, "/#") {
		d.fail(join(p, "org"), `org and app may not contain "/" or "#", and org may not start with "_"`)
	}
	a := world.EasemobApp{
		Org:          r.Org,
		App:          r.App,
		ClientID:     r.ClientID,
		ClientSecret: r.ClientSecret,
		UUID:         r.UUID,
		Cluster:      world.Cluster(d.enum(p+".cluster", r.Cluster, string(world.ClusterCN), string(world.ClusterCN), string(world.ClusterOverseas))),
		Retention:    d.positive(p+".retention", r.Retention, defaultRetention, false),
		ArchiveDelay: d.positive(p+".archive_delay", r.ArchiveDelay, defaultArchiveDelay, true),
		LinkTTL:      d.positive(p+".link_ttl", r.LinkTTL, defaultLinkTTL, false),
		RateLimits:   d.rateLimits(p+".rate_limits", r.RateLimits),
		OSS: world.OSSKeys{
			Bucket:          r.OSS.Bucket,
			AccessKeyID:     r.OSS.AccessKeyID,
			AccessKeySecret: r.OSS.AccessKeySecret,
		},
	}
	if a.ClientID == "" {
		a.ClientID = "YXA6" + deriveB64(seed, "easemob client_id", r.Org, r.App)[:22]
	}
	if a.ClientSecret == "" {
		a.ClientSecret = "YXA6" + deriveB64(seed, "easemob client_secret", r.Org, r.App)[:27]
	}
	if a.UUID == "" {
		a.UUID = deriveUUID(seed, "easemob uuid", r.Org, r.App)
	}
	if a.OSS.Bucket == "" {
		a.OSS.Bucket = bucketName(r.Org, r.App)
	}
	if a.OSS.AccessKeyID == "" {
		a.OSS.AccessKeyID = "LTAI5t" + deriveAlnum(seed, 18, "oss access_key_id", r.Org, r.App)
	}
	if a.OSS.AccessKeySecret == "" {
		a.OSS.AccessKeySecret = deriveAlnum(seed, 30, "oss access_key_secret", r.Org, r.App)
	}

	// Users, groups and chat rooms share one namespace, so that "to" names
	// exactly one of them.
	names := map[string]string{}
	claim := func(key, id, what string) bool {
		if id == "" {
			d.fail(key, "required")
			return false
		}
		if prev, ok := names[id]; ok {
			d.failf(key, "duplicate id %q (already %s)", id, prev)
			return false
		}
		names[id] = what
		return true
	}
	for i, u := range r.Users {
		if claim(fmt.Sprintf("%s.users[%d]", p, i), u, "a user") {
			a.Users = append(a.Users, u)
		}
	}
	users := set(a.Users)
	// Groups whose members are in doubt (a misspelt or mistyped key), so
	// that messages to them are not also reported as from non-members.
	doubtful := map[string]bool{}
	for i, g := range r.Groups {
		gp := fmt.Sprintf("%s.groups[%d]", p, i)
		if !claim(gp+".id", g.ID, "a group") {
			continue
		}
		if d.shapeScopes[gp] || d.shapeScopes[gp+".members"] || d.shapeKeys[gp+".members"] || d.shapeKeys[gp+".owner"] {
			doubtful[g.ID] = true
		}
		if g.Owner == "" {
			d.fail(gp+".owner", "required")
		} else if !users[g.Owner] {
			d.fail(gp+".owner", d.sug.didYouMean(fmt.Sprintf("unknown user %q", g.Owner), g.Owner, a.Users))
		}
		seen := map[string]bool{}
		for j, m := range g.Members {
			mp := fmt.Sprintf("%s.members[%d]", gp, j)
			switch {
			case !users[m]:
				d.fail(mp, d.sug.didYouMean(fmt.Sprintf("unknown user %q", m), m, a.Users))
			case seen[m]:
				d.failf(mp, "member %q repeated", m)
			}
			seen[m] = true
		}
		a.Groups = append(a.Groups, world.Group{ID: g.ID, Owner: g.Owner, Members: append([]string(nil), g.Members...)})
	}
	for i, room := range r.Chatrooms {
		rp := fmt.Sprintf("%s.chatrooms[%d]", p, i)
		if claim(rp+".id", room.ID, "a chat room") {
			a.Rooms = append(a.Rooms, world.Room{ID: room.ID, Name: room.Name, Status: world.RoomOpen})
		}
	}

	refs := easemobRefs(&a)
	refs.sug, refs.doubtful = d.sug, doubtful
	a.Traffic = d.traffic(p, refs, r.Traffic)
	a.Messages = d.messages(p, refs, r.Messages)
	return a
}

func (d *decoder) yunxinApp(seed uint64, p string, r *rawYunxinApp) world.YunxinApp {
	d.required(p, "appkey", r.AppKey)
	a := world.YunxinApp{
		AppKey:            r.AppKey,
		AppSecret:         r.AppSecret,
		DescendingDefault: r.DescendingDefault,
		CurTimeWindow:     d.positive(p+".curtime_window", r.CurTimeWindow, defaultCurTimeWindow, false),
		RateLimits:        d.rateLimits(p+".rate_limits", r.RateLimits),
	}
	if !d.has(p + ".descending_default") {
		a.DescendingDefault = true
	}
	if a.AppSecret == "" {
		a.AppSecret = deriveHex(seed, "yunxin app_secret", r.AppKey)[:12]
	}
	seen := map[string]bool{}
	for i, acc := range r.Accounts {
		ap := fmt.Sprintf("%s.accounts[%d]", p, i)
		switch {
		case acc == "":
			d.fail(ap, "required")
		case seen[acc]:
			d.failf(ap, "duplicate account %q", acc)
		default:
			a.Accounts = append(a.Accounts, acc)
		}
		seen[acc] = true
	}
	rooms := map[string]bool{}
	for i, room := range r.Chatrooms {
		rp := fmt.Sprintf("%s.chatrooms[%d]", p, i)
		if !d.has(rp + ".id") {
			d.fail(rp+".id", "required")
			continue
		}
		if room.ID <= 0 {
			d.failf(rp+".id", "want a positive integer, got %d", room.ID)
			continue
		}
		id := strconv.FormatInt(room.ID, 10)
		if rooms[id] {
			d.failf(rp+".id", "duplicate chat room %s", id)
			continue
		}
		rooms[id] = true
		status := d.enum(rp+".status", room.Status, string(world.RoomOpen), string(world.RoomOpen), string(world.RoomClosed))
		a.Rooms = append(a.Rooms, world.Room{ID: id, Name: room.Name, Status: world.RoomStatus(status)})
	}
	refs := yunxinRefs(&a)
	refs.sug = d.sug
	a.Traffic = d.traffic(p, refs, r.Traffic)
	a.Messages = d.messages(p, refs, r.Messages)
	return a
}

func (d *decoder) opClient(spec *world.Spec, p string, r *rawOpClient) world.OpClient {
	d.required(p, "client", r.Client)
	c := world.OpClient{
		Client:     r.Client,
		Token:      r.Token,
		Secret:     r.Secret,
		Sign:       world.SignRule(d.enum(p+".sign", r.Sign, string(world.SignAny), string(world.SignAny), string(world.SignMD5))),
		RateLimits: d.rateLimits(p+".rate_limits", r.RateLimits),
		Qiniu:      world.QiniuKeys{AccessKey: r.Qiniu.AccessKey, SecretKey: r.Qiniu.SecretKey},
		// Absent: zero, the Op surface's default lifetime.
		LinkTTL: d.positive(p+".link_ttl", r.LinkTTL, 0, false),
	}
	if c.Token == "" {
		c.Token = deriveHex(spec.Seed, "op token", r.Client)[:32]
	}
	if c.Secret == "" {
		c.Secret = deriveHex(spec.Seed, "op secret", r.Client)[:32]
	}
	if c.Qiniu.AccessKey == "" {
		c.Qiniu.AccessKey = deriveB64(spec.Seed, "qiniu access_key", r.Client)[:40]
	}
	if c.Qiniu.SecretKey == "" {
		c.Qiniu.SecretKey = deriveB64(spec.Seed, "qiniu secret_key", r.Client)[:40]
	}

	var app *world.EasemobApp
	switch org, name, ok := strings.Cut(r.EasemobApp, "/"); {
	case !d.has(p + ".easemob_app"):
		d.fail(p+".easemob_app", "required (org/app of an Easemob app)")
	case !ok || org == "" || name == "":
		d.failf(p+".easemob_app", "want org/app, got %q", r.EasemobApp)
	default:
		for i := range spec.Easemob {
			if spec.Easemob[i].Org == org && spec.Easemob[i].App == name {
				app = &spec.Easemob[i]
			}
		}
		if app == nil {
			var apps []string
			for i := range spec.Easemob {
				apps = append(apps, spec.Easemob[i].Org+"/"+spec.Easemob[i].App)
			}
			d.fail(p+".easemob_app", d.sug.didYouMean(fmt.Sprintf("unknown Easemob app %q", r.EasemobApp), r.EasemobApp, apps))
		} else {
			c.EasemobApp = app.Tenant()
		}
	}
	if app == nil {
		return c
	}

	ids := map[string]bool{}
	var idList []string
	for _, m := range app.Messages {
		if m.ID != "" {
			ids[m.ID] = true
			idList = append(idList, m.ID)
		}
	}
	check := func(ep, user, message string) bool {
		ok := true
		if user == "" {
			d.fail(ep+".user", "required")
			ok = false
		} else if !app.HasUser(user) {
			d.fail(ep+".user", d.sug.didYouMean(fmt.Sprintf("unknown user %q of %s", user, r.EasemobApp), user, app.Users))
			ok = false
		}
		if message == "" {
			d.fail(ep+".message", "required")
			ok = false
		} else if !ids[message] {
			d.fail(ep+".message", d.sug.didYouMean(fmt.Sprintf("unknown message %q: not a literal message id of %s", message, r.EasemobApp), message, idList))
			ok = false
		}
		return ok
	}
	marked := map[[2]string]bool{}
	for i, m := range r.Marks {
		ep := fmt.Sprintf("%s.marks[%d]", p, i)
		if !check(ep, m.User, m.Message) {
			continue
		}
		if marked[[2]string{m.User, m.Message}] {
			d.failf(ep, "user %q already marks message %q", m.User, m.Message)
			continue
		}
		marked[[2]string{m.User, m.Message}] = true
		for j, s := range m.Marks {
			if s == "" {
				d.fail(fmt.Sprintf("%s.marks[%d]", ep, j), "must not be empty")
			}
		}
		c.Marks = append(c.Marks, world.Mark{User: m.User, MessageID: m.Message, Marks: append([]string(nil), m.Marks...)})
	}
	faved := map[[2]string]bool{}
	for i, f := range r.Favorites {
		ep := fmt.Sprintf("%s.favorites[%d]", p, i)
		if !check(ep, f.User, f.Message) {
			continue
		}
		if faved[[2]string{f.User, f.Message}] {
			d.failf(ep, "user %q already favorites message %q", f.User, f.Message)
			continue
		}
		faved[[2]string{f.User, f.Message}] = true
		c.Favorites = append(c.Favorites, world.Favorite{User: f.User, MessageID: f.Message})
	}
	return c
}

func (d *decoder) traffic(p string, r *refs, raws []rawTraffic) []world.Traffic {
	var out []world.Traffic
	for i := range raws {
		t := &raws[i]
		tp := fmt.Sprintf("%s.traffic[%d]", p, i)
		ok := true
		fail := func(key, reason string) { d.fail(join(tp, key), reason); ok = false }
		present := map[string]bool{}
		for _, k := range []string{"from", "sender", "to", "room", "chat_type"} {
			present[k] = d.has(join(tp, k))
		}
		rt, _ := r.route(routeFields{From: t.From, Sender: t.Sender, To: t.To, Room: t.Room, ChatType: t.ChatType, Present: present}, fail)

		switch {
		case !d.has(tp + ".per_hour"):
			fail("per_hour", "required")
		case t.PerHour < 1 || t.PerHour > maxPerHour:
			fail("per_hour", fmt.Sprintf("want 1 to %d messages an hour, got %d", maxPerHour, t.PerHour))
		}
		since, until := time.Duration(t.Since), time.Duration(t.Until)
		switch {
		case !d.has(tp + ".since"):
			fail("since", "required")
		case since < 0:
			fail("since", "must not be negative (it is a duration before the clock's start)")
		}
		if until < 0 {
			fail("until", "must not be negative (it is a duration before the clock's start)")
		}
		if d.has(tp+".since") && since <= until {
			fail("since", fmt.Sprintf("must be longer than until (%v), got %v", until, since))
		}

		var kinds []world.KindWeight
		seen := map[world.Kind]string{}
		for _, w := range t.Types {
			kp := join(tp+".types", w.Name)
			k, err := r.kind(w.Name)
			if err != nil {
				fail("types."+w.Name, err.Error())
				continue
			}
			if prev, dup := seen[k]; dup {
				d.failf(kp, "same type as %q", prev)
				ok = false
				continue
			}
			seen[k] = w.Name
			if w.Weight <= 0 {
				fail("types."+w.Name, fmt.Sprintf("want a positive weight, got %d", w.Weight))
				continue
			}
			kinds = append(kinds, world.KindWeight{Kind: k, Weight: w.Weight})
		}
		if d.has(tp+".types") && len(t.Types) == 0 {
			fail("types", "empty; leave it out for the vendor's usual mix")
		}
		if !ok {
			continue
		}
		out = append(out, world.Traffic{
			From: rt.From, To: rt.To, ChatType: rt.ChatType,
			PerHour: t.PerHour, Since: since, Until: until, Types: kinds,
		})
	}
	return out
}

func (d *decoder) messages(p string, r *refs, raws []LiteralMessage) []world.Message {
	var out []world.Message
	ids := map[string]string{}
	for i := range raws {
		m := &raws[i]
		mp := fmt.Sprintf("%s.messages[%d]", p, i)
		present := map[string]bool{}
		for _, k := range messageKeys {
			present[k] = d.has(join(mp, k))
		}
		ok := true
		fail := func(key, reason string) { d.fail(join(mp, key), reason); ok = false }
		if !present["at"] {
			fail("at", "required")
		}
		if present["id"] {
			if m.ID == "" {
				fail("id", "must not be empty")
			} else if prev, dup := ids[m.ID]; dup {
				fail("id", fmt.Sprintf("duplicate message id %q (also %s)", m.ID, prev))
			}
			ids[m.ID] = mp
		}
		msg := r.message(m, present, fail)
		if ok {
			out = append(out, msg)
		}
	}
	return out
}

func (d *decoder) required(p, key, v string) {
	if v == "" {
		d.fail(join(p, key), "required")
	}
}

// enum returns v, or def when absent, failing when v is not one of allowed.
func (d *decoder) enum(key, v, def string, allowed ...string) string {
	if !d.has(key) {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	d.fail(key, d.sug.didYouMean(fmt.Sprintf("want %s, got %q", strings.Join(allowed, " or "), v), v, allowed))
	return def
}

func (d *decoder) rateLimits(key, v string) world.RateLimits {
	return world.RateLimits(d.enum(key, v, string(world.RateLimitsOff), string(world.RateLimitsOff), string(world.RateLimitsVendor)))
}

// positive returns v, or def when absent; zero is allowed only if zeroOK.
func (d *decoder) positive(key string, v duration, def time.Duration, zeroOK bool) time.Duration {
	if !d.has(key) {
		return def
	}
	dv := time.Duration(v)
	if dv < 0 || (dv == 0 && !zeroOK) {
		d.failf(key, "want a positive duration, got %v", dv)
		return def
	}
	return dv
}

// Derived credentials: a pure function of the seed and the tenant's names,
// so that a scenario without explicit keys still gives the same keys on
// every run.
func derive(seed uint64, purpose string, parts ...string) []byte {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(purpose))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	sum := h.Sum(nil)
	// Two blocks, for callers that need more than 43 characters.
	h2 := sha256.Sum256(sum)
	return append(sum, h2[:]...)
}

func deriveB64(seed uint64, purpose string, parts ...string) string {
	return base64.RawURLEncoding.EncodeToString(derive(seed, purpose, parts...))
}

func deriveHex(seed uint64, purpose string, parts ...string) string {
	return hex.EncodeToString(derive(seed, purpose, parts...))
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func deriveAlnum(seed uint64, n int, purpose string, parts ...string) string {
	b := derive(seed, purpose, parts...)
	out := make([]byte, n)
	for i := range out {
		out[i] = alnum[int(b[i%len(b)])%len(alnum)]
	}
	return string(out)
}

// deriveUUID returns a version-4-shaped UUID.
func deriveUUID(seed uint64, purpose string, parts ...string) string {
	b := derive(seed, purpose, parts...)[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// bucketName makes a valid OSS bucket name (3-63 of [a-z0-9-], no leading
// or trailing hyphen) from org and app.
func bucketName(org, app string) string {
	var b strings.Builder
	b.WriteString("chatemu-")
	for _, r := range strings.ToLower(org + "-" + app) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	s := b.String()
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.TrimRight(s, "-")
}
