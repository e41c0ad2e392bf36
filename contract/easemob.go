package contract

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/chatemu/chatemu/emulator/sign"
)

// Easemob constants of the contract (docs/fidelity/easemob.md).
const (
	easemobLinkTTL   = 1800 // s: Expires = ⌊timestamp/1000⌋ + 1800 (the history page's example)
	easemobRetention = 72 * time.Hour
	hourLayout       = "2006010215"
	securityExc      = "org.apache.usergrid.rest.exceptions.SecurityException"
	// badTime is the malformed `time` the bad-time probe sends.
	badTime = "notahour"
	// badToken is a bearer token no Easemob server could have issued.
	badToken = "chatemu-contract-not-a-token"
	// The vendor doc writes its placeholders as XXXX, so shape rules accept X
	// where hex digits go.
	uuidRE = `^[0-9a-fA-FX]{8}-[0-9a-fA-FX]{4}-[0-9a-fA-FX]{4}-[0-9a-fA-FX]{4}-[0-9a-fA-FX]{12}$`
	// ossLinkRE is the shape of the archive link: query order Expires,
	// OSSAccessKeyId, Signature, the signature percent-encoded (no raw + / =).
	ossLinkRE   = `^https?://[^?#]+\?Expires=\d+&OSSAccessKeyId=[^&]+&Signature=[A-Za-z0-9%]+$`
	chatfilesRE = `^https?://.+/chatfiles/[0-9A-Za-z-]+$`
	isoMillisRE = `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$`
)

var beijing = time.FixedZone("CST", 8*3600)

// easemobProbes fills the Easemob inputs and lists the probes, in the order
// they run (later probes use the token and the link earlier ones got).
func (s *session) easemobProbes(ctx context.Context, tenants gjson.Result) ([]probe, error) {
	in := &s.cfg.Easemob
	if s.chatemu && (in.ClientID == "" || in.ClientSecret == "") {
		fillEasemob(in, tenants)
	}
	if in.Org == "" || in.App == "" || in.ClientID == "" || in.ClientSecret == "" {
		return nil, errors.New("contract: easemob needs --org, --app, --client-id and --client-secret (read from /_chatemu/tenants only when the target is chatemu)")
	}
	if in.Cluster == "" {
		in.Cluster = "cn"
		if s.chatemu {
			if c := easemobTenant(tenants, in.Org, in.App).Get("cluster").Str; c != "" {
				in.Cluster = c
			}
		}
	}
	if in.Cluster != "cn" && in.Cluster != "overseas" {
		return nil, fmt.Errorf("contract: --cluster %q: want cn or overseas", in.Cluster)
	}
	for _, h := range []string{in.Hour, in.EmptyHour} {
		if h != "" {
			if _, err := time.Parse(hourLayout, h); err != nil {
				return nil, fmt.Errorf("contract: hour %q is not yyyyMMddHH", h)
			}
		}
	}
	s.secret(in.ClientID, in.ClientSecret)
	if s.chatemu {
		// The bucket's key, to sign links as an SDK would (archive-overrides).
		oss := easemobTenant(tenants, in.Org, in.App).Get("oss")
		s.state["oss_key_id"], s.state["oss_secret"] = oss.Get("access_key_id").Str, oss.Get("access_key_secret").Str
		s.secret(s.state["oss_key_id"], s.state["oss_secret"])
	}
	s.inputs["org"], s.inputs["app"], s.inputs["cluster"] = in.Org, in.App, in.Cluster
	if s.chatemu {
		if now, err := s.chatemuNow(ctx); err == nil {
			s.inputs["now"] = now.UTC().Format(time.RFC3339Nano)
		}
	}
	return []probe{
		{name: "token", about: "POST /{org}/{app}/token with client credentials: the app token",
			do: easemobToken, rules: easemobTokenRules, compare: compareSpec{volatile: []string{"access_token", "expires_in", "application"}}},
		{name: "bad-time", about: "GET chatmessages/" + badTime + ": a malformed time",
			do: func(ctx context.Context, s *session) (*observed, string, error) {
				return s.chatmessages(ctx, badTime, "token")
			},
			rules: func(s *session) []Rule {
				return easemobErrorRules(400, "illegal_argument", "", badTimeRE, badTimeText(s))
			}, compare: easemobErrorCompare},
		{name: "chatmessages", about: "GET chatmessages/{hour} for an hour with messages: the archive link",
			do: easemobHour, rules: easemobHourRules, compare: compareSpec{volatile: []string{"timestamp", "duration", "application"}}},
		{name: "archive-download", about: "GET the archive link: gzip of NDJSON records",
			do: easemobArchive, rules: easemobArchiveRules,
			compare: compareSpec{volatile: []string{"lines", "span_ms"}, content: map[string]string{"records": "payload.bodies.0.type"}}},
		{name: "file-share-secret-query", about: "GET an access-restricted attachment's url?share-secret={secret} with the app token: the file",
			do: easemobShareSecretQuery, rules: easemobShareSecretQueryRules, compare: compareSpec{volatile: []string{"bytes", "file_length"}}},
		{name: "archive-range", about: "GET the archive link with Range: bytes=0-9: 206, the first ten bytes (gzip's magic first)",
			do: easemobArchiveRange, rules: easemobArchiveRangeRules, compare: compareSpec{volatile: []string{"content_range"}}},
		{name: "archive-overrides", about: "GET the archive signed with response-content-type and response-content-disposition: the headers asked for (chatemu only: needs the bucket's key)",
			do: easemobArchiveOverrides, rules: easemobArchiveOverridesRules, compare: compareSpec{volatile: []string{"bytes"}}},
		{name: "archive-expiry", about: "GET the archive link after it expired: OSS 403 AccessDenied (chatemu only: moves its clock)",
			do: easemobExpiry, rules: easemobExpiryRules,
			compare: compareSpec{volatile: []string{"Error.RequestId", "Error.HostId", "Error.Expires", "Error.ServerTime"}}},
		{name: "past-retention", about: "GET chatmessages/{hour − 96h}: past the 72 h retention",
			do: func(ctx context.Context, s *session) (*observed, string, error) {
				return s.chatmessages(ctx, s.pastHour(), "token")
			},
			rules: func(s *session) []Rule {
				return easemobErrorRules(400, "illegal_argument", "", expiredRE, appkeyText(s)+", time: "+s.pastHour()+", maybe chat message history is expired or unstored")
			}, compare: easemobErrorCompare},
		{name: "archive-delay", about: "GET chatmessages/{previous hour} 25 min 23 s after it ended: archived (200, or 404 if it was empty)",
			do: easemobArchiveDelay, rules: easemobArchiveDelayRules, compare: compareSpec{volatile: []string{"hour"}}},
		{name: "empty-hour", about: "GET chatmessages/{empty hour}: 404 storage_object_not_found",
			do: easemobEmptyHour,
			rules: func(s *session) []Rule {
				return easemobErrorRules(404, "storage_object_not_found", "", notFoundRE,
					"Failed to find chat message history download url for "+appkey(s)+", time: "+s.state["empty_hour"])
			}, compare: easemobErrorCompare},
		{name: "no-token", about: "GET chatmessages/{hour} without Authorization",
			do: func(ctx context.Context, s *session) (*observed, string, error) {
				return s.chatmessages(ctx, s.hour(), "")
			},
			rules: func(*session) []Rule {
				return easemobErrorRules(401, "unauthorized", securityExc, "", "Unable to authenticate due to expired access token")
			}, compare: easemobErrorCompare},
		{name: "bad-token", about: "GET chatmessages/{hour} with a malformed bearer token",
			do: func(ctx context.Context, s *session) (*observed, string, error) {
				return s.chatmessages(ctx, s.hour(), badToken)
			},
			rules:   func(*session) []Rule { return badTokenRules() },
			compare: easemobErrorCompare},
	}, nil
}

var easemobErrorCompare = compareSpec{volatile: []string{"timestamp", "duration"}}

// Shapes of the error_description texts (the history page's error table).
const (
	badTimeRE  = `^illegal arguments: appkey: [^#]+#[^,]+, time: [^,]+$`
	expiredRE  = `^illegal arguments: appkey: [^#]+#[^,]+, time: \d{10}, maybe chat message history is expired or unstored$`
	notFoundRE = `^Failed to find chat message history download url for appkey: [^#]+#[^,]+, time: \d{10}$`
)

func appkey(s *session) string { return "appkey: " + s.cfg.Easemob.Org + "#" + s.cfg.Easemob.App }

func appkeyText(s *session) string { return "illegal arguments: " + appkey(s) }

func badTimeText(s *session) string { return appkeyText(s) + ", time: " + badTime }

func easemobTenant(tenants gjson.Result, org, app string) gjson.Result {
	for _, t := range tenants.Get("easemob").Array() {
		if (org == "" && app == "") || (t.Get("org").Str == org && t.Get("app").Str == app) {
			return t
		}
	}
	return gjson.Result{}
}

func fillEasemob(in *EasemobInputs, tenants gjson.Result) {
	t := easemobTenant(tenants, in.Org, in.App)
	if !t.Exists() {
		return
	}
	in.Org, in.App = t.Get("org").Str, t.Get("app").Str
	if in.ClientID == "" {
		in.ClientID = t.Get("client_id").Str
	}
	if in.ClientSecret == "" {
		in.ClientSecret = t.Get("client_secret").Str
	}
}

// zone is the time zone hours are named in on the app's cluster.
func (s *session) zone() *time.Location {
	if s.cfg.Easemob.Cluster == "overseas" {
		return time.UTC
	}
	return beijing
}

// hour is the hour with messages: --hour, or three hours before the
// server's time (learned from the bad-time answer) in the cluster's zone.
func (s *session) hour() string {
	if s.cfg.Easemob.Hour != "" {
		s.inputs["hour"] = s.cfg.Easemob.Hour
		return s.cfg.Easemob.Hour
	}
	if h := s.inputs["hour"]; h != "" {
		return h
	}
	now := s.now()
	if ms, err := strconv.ParseInt(s.state["server_ms"], 10, 64); err == nil {
		now = time.UnixMilli(ms)
	}
	h := now.Add(-3 * time.Hour).In(s.zone()).Format(hourLayout)
	s.inputs["hour"] = h
	return h
}

// pastHour is hour − 96 h: past the 72 h retention whatever the hour's age.
func (s *session) pastHour() string {
	t, err := time.Parse(hourLayout, s.hour())
	if err != nil {
		return s.hour()
	}
	return t.Add(-96 * time.Hour).Format(hourLayout)
}

// chatmessages GETs /{org}/{app}/chatmessages/{time} with the token in
// state (tok "token"), a literal bearer token, or none ("").
func (s *session) chatmessages(ctx context.Context, t, tok string) (*observed, string, error) {
	h := map[string]string{"Accept": "application/json"}
	switch tok {
	case "":
	case "token":
		if s.state["token"] == "" {
			return nil, "", errors.New("no app token: the token probe failed")
		}
		h["Authorization"] = "Bearer " + s.state["token"]
	default:
		h["Authorization"] = "Bearer " + tok
	}
	in := s.cfg.Easemob
	obs, err := s.exchange(ctx, call{method: http.MethodGet, url: "/" + in.Org + "/" + in.App + "/chatmessages/" + t, header: h})
	if err != nil {
		return nil, "", err
	}
	if ts := obs.doc.JSON.Get("timestamp"); ts.Type == gjson.Number && s.state["server_ms"] == "" {
		s.state["server_ms"] = ts.Raw
		if s.inputs["now"] == "" {
			s.inputs["now"] = time.UnixMilli(ts.Int()).UTC().Format(time.RFC3339Nano)
		}
	}
	return obs, "", nil
}

func easemobToken(ctx context.Context, s *session) (*observed, string, error) {
	in := s.cfg.Easemob
	body, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "client_id": in.ClientID, "client_secret": in.ClientSecret})
	obs, err := s.exchange(ctx, call{method: http.MethodPost, url: "/" + in.Org + "/" + in.App + "/token",
		header: map[string]string{"Content-Type": "application/json", "Accept": "application/json"}, body: body})
	if err != nil {
		return nil, "", err
	}
	if tok := obs.doc.JSON.Get("access_token").Str; tok != "" {
		s.state["token"] = tok
		s.secret(tok)
		obs.ex.Body = redactJSON(obs.ex.Body, s.secrets)
	}
	return obs, "", nil
}

func easemobTokenRules(*session) []Rule {
	return []Rule{
		Status(200),
		Header("Content-Type", `^application/json`),
		Order("", "access_token", "expires_in", "application"),
		Match("access_token", `^YWMt`),
		Type("expires_in", Integer),
		Match("application", uuidRE),
	}
}

// easemobErrorRules are the Usergrid error envelope (Usergrid
// rest/ApiResponse.java; easemob-doc docs/document/server-side/error.md): key order, an integer timestamp and duration, the code and the
// text. exc is the exception class when sourced; re is the text's shape
// (for vendor samples); text the exact text for this run.
func easemobErrorRules(status int, code, exc, re, text string) []Rule {
	rs := append([]Rule{
		Status(status),
		Header("Content-Type", `^application/json`),
		Order("", "error", "timestamp", "duration", "exception", "error_description"),
		Eq("error", code),
	}, easemobErrorTypes()...)
	if exc != "" {
		rs = append(rs, Eq("exception", exc))
	}
	if re != "" {
		rs = append(rs, Match("error_description", re))
		rs = append(rs, instance(Eq("error_description", text))...)
	} else {
		rs = append(rs, Eq("error_description", text))
	}
	return rs
}

// easemobErrorTypes are the fields of every Easemob error body, whatever
// the backend service (key order differs between services,
// docs/fidelity/easemob.md).
func easemobErrorTypes() []Rule {
	return []Rule{
		Type("error", String),
		Type("timestamp", Integer),
		Type("duration", Integer),
		Type("exception", String),
		Type("error_description", String),
	}
}

func badTokenRules() []Rule {
	return easemobErrorRules(401, "auth_bad_access_token", securityExc, "", "Unable to authenticate due to corrupt access token")
}

func easemobHour(ctx context.Context, s *session) (*observed, string, error) {
	obs, skip, err := s.chatmessages(ctx, s.hour(), "token")
	if obs != nil {
		if u := obs.doc.JSON.Get("data.0.url").Str; u != "" {
			s.state["archive_url"] = u
			s.state["link_ms"] = obs.doc.JSON.Get("timestamp").Raw
		}
	}
	return obs, skip, err
}

func easemobHourRules(s *session) []Rule {
	in := s.cfg.Easemob
	rs := []Rule{
		Status(200),
		Header("Content-Type", `^application/json`),
		Order("", "action", "application", "path", "uri", "data", "timestamp", "duration", "organization", "applicationName"),
		Eq("action", "get"),
		Match("application", uuidRE),
		Opt("path", String),
		Match("uri", `/chatmessages/\d{10}$`),
		waived(Match("uri", `^https?://`), "the page's example starts uri with a stray quote ('https://…)"),
		Len("data", 1, 1),
		Only("data.0", "url"),
		Match("data.0.url", ossLinkRE),
		linkExpires("data.0.url"),
		Type("timestamp", Integer),
		Type("duration", Integer),
		Type("organization", String),
		Type("applicationName", String),
	}
	return append(rs, instance(
		Match("uri", regexp.QuoteMeta("/"+in.Org+"/"+in.App+"/chatmessages/"+s.hour())+"$"),
		Eq("organization", in.Org),
		Eq("applicationName", in.App),
	)...)
}

// linkExpires wants the link's Expires to be the response's timestamp in
// seconds plus the 30-minute lifetime (the history page's example: its two
// values differ by exactly 1800 s).
func linkExpires(path string) Rule {
	want := "Expires = ⌊timestamp/1000⌋ + 1800"
	return Rule{Path: path, Want: want, check: func(ctx *checkCtx, v gjson.Result, p string) []Failure {
		exp, ok := queryInt(v.Str, "Expires")
		ts := ctx.doc.JSON.Get("timestamp")
		if !ok || ts.Type != gjson.Number {
			return []Failure{{Path: p, Expected: want, Observed: "no Expires or no timestamp"}}
		}
		if wantExp := ts.Int()/1000 + easemobLinkTTL; exp != wantExp {
			return []Failure{{Path: p, Expected: fmt.Sprintf("Expires=%d (%s)", wantExp, want), Observed: fmt.Sprintf("Expires=%d (%+d s)", exp, exp-wantExp)}}
		}
		return nil
	}}
}

func queryInt(u, name string) (int64, bool) {
	m := regexp.MustCompile(`[?&]` + regexp.QuoteMeta(name) + `=(\d+)`).FindStringSubmatch(u)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil
}

// easemobArchive downloads the archive and builds the checked document:
// {"gzip","ndjson","lines","span_ms","records":[…]}.
func easemobArchive(ctx context.Context, s *session) (*observed, string, error) {
	link := s.state["archive_url"]
	if link == "" {
		return nil, "", errors.New("no archive link: the chatmessages probe failed")
	}
	c := call{method: http.MethodGet, url: link}
	res, body, err := s.send(ctx, c)
	if err != nil {
		return nil, "", err
	}
	header := firstValues(res.Header)
	// How the object's integrity headers relate to the bytes received:
	// "match", "mismatch" or "absent".
	relate := func(name, got string) string {
		switch v := res.Header.Get(name); {
		case v == "":
			return "absent"
		case v == got:
			return "match"
		}
		return "mismatch"
	}
	doc := map[string]any{"gzip": false, "ndjson": false, "lines": 0, "span_ms": 0, "records": []json.RawMessage{},
		"content_length": relate("Content-Length", strconv.Itoa(len(body))),
		"crc64":          relate("X-Oss-Hash-Crc64ecma", strconv.FormatUint(crc64.Checksum(body, crc64.MakeTable(crc64.ECMA)), 10))}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err == nil {
		zr.Multistream(false)
		plain, rerr := io.ReadAll(zr)
		doc["gzip"] = rerr == nil
		records, nd := []json.RawMessage{}, true
		var lo, hi int64
		sc := bufio.NewScanner(bytes.NewReader(plain))
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			line := bytes.TrimRight(sc.Bytes(), "\r")
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			if !gjson.ValidBytes(line) || !gjson.ParseBytes(line).IsObject() {
				nd = false
				continue
			}
			records = append(records, json.RawMessage(bytes.Clone(line)))
			// The first access-restricted attachment, for the share-secret probe.
			if b := gjson.GetBytes(line, "payload.bodies.0"); s.state["restricted_url"] == "" && b.Get("secret").Str != "" && b.Get("url").Str != "" {
				s.state["restricted_url"], s.state["restricted_length"] = b.Get("url").Str, b.Get("file_length").Raw
				s.state["restricted_secret"] = b.Get("secret").Str
				s.secret(b.Get("secret").Str)
			}
			if ts := gjson.GetBytes(line, "timestamp"); ts.Type == gjson.Number {
				if lo == 0 || ts.Int() < lo {
					lo = ts.Int()
				}
				hi = max(hi, ts.Int())
			}
		}
		doc["ndjson"] = nd && sc.Err() == nil
		doc["lines"], doc["records"], doc["span_ms"] = len(records), records, hi-lo
	}
	return s.synthetic(c, res.StatusCode, header, doc), "", nil
}

func easemobArchiveRules(*session) []Rule {
	return []Rule{
		Status(200),
		// An OSS object's headers: the SDKs check a full download against
		// x-oss-hash-crc64ecma (aliyun-oss-go-sdk GetObjectToFileWithURL).
		Eq("content_length", "match"),
		Eq("crc64", "match"),
		Header("ETag", `^"[0-9A-F]{32}"$`),
		Header("Accept-Ranges", `^bytes$`),
		Header("Last-Modified", `GMT$`),
		Eq("gzip", true),
		Eq("ndjson", true),
		Len("records", 1, -1),
		Func("span_ms", "records within one hour (span < 3600000 ms)", func(v gjson.Result) (string, bool) {
			return v.Raw + " ms", v.Int() < 3600000
		}),
		Each("records", recordRules()...),
	}
}

// recordRules are one archive record (the history page's record example).
func recordRules() []Rule {
	return []Rule{
		Type("msg_id", String),
		Type("timestamp", Integer),
		Eq("direction", "outgoing"),
		Type("to", String),
		Type("from", String),
		OneOf("chat_type", "chat", "groupchat", "chatroom"),
		Type("payload", Object),
		Len("payload.bodies", 1, -1),
		Each("payload.bodies", bodyRules()...),
		Opt("payload.ext", Object),
		Type("payload.from", String),
		Type("payload.to", String),
	}
}

// bodyRules are one message body by type (the history page's body
// examples, kept in fixtures/vendor/easemob/body_*.json).
func bodyRules() []Rule {
	file := func(extra ...Rule) []Rule {
		return append([]Rule{Type("file_length", Integer), Type("filename", String), Opt("secret", String), Match("url", chatfilesRE)}, extra...)
	}
	size := []Rule{Type("size", Object), Type("size.height", Integer), Type("size.width", Integer)}
	return []Rule{
		Func("", "a type (or subType for combine)", func(v gjson.Result) (string, bool) {
			if v.Get("type").Type == gjson.String || v.Get("subType").Type == gjson.String {
				return "", true
			}
			return show(v), false
		}),
		Opt("type", String),
		When("type", "txt", Type("msg", String)),
		When("type", "img", file(size...)...),
		When("type", "audio", file(Type("length", Integer))...),
		When("type", "video", file(append(size, Type("length", Integer), Match("thumb", chatfilesRE), Opt("thumb_secret", String))...)...),
		When("type", "file", file()...),
		When("type", "loc", Type("addr", String), Type("lat", Number), Type("lng", Number)),
		When("type", "cmd", Type("action", String)),
		When("type", "custom", Type("customEvent", String), Opt("customExts", Array), Opt(`v2:customExts`, Object)),
		When("subType", "sub_combine", file(Type("combineLevel", Integer), Type("summary", String), Type("title", String))...),
	}
}

// easemobExpiry fetches the archive link once it has expired. Only a
// chatemu target can be made to wait 30 minutes: its clock is advanced past
// Expires through the control API and moved back afterwards.
func easemobExpiry(ctx context.Context, s *session) (*observed, string, error) {
	link := s.state["archive_url"]
	switch {
	case !s.chatemu:
		return nil, "a live link expires after 30 minutes; chatmessages checks Expires = ⌊timestamp/1000⌋ + 1800 instead", nil
	case s.cfg.NoClock:
		return nil, "--no-clock: chatemu's clock may not be moved", nil
	case link == "":
		return nil, "", errors.New("no archive link: the chatmessages probe failed")
	}
	exp, ok := queryInt(link, "Expires")
	ms, err := strconv.ParseInt(s.state["link_ms"], 10, 64)
	if !ok || err != nil {
		return nil, "", errors.New("the archive link has no Expires")
	}
	d := time.Duration(exp-ms/1000+60) * time.Second
	if err := s.advance(ctx, d); err != nil {
		return nil, "", err
	}
	obs, err := s.exchange(ctx, call{method: http.MethodGet, url: link})
	if rerr := s.advance(ctx, -d); err == nil && rerr != nil {
		err = rerr
	}
	if err != nil {
		return nil, "", err
	}
	s.state["expires"] = strconv.FormatInt(exp, 10)
	return obs, "", nil
}

func easemobExpiryRules(s *session) []Rule {
	rs := []Rule{
		Status(403),
		Header("Content-Type", `^application/xml`),
		Header("Server", `^AliyunOSS$`),
		Header("X-Oss-Request-Id", `.`),
		Eq("Error.Code", "AccessDenied"),
		Eq("Error.Message", "Request has expired."),
		Type("Error.RequestId", String),
		Type("Error.HostId", String),
		Match("Error.Expires", isoMillisRE),
		Match("Error.ServerTime", isoMillisRE),
		// "URL签名已过期" (https://help.aliyun.com/zh/oss/user-guide/0002-00000069).
		Eq("Error.EC", "0002-00000069"),
		Header("X-Oss-Ec", `^0002-00000069$`),
	}
	if exp, err := strconv.ParseInt(s.state["expires"], 10, 64); err == nil {
		rs = append(rs, instance(Eq("Error.Expires", time.Unix(exp, 0).UTC().Format("2006-01-02T15:04:05.000Z")))...)
	}
	return rs
}

// easemobEmptyHour asks for an archived hour in retention without
// messages: --empty-hour, or on chatemu the hour after its clock, with the
// clock moved 25 h past that hour (archived, in retention) and back.
func easemobEmptyHour(ctx context.Context, s *session) (*observed, string, error) {
	if h := s.cfg.Easemob.EmptyHour; h != "" {
		s.inputs["empty_hour"] = h
		s.state["empty_hour"] = h
		return s.chatmessages(ctx, h, "token")
	}
	switch {
	case !s.chatemu:
		return nil, "no --empty-hour: an hour in retention without traffic cannot be guessed on a live app", nil
	case s.cfg.NoClock:
		return nil, "no --empty-hour and --no-clock", nil
	}
	now, err := s.chatemuNow(ctx)
	if err != nil {
		return nil, "", err
	}
	start := now.Truncate(time.Hour).Add(time.Hour)
	h := start.In(s.zone()).Format(hourLayout)
	s.state["empty_hour"] = h
	d := start.Add(25 * time.Hour).Sub(now)
	if err := s.advance(ctx, d); err != nil {
		return nil, "", err
	}
	obs, skip, err := s.chatmessages(ctx, h, "token")
	if rerr := s.advance(ctx, -d); err == nil && rerr != nil {
		err = rerr
	}
	return obs, skip, err
}

// archiveDelay is when the page's example got its link: hour 2018112717
// (Beijing) ended at 18:00 and the answer's timestamp 1543314322601 is
// 18:25:22.601 +08:00 (message_historical.html). Asked a second later than
// that, any hour must be archived.
const archiveDelay = 25*time.Minute + 23*time.Second

// easemobArchiveDelay asks for the hour that ended archiveDelay (or up to
// 35 min more) ago. On chatemu the clock is moved to archiveDelay past the
// hour and back; elsewhere the probe runs only when the server's time is
// that far into an hour. The document is {"status","error","hour"}.
func easemobArchiveDelay(ctx context.Context, s *session) (*observed, string, error) {
	var now time.Time
	switch {
	case s.chatemu && s.cfg.NoClock:
		return nil, "--no-clock: chatemu's clock may not be moved", nil
	case s.chatemu:
		t, err := s.chatemuNow(ctx)
		if err != nil {
			return nil, "", err
		}
		now = t
	default:
		ms, err := strconv.ParseInt(s.state["server_ms"], 10, 64)
		if err != nil {
			return nil, "", errors.New("no server time: the bad-time probe failed")
		}
		now = time.UnixMilli(ms)
		if now.Sub(now.Truncate(time.Hour)) < archiveDelay {
			return nil, fmt.Sprintf("the server's time %s is less than %s into its hour; run again later in the hour", now.UTC().Format(time.RFC3339), archiveDelay), nil
		}
	}
	var d time.Duration
	if s.chatemu {
		d = now.Truncate(time.Hour).Add(archiveDelay).Sub(now)
		if d < 0 {
			d += time.Hour
		}
		if err := s.advance(ctx, d); err != nil {
			return nil, "", err
		}
	}
	// Beijing is a whole-hour offset: the UTC hour boundary is the cluster's.
	h := now.Add(d).Truncate(time.Hour).Add(-time.Hour).In(s.zone()).Format(hourLayout)
	obs, _, err := s.chatmessages(ctx, h, "token")
	if s.chatemu {
		if rerr := s.advance(ctx, -d); err == nil && rerr != nil {
			err = rerr
		}
	}
	if err != nil {
		return nil, "", err
	}
	doc := map[string]any{"status": obs.doc.Status, "error": obs.doc.JSON.Get("error").Str, "hour": h}
	in := s.cfg.Easemob
	return s.synthetic(call{method: http.MethodGet, url: "/" + in.Org + "/" + in.App + "/chatmessages/" + h}, obs.doc.Status, obs.doc.Header, doc), "", nil
}

func easemobArchiveDelayRules(*session) []Rule {
	return []Rule{
		Func("status", "HTTP 200 (archived) or 404 storage_object_not_found (archived, no messages), not 400 expired or unstored", func(v gjson.Result) (string, bool) {
			return "HTTP " + v.Raw, v.Int() == 200 || v.Int() == 404
		}),
		When("status", 404, Eq("error", "storage_object_not_found")),
	}
}

// easemobShareSecretQuery downloads the archive's first access-restricted
// attachment with its secret appended to the url, the form the upload page
// tells history consumers to use ("{{url}}?share-secret={{secret}}",
// message_upload_file.html). The document is {"bytes","file_length"}.
func easemobShareSecretQuery(ctx context.Context, s *session) (*observed, string, error) {
	u, secret := s.state["restricted_url"], s.state["restricted_secret"]
	switch {
	case s.state["token"] == "":
		return nil, "", errors.New("no app token: the token probe failed")
	case u == "":
		return nil, "the archive holds no access-restricted attachment", nil
	}
	c := call{method: http.MethodGet, url: u + "?share-secret=" + url.QueryEscape(secret),
		header: map[string]string{"Authorization": "Bearer " + s.state["token"]}}
	res, body, err := s.send(ctx, c)
	if err != nil {
		return nil, "", err
	}
	length, _ := strconv.Atoi(s.state["restricted_length"])
	header := firstValues(res.Header)
	return s.synthetic(c, res.StatusCode, header, map[string]any{"bytes": len(body), "file_length": length}), "", nil
}

func easemobShareSecretQueryRules(*session) []Rule {
	return []Rule{
		Status(200),
		{Path: "bytes", Want: "as many bytes as the record's file_length", check: func(ctx *checkCtx, v gjson.Result, p string) []Failure {
			if want := ctx.doc.JSON.Get("file_length"); v.Int() != want.Int() || !want.Exists() {
				return []Failure{{Path: p, Expected: "= file_length " + want.Raw, Observed: v.Raw}}
			}
			return nil
		}},
	}
}

// The overrides the archive-overrides probe signs into its link.
const (
	overrideType        = "text/plain"
	overrideDisposition = `attachment; filename="history.gz"`
)

// easemobArchiveOverrides re-signs the archive link with two response-*
// sub-resources, as an SDK holding the bucket's key does, and downloads it.
// Only chatemu's key can be read (GET /_chatemu/tenants); Easemob's is its
// own. The document is {"bytes"}.
func easemobArchiveOverrides(ctx context.Context, s *session) (*observed, string, error) {
	link := s.state["archive_url"]
	switch {
	case !s.chatemu:
		return nil, "signing needs the bucket's AccessKey secret, which is Easemob's", nil
	case link == "":
		return nil, "", errors.New("no archive link: the chatmessages probe failed")
	case s.state["oss_secret"] == "":
		return nil, "", errors.New("no OSS key for the app in /_chatemu/tenants")
	}
	u, err := url.Parse(link)
	if err != nil {
		return nil, "", err
	}
	bucket, object, ok := strings.Cut(strings.TrimPrefix(u.Path, "/_oss/"), "/")
	exp, okExp := queryInt(link, "Expires")
	if !ok || !okExp {
		return nil, "", fmt.Errorf("archive link %s is not /_oss/{bucket}/{object}?Expires=…", u.Path)
	}
	signed := sign.OSSPresign(http.MethodGet, u.Scheme+"://"+u.Host+"/_oss", bucket, object, s.state["oss_key_id"], s.state["oss_secret"],
		time.Unix(exp, 0), url.Values{"response-content-type": {overrideType}, "response-content-disposition": {overrideDisposition}})
	c := call{method: http.MethodGet, url: signed}
	res, body, err := s.send(ctx, c)
	if err != nil {
		return nil, "", err
	}
	header := firstValues(res.Header)
	return s.synthetic(c, res.StatusCode, header, map[string]any{"bytes": len(body)}), "", nil
}

func easemobArchiveOverridesRules(*session) []Rule {
	return []Rule{
		Status(200),
		Header("Content-Type", "^"+regexp.QuoteMeta(overrideType)+"$"),
		Header("Content-Disposition", "^"+regexp.QuoteMeta(overrideDisposition)+"$"),
		Func("bytes", "the archive's bytes", func(v gjson.Result) (string, bool) { return v.Raw + " bytes", v.Int() > 0 }),
	}
}

// easemobArchiveRange asks for the archive's first ten bytes. Range is not
// signed, so the link serves it as it is. The document is
// {"bytes","magic","content_range"}.
func easemobArchiveRange(ctx context.Context, s *session) (*observed, string, error) {
	link := s.state["archive_url"]
	if link == "" {
		return nil, "", errors.New("no archive link: the chatmessages probe failed")
	}
	c := call{method: http.MethodGet, url: link, header: map[string]string{"Range": "bytes=0-9"}}
	res, body, err := s.send(ctx, c)
	if err != nil {
		return nil, "", err
	}
	header := firstValues(res.Header)
	magic := len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b
	return s.synthetic(c, res.StatusCode, header, map[string]any{"bytes": len(body), "magic": magic, "content_range": res.Header.Get("Content-Range")}), "", nil
}

func easemobArchiveRangeRules(*session) []Rule {
	return []Rule{
		Status(206),
		Header("Content-Range", `^bytes 0-9/\d+$`),
		Header("Content-Length", `^10$`),
		Eq("bytes", 10),
		Eq("magic", true),
	}
}

// firstValues is a response's headers as the checked document holds them:
// each name's first value.
func firstValues(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = v[0]
	}
	return out
}
