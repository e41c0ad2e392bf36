package easemob

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/surfacetest"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/fixtures"
	"github.com/chatemu/chatemu/internal/golden"
	"github.com/chatemu/chatemu/scenarios"
)

// errorCase is one row of TestErrors: a request that draws one vendor error.
type errorCase struct {
	name   string
	req    func(e *env) *http.Request
	status int
	code   string // the JSON "error" or the XML <Code>
}

func chatmessages(org, name, hour string) string {
	return testBase + "/" + org + "/" + name + "/chatmessages/" + hour
}

// hourAgo is the cn name of the Beijing hour that started h hours before t0's
// hour.
func hourAgo(h int) string {
	return t0.Truncate(time.Hour).Add(-time.Duration(h) * time.Hour).In(beijing).Format(hourLayout)
}

// tamper changes a link's signature, keeping it well-formed.
func tamper(link string) string {
	u, _ := url.Parse(link)
	q := u.Query()
	sig := []byte(q.Get("Signature"))
	if sig[0] == 'A' {
		sig[0] = 'B'
	} else {
		sig[0] = 'A'
	}
	u.RawQuery = "Expires=" + q.Get("Expires") + "&OSSAccessKeyId=" + q.Get("OSSAccessKeyId") + "&Signature=" + url.QueryEscape(string(sig))
	return u.String()
}

func ossRequest(method, link string) *http.Request {
	req := httptest.NewRequest(method, link, nil)
	req.Host = "chatemu.test"
	return req
}

var errorCases = []errorCase{
	// token
	{"token_unknown_app", func(e *env) *http.Request { return tokenReq("nope", "app", `{}`) }, 404, CodeOrgAppNotFound},
	{"token_wrong_method", func(e *env) *http.Request { return getWithToken(testBase+"/acme/chat/token", "") }, 500, CodeUnsupportedOperation},
	{"token_form_body", func(e *env) *http.Request {
		req := tokenReq("acme", "chat", "grant_type=client_credentials")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}, 415, CodeWebApplication},
	{"token_bad_json", func(e *env) *http.Request { return tokenReq("acme", "chat", `{"grant_type":`) }, 400, CodeJSONParse},
	{"token_no_grant_type", func(e *env) *http.Request { return tokenReq("acme", "chat", `{"client_id":"x","client_secret":"y"}`) }, 400, CodeIllegalArgument},
	{"token_password_grant", func(e *env) *http.Request {
		return tokenReq("acme", "chat", `{"grant_type":"password","username":"alice","password":"p"}`)
	}, 400, CodeUnsupportedGrantType},
	{"token_no_client_id", func(e *env) *http.Request {
		return tokenReq("acme", "chat", `{"grant_type":"client_credentials","client_secret":"y"}`)
	}, 400, CodeIllegalArgument},
	{"token_no_client_secret", func(e *env) *http.Request {
		return tokenReq("acme", "chat", `{"grant_type":"client_credentials","client_id":"YXA6chatClientId","ttl":""}`)
	}, 400, CodeIllegalArgument},
	{"token_bad_ttl", func(e *env) *http.Request {
		return tokenReq("acme", "chat", `{"grant_type":"client_credentials","client_id":"YXA6chatClientId","client_secret":"YXA6chatClientSecret","ttl":-5}`)
	}, 400, CodeIllegalArgument},
	{"token_client_id_mismatch", func(e *env) *http.Request {
		return tokenReq("acme", "chat", `{"grant_type":"client_credentials","client_id":"YXA6goldClientId","client_secret":"YXA6chatClientSecret"}`)
	}, 400, CodeInvalidGrant},
	{"token_client_secret_mismatch", func(e *env) *http.Request {
		return tokenReq("acme", "chat", `{"grant_type":"client_credentials","client_id":"YXA6chatClientId","client_secret":"wrong"}`)
	}, 400, CodeInvalidGrant},
	{"token_rate_limited", func(e *env) *http.Request {
		for range limitToken.calls {
			e.token("acme", "limited", "")
		}
		a, _ := e.world.EasemobApp("acme", "limited")
		return tokenReq("acme", "limited", tokenBody(*a, ""))
	}, 429, CodeReachLimit},
	// chatmessages
	{"chatmessages_unknown_app", func(e *env) *http.Request { return getWithToken(chatmessages("nope", "app", "2026111912"), "") }, 404, CodeOrgAppNotFound},
	{"chatmessages_wrong_method", func(e *env) *http.Request {
		return httptest.NewRequest(http.MethodPost, chatmessages("acme", "chat", "2026111912"), nil)
	}, 500, CodeUnsupportedOperation},
	{"chatmessages_no_token", func(e *env) *http.Request { return getWithToken(chatmessages("acme", "chat", hourAgo(3)), "") }, 401, CodeUnauthorized},
	{"chatmessages_empty_bearer", func(e *env) *http.Request {
		req := getWithToken(chatmessages("acme", "chat", hourAgo(3)), "")
		req.Header.Set("Authorization", "Bearer ")
		return req
	}, 401, CodeUnauthorized},
	{"chatmessages_corrupt_token", func(e *env) *http.Request {
		return getWithToken(chatmessages("acme", "chat", hourAgo(3)), "not-a-token")
	}, 401, CodeBadAccessToken},
	{"chatmessages_foreign_token", func(e *env) *http.Request {
		other := newEnv(e.t, testSpec(), testBase)
		other.clock.Advance(time.Minute) // another server, another issue time
		return getWithToken(chatmessages("acme", "chat", hourAgo(3)), other.token("acme", "chat", ""))
	}, 401, CodeBadAccessToken},
	{"chatmessages_other_apps_token", func(e *env) *http.Request {
		return getWithToken(chatmessages("acme", "chat", hourAgo(3)), e.token("acme", "gold", ""))
	}, 401, CodeBadAccessToken},
	{"chatmessages_expired_token", func(e *env) *http.Request {
		tok := e.token("acme", "chat", "60")
		e.clock.Advance(61 * time.Second)
		return getWithToken(chatmessages("acme", "chat", hourAgo(3)), tok)
	}, 401, CodeUnauthorized},
	{"chatmessages_bad_time", func(e *env) *http.Request {
		return getWithToken(chatmessages("acme", "chat", "2018023017"), e.token("acme", "chat", ""))
	}, 400, CodeIllegalArgument},
	{"chatmessages_short_time", func(e *env) *http.Request {
		return getWithToken(chatmessages("acme", "chat", "20181127"), e.token("acme", "chat", ""))
	}, 400, CodeIllegalArgument},
	{"chatmessages_current_hour", func(e *env) *http.Request {
		return getWithToken(chatmessages("acme", "chat", hourAgo(0)), e.token("acme", "chat", ""))
	}, 400, CodeIllegalArgument},
	{"chatmessages_within_delay", func(e *env) *http.Request {
		// The previous hour ended 30 min ago; archive_delay is 1 h.
		return getWithToken(chatmessages("acme", "chat", hourAgo(1)), e.token("acme", "chat", ""))
	}, 400, CodeIllegalArgument},
	{"chatmessages_past_retention", func(e *env) *http.Request {
		return getWithToken(chatmessages("acme", "chat", hourAgo(73)), e.token("acme", "chat", ""))
	}, 400, CodeIllegalArgument},
	{"chatmessages_empty_hour", func(e *env) *http.Request {
		return getWithToken(chatmessages("acme", "chat", hourAgo(60)), e.token("acme", "chat", ""))
	}, 404, CodeStorageObjectNotFound},
	{"chatmessages_rate_limited", func(e *env) *http.Request {
		tok := e.token("acme", "limited", "")
		for range limitChatMessages.calls {
			e.do(getWithToken(chatmessages("acme", "limited", hourAgo(3)), tok))
		}
		return getWithToken(chatmessages("acme", "limited", hourAgo(3)), tok)
	}, 429, CodeReachLimit},
	{"unknown_api", func(e *env) *http.Request { return getWithToken(testBase+"/acme/chat/users", "") }, 500, CodeWebApplication},
	{"unknown_api_unknown_app", func(e *env) *http.Request { return getWithToken(testBase+"/nope/app/users/alice", "") }, 404, CodeOrgAppNotFound},
	// chatfiles
	{"chatfiles_not_found", func(e *env) *http.Request {
		return getWithToken(testBase+"/acme/gold/chatfiles/00000000-0000-1000-8000-000000000000", e.token("acme", "gold", ""))
	}, 404, CodeEntityNotFound},
	{"chatfiles_restricted_no_token", func(e *env) *http.Request {
		return getWithToken(testBase+"/acme/gold/chatfiles/d9135700-0000-4000-b000-a7039876610f", "")
	}, 401, CodeUnauthorized},
	{"chatfiles_restricted_no_share_secret", func(e *env) *http.Request {
		return getWithToken(testBase+"/acme/gold/chatfiles/d9135700-0000-4000-b000-a7039876610f", e.token("acme", "gold", ""))
	}, 401, CodeBadAccessToken},
	{"chatfiles_restricted_wrong_share_secret_query", func(e *env) *http.Request {
		return getWithToken(testBase+"/acme/gold/chatfiles/d9135700-0000-4000-b000-a7039876610f?share-secret=not-the-secret", e.token("acme", "gold", ""))
	}, 401, CodeBadAccessToken},
	{"chatfiles_wrong_method", func(e *env) *http.Request {
		return httptest.NewRequest(http.MethodDelete, testBase+"/acme/gold/chatfiles/d9135700-0000-4000-b000-a7039876610f", nil)
	}, 500, CodeUnsupportedOperation},
	// OSS downloads
	{"oss_expired", func(e *env) *http.Request {
		link := e.archiveLink("acme", "gold", "2026111905")
		e.clock.Advance(31 * time.Minute)
		return ossRequest(http.MethodGet, link)
	}, 403, "AccessDenied"},
	{"oss_tampered", func(e *env) *http.Request {
		return ossRequest(http.MethodGet, tamper(e.archiveLink("acme", "gold", "2026111905")))
	}, 403, "SignatureDoesNotMatch"},
	{"oss_expired_and_tampered", func(e *env) *http.Request {
		link := tamper(e.archiveLink("acme", "gold", "2026111905"))
		e.clock.Advance(31 * time.Minute)
		return ossRequest(http.MethodGet, link)
	}, 403, "AccessDenied"},
	{"oss_wrong_key_id", func(e *env) *http.Request {
		link := strings.Replace(e.archiveLink("acme", "gold", "2026111905"), "OSSAccessKeyId=LTAIgoldKeyId", "OSSAccessKeyId=LTAIotherKeyId", 1)
		return ossRequest(http.MethodGet, link)
	}, 403, "InvalidAccessKeyId"},
	{"oss_no_such_key", func(e *env) *http.Request {
		a, _ := e.world.EasemobApp("acme", "gold")
		link := signedLink(testBase, a.OSS, "history/acme/gold/2026111906.gz", e.clock.Now().Add(time.Minute))
		return ossRequest(http.MethodGet, link)
	}, 404, "NoSuchKey"},
	{"oss_head", func(e *env) *http.Request {
		return ossRequest(http.MethodHead, e.archiveLink("acme", "gold", "2026111905"))
	}, 403, "SignatureDoesNotMatch"},
	{"oss_sub_resource", func(e *env) *http.Request {
		return ossRequest(http.MethodGet, e.archiveLink("acme", "gold", "2026111905")+"&response-content-type=text%2Fplain")
	}, 403, "SignatureDoesNotMatch"},
	{"oss_sub_resource_not_emulated", func(e *env) *http.Request {
		return ossRequest(http.MethodGet, e.presign(http.MethodGet, "2026111905", url.Values{"acl": {""}}))
	}, 501, "NotImplemented"},
	{"oss_put_signed", func(e *env) *http.Request {
		return ossRequest(http.MethodPut, e.presign(http.MethodPut, "2026111905", nil))
	}, 405, "MethodNotAllowed"},
}

// presign signs a link to the gold app's archive of hour for method with
// the sub-resources sub, as a holder of the bucket's key would.
func (e *env) presign(method, hour string, sub url.Values) string {
	a, _ := e.world.EasemobApp("acme", "gold")
	return sign.OSSPresign(method, testBase+ossPrefix, a.OSS.Bucket, ArchiveObject(a, hour), a.OSS.AccessKeyID, a.OSS.AccessKeySecret,
		e.clock.Now().Add(time.Minute), sub)
}

// TestErrors draws every vendor error once, checks its status and code, and
// pins status, headers and body in testdata/error_<name>.golden.
func TestErrors(t *testing.T) {
	if len(errorCases) < 20 {
		t.Fatalf("%d error rows; the issue asks for at least 20", len(errorCases))
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, testSpec(), testBase)
			rec := e.do(tc.req(e))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if rec.Header().Get("X-Chatemu-Reason") == "" {
				t.Error("no X-Chatemu-Reason header")
			}
			body := rec.Body.Bytes()
			if strings.HasPrefix(tc.name, "oss_") {
				if rec.Header().Get("X-Oss-Err") != "" {
					// A HEAD has no body: OSS sends it base64 in x-oss-err.
					body, _ = base64.StdEncoding.DecodeString(rec.Header().Get("X-Oss-Err"))
				}
				if ec := rec.Header().Get("X-Oss-Ec"); ec != "" && !bytes.Contains(body, []byte("<EC>"+ec+"</EC>")) {
					t.Errorf("x-oss-ec %s is not the body's <EC>: %s", ec, body)
				}
				if !bytes.Contains(body, []byte("<Code>"+tc.code+"</Code>")) || rec.Header().Get("Server") != "AliyunOSS" ||
					rec.Header().Get("X-Oss-Request-Id") == "" || rec.Header().Get("Content-Type") != "application/xml" {
					t.Errorf("not OSS's %s: %v %s", tc.code, rec.Header(), body)
				}
			} else {
				if got := surfacetest.ObjectKeys(t, body); !reflect.DeepEqual(got, []string{"error", "timestamp", "duration", "exception", "error_description"}) {
					t.Errorf("key order %v", got)
				}
				var env struct {
					Error     string `json:"error"`
					Timestamp int64  `json:"timestamp"`
					Duration  int    `json:"duration"` // the Go SDK decodes an int
				}
				if err := json.Unmarshal(body, &env); err != nil || env.Error != tc.code || env.Timestamp != e.clock.Now().UnixMilli() {
					t.Errorf("body %s (%v), want error %s at %d", body, err, tc.code, e.clock.Now().UnixMilli())
				}
			}
			golden.Check(t, goldenPath("error_"+tc.name), render(rec.Code, rec.Header(), body))
		})
	}
}

// TestErrorTexts pins the exact texts easemob-doc error.md and
// easemob_app_token.md quote.
func TestErrorTexts(t *testing.T) {
	want := map[string]string{
		"token_no_client_id":         "client_id must be provided.",
		"token_no_client_secret":     "client_secret must be provided",
		"token_client_id_mismatch":   "client_id does not match",
		"chatmessages_corrupt_token": "Unable to authenticate due to corrupt access token",
		"chatmessages_foreign_token": "Unable to authenticate",
		"chatmessages_no_token":      "Unable to authenticate due to expired access token",
		"chatmessages_bad_time":      "illegal arguments: appkey: acme#chat, time: 2018023017",
		"chatmessages_past_retention": "illegal arguments: appkey: acme#chat, time: " + hourAgo(73) +
			", maybe chat message history is expired or unstored",
		"chatmessages_empty_hour":   "Failed to find chat message history download url for appkey: acme#chat, time: " + hourAgo(60),
		"chatmessages_unknown_app":  "Could not find application for nope/app from URI: nope/app/chatmessages/2026111912",
		"token_unknown_app":         "Could not find application for nope/app from URI: nope/app/token",
		"chatmessages_rate_limited": "This request has reached api limit",
		"token_form_body":           "Unsupported Media Type",
		"chatmessages_wrong_method": "Service operation not supported",
		"unknown_api":               "javax.ws.rs.WebApplicationException",
	}
	for _, tc := range errorCases {
		w, ok := want[tc.name]
		if !ok {
			continue
		}
		delete(want, tc.name)
		e := newEnv(t, testSpec(), testBase)
		rec := e.do(tc.req(e))
		var body struct {
			Desc string `json:"error_description"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		if body.Desc != w {
			t.Errorf("%s: error_description %q, want %q", tc.name, body.Desc, w)
		}
	}
	if len(want) > 0 {
		t.Errorf("no rows for %v", want)
	}
}

// TestTokenAcceptsClientShapes: no ttl, a numeric ttl, the Go SDK's "ttl":""
// with its empty "Authorization: Bearer ", and ttl 0 (permanent).
func TestTokenAcceptsClientShapes(t *testing.T) {
	e := newEnv(t, testSpec(), testBase)
	a, _ := e.world.EasemobApp("acme", "chat")
	cases := []struct {
		ttl       string
		expiresIn int64
	}{{"", int64(DefaultTokenTTL / time.Second)}, {"1024000", 1024000}, {`""`, int64(DefaultTokenTTL / time.Second)}, {`"3600"`, 3600}, {"0", 0}, {"null", int64(DefaultTokenTTL / time.Second)}}
	for _, c := range cases {
		req := tokenReq("acme", "chat", tokenBody(*a, c.ttl))
		req.Header.Set("Authorization", "Bearer ")
		req.Header.Set("User-Agent", "go-sdk")
		rec := e.do(req)
		if rec.Code != 200 {
			t.Fatalf("ttl %s: %d %s", c.ttl, rec.Code, rec.Body)
		}
		if got := surfacetest.ObjectKeys(t, rec.Body.Bytes()); !reflect.DeepEqual(got, []string{"access_token", "expires_in", "application"}) {
			t.Errorf("key order %v", got)
		}
		var out struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int64  `json:"expires_in"`
			Application string `json:"application"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		if out.ExpiresIn != c.expiresIn || out.Application != a.UUID || !strings.HasPrefix(out.AccessToken, "YWMt") {
			t.Errorf("ttl %s: %s", c.ttl, rec.Body)
		}
	}
	// ttl 0 never expires on the emulator's clock; ttl 60 does at 60 s.
	perm, short := e.token("acme", "chat", "0"), e.token("acme", "chat", "60")
	url := chatmessages("acme", "chat", hourAgo(3))
	e.clock.Advance(59 * time.Second)
	if rec := e.do(getWithToken(url, short)); rec.Code != 200 {
		t.Fatalf("token at 59 s: %d %s", rec.Code, rec.Body)
	}
	e.clock.Advance(time.Second)
	if rec := e.do(getWithToken(url, short)); rec.Code != 401 {
		t.Fatalf("token at 60 s: %d", rec.Code)
	}
	e.clock.Advance(10 * 365 * 24 * time.Hour)
	if rec := e.do(getWithToken(url, perm)); rec.Code != 400 { // authenticated; the hour is past retention by now
		t.Fatalf("permanent token ten years on: %d %s", rec.Code, rec.Body)
	}
	e.clock.Set(t0.Add(time.Hour))
	if rec := e.do(getWithToken(url, perm)); rec.Code != 200 {
		t.Fatalf("permanent token: %d %s", rec.Code, rec.Body)
	}
	// Reset forgets tokens: well-formed but unknown.
	e.s.Reset()
	if rec := e.do(getWithToken(url, perm)); rec.Code != 401 || !strings.Contains(rec.Body.String(), `"Unable to authenticate"`) {
		t.Fatalf("after Reset: %d %s", rec.Code, rec.Body)
	}
}

// TestSuccessGoldens pins the 200 bodies: token, chatmessages, and the
// archive's records (all nine body types), plus the chatfiles headers.
func TestSuccessGoldens(t *testing.T) {
	e := newEnv(t, testSpec(), testBase)
	a, _ := e.world.EasemobApp("acme", "gold")
	rec := e.do(tokenReq("acme", "gold", tokenBody(*a, "")))
	golden.Check(t, goldenPath("token_ok"), render(rec.Code, rec.Header(), rec.Body.Bytes()))
	tok := e.token("acme", "gold", "")

	rec = e.do(getWithToken(chatmessages("acme", "gold", "2026111905"), tok))
	golden.Check(t, goldenPath("chatmessages_ok"), render(rec.Code, rec.Header(), rec.Body.Bytes()))
	if got := surfacetest.ObjectKeys(t, rec.Body.Bytes()); !reflect.DeepEqual(got, []string{"action", "application", "uri", "data", "timestamp", "duration", "organization", "applicationName"}) {
		t.Errorf("chatmessages key order %v", got)
	}
	var cm struct {
		Data []struct{ URL string } `json:"data"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &cm)

	rec = e.do(ossRequest(http.MethodGet, cm.Data[0].URL))
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "" {
		t.Fatalf("download: %d %v", rec.Code, rec.Header())
	}
	hdr := render(rec.Code, rec.Header(), nil)
	var lines bytes.Buffer
	zr := gunzipRaw(t, rec.Body.Bytes())
	lines.Write(zr)
	golden.Check(t, goldenPath("archive_ok"), append(hdr, lines.Bytes()...))
	if !bytes.HasSuffix(zr, []byte("}\n")) {
		t.Error("the last record should end in a newline")
	}
	plain := rec.Body.Bytes()

	// Signed with response-* overrides: the same bytes, the headers asked for.
	rec = e.do(ossRequest(http.MethodGet, e.presign(http.MethodGet, "2026111905", url.Values{
		"response-content-type":        {"text/plain"},
		"response-content-disposition": {`attachment; filename="2026111905.gz"`},
		"response-cache-control":       {"no-cache"},
	})))
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), plain) {
		t.Fatalf("download with overrides: %d, %d bytes (want %d)", rec.Code, rec.Body.Len(), len(plain))
	}
	golden.Check(t, goldenPath("archive_overrides"), render(rec.Code, rec.Header(), nil))

	// A link signed for HEAD: the headers, no body.
	rec = e.do(ossRequest(http.MethodHead, e.presign(http.MethodHead, "2026111905", nil)))
	if rec.Code != 200 || rec.Body.Len() != 0 {
		t.Fatalf("HEAD: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	golden.Check(t, goldenPath("archive_head"), render(rec.Code, rec.Header(), nil))

	req := getWithToken(testBase+"/acme/gold/chatfiles/d9135700-0000-4000-b000-a7039876610f", tok)
	req.Header.Set("share-secret", "2RNXCgeeEeeXXXX-XXXXbtZXJH4cgr2admVXn560He2PD3RX")
	rec = e.do(req)
	if rec.Code != 200 || rec.Body.Len() != 3279 {
		t.Fatalf("chatfiles: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	golden.Check(t, goldenPath("chatfiles_ok"), render(rec.Code, rec.Header(), []byte("(3279 bytes)\n")))

	// The same file with the secret appended to its url, as the upload page
	// tells history consumers to: the same answer.
	rec = e.do(getWithToken(testBase+"/acme/gold/chatfiles/d9135700-0000-4000-b000-a7039876610f?share-secret=2RNXCgeeEeeXXXX-XXXXbtZXJH4cgr2admVXn560He2PD3RX", tok))
	if rec.Code != 200 || rec.Body.Len() != 3279 {
		t.Fatalf("chatfiles ?share-secret=: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	golden.Check(t, goldenPath("chatfiles_ok"), render(rec.Code, rec.Header(), []byte("(3279 bytes)\n")))
}

// TestBodiesFollowVendorExamples compares every body of the gold archive
// with the vendor page's example of its type (fixtures/vendor/easemob): same
// keys in the same order, same value types. The gold messages copy the
// page's examples, so where the values can match they must.
func TestBodiesFollowVendorExamples(t *testing.T) {
	e := newEnv(t, testSpec(), testBase)
	a, _ := e.world.EasemobApp("acme", "gold")
	var buf bytes.Buffer
	if err := e.s.WriteArchive(&buf, a, goldAt); err != nil {
		t.Fatal(err)
	}
	raw := gunzipRaw(t, buf.Bytes())
	files := map[string]string{"txt": "body_txt", "img": "body_img", "loc": "body_loc", "audio": "body_audio", "video": "body_video",
		"file": "body_file", "cmd": "body_cmd", "custom": "body_custom", "": "body_combine"}
	seen := map[string]bool{}
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		if got := surfacetest.ObjectKeys(t, line); !reflect.DeepEqual(got, []string{"msg_id", "timestamp", "direction", "to", "from", "chat_type", "payload"}) {
			t.Fatalf("record keys %v", got)
		}
		var rec struct {
			Payload struct {
				Bodies []json.RawMessage `json:"bodies"`
			} `json:"payload"`
		}
		if err := json.Unmarshal(line, &rec); err != nil || len(rec.Payload.Bodies) != 1 {
			t.Fatalf("%s: %v", line, err)
		}
		body := rec.Payload.Bodies[0]
		var typ struct{ Type string }
		_ = json.Unmarshal(body, &typ)
		name := files[typ.Type]
		sample, err := fs.ReadFile(fixtures.Samples, "vendor/easemob/"+name+".json")
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Bodies []json.RawMessage `json:"bodies"`
		}
		if err := json.Unmarshal(sample, &s); err != nil {
			t.Fatal(err)
		}
		seen[name] = true
		if got, want := surfacetest.ObjectKeys(t, body), surfacetest.ObjectKeys(t, s.Bodies[0]); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: keys %v, vendor %v", name, got, want)
		}
		var gv, wv map[string]any
		_ = json.Unmarshal(body, &gv)
		_ = json.Unmarshal(s.Bodies[0], &wv)
		for k, w := range wv {
			if reflect.TypeOf(gv[k]) != reflect.TypeOf(w) {
				t.Errorf("%s.%s: %T, vendor %T", name, k, gv[k], w)
			}
			switch k {
			case "url", "thumb", "file_length", "size":
				continue // our host and our files
			case "msg", "lng":
				continue // changed on purpose: escaping, and Java's "116.0"
			}
			if !reflect.DeepEqual(gv[k], w) {
				t.Errorf("%s.%s = %v, vendor %v", name, k, gv[k], w)
			}
		}
	}
	if len(seen) != 9 {
		t.Errorf("body types seen %v, want all nine", seen)
	}
	// The chatmessages and token responses against the vendor examples.
	for name, got := range map[string][]string{
		"chatmessages_response": {"action", "application", "uri", "data", "timestamp", "duration", "organization", "applicationName"},
		"token_response":        {"access_token", "expires_in", "application"},
		"error_401_corrupt":     {"error", "timestamp", "duration", "exception", "error_description"},
	} {
		sample, _ := fs.ReadFile(fixtures.Samples, "vendor/easemob/"+name+".json")
		if want := surfacetest.ObjectKeys(t, sample); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: our order %v, vendor %v", name, got, want)
		}
	}
}

func gunzipRaw(t testing.TB, gz []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestArchiveTimelineOfVendorExample replays the page's own example with a
// scenario's default settings: hour 2018112717 (Beijing) is answered at
// timestamp 1543314322601 (18:25:22 +08:00) with a link whose Expires is
// 1543316122 (message_historical.html). Before end of hour + archive_delay
// and after retention the body is the vendor's one text, and the reason
// says which of the two it is.
func TestArchiveTimelineOfVendorExample(t *testing.T) {
	spec, err := scenarios.Parse("example.yaml", []byte(`
easemob:
  apps:
    - org: acme
      app: chat
      users: [alice, bob]
      messages:
        - {id: m1, from: alice, to: bob, at: "2018-11-27T09:10:00Z", type: txt, msg: hi}
`))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, *spec, testBase)
	hourEnd := time.Date(2018, 11, 27, 18, 0, 0, 0, beijing)
	tests := []struct {
		name   string
		at     time.Time
		status int
		reason string // a prefix of X-Chatemu-Reason; "" for the 200
	}{
		{"hour not over", hourEnd.Add(-time.Minute), 400, "not archived yet (archived at 2018-11-27T10:25:00Z = end of hour + archive_delay 25m0s)"},
		{"within the delay", hourEnd.Add(25*time.Minute - time.Second), 400, "not archived yet (archived at 2018-11-27T10:25:00Z"},
		{"the page's example", time.UnixMilli(1543314322601), 200, ""},
		{"last moment of retention", hourEnd.Add(-time.Hour).Add(72 * time.Hour), 200, ""},
		{"past retention", hourEnd.Add(-time.Hour).Add(72*time.Hour + time.Second), 400, "expired (retention 72h0m0s): hour 2018112717"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.Set(tt.at)
			rec := e.do(getWithToken(chatmessages("acme", "chat", "2018112717"), e.token("acme", "chat", "")))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s (%s)", rec.Code, tt.status, rec.Body, rec.Header().Get("X-Chatemu-Reason"))
			}
			if tt.status != 200 {
				if got := rec.Header().Get("X-Chatemu-Reason"); !strings.HasPrefix(got, tt.reason) {
					t.Errorf("reason %q, want prefix %q", got, tt.reason)
				}
				if want := "illegal arguments: appkey: acme#chat, time: 2018112717, maybe chat message history is expired or unstored"; !strings.Contains(rec.Body.String(), want) {
					t.Errorf("body %s lacks the vendor's text", rec.Body)
				}
				return
			}
			var out struct {
				Timestamp int64 `json:"timestamp"`
				Data      []struct {
					URL string `json:"url"`
				} `json:"data"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Data) != 1 {
				t.Fatalf("body %s: %v", rec.Body, err)
			}
			if out.Timestamp != tt.at.UnixMilli() {
				t.Errorf("timestamp %d, want %d", out.Timestamp, tt.at.UnixMilli())
			}
			if tt.name == "the page's example" && !strings.Contains(out.Data[0].URL, "?Expires=1543316122&") {
				t.Errorf("link %s, want the page's Expires=1543316122", out.Data[0].URL)
			}
		})
	}
}

// TestLiteralTextEscaped: a generated text goes into an archive as it is
// (world.Message.TextPlain), so a scenario's own text, which may hold
// anything, must still be escaped as Jackson does.
func TestLiteralTextEscaped(t *testing.T) {
	spec := testSpec()
	at := time.Date(2026, 11, 18, 16, 30, 0, 0, time.UTC)
	cn := &spec.Easemob[3]
	cn.Messages[0].Text = "a \"quoted\" \\ line\nbreak\x01 <b>&amp; 欢迎 bad\xff"
	e := newEnv(t, spec, testBase)
	var gz bytes.Buffer
	if err := e.s.WriteArchive(&gz, e.world.EasemobApps()[3], at.Truncate(time.Hour)); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&gz)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	want := `{"msg":"a \"quoted\" \\ line\nbreak\u0001 <b>&amp; 欢迎 bad` + "\uFFFD" + `","type":"txt"}`
	if !bytes.Contains(body, []byte(want)) {
		t.Errorf("no %s in %s", want, body)
	}
}
