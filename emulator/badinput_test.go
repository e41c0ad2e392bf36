package emulator_test

// The bad-input catalogue: every malformed request a buggy
// client can send, answered exactly as the vendor would. Each row drives a
// real HTTP server (emulator.New over the default scenario, clock frozen at
// the scenario's start) as a client does and asserts the exact status and
// body; bodies longer than a line live in testdata/badinput/NAME.golden,
// rewritten with -update. The answers are the README's fidelity notes.
//
// vendorAnswerProblem, the check that every answer is in its vendor's
// format and that no 5xx appears unless the vendor documents it, is shared
// with FuzzServer and the soak test.

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/yunxin"
	"github.com/chatemu/chatemu/internal/golden"
	"github.com/chatemu/chatemu/scenarios"
)

// badPublic is the catalogue's public URL and Host header: fixed, so that
// links and OSS's HostId are the same on every run whatever port the
// listener got.
const badPublic = "http://127.0.0.1:8080"

// badStart is the default scenario's clock.start, where the catalogue's
// clock stays.
var badStart = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// badRow is one catalogue entry.
type badRow struct {
	name   string
	method string
	target string // path and query, sent as is
	// header lines "Key: value"; a key given twice is sent twice. {TOKEN}
	// is replaced by a valid Easemob app token of chatemu/demo.
	header []string
	// yx adds valid Yunxin auth headers (AppKey, Nonce, CurTime,
	// CheckSum) before header; a header line for one of them replaces it,
	// and "Key:" with no value removes it.
	yx     bool
	body   string
	status int
	// want is the exact body; empty means the golden file
	// testdata/badinput/NAME.golden (status line, Content-Type, body).
	want string
	// binary bodies are compared by length and sha256 in the golden file.
	binary bool
}

// badServer is the catalogue's server: default scenario, frozen clock,
// public URL badPublic, behind a real listener.
type badServer struct {
	srv    *emulator.Server
	base   string // the listener's URL
	client *http.Client
	tr     *http.Transport
}

func startBadServer(t testing.TB) *badServer {
	t.Helper()
	spec, err := scenarios.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	spec.Frozen = true
	srv, err := emulator.New(emulator.Config{Spec: spec, PublicURL: badPublic, Now: badStart})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	tr := &http.Transport{}
	t.Cleanup(func() { tr.CloseIdleConnections(); hs.Close() })
	return &badServer{srv: srv, base: hs.URL, tr: tr, client: &http.Client{
		Transport: tr,
		// A redirect is an answer to assert, not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// send sends method target with header lines and body to the server, with
// Host badPublic's.
func (b *badServer) send(t testing.TB, method, target string, header http.Header, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, b.base+target, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	req.Host = strings.TrimPrefix(badPublic, "http://")
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, target, err)
	}
	return res, got
}

// token issues a chatemu/demo app token.
func (b *badServer) token(t testing.TB) string {
	t.Helper()
	res, body := b.send(t, "POST", "/chatemu/demo/token", http.Header{"Content-Type": {"application/json"}}, strings.NewReader(emTokenBody))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if res.StatusCode != 200 || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %s", res.StatusCode, body)
	}
	return tok.AccessToken
}

// yunxinAuth returns valid Yunxin auth headers of the default app, signed
// with the wall clock as clients sign.
func yunxinAuth(srv *emulator.Server) http.Header {
	cur := strconv.FormatInt(srv.Clock().WallNow().Unix(), 10)
	return http.Header{
		"Appkey":   {yxAppKey},
		"Nonce":    {"n0nce"},
		"Curtime":  {cur},
		"Checksum": {yunxin.CheckSum(yxSecret, "n0nce", cur)},
	}
}

// ossLink is the path and query of a link to object in bucket signed with
// the default app's OSS keys, expiring at exp.
func ossLink(bucket, object string, exp time.Time) string {
	return strings.TrimPrefix(sign.OSSURL(badPublic+"/_oss", bucket, object, emOSSKeyID, emOSSSecret, exp), badPublic)
}

// ossLinkRaw signs object but writes the path as rawPath (e.g. with %2F or
// ..), as a client that escapes differently would.
func ossLinkRaw(object, rawPath string, exp time.Time) string {
	link := ossLink(emBucket, object, exp)
	_, q, _ := strings.Cut(link, "?")
	return rawPath + "?" + q
}

// qiniuLink is the path and query of a Qiniu download of key, signed with
// the default client's keys, expiring at exp.
func qiniuLink(rawKey string, exp time.Time) string {
	return strings.TrimPrefix(sign.QiniuURL(badPublic+"/_qiniu/"+rawKey, qnAccessKey, qnSecretKey, exp), badPublic)
}

// Easemob error bodies at badStart (timestamp 1795168800000).
func emErr(code, exc, desc string) string {
	return `{"error":"` + code + `","timestamp":1795168800000,"duration":0,"exception":"` + exc + `","error_description":"` + desc + `"}`
}

const (
	excJSONParse   = "com.fasterxml.jackson.core.JsonParseException"
	excIllegalArg  = "java.lang.IllegalArgumentException"
	excWebApp      = "javax.ws.rs.WebApplicationException"
	excUnsupported = "org.apache.usergrid.services.exceptions.UnsupportedServiceOperationException"
	excSecurity    = "org.apache.usergrid.rest.exceptions.SecurityException"
	excOAuth       = "org.apache.oltu.oauth2.common.exception.OAuthProblemException"
)

var (
	emJSONParse   = emErr("json_parse", excJSONParse, "Unexpected character in request body: not valid JSON")
	emUnsupported = emErr("unsupported_service_operation", excUnsupported, "Service operation not supported")
	emUnknownAPI  = emErr("web_application", excWebApp, "javax.ws.rs.WebApplicationException")
	emMedia       = emErr("web_application", excWebApp, "Unsupported Media Type")
	emNoToken     = emErr("unauthorized", excSecurity, "Unable to authenticate due to expired access token")
	emCorrupt     = emErr("auth_bad_access_token", excSecurity, "Unable to authenticate due to corrupt access token")
	emBadTTL      = emErr("illegal_argument", excIllegalArg, "ttl must be a non-negative number of seconds")
	emNoGrant     = emErr("illegal_argument", excIllegalArg, "grant_type must be provided")
)

func emBadTime(tm string) string {
	return emErr("illegal_argument", excIllegalArg, "illegal arguments: appkey: chatemu#demo, time: "+tm)
}

// Yunxin bodies.
func yx(code int, msg string) string {
	return `{"code":` + strconv.Itoa(code) + `,"msg":"` + msg + `","data":{}}`
}

var (
	yxParam    = yx(414, "parameter error")
	yxAppKeyE  = yx(414, "appkey")
	yxCurTime  = yx(414, "CurTime is expired")
	yxCheckSum = yx(414, "checksum")
)

// Op error bodies at badStart (Beijing 18:00:00).
func opErr(code int, msg string) string {
	return `{"code":` + strconv.Itoa(code) + `,"message":"` + msg + `","data":null,"page":null,"foot":{"operationTime":"2026-11-20 18:00:00","servicePhone":"400800400","host":"chatemu"}}`
}

func opParam(msg string) string { return opErr(400, "参数错误: "+msg) }

func ctl(msg string) string { return `{"error":` + strconv.Quote(msg) + "}\n" }

// The archive hour used throughout: 2026112016 Beijing = 08:00 UTC, archived
// at 10:00 UTC (archive_delay 1h), holding the literal messages.
const (
	hourOK     = "2026112016"
	archiveKey = "history/chatemu/demo/" + hourOK + ".gz"
	yxPath     = "/im/v2/chatrooms/10001/messages"
	opPath     = "/op/v2/userMessageList"
	opBodyOK   = `{"userId":"alice","pageNum":1,"pageSize":1}`
)

var (
	ossPath  = "/_oss/" + emBucket + "/" + archiveKey
	opTarget = opPath + "?" + opQuery
)

func badRows() []badRow {
	valid := badStart.Add(30 * time.Minute) // links valid for the catalogue's frozen clock
	past := badStart.Add(-time.Second)
	big := strings.Repeat(" ", 1<<20) // with a JSON object after it: over 1 MiB
	jsonCT := "Content-Type: application/json"
	bearer := "Authorization: Bearer {TOKEN}"
	rows := []badRow{
		// ---- Easemob token: POST /{org}/{app}/token ----
		{name: "em_token_ok", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: emTokenBody, status: 200},
		{name: "em_token_malformed_json", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: `{"grant_type":`, status: 400, want: emJSONParse},
		{name: "em_token_not_json", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: `grant_type=client_credentials`, status: 400, want: emJSONParse},
		{name: "em_token_empty_body", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, status: 400, want: emJSONParse},
		{name: "em_token_array_body", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: `[]`, status: 400, want: emJSONParse},
		{name: "em_token_null_body", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: `null`, status: 400, want: emNoGrant},
		{name: "em_token_trailing_data", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: emTokenBody + `{}`, status: 400, want: emJSONParse},
		{name: "em_token_grant_wrong_type", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: `{"grant_type":1,"client_id":"a","client_secret":"b"}`, status: 400, want: emJSONParse},
		{name: "em_token_client_id_object", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: `{"grant_type":"client_credentials","client_id":{},"client_secret":"b"}`, status: 400, want: emJSONParse},
		{name: "em_token_ttl_negative", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: `{"grant_type":"client_credentials","client_id":"a","client_secret":"b","ttl":-1}`, status: 400, want: emBadTTL},
		{name: "em_token_ttl_fraction", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: `{"grant_type":"client_credentials","client_id":"a","client_secret":"b","ttl":1.5}`, status: 400, want: emBadTTL},
		{name: "em_token_ttl_nan", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: `{"grant_type":"client_credentials","client_id":"a","client_secret":"b","ttl":"NaN"}`, status: 400, want: emBadTTL},
		{name: "em_token_ttl_object", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: `{"grant_type":"client_credentials","client_id":"a","client_secret":"b","ttl":{}}`, status: 400, want: emBadTTL},
		// ttl 2^63 and 1e300 are capped at 100 years, not overflowed.
		{name: "em_token_ttl_2pow63", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: strings.TrimSuffix(emTokenBody, "}") + `,"ttl":9223372036854775808}`, status: 200},
		{name: "em_token_ttl_1e300", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: strings.TrimSuffix(emTokenBody, "}") + `,"ttl":"1e300"}`, status: 200},
		{name: "em_token_oversized", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: big + emTokenBody, status: 400, want: emJSONParse},
		{name: "em_token_invalid_utf8", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: "{\"grant_type\":\"client_credentials\",\"client_id\":\"\xff\xfe\",\"client_secret\":\"x\"}", status: 400,
			want: emErr("invalid_grant", excOAuth, "client_id does not match")},
		{name: "em_token_unknown_grant_invalid_utf8", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: "{\"grant_type\":\"pass\xffword\"}", status: 400,
			want: emErr("unsupported_grant_type", excOAuth, "unsupported grant_type: pass\uFFFDword")},
		{name: "em_token_duplicate_key_last_wins", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT}, body: `{"grant_type":"password","grant_type":"client_credentials","client_id":"` + emClientID + `","client_secret":"` + emClientSecret + `"}`, status: 200},
		{name: "em_token_content_type_text", method: "POST", target: "/chatemu/demo/token", header: []string{"Content-Type: text/plain"}, body: emTokenBody, status: 415, want: emMedia},
		{name: "em_token_content_type_form", method: "POST", target: "/chatemu/demo/token", header: []string{"Content-Type: application/x-www-form-urlencoded"}, body: "grant_type=client_credentials", status: 415, want: emMedia},
		{name: "em_token_content_type_malformed", method: "POST", target: "/chatemu/demo/token", header: []string{"Content-Type: application/json; charset"}, body: emTokenBody, status: 415, want: emMedia},
		{name: "em_token_content_type_charset_case", method: "POST", target: "/chatemu/demo/token", header: []string{"Content-Type: Application/JSON;charset=UTF-8"}, body: emTokenBody, status: 200},
		// Repeated headers: the first wins (Servlet getHeader).
		{name: "em_token_content_type_repeated", method: "POST", target: "/chatemu/demo/token", header: []string{jsonCT, "Content-Type: text/plain"}, body: emTokenBody, status: 200},
		{name: "em_token_content_type_repeated_bad_first", method: "POST", target: "/chatemu/demo/token", header: []string{"Content-Type: text/plain", jsonCT}, body: emTokenBody, status: 415, want: emMedia},
		{name: "em_token_get", method: "GET", target: "/chatemu/demo/token", status: 500, want: emUnsupported},
		{name: "em_token_put", method: "PUT", target: "/chatemu/demo/token", header: []string{jsonCT}, body: emTokenBody, status: 500, want: emUnsupported},
		{name: "em_token_unknown_method", method: "BREW", target: "/chatemu/demo/token", status: 500, want: emUnsupported},
		{name: "em_token_unknown_app", method: "POST", target: "/chatemu/nope/token", header: []string{jsonCT}, body: emTokenBody, status: 404,
			want: emErr("organization_application_not_found", "org.apache.usergrid.rest.exceptions.OrganizationApplicationNotFoundException", "Could not find application for chatemu/nope from URI: chatemu/nope/token")},

		// ---- Easemob chatmessages: GET /{org}/{app}/chatmessages/{time} ----
		{name: "em_chatmessages_ok", method: "GET", target: "/chatemu/demo/chatmessages/" + hourOK, header: []string{bearer}, status: 200},
		{name: "em_chatmessages_no_token", method: "GET", target: "/chatemu/demo/chatmessages/" + hourOK, status: 401, want: emNoToken},
		{name: "em_chatmessages_basic_auth", method: "GET", target: "/chatemu/demo/chatmessages/" + hourOK, header: []string{"Authorization: Basic YTpi"}, status: 401, want: emNoToken},
		{name: "em_chatmessages_bearer_empty", method: "GET", target: "/chatemu/demo/chatmessages/" + hourOK, header: []string{"Authorization: Bearer "}, status: 401, want: emNoToken},
		{name: "em_chatmessages_corrupt_token", method: "GET", target: "/chatemu/demo/chatmessages/" + hourOK, header: []string{"Authorization: Bearer YWMt\xff\xfe"}, status: 401, want: emCorrupt},
		{name: "em_chatmessages_authorization_repeated", method: "GET", target: "/chatemu/demo/chatmessages/" + hourOK, header: []string{bearer, "Authorization: Bearer garbage"}, status: 200},
		{name: "em_chatmessages_authorization_repeated_bad_first", method: "GET", target: "/chatemu/demo/chatmessages/" + hourOK, header: []string{"Authorization: Bearer garbage", bearer}, status: 401, want: emCorrupt},
		{name: "em_chatmessages_time_2pow63", method: "GET", target: "/chatemu/demo/chatmessages/9223372036854775808", header: []string{bearer}, status: 400, want: emBadTime("9223372036854775808")},
		{name: "em_chatmessages_time_negative", method: "GET", target: "/chatemu/demo/chatmessages/-202611201", header: []string{bearer}, status: 400, want: emBadTime("-202611201")},
		{name: "em_chatmessages_time_hour_24", method: "GET", target: "/chatemu/demo/chatmessages/2026112024", header: []string{bearer}, status: 400, want: emBadTime("2026112024")},
		{name: "em_chatmessages_time_invalid_utf8", method: "GET", target: "/chatemu/demo/chatmessages/%FF%FE", header: []string{bearer}, status: 400, want: emBadTime("\uFFFD\uFFFD")},
		{name: "em_chatmessages_time_json_escape", method: "GET", target: "/chatemu/demo/chatmessages/%22%5C%0A", header: []string{bearer}, status: 400, want: emBadTime(`\"\\\n`)},
		// %2F decodes to a path of another shape: no API there.
		{name: "em_chatmessages_time_encoded_slash", method: "GET", target: "/chatemu/demo/chatmessages/2026%2F112016", header: []string{bearer}, status: 500, want: emUnknownAPI},
		{name: "em_chatmessages_query_ignored", method: "GET", target: "/chatemu/demo/chatmessages/" + hourOK + "?time=1&time=2", header: []string{bearer}, status: 200},
		{name: "em_chatmessages_post", method: "POST", target: "/chatemu/demo/chatmessages/" + hourOK, header: []string{bearer, jsonCT}, body: `{}`, status: 500, want: emUnsupported},
		{name: "em_chatmessages_delete", method: "DELETE", target: "/chatemu/demo/chatmessages/" + hourOK, header: []string{bearer}, status: 500, want: emUnsupported},
		{name: "em_chatmessages_head", method: "HEAD", target: "/chatemu/demo/chatmessages/" + hourOK, header: []string{bearer}, status: 500, want: ""},

		// ---- Easemob chatfiles and unknown APIs ----
		{name: "em_chatfiles_unknown", method: "GET", target: "/chatemu/demo/chatfiles/00000000-0000-0000-0000-000000000000", status: 404,
			want: emErr("entity_not_found", "org.apache.usergrid.persistence.exceptions.EntityNotFoundException", "file may not exists")},
		{name: "em_chatfiles_post", method: "POST", target: "/chatemu/demo/chatfiles/00000000-0000-0000-0000-000000000000", status: 500, want: emUnsupported},
		{name: "em_chatfiles_traversal", method: "GET", target: "/chatemu/demo/chatfiles/..%2F..%2F..%2Fetc%2Fpasswd", status: 500, want: emUnknownAPI},
		{name: "em_chatfiles_dot_dot", method: "GET", target: "/chatemu/demo/chatfiles/../token", status: 500, want: emUnknownAPI},
		{name: "em_double_slash", method: "POST", target: "//chatemu/demo/token", header: []string{jsonCT}, body: emTokenBody, status: 404, want: "404 page not found\n"},
		{name: "em_unknown_api", method: "GET", target: "/chatemu/demo/users", status: 500, want: emUnknownAPI},
		{name: "em_unknown_api_method", method: "PATCH", target: "/chatemu/demo/users/alice", status: 500, want: emUnknownAPI},
		{name: "em_unknown_org_app", method: "GET", target: "/nope/nope/users", status: 404,
			want: emErr("organization_application_not_found", "org.apache.usergrid.rest.exceptions.OrganizationApplicationNotFoundException", "Could not find application for nope/nope from URI: nope/nope/users")},
		{name: "em_unknown_org_app_invalid_utf8", method: "GET", target: "/%FF/app/users", status: 404,
			want: emErr("organization_application_not_found", "org.apache.usergrid.rest.exceptions.OrganizationApplicationNotFoundException", "Could not find application for \uFFFD/app from URI: \uFFFD/app/users")},
		{name: "no_api_short_path", method: "GET", target: "/chatemu/demo", status: 404, want: "404 page not found\n"},

		// ---- OSS archive download: GET /_oss/{bucket}/{object} ----
		{name: "oss_ok", method: "GET", target: ossLink(emBucket, archiveKey, valid), status: 200, binary: true},
		{name: "oss_no_params", method: "GET", target: ossPath, status: 403},
		{name: "oss_no_signature", method: "GET", target: ossPath + "?Expires=1795170600&OSSAccessKeyId=" + emOSSKeyID, status: 403},
		{name: "oss_empty_expires", method: "GET", target: ossPath + "?Expires=&OSSAccessKeyId=" + emOSSKeyID + "&Signature=x", status: 403},
		{name: "oss_expires_not_number", method: "GET", target: ossPath + "?Expires=abc&OSSAccessKeyId=" + emOSSKeyID + "&Signature=x", status: 400},
		{name: "oss_expires_2pow63", method: "GET", target: ossPath + "?Expires=9223372036854775808&OSSAccessKeyId=" + emOSSKeyID + "&Signature=x", status: 400},
		{name: "oss_expires_negative", method: "GET", target: ossPath + "?Expires=-1&OSSAccessKeyId=" + emOSSKeyID + "&Signature=x", status: 400},
		{name: "oss_expired", method: "GET", target: ossLink(emBucket, archiveKey, past), status: 403},
		{name: "oss_unknown_key_id", method: "GET", target: strings.Replace(ossLink(emBucket, archiveKey, valid), emOSSKeyID, "LTAInope", 1), status: 403},
		{name: "oss_signature_plus_unescaped", method: "GET", target: ossPath + "?Expires=1795170600&OSSAccessKeyId=" + emOSSKeyID + "&Signature=a+b=", status: 403},
		// Duplicated auth parameters: the first wins (developer.aliyun.com/ask/210565).
		{name: "oss_duplicate_expires_first_valid", method: "GET", target: ossLink(emBucket, archiveKey, valid) + "&Expires=abc", status: 200, binary: true},
		{name: "oss_duplicate_expires_first_bad", method: "GET", target: strings.Replace(ossLink(emBucket, archiveKey, valid), "?", "?Expires=abc&", 1), status: 400},
		{name: "oss_duplicate_signature_first_wrong", method: "GET", target: strings.Replace(ossLink(emBucket, archiveKey, valid), "?", "?Signature=wrong&", 1), status: 403},
		{name: "oss_encoded_slashes", method: "GET", target: ossLinkRaw(archiveKey, "/_oss/"+emBucket+"/history%2Fchatemu%2Fdemo%2F"+hourOK+".gz", valid), status: 200, binary: true},
		// A key is literal: ".." is part of the name, so a well-signed link
		// to it finds no object (OSS does not resolve dot segments).
		{name: "oss_traversal_key", method: "GET", target: ossLinkRaw("history/chatemu/demo/../demo/"+hourOK+".gz", "/_oss/"+emBucket+"/history/chatemu/demo/../demo/"+hourOK+".gz", valid), status: 404},
		{name: "oss_traversal_encoded", method: "GET", target: ossLinkRaw("history/chatemu/quiet/../demo/"+hourOK+".gz", "/_oss/"+emBucket+"/history%2Fchatemu%2Fquiet%2F..%2Fdemo%2F"+hourOK+".gz", valid), status: 404},
		{name: "oss_key_invalid_utf8", method: "GET", target: ossLinkRaw("history/\xff.gz", "/_oss/"+emBucket+"/history/%FF.gz", valid), status: 404},
		{name: "oss_unknown_bucket", method: "GET", target: ossLink("nope-bucket", archiveKey, valid), status: 404},
		{name: "oss_tampered_key", method: "GET", target: ossLinkRaw(archiveKey, "/_oss/"+emBucket+"/history/chatemu/demo/2026112015.gz", valid), status: 403},
		{name: "oss_post", method: "POST", target: ossLink(emBucket, archiveKey, valid), status: 403},
		{name: "oss_sub_resource", method: "GET", target: ossLink(emBucket, archiveKey, valid) + "&response-content-type=text%2Fplain", status: 403},

		// ---- Yunxin: GET /im/v2/chatrooms/{room_id}/messages ----
		{name: "yx_ok", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, status: 200},
		{name: "yx_no_headers", method: "GET", target: yxPath + "?sender_id=amy&limit=1", status: 200, want: yxAppKeyE},
		{name: "yx_unknown_appkey", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, header: []string{"AppKey: nope"}, status: 200, want: yxAppKeyE},
		{name: "yx_appkey_repeated", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, header: []string{"AppKey: " + yxAppKey, "AppKey: nope"}, status: 200},
		{name: "yx_curtime_missing", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, header: []string{"CurTime:"}, status: 200, want: yxCurTime},
		{name: "yx_curtime_not_number", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, header: []string{"CurTime: soon"}, status: 200, want: yxCurTime},
		{name: "yx_curtime_2pow63", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, header: []string{"CurTime: 9223372036854775808"}, status: 200, want: yxCurTime},
		{name: "yx_curtime_max_int64", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, header: []string{"CurTime: 9223372036854775807"}, status: 200, want: yxCurTime},
		{name: "yx_curtime_min_int64", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, header: []string{"CurTime: -9223372036854775808"}, status: 200, want: yxCurTime},
		{name: "yx_nonce_missing", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, header: []string{"Nonce:"}, status: 200, want: yxCheckSum},
		{name: "yx_nonce_too_long", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, header: []string{"Nonce: " + strings.Repeat("n", 129)}, status: 200, want: yxCheckSum},
		{name: "yx_checksum_missing", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, header: []string{"CheckSum:"}, status: 200, want: yxCheckSum},
		{name: "yx_checksum_wrong", method: "GET", target: yxPath + "?sender_id=amy&limit=1", yx: true, header: []string{"CheckSum: 0000000000000000000000000000000000000000"}, status: 200, want: yxCheckSum},
		{name: "yx_limit_missing", method: "GET", target: yxPath + "?sender_id=amy", yx: true, status: 200, want: yxParam},
		{name: "yx_limit_negative", method: "GET", target: yxPath + "?sender_id=amy&limit=-1", yx: true, status: 200, want: yxParam},
		{name: "yx_limit_zero", method: "GET", target: yxPath + "?sender_id=amy&limit=0", yx: true, status: 200, want: yxParam},
		{name: "yx_limit_101", method: "GET", target: yxPath + "?sender_id=amy&limit=101", yx: true, status: 200, want: yxParam},
		{name: "yx_limit_2pow63", method: "GET", target: yxPath + "?sender_id=amy&limit=9223372036854775808", yx: true, status: 200, want: yxParam},
		{name: "yx_limit_fraction", method: "GET", target: yxPath + "?sender_id=amy&limit=1.5", yx: true, status: 200, want: yxParam},
		{name: "yx_limit_duplicate", method: "GET", target: yxPath + "?sender_id=amy&limit=1&limit=2", yx: true, status: 200, want: yxParam},
		{name: "yx_unknown_param", method: "GET", target: yxPath + "?sender_id=amy&limit=1&start_time=0", yx: true, status: 200, want: yxParam},
		{name: "yx_query_bad_escape", method: "GET", target: yxPath + "?sender_id=amy%zz&limit=1", yx: true, status: 200, want: yxParam},
		{name: "yx_sender_missing", method: "GET", target: yxPath + "?limit=1", yx: true, status: 200, want: yxParam},
		{name: "yx_sender_invalid_utf8", method: "GET", target: yxPath + "?sender_id=%FF&limit=1", yx: true, status: 200, want: yx(102404, "account not exist")},
		{name: "yx_message_type_empty_element", method: "GET", target: yxPath + "?sender_id=amy&limit=1&message_type=0,,1", yx: true, status: 200, want: yxParam},
		{name: "yx_message_type_unknown", method: "GET", target: yxPath + "?sender_id=amy&limit=1&message_type=64", yx: true, status: 200, want: yxParam},
		{name: "yx_message_type_both_spellings", method: "GET", target: yxPath + "?sender_id=amy&limit=1&message_type=0&message_types=0", yx: true, status: 200, want: yxParam},
		{name: "yx_descending_upper", method: "GET", target: yxPath + "?sender_id=amy&limit=1&descending=TRUE", yx: true, status: 200, want: yxParam},
		{name: "yx_page_token_garbage", method: "GET", target: yxPath + "?sender_id=amy&limit=1&page_token=%FF%00", yx: true, status: 200, want: yxParam},
		{name: "yx_page_token_space", method: "GET", target: yxPath + "?sender_id=amy&limit=1&page_token=AQAAAaH4+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D%3D", yx: true, status: 200, want: yxParam},
		{name: "yx_page_token_forged", method: "GET", target: yxPath + "?sender_id=amy&limit=1&page_token=AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D%3D", yx: true, status: 200, want: yxParam},
		{name: "yx_room_not_number", method: "GET", target: "/im/v2/chatrooms/abc/messages?sender_id=amy&limit=1", yx: true, status: 200, want: yxParam},
		{name: "yx_room_2pow63", method: "GET", target: "/im/v2/chatrooms/9223372036854775808/messages?sender_id=amy&limit=1", yx: true, status: 200, want: yxParam},
		{name: "yx_room_negative", method: "GET", target: "/im/v2/chatrooms/-1/messages?sender_id=amy&limit=1", yx: true, status: 200, want: yx(113404, "chatroom not exist")},
		{name: "yx_room_closed", method: "GET", target: "/im/v2/chatrooms/10003/messages?sender_id=eve&limit=1", yx: true, status: 200, want: yx(113406, "chatroom closed")},
		// Bad auth wins over bad parameters.
		{name: "yx_bad_auth_and_params", method: "GET", target: "/im/v2/chatrooms/abc/messages?limit=-1", yx: true, header: []string{"CheckSum: x"}, status: 200, want: yxCheckSum},
		{name: "yx_post", method: "POST", target: yxPath + "?sender_id=amy&limit=1", yx: true, status: 405, want: yx(405, "method not allowed")},
		{name: "yx_unknown_path", method: "GET", target: "/im/v2/chatrooms/10001/members", yx: true, status: 404, want: yx(404, "not found")},
		{name: "yx_traversal", method: "GET", target: "/nimserver/im/v2/../../op/v2/userMessageList", status: 404, want: yx(404, "not found")},
		{name: "nos_unknown_file", method: "GET", target: "/_nos/" + yxAppKey + "/nope.png", status: 404},
		{name: "nos_traversal_encoded", method: "GET", target: "/_nos/" + yxAppKey + "/..%2F..%2Fetc%2Fpasswd", status: 404},
		{name: "nos_key_invalid_utf8", method: "GET", target: "/_nos/" + yxAppKey + "/%FF%3C.png", status: 404},
		{name: "nos_nested_key", method: "GET", target: "/_nos/" + yxAppKey + "/a/b.png", status: 404},
		{name: "nos_post", method: "POST", target: "/_nos/" + yxAppKey + "/x.png", status: 405},

		// ---- Op API: POST /op/v2/userMessageList ----
		{name: "op_ok", method: "POST", target: opTarget, header: []string{jsonCT}, body: opBodyOK, status: 200},
		{name: "op_get", method: "GET", target: opTarget, status: 200, want: opErr(405, "不支持的请求方法")},
		{name: "op_unknown_method", method: "BREW", target: opTarget, body: opBodyOK, status: 200, want: opErr(405, "不支持的请求方法")},
		{name: "op_query_bad_escape", method: "POST", target: opPath + "?client=%zz", body: opBodyOK, status: 200, want: opParam("查询参数编码错误")},
		{name: "op_query_duplicate", method: "POST", target: opTarget + "&client=chatemu-op", body: opBodyOK, status: 200, want: opParam("参数重复 client")},
		{name: "op_query_unknown", method: "POST", target: opTarget + "&pageNum=1", body: opBodyOK, status: 200, want: opParam("不支持的参数 pageNum")},
		{name: "op_api_version", method: "POST", target: strings.Replace(opTarget, "apiVersion=01", "apiVersion=02", 1), body: opBodyOK, status: 200, want: opParam("apiVersion不支持")},
		{name: "op_client_missing", method: "POST", target: opPath + "?token=x", body: opBodyOK, status: 200, want: opErr(401, "client无效")},
		{name: "op_token_wrong", method: "POST", target: strings.Replace(opTarget, "token="+opToken, "token=x", 1), body: opBodyOK, status: 200, want: opErr(401, "token无效")},
		{name: "op_body_empty", method: "POST", target: opTarget, status: 200, want: opParam("请求体不能为空")},
		{name: "op_body_null", method: "POST", target: opTarget, body: "null", status: 200, want: opParam("请求体不是合法的JSON对象")},
		{name: "op_body_array", method: "POST", target: opTarget, body: "[]", status: 200, want: opParam("请求体不是合法的JSON对象")},
		{name: "op_body_malformed", method: "POST", target: opTarget, body: `{"userId":`, status: 200, want: opParam("请求体不是合法的JSON对象")},
		{name: "op_body_trailing", method: "POST", target: opTarget, body: opBodyOK + "{}", status: 200, want: opParam("请求体不是合法的JSON对象")},
		{name: "op_body_oversized", method: "POST", target: opTarget, body: big + opBodyOK, status: 200, want: opErr(413, "请求体过大")},
		{name: "op_body_invalid_utf8_user", method: "POST", target: opTarget, body: "{\"userId\":\"\xff\",\"pageNum\":1,\"pageSize\":1}", status: 200, want: opErr(404, "用户不存在")},
		{name: "op_field_unknown", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":1,"pageSize":1,"createTime":"2026-11-20 10:00:00"}`, status: 200, want: opParam("不支持的字段 createTime")},
		{name: "op_user_object", method: "POST", target: opTarget, body: `{"userId":{},"pageNum":1,"pageSize":1}`, status: 200, want: opParam("userId类型错误")},
		{name: "op_user_empty", method: "POST", target: opTarget, body: `{"userId":"","pageNum":1,"pageSize":1}`, status: 200, want: opParam("userId不能为空")},
		{name: "op_page_num_2pow63", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":9223372036854775808,"pageSize":1}`, status: 200, want: opParam("pageNum类型错误")},
		{name: "op_page_num_int32_overflow", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":2147483648,"pageSize":1}`, status: 200, want: opParam("pageNum类型错误")},
		{name: "op_page_num_max_int32", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":2147483647,"pageSize":1}`, status: 200},
		{name: "op_page_num_negative", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":-1,"pageSize":1}`, status: 200, want: opParam("pageNum必须大于等于1")},
		{name: "op_page_num_fraction", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":1.5,"pageSize":1}`, status: 200, want: opParam("pageNum类型错误")},
		{name: "op_page_num_exponent", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":1e2,"pageSize":1}`, status: 200, want: opParam("pageNum类型错误")},
		{name: "op_page_num_bool", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":true,"pageSize":1}`, status: 200, want: opParam("pageNum类型错误")},
		{name: "op_page_num_missing_is_1", method: "POST", target: opTarget, body: `{"userId":"alice","pageSize":1}`, status: 200},
		{name: "op_page_size_negative", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":1,"pageSize":-1}`, status: 200, want: opParam("pageSize必须在1到1000之间")},
		{name: "op_page_size_1001", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":1,"pageSize":1001}`, status: 200, want: opParam("pageSize必须在1到1000之间")},
		{name: "op_need_mark_number", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":1,"pageSize":1,"needMark":1}`, status: 200, want: opParam("needMark类型错误")},
		{name: "op_action_lower", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":1,"pageSize":1,"action":"init"}`, status: 200, want: opParam("action取值错误，应为INIT、MORE或NEW")},
		{name: "op_creat_time_impossible", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":1,"pageSize":1,"action":"MORE","creatTime":"2026-02-30 10:00:00"}`, status: 200, want: opParam("creatTime格式错误，应为yyyy-MM-dd HH:mm:ss.S")},
		{name: "op_creat_time_number", method: "POST", target: opTarget, body: `{"userId":"alice","pageNum":1,"pageSize":1,"action":"MORE","creatTime":1795168800000}`, status: 200, want: opParam("creatTime格式错误，应为yyyy-MM-dd HH:mm:ss.S")},
		{name: "op_duplicate_key_last_wins", method: "POST", target: opTarget, body: `{"userId":"nobody","userId":"alice","pageNum":1,"pageSize":1}`, status: 200},
		{name: "op_content_type_ignored", method: "POST", target: opTarget, header: []string{"Content-Type: text/plain"}, body: opBodyOK, status: 200},
		{name: "op_unknown_path", method: "POST", target: "/op/v2/userMessageLis?" + opQuery, body: opBodyOK, status: 200, want: opErr(404, "接口不存在")},
		{name: "op_unknown_user", method: "POST", target: opTarget, body: `{"userId":"nobody","pageNum":1,"pageSize":1}`, status: 200, want: opErr(404, "用户不存在")},

		// ---- Qiniu download: GET /_qiniu/{key} ----
		{name: "qiniu_no_token", method: "GET", target: "/_qiniu/x.jpg?e=1795172400", status: 401, want: sign.QiniuBodyTokenMissing},
		{name: "qiniu_token_malformed", method: "GET", target: "/_qiniu/x.jpg?e=1795172400&token=nocolon", status: 401, want: sign.QiniuBodyAuthFailed},
		{name: "qiniu_e_not_number", method: "GET", target: strings.Replace(qiniuLink("x.jpg", valid), "e=1795170600", "e=abc", 1), status: 401, want: sign.QiniuBodyAuthFailed},
		{name: "qiniu_expired", method: "GET", target: qiniuLink("x.jpg", past), status: 401, want: sign.QiniuBodyExpired},
		{name: "qiniu_unknown_key", method: "GET", target: qiniuLink("x.jpg", valid), status: 404, want: `{"error":"no such file or directory"}`},
		{name: "qiniu_traversal", method: "GET", target: qiniuLink("..%2F..%2Fetc%2Fpasswd", valid), status: 404, want: `{"error":"no such file or directory"}`},
		{name: "qiniu_post", method: "POST", target: qiniuLink("x.jpg", valid), status: 405, want: `{"error":"method not allowed"}`},

		// ---- Control API: /_chatemu/ ----
		{name: "ctl_clock_malformed", method: "POST", target: "/_chatemu/clock", body: `{"advance":`, status: 400, want: ctl("request body: truncated JSON")},
		{name: "ctl_clock_wrong_type", method: "POST", target: "/_chatemu/clock", body: `{"advance":5}`, status: 400, want: ctl("advance: want a string, got JSON number")},
		{name: "ctl_clock_two_fields", method: "POST", target: "/_chatemu/clock", body: `{"advance":"1h","frozen":true}`, status: 400, want: ctl(`want exactly one of "set", "advance", "frozen", got 2`)},
		{name: "ctl_clock_huge_duration", method: "POST", target: "/_chatemu/clock", body: `{"advance":"9223372036854775807h"}`, status: 400, want: ctl(`advance: want a duration such as "90m" or "36h", got "9223372036854775807h"`)},
		{name: "ctl_clock_empty", method: "POST", target: "/_chatemu/clock", status: 400, want: ctl("request body: empty, want a JSON object")},
		{name: "ctl_clock_oversized", method: "POST", target: "/_chatemu/clock", body: big + `{"frozen":true}`, status: 413, want: ctl("request body larger than 1048576 bytes")},
		{name: "ctl_clock_put", method: "PUT", target: "/_chatemu/clock", status: 405, want: ctl("method not allowed")},
		{name: "ctl_messages_unknown_tenant", method: "POST", target: "/_chatemu/messages", body: `{"tenant":"easemob:no/pe","messages":[{"from":"a","to":"b","type":"txt","msg":"x"}]}`, status: 404,
			want: ctl(`messages[0].tenant: unknown tenant "easemob:no/pe" (GET /_chatemu/tenants lists them)`)},
		{name: "ctl_messages_invalid_utf8", method: "POST", target: "/_chatemu/messages", body: "{\"tenant\":\"easemob:chatemu/demo\",\"messages\":[{\"from\":\"\xff\",\"to\":\"bob\",\"type\":\"txt\",\"msg\":\"x\"}]}", status: 400},
		{name: "ctl_messages_wrong_type", method: "POST", target: "/_chatemu/messages", body: `{"tenant":"easemob:chatemu/demo","messages":{}}`, status: 400, want: ctl("messages: want an array, got JSON object")},
		{name: "ctl_unknown_route", method: "GET", target: "/_chatemu/nope", status: 404, want: ctl("no control route /_chatemu/nope")},
	}
	return rows
}

// TestBadInputCatalogue runs every row against one server, reset before
// each row so that rows do not see each other's tokens or counters.
func TestBadInputCatalogue(t *testing.T) {
	b := startBadServer(t)
	rows := badRows()
	seen := map[string]bool{}
	for _, row := range rows {
		if seen[row.name] {
			t.Fatalf("duplicate row name %s", row.name)
		}
		seen[row.name] = true
		t.Run(row.name, func(t *testing.T) {
			b.srv.Reset()
			header := http.Header{}
			if row.yx {
				header = yunxinAuth(b.srv)
			}
			needToken := false
			for _, line := range row.header {
				needToken = needToken || strings.Contains(line, "{TOKEN}")
			}
			tok := ""
			if needToken {
				tok = b.token(t)
			}
			replaced := map[string]bool{}
			for _, line := range row.header {
				k, v, _ := strings.Cut(line, ":")
				k = http.CanonicalHeaderKey(strings.TrimSpace(k))
				v = strings.TrimPrefix(v, " ")
				v = strings.ReplaceAll(v, "{TOKEN}", tok)
				if !replaced[k] {
					header.Del(k)
					replaced[k] = true
				}
				if v != "" {
					header[k] = append(header[k], v)
				}
			}
			res, body := b.send(t, row.method, row.target, header, strings.NewReader(row.body))
			if res.StatusCode != row.status {
				t.Errorf("status %d, want %d\nbody: %s\nreason: %s", res.StatusCode, row.status, body, res.Header.Get("X-Chatemu-Reason"))
			}
			if p := vendorAnswerProblem(row.method, mustPath(t, row.target), res.StatusCode, res.Header, body); p != "" {
				t.Errorf("not a vendor answer: %s\nbody: %s", p, body)
			}
			if (res.StatusCode >= 400 || isEnvelopeError(row.target, body)) && !strings.HasPrefix(row.target, "/_chatemu/") && res.Header.Get("X-Chatemu-Reason") == "" {
				t.Errorf("error without X-Chatemu-Reason")
			}
			if row.want != "" || row.method == "HEAD" {
				if string(body) != row.want {
					t.Errorf("body\n got %s\nwant %s\nreason: %s", body, row.want, res.Header.Get("X-Chatemu-Reason"))
				}
				return
			}
			got := fmt.Sprintf("%d\nContent-Type: %s\n\n", res.StatusCode, res.Header.Get("Content-Type"))
			if row.binary {
				got += fmt.Sprintf("%d bytes, sha256 %x\n", len(body), sha256.Sum256(body))
			} else {
				got += string(body)
			}
			badGolden(t, row.name, got)
		})
	}
	counts := map[string]int{}
	for _, row := range rows {
		counts[strings.SplitN(row.name, "_", 2)[0]]++
	}
	t.Logf("catalogue: %d rows %v", len(rows), counts)
}

// isEnvelopeError reports whether a 200 body is a vendor error envelope
// (Yunxin and Op answer errors with HTTP 200).
func isEnvelopeError(target string, body []byte) bool {
	var env struct {
		Code int `json:"code"`
	}
	if json.Unmarshal(body, &env) != nil {
		return false
	}
	return (strings.HasPrefix(target, "/im/") || strings.HasPrefix(target, "/op/")) && env.Code != 200
}

func mustPath(t testing.TB, target string) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatalf("target %q: %v", target, err)
	}
	return u.Path
}

// badGolden compares got with testdata/badinput/NAME.golden.
func badGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "badinput", name+".golden"), []byte(got))
}

// The vendor-documented 5xx answers: the only 5xx an emulator answer may
// have without a fault. Easemob answers a wrong method with 500
// unsupported_service_operation and an unknown API of a known app with 500
// web_application (README fidelity notes, "Routing"). Every other 5xx (and
// Yunxin's or Op's code 500 in a 200 envelope, which chatemu sends only on
// a recovered panic or a broken scenario) is a bug.
var easemob5xx = map[string]string{
	"unsupported_service_operation": excUnsupported,
	"web_application":               excWebApp,
}

// goErrorText matches Go error strings that must never reach a client body.
var goErrorText = regexp.MustCompile(`json: |strconv\.|invalid character|unexpected end of JSON|runtime error|goroutine |panic|\bnil pointer|cannot unmarshal|mime: `)

// vendorAnswerProblem returns "" when (status, header, body) is an answer in
// the format of the vendor whose path it is, or what is wrong with it. A
// HEAD answer has no body and is checked by status only.
func vendorAnswerProblem(method, path string, status int, h http.Header, body []byte) string {
	ct := h.Get("Content-Type")
	if status == http.StatusMovedPermanently {
		return fmt.Sprintf("301 redirect to %s: no vendor answers with gorilla/mux's path cleaning", h.Get("Location"))
	}
	if goErrorText.Match(body) && !strings.HasPrefix(path, "/_chatemu/") {
		return "a Go error string in the body"
	}
	if method == http.MethodHead {
		if len(body) != 0 {
			return "HEAD answer with a body"
		}
		if status >= 500 && !strings.HasPrefix(path, "/_oss/") {
			// Easemob's 500s: the body is not seen; the status must still
			// be one the vendor sends for a HEAD (a wrong method).
			if answerer(path) != "easemob" {
				return fmt.Sprintf("HEAD answered %d", status)
			}
		}
		return ""
	}
	who := answerer(path)
	if who == "" {
		// A path no surface claims: the server's plain 404.
		if status != 404 || string(body) != "404 page not found\n" {
			return fmt.Sprintf("unclaimed path answered %d %q", status, body)
		}
		return ""
	}
	switch {
	case who == "control":
		if status >= 500 {
			return fmt.Sprintf("control API answered %d", status)
		}
		if status >= 400 {
			var e map[string]any
			if json.Unmarshal(body, &e) != nil || len(e) != 1 || e["error"] == nil {
				return "control error body is not {\"error\":…}"
			}
		}
		return ""
	case who == "oss":
		if status == 200 {
			if ct != "application/x-gzip" {
				return "OSS 200 with Content-Type " + ct
			}
			return ""
		}
		return ossXMLProblem(status, ct, body)
	case who == "nos":
		switch status {
		case 200, 206, 304:
			return ""
		}
		var e struct {
			XMLName xml.Name `xml:"Error"`
			Code    string   `xml:"Code"`
		}
		if ct != "application/xml" || xml.Unmarshal(body, &e) != nil || e.Code == "" {
			return fmt.Sprintf("NOS %d not an S3-style XML error (Content-Type %s)", status, ct)
		}
		if status >= 500 {
			return fmt.Sprintf("NOS answered %d", status)
		}
		return ""
	case who == "qiniu":
		if status == 200 {
			return ""
		}
		var e map[string]string
		if ct != "application/json" || json.Unmarshal(body, &e) != nil || len(e) != 1 || e["error"] == "" {
			return fmt.Sprintf("Qiniu %d not {\"error\":…}", status)
		}
		if status >= 500 {
			return fmt.Sprintf("Qiniu answered %d", status)
		}
		return ""
	case who == "yunxin":
		var e struct {
			Code *int            `json:"code"`
			Msg  *string         `json:"msg"`
			Data json.RawMessage `json:"data"`
		}
		if !strings.HasPrefix(ct, "application/json") || json.Unmarshal(body, &e) != nil || e.Code == nil || e.Msg == nil || e.Data == nil {
			return fmt.Sprintf("Yunxin %d not {\"code\",\"msg\",\"data\"} JSON (Content-Type %s)", status, ct)
		}
		switch {
		case status == 200 && *e.Code == 500:
			return "Yunxin code 500: a recovered panic"
		case status == 200:
		case status == 404 && *e.Code == 404, status == 405 && *e.Code == 405:
		default:
			return fmt.Sprintf("Yunxin HTTP %d with code %d", status, *e.Code)
		}
		return ""
	case who == "op":
		if status != 200 {
			return fmt.Sprintf("Op API answered HTTP %d", status)
		}
		var e struct {
			Code    *int            `json:"code"`
			Message *string         `json:"message"`
			Data    json.RawMessage `json:"data"`
			Page    json.RawMessage `json:"page"`
			Foot    *struct {
				OperationTime string `json:"operationTime"`
			} `json:"foot"`
		}
		if json.Unmarshal(body, &e) != nil || e.Code == nil || e.Message == nil || e.Data == nil || e.Page == nil || e.Foot == nil {
			return "Op body is not the {code,message,data,page,foot} envelope"
		}
		if *e.Code >= 500 {
			return fmt.Sprintf("Op code %d", *e.Code)
		}
		return ""
	}
	// Easemob REST.
	if status == 200 {
		return ""
	}
	var e struct {
		Error       *string `json:"error"`
		Timestamp   *int64  `json:"timestamp"`
		Duration    *int    `json:"duration"`
		Exception   *string `json:"exception"`
		Description *string `json:"error_description"`
	}
	if ct != "application/json" || json.Unmarshal(body, &e) != nil || e.Error == nil || e.Timestamp == nil || e.Duration == nil || e.Exception == nil || e.Description == nil {
		return fmt.Sprintf("Easemob %d not the Usergrid error envelope (Content-Type %s)", status, ct)
	}
	if !bytes.HasPrefix(body, []byte(`{"error":`)) {
		return "Usergrid error keys out of order"
	}
	if status >= 500 {
		if exc, ok := easemob5xx[*e.Error]; !ok || status != 500 || exc != *e.Exception {
			return fmt.Sprintf("Easemob %d %s is not a vendor-documented 5xx", status, *e.Error)
		}
	}
	return ""
}

// ossXMLProblem checks an OSS error: XML with Code, Message, RequestId and
// HostId, and a status OSS sends for that code.
func ossXMLProblem(status int, ct string, body []byte) string {
	var e struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string   `xml:"Code"`
		Message   string   `xml:"Message"`
		RequestID string   `xml:"RequestId"`
		HostID    string   `xml:"HostId"`
	}
	if ct != "application/xml" || !bytes.HasPrefix(body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) || xml.Unmarshal(body, &e) != nil {
		return fmt.Sprintf("OSS %d not an XML error (Content-Type %s)", status, ct)
	}
	want := map[string]int{"AccessDenied": 403, "SignatureDoesNotMatch": 403, "InvalidAccessKeyId": 403, "InvalidArgument": 400, "NoSuchKey": 404}
	if s, ok := want[e.Code]; !ok || s != status || e.Message == "" || e.RequestID == "" {
		return fmt.Sprintf("OSS %d with code %q", status, e.Code)
	}
	return ""
}

// answerer says which surface answers path, in the server's routing
// order (control, Yunxin, Op, Easemob last): "control", "yunxin", "nos",
// "op", "qiniu", "oss", "easemob", or "" when none claims it.
func answerer(path string) string {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	nonEmpty := func(parts []string) bool { return strings.Join(parts, "/") != "" }
	switch {
	case strings.HasPrefix(path, "/_chatemu/") || path == "/_chatemu":
		return "control"
	case strings.HasPrefix(path, "/im/v2/"), strings.HasPrefix(path, "/im/v2.1/"), strings.HasPrefix(path, "/nimserver/"):
		return "yunxin"
	case strings.HasPrefix(path, "/_nos/"):
		return "nos"
	case strings.HasPrefix(path, "/op/"):
		return "op"
	case strings.HasPrefix(path, "/_qiniu/"):
		if nonEmpty(seg[1:]) {
			return "qiniu"
		}
		return ""
	case strings.HasPrefix(path, "/_oss/"):
		if len(seg) >= 3 && seg[1] != "" && nonEmpty(seg[2:]) {
			return "oss"
		}
		return ""
	case strings.HasPrefix(path, "/_"):
		return ""
	}
	if len(seg) >= 3 && seg[0] != "" && seg[1] != "" && nonEmpty(seg[2:]) {
		return "easemob"
	}
	return ""
}
