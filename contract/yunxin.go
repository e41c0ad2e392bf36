package contract

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tidwall/gjson"
)

// Yunxin probe constants (the Yunxin history page, docs/fidelity/yunxin.md).
const (
	yunxinPageLimit = 10
	yunxinWalkLimit = 100
	// unknownRoom and unknownSender name a room and an account the app is
	// not expected to have.
	unknownRoom   = "9007199254740991"
	unknownSender = "chatemu_contract_nobody"
)

func (s *session) yunxinProbes(tenants gjson.Result) ([]probe, error) {
	in := &s.cfg.Yunxin
	if s.chatemu {
		fillYunxin(in, tenants)
	}
	if in.AppKey == "" || in.AppSecret == "" || in.Room == "" || in.Sender == "" {
		return nil, errors.New("contract: yunxin needs --appkey, --app-secret, --room and --sender (read from /_chatemu/tenants only when the target is chatemu)")
	}
	if in.MaxPages <= 0 {
		in.MaxPages = 100
	}
	s.secret(in.AppSecret)
	s.inputs["appkey"], s.inputs["room"], s.inputs["sender"] = in.AppKey, in.Room, in.Sender
	if s.chatemu {
		if now, err := s.chatemuNow(context.Background()); err == nil {
			s.inputs["now"] = now.UTC().Format(timeLayoutNano)
		}
	}
	room, sender := in.Room, in.Sender
	q := func(room, sender, limit string) func(ctx context.Context, s *session) (*observed, string, error) {
		return func(ctx context.Context, s *session) (*observed, string, error) {
			return s.yunxinGet(ctx, room, url.Values{"sender_id": {sender}, "limit": {limit}}, s.cfg.Yunxin.AppSecret)
		}
	}
	errCompare := compareSpec{}
	return []probe{
		{name: "first-page", about: "GET /im/v2.1/chatrooms/{room}/messages?sender_id&limit=10: newest first",
			do: q(room, sender, strconv.Itoa(yunxinPageLimit)),
			rules: func(s *session) []Rule {
				return append(yunxinPageRules(), instance(Len("data.items", 0, yunxinPageLimit), Each("data.items", Eq("sender_id", s.cfg.Yunxin.Sender)))...)
			},
			compare: compareSpec{volatile: []string{"data.next_token"}, content: map[string]string{"data.items": "message_type"}}},
		{name: "limit-0", about: "limit=0: 414 parameter error",
			do: q(room, sender, "0"), rules: func(*session) []Rule { return yunxinErrorRules(414, "parameter error") }, compare: errCompare},
		{name: "limit-101", about: "limit=101: 414 parameter error",
			do: q(room, sender, "101"), rules: func(*session) []Rule { return yunxinErrorRules(414, "parameter error") }, compare: errCompare},
		{name: "bad-checksum", about: "a CheckSum signed with the wrong AppSecret: 414",
			do: func(ctx context.Context, s *session) (*observed, string, error) {
				return s.yunxinGet(ctx, room, url.Values{"sender_id": {sender}, "limit": {"10"}}, s.cfg.Yunxin.AppSecret+"-wrong")
			},
			// The page documents 414 for a failed CheckSum; the v2 msg text
			// is not documented (docs/fidelity/yunxin.md), so only its kind is checked.
			rules: func(*session) []Rule { return yunxinErrorRules(414, "") }, compare: errCompare},
		{name: "unknown-room", about: "room " + unknownRoom + ": 113404 chatroom not exist",
			do: q(unknownRoom, sender, "10"), rules: func(*session) []Rule { return yunxinErrorRules(113404, "chatroom not exist") }, compare: errCompare},
		{name: "unknown-sender", about: "sender_id " + unknownSender + ": 102404 account not exist",
			do: q(room, unknownSender, "10"), rules: func(*session) []Rule { return yunxinErrorRules(102404, "account not exist") }, compare: errCompare},
		{name: "paging-to-end", about: "follow next_token with limit=100 until has_more is false",
			do: yunxinWalk, rules: yunxinWalkRules,
			compare: compareSpec{volatile: []string{"pages", "items"}, content: map[string]string{"last_page.data.items": "message_type"}}},
	}, nil
}

const timeLayoutNano = "2006-01-02T15:04:05.999999999Z07:00"

func fillYunxin(in *YunxinInputs, tenants gjson.Result) {
	var t gjson.Result
	for _, a := range tenants.Get("yunxin").Array() {
		if in.AppKey == "" || a.Get("appkey").Str == in.AppKey {
			t = a
			break
		}
	}
	if !t.Exists() {
		return
	}
	in.AppKey = t.Get("appkey").Str
	if in.AppSecret == "" {
		in.AppSecret = t.Get("app_secret").Str
	}
	if in.Room == "" {
		for _, r := range t.Get("chatrooms").Array() {
			if r.Get("status").Str != "closed" {
				in.Room = r.Get("id").Raw
				break
			}
		}
	}
	if in.Sender == "" {
		in.Sender = t.Get("accounts.0").Str
	}
}

// yunxinGet calls the chatroom history API signed with secret.
func (s *session) yunxinGet(ctx context.Context, room string, q url.Values, secret string) (*observed, string, error) {
	return wrap(s.exchange(ctx, s.yunxinCall(room, q, secret)))
}

func (s *session) yunxinCall(room string, q url.Values, secret string) call {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	n := hex.EncodeToString(nonce)
	cur := strconv.FormatInt(s.now().Unix(), 10)
	sum := sha1.Sum([]byte(secret + n + cur))
	return call{method: http.MethodGet, url: "/im/v2.1/chatrooms/" + room + "/messages?" + q.Encode(), header: map[string]string{
		"AppKey": s.cfg.Yunxin.AppKey, "Nonce": n, "CurTime": cur, "CheckSum": hex.EncodeToString(sum[:]),
	}}
}

// yunxinPageRules are a successful page (the page's table and example,
// docs/fidelity/yunxin.md).
func yunxinPageRules() []Rule {
	return []Rule{
		Status(200),
		Header("Content-Type", `^application/json`),
		Order("", "code", "msg", "data"),
		Eq("code", 200),
		Eq("msg", "success"),
		Type("data", Object),
		Order("data", "has_more", "next_token", "items"),
		Type("data.has_more", Bool),
		When("data.has_more", true, Match("data.next_token", `.`)),
		When("data.has_more", false, Func("data.next_token", "absent or empty on the last page", func(v gjson.Result) (string, bool) {
			return show(v), !v.Exists() || v.Str == ""
		})),
		Type("data.items", Array),
		descending("data.items"),
		Each("data.items", yunxinItemRules()...),
	}
}

// descending wants create_time not to increase along the array: absent
// `descending` means newest first ([guess] followed by
// both official SDKs and the page's example).
func descending(path string) Rule {
	return Func(path, "create_time newest first", func(v gjson.Result) (string, bool) {
		var last int64 = -1
		for i, it := range v.Array() {
			t := it.Get("create_time").Int()
			if last >= 0 && t > last {
				return fmt.Sprintf("item %d (%d) is newer than item %d (%d)", i, t, i-1, last), false
			}
			last = t
		}
		return "", true
	})
}

func yunxinItemRules() []Rule {
	media := func(extra ...Rule) []Rule {
		return append([]Rule{Type("attachment", Object), Type("attachment.md5", String), Type("attachment.url", String),
			Type("attachment.ext", String), Type("attachment.size", Integer)}, extra...)
	}
	return []Rule{
		Order("", "text", "message_client_id", "sender_id", "create_time", "message_type", "sender_client_type", "extension"),
		Type("sender_id", String),
		OneOf("message_type", 0, 1, 2, 3, 4, 5, 6, 10, 11, 100),
		Type("create_time", Integer),
		Type("message_client_id", String),
		waived(Opt("sender_client_type", Integer),
			`the page's example writes "32" as a string; its table and the official Go SDK (*int) want a number (docs/fidelity/yunxin.md)`),
		Opt("text", String),
		Opt("attachment", Object),
		Opt("extension", String),
		When("message_type", 1, media(Type("attachment.name", String), Type("attachment.w", Integer), Type("attachment.h", Integer))...),
		When("message_type", 2, media(Type("attachment.dur", Integer))...),
		When("message_type", 3, media(Type("attachment.dur", Integer), Type("attachment.w", Integer), Type("attachment.h", Integer))...),
		When("message_type", 4, Type("attachment.title", String), Type("attachment.lng", Number), Type("attachment.lat", Number)),
		When("message_type", 6, media(Type("attachment.name", String))...),
	}
}

// yunxinErrorRules are a business error: HTTP 200, the code in the body,
// data an empty object (the page's error table; yunxin-server-sdk-golang
// src/core/base/biz_name.go).
// An empty msg checks only that msg is a string.
func yunxinErrorRules(code int, msg string) []Rule {
	rs := []Rule{
		Status(200),
		Order("", "code", "msg", "data"),
		Eq("code", code),
		Type("msg", String),
		Func("data", "{} (an empty object)", func(v gjson.Result) (string, bool) {
			return show(v), v.IsObject() && len(v.Map()) == 0
		}),
	}
	if msg != "" {
		rs = append(rs, Eq("msg", msg))
	}
	return rs
}

// yunxinWalk follows next_token to the last page and builds
// {"pages","items","duplicates","ordered","reached_end","page_failures","last_page"}.
// Every page is checked against the page rules on the way.
func yunxinWalk(ctx context.Context, s *session) (*observed, string, error) {
	in := s.cfg.Yunxin
	seen := map[string]bool{}
	doc := map[string]any{"pages": 0, "items": 0, "duplicates": 0, "ordered": true, "reached_end": false}
	var failures []Failure
	checks := 0
	var last *observed
	var lastCall call
	var lastTime int64 = -1
	token := ""
	for page := 0; page < in.MaxPages; page++ {
		q := url.Values{"sender_id": {in.Sender}, "limit": {strconv.Itoa(yunxinWalkLimit)}}
		if token != "" {
			q.Set("page_token", token)
		}
		lastCall = s.yunxinCall(in.Room, q, in.AppSecret)
		obs, err := s.exchange(ctx, lastCall)
		if err != nil {
			return nil, "", err
		}
		last = obs
		fs, n := Check(obs.doc, yunxinPageRules())
		for _, f := range fs {
			f.Path = fmt.Sprintf("(page %d) %s", page+1, f.Path)
			failures = append(failures, f)
		}
		checks += n
		doc["pages"] = page + 1
		items := obs.doc.JSON.Get("data.items").Array()
		doc["items"] = doc["items"].(int) + len(items)
		for _, it := range items {
			id := it.Get("message_client_id").Str
			if seen[id] {
				doc["duplicates"] = doc["duplicates"].(int) + 1
			}
			seen[id] = true
			t := it.Get("create_time").Int()
			if lastTime >= 0 && t > lastTime {
				doc["ordered"] = false
			}
			lastTime = t
		}
		if obs.doc.JSON.Get("code").Int() != 200 {
			break
		}
		if !obs.doc.JSON.Get("data.has_more").Bool() {
			doc["reached_end"] = true
			break
		}
		token = obs.doc.JSON.Get("data.next_token").Str
		if token == "" {
			break
		}
	}
	doc["last_page"] = json.RawMessage(last.doc.JSON.Raw)
	out := s.synthetic(lastCall, last.doc.Status, last.doc.Header, doc)
	out.extra, out.extraChecks = failures, checks
	return out, "", nil
}

func yunxinWalkRules(s *session) []Rule {
	return []Rule{
		Eq("reached_end", true),
		Eq("duplicates", 0),
		Eq("ordered", true),
		Type("pages", Integer),
		Func("items", "at least one message from the sender", func(v gjson.Result) (string, bool) { return v.Raw, v.Int() > 0 }),
		Eq("last_page.data.has_more", false),
	}
}
