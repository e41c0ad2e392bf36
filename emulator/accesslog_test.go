package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/easemob"
	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/opapi"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/emulator/yunxin"
)

// logBuffer is a log's output, safe to read while the server writes.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// take returns what was written since the last take.
func (l *logBuffer) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

// accessLogger is a logger as chatemu serve makes it (--log-format,
// --log-level), without the time, which a test cannot know.
func accessLogger(format string, w *logBuffer, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// anyDuration replaces the one value of a line a test cannot know, its
// duration, after checking it is a number of milliseconds.
var anyDuration = regexp.MustCompile(`duration_ms(=|":)[0-9]+(\.[0-9]+)?`)

func normalizeDurations(s string) string { return anyDuration.ReplaceAllString(s, "duration_ms${1}D") }

// logLine is one access log line a test expects.
type logLine struct {
	level slog.Level
	attrs []slog.Attr
}

// render writes lines as the server's logger of format would.
func render(format string, lines []logLine) string {
	var b logBuffer
	log := accessLogger(format, &b, slog.LevelDebug)
	for _, l := range lines {
		log.LogAttrs(context.Background(), l.level, "request", l.attrs...)
	}
	return normalizeDurations(b.take())
}

// access is the attributes of an access log line, in the log's order;
// optional ones (tenant, fault, reason) are left out when empty.
func access(method, path string, status int, bytes int, vendor, op, tenant, fault, reason string) []slog.Attr {
	a := []slog.Attr{slog.String("method", method), slog.String("path", path), slog.Int("status", status),
		slog.Float64("duration_ms", 0), slog.Int("bytes", bytes), slog.String("vendor", vendor), slog.String("operation", op)}
	for _, kv := range [][2]string{{"tenant", tenant}, {"fault", fault}, {"reason", reason}} {
		if kv[1] != "" {
			a = append(a, slog.String(kv[0], kv[1]))
		}
	}
	return a
}

// TestAccessLog: one line per request, in text and in JSON: a vendor
// success (its signed link's Signature redacted), a refused vendor request
// with its reason, a request dropped by a fault, control requests (a
// success and a refusal without the control token, whose reason is the
// control API's error), and the probes, which log at DEBUG only; at
// --log-level warn only the refusals remain.
func TestAccessLog(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var out logBuffer
			l := startLive(t, emulator.Config{AccessLog: accessLogger(format, &out, slog.LevelDebug), ControlToken: "ctl-tok"})
			ctl := http.Header{"Authorization": {"Bearer ctl-tok"}, "Content-Type": {"application/json"}}

			tok := easemobToken(t, l, "chatemu", "demo", "YXA6ChatemuDemoClientId001", "YXA6ChatemuDemoClientSecret0001")
			_, page := l.do(t, "GET", "/chatemu/demo/chatmessages/2026112016", http.Header{"Authorization": {"Bearer " + tok}}, "")
			link := linkIn(t, l, page, "/_oss/")
			out.take()

			steps := []struct {
				name string
				do   func(t *testing.T) []logLine
			}{
				{"vendor success", func(t *testing.T) []logLine {
					res, body := l.do(t, "GET", link, nil, "")
					if res.StatusCode != 200 {
						t.Fatalf("archive: %d", res.StatusCode)
					}
					path, query, _ := strings.Cut(link, "?")
					q, _ := url.ParseQuery(query)
					redacted := path + "?Expires=" + q.Get("Expires") + "&OSSAccessKeyId=" + q.Get("OSSAccessKeyId") + "&Signature=REDACTED"
					return []logLine{{slog.LevelInfo, access("GET", redacted, 200, len(body), "easemob", "easemob.archive_download", "easemob:chatemu/demo", "", "")}}
				}},
				{"vendor refused", func(t *testing.T) []logLine {
					res, body := l.do(t, "GET", "/chatemu/demo/chatmessages/2026112016", http.Header{"Authorization": {"Bearer not-a-token"}}, "")
					reason := res.Header.Get("X-Chatemu-Reason")
					if res.StatusCode != 401 || reason == "" {
						t.Fatalf("chatmessages with a wrong token: %d, reason %q", res.StatusCode, reason)
					}
					return []logLine{{slog.LevelWarn, access("GET", "/chatemu/demo/chatmessages/2026112016", 401, len(body),
						"easemob", "easemob.chatmessages", "easemob:chatemu/demo", "", reason)}}
				}},
				{"vendor refused with HTTP 200", func(t *testing.T) []logLine {
					res, body := l.do(t, "POST", "/op/v2/userMessageList?client=chatemu-op&token=wrong-token", http.Header{"Content-Type": {"application/json"}}, `{"userId":"alice"}`)
					reason := res.Header.Get("X-Chatemu-Reason")
					if res.StatusCode != 200 || reason == "" {
						t.Fatalf("op with a wrong token: %d, reason %q", res.StatusCode, reason)
					}
					return []logLine{{slog.LevelWarn, access("POST", "/op/v2/userMessageList?client=chatemu-op&token=REDACTED", 200, len(body),
						"op", "op.user_message_list", "", "", `token "REDACTED" is not client chatemu-op's token`)}}
				}},
				{"vendor dropped by a fault", func(t *testing.T) []logLine {
					res, _ := l.do(t, "POST", "/_chatemu/faults", ctl, `{"vendor":"yunxin","kind":"drop","times":1}`)
					if res.StatusCode != 201 {
						t.Fatalf("fault: %d", res.StatusCode)
					}
					out.take()
					if _, _, err := l.try("GET", "/im/v2/chatrooms/10001/messages?sender_id=amy", nil, ""); err == nil {
						t.Fatal("the dropped request got an answer")
					}
					return []logLine{{slog.LevelWarn, access("GET", "/im/v2/chatrooms/10001/messages?sender_id=amy", 0, 0, "yunxin", "yunxin.chatroom_history", "", "f1", "")}}
				}},
				{"control success", func(t *testing.T) []logLine {
					res, body := l.do(t, "POST", "/_chatemu/clock", ctl, `{"advance":"1h"}`)
					if res.StatusCode != 200 {
						t.Fatalf("clock: %d %s", res.StatusCode, body)
					}
					return []logLine{{slog.LevelInfo, access("POST", "/_chatemu/clock", 200, len(body), "control", "control.clock", "", "", "")}}
				}},
				{"control refused", func(t *testing.T) []logLine {
					res, body := l.do(t, "GET", "/_chatemu/tenants?x=1", nil, "")
					if res.StatusCode != 401 {
						t.Fatalf("tenants without the token: %d", res.StatusCode)
					}
					return []logLine{{slog.LevelWarn, access("GET", "/_chatemu/tenants?x=1", 401, len(body), "control", "control.tenants", "", "", "control token required")}}
				}},
				{"control unknown path", func(t *testing.T) []logLine {
					res, body := l.do(t, "GET", "/_chatemu/nothing/here", ctl, "")
					return []logLine{{slog.LevelWarn, access("GET", "/_chatemu/nothing/here", res.StatusCode, len(body), "control", "control.unknown", "", "", "no control route /_chatemu/nothing/here")}}
				}},
				{"probes", func(t *testing.T) []logLine {
					_, live := l.do(t, "GET", "/livez", nil, "")
					_, ready := l.do(t, "HEAD", "/_chatemu/readyz", nil, "")
					_, health := l.do(t, "GET", "/_chatemu/health", nil, "")
					return []logLine{
						{slog.LevelDebug, access("GET", "/livez", 200, len(live), "control", "control.livez", "", "", "")},
						{slog.LevelDebug, access("HEAD", "/_chatemu/readyz", 200, len(ready), "control", "control.readyz", "", "", "")},
						{slog.LevelDebug, access("GET", "/_chatemu/health", 200, len(health), "control", "control.health", "", "", "")},
					}
				}},
			}
			for _, s := range steps {
				t.Run(s.name, func(t *testing.T) {
					want := render(format, s.do(t))
					got := out.take()
					if normalizeDurations(got) != want {
						t.Errorf("access log:\n%s\nwant:\n%s", got, want)
					}
					if !anyDuration.MatchString(got) {
						t.Errorf("no duration in %s", got)
					}
				})
			}
		})
	}
}

// TestAccessLogLevel: --log-level filters the access log like every other
// line: warn keeps the refusals only, error nothing; without an access
// logger nothing is written.
func TestAccessLogLevel(t *testing.T) {
	for _, tt := range []struct {
		level slog.Level
		want  []string // operations logged, in order
	}{
		{slog.LevelDebug, []string{"control.livez", "easemob.chatmessages", "easemob.unknown"}},
		{slog.LevelInfo, []string{"easemob.chatmessages", "easemob.unknown"}},
		{slog.LevelWarn, []string{"easemob.unknown"}},
		{slog.LevelError, nil},
	} {
		t.Run(tt.level.String(), func(t *testing.T) {
			var out logBuffer
			l := startLive(t, emulator.Config{AccessLog: accessLogger("json", &out, tt.level)})
			tok := easemobToken(t, l, "chatemu", "demo", "YXA6ChatemuDemoClientId001", "YXA6ChatemuDemoClientSecret0001")
			out.take()
			l.do(t, "GET", "/livez", nil, "")
			l.do(t, "GET", "/chatemu/demo/chatmessages/2026112016", http.Header{"Authorization": {"Bearer " + tok}}, "")
			l.do(t, "GET", "/chatemu/demo/nothing", nil, "")
			var got []string
			for line := range strings.Lines(out.take()) {
				var e struct{ Operation string }
				if err := json.Unmarshal([]byte(line), &e); err != nil {
					t.Fatalf("%v: %s", err, line)
				}
				got = append(got, e.Operation)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("logged %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAccessLogNeverShowsSecrets: requests that carry a credential in
// every place a vendor puts one (query, header, body, a signed link, a
// refused link the reason quotes, an escaped parameter name) leave no
// credential in the access log, in either format, on a server that may
// reveal nothing (control token) and on an open loopback one, whose
// reasons show the client the value that would have passed: the log shows
// it to nobody. No tenant's secret ever appears.
func TestAccessLogNeverShowsSecrets(t *testing.T) {
	for _, mode := range []struct {
		name  string
		token string
	}{{"control_token", "ctl-secret-token"}, {"loopback", ""}} {
		for _, format := range []string{"text", "json"} {
			t.Run(mode.name+"/"+format, func(t *testing.T) {
				var out logBuffer
				spec := load(t, "default")
				spec.Op[0].Sign = world.SignMD5
				l := startLive(t, emulator.Config{Spec: spec, ControlToken: mode.token, AccessLog: accessLogger(format, &out, slog.LevelDebug)})
				tn := l.srv.Tenants()
				em, yx, op := tn.Easemob[0], tn.Yunxin[0], tn.Op[0]
				exp := t0.Add(time.Hour)
				object := easemob.ArchiveObject(&world.EasemobApp{Org: em.Org, App: em.App}, "2026112016")
				goodOSS := sign.OSSURL(l.url+"/_oss", em.OSS.Bucket, object, em.OSS.AccessKeyID, em.OSS.AccessKeySecret, exp)
				badOSS := sign.OSSURL(l.url+"/_oss", em.OSS.Bucket, object, em.OSS.AccessKeyID, "not-the-secret", exp)
				badQiniu := sign.QiniuURL(l.url+"/_qiniu/nothing.png", op.Qiniu.AccessKey, "not-the-secret-key", exp)
				qiniuSigned := l.url + "/_qiniu/nothing.png?e=" + strconv.FormatInt(exp.Unix(), 10)
				tok := easemobToken(t, l, em.Org, em.App, em.ClientID, em.ClientSecret)
				cur := strconv.FormatInt(l.srv.Clock().WallNow().Unix(), 10)
				checksum := yunxin.CheckSum(yx.AppSecret, "n0nce", cur)
				opQuery := url.Values{"client": {op.Client}, "token": {op.Token}, "sign": {"0123456789abcdef0123456789abcdef"}}

				type row struct {
					name    string
					method  string
					path    string
					header  http.Header
					body    string
					secrets []string // the credentials the request carries, and what would have passed
				}
				rows := []row{
					{"easemob token body", "POST", "/" + em.Org + "/" + em.App + "/token", http.Header{"Content-Type": {"application/json"}},
						`{"grant_type":"client_credentials","client_id":"` + em.ClientID + `","client_secret":"` + em.ClientSecret + `"}`, []string{em.ClientSecret}},
					{"easemob bearer", "GET", "/" + em.Org + "/" + em.App + "/chatmessages/2026112016", http.Header{"Authorization": {"Bearer " + tok}}, "", []string{tok}},
					{"oss signed link", "GET", strings.TrimPrefix(goodOSS, l.url), nil, "", []string{signatureOf(t, goodOSS)}},
					{"oss bad signature", "GET", strings.TrimPrefix(badOSS, l.url), nil, "", []string{signatureOf(t, badOSS), signatureOf(t, goodOSS)}},
					{"oss escaped parameter name", "GET", strings.Replace(strings.TrimPrefix(goodOSS, l.url), "Signature=", "%53ignature=", 1), nil, "", []string{signatureOf(t, goodOSS)}},
					{"qiniu bad token", "GET", strings.TrimPrefix(badQiniu, l.url), nil, "", []string{tokenOf(t, badQiniu), afterColon(tokenOf(t, badQiniu)),
						sign.QiniuSign(op.Qiniu.SecretKey, qiniuSigned)}},
					{"oss signature of another method", "HEAD", strings.TrimPrefix(goodOSS, l.url), nil, "", []string{signatureOf(t, goodOSS),
						sign.OSSSignature(em.OSS.AccessKeySecret, sign.OSSStringToSign("HEAD", exp.Unix(), em.OSS.Bucket, object))}},
					{"easemob wrong client_secret", "POST", "/" + em.Org + "/" + em.App + "/token", http.Header{"Content-Type": {"application/json"}},
						`{"grant_type":"client_credentials","client_id":"` + em.ClientID + `","client_secret":"wrong-client-s3cret"}`, []string{"wrong-client-s3cret"}},
					{"yunxin wrong checksum", "GET", "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=1", http.Header{"AppKey": {yx.AppKey}, "Nonce": {"n0nce"}, "CurTime": {cur},
						"CheckSum": {yunxin.CheckSum("not-the-secret", "n0nce", cur)}}, "", []string{yunxin.CheckSum("not-the-secret", "n0nce", cur), checksum}},
					{"chatfiles share-secret", "GET", "/" + em.Org + "/" + em.App + "/chatfiles/nope?share-secret=sh4re-s3cret", http.Header{"Authorization": {"Bearer " + tok}, "Share-Secret": {"sh4re-hdr"}}, "", []string{"sh4re-s3cret", "sh4re-hdr"}},
					{"yunxin checksum", "GET", "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=1", http.Header{"AppKey": {yx.AppKey}, "Nonce": {"n0nce"}, "CurTime": {cur}, "CheckSum": {checksum}}, "", []string{checksum}},
					{"op token and sign", "POST", "/op/v2/userMessageList?" + opQuery.Encode(), http.Header{"Content-Type": {"application/json"}}, `{"userId":"alice","pageNum":1,"pageSize":1}`,
						[]string{op.Token, "0123456789abcdef0123456789abcdef", opapi.SignMD5(opQuery, []byte(`{"userId":"alice","pageNum":1,"pageSize":1}`), op.Secret)}},
					{"unknown path password", "GET", "/nowhere/at/all?password=hunter2-pw&access_token=at-s3cret", nil, "", []string{"hunter2-pw", "at-s3cret"}},
					{"control token", "GET", "/_chatemu/clock", http.Header{"Authorization": {"Bearer ctl-secret-token"}}, "", []string{"ctl-secret-token"}},
					{"metrics scrape", "GET", "/_chatemu/metrics", http.Header{"Authorization": {"Bearer ctl-secret-token"}}, "", []string{"ctl-secret-token"}},
				}
				tenantSecrets := []string{em.ClientSecret, em.OSS.AccessKeySecret, yx.AppSecret, op.Secret, op.Qiniu.SecretKey}
				out.take()
				for _, r := range rows {
					t.Run(r.name, func(t *testing.T) {
						l.do(t, r.method, r.path, r.header, r.body)
						got := out.take()
						if strings.Count(got, "\n") != 1 {
							t.Fatalf("want one line, got %q", got)
						}
						for _, s := range append(r.secrets, tenantSecrets...) {
							if s == "" {
								t.Fatal("an empty secret")
							}
							if strings.Contains(got, s) || strings.Contains(got, url.QueryEscape(s)) {
								t.Errorf("the log shows the credential %q: %s", s, got)
							}
						}
					})
				}
			})
		}
	}
}

// afterColon returns what follows the first ':' of s.
func afterColon(s string) string {
	_, after, _ := strings.Cut(s, ":")
	return after
}

// signatureOf returns the Signature parameter of an OSS link.
func signatureOf(t *testing.T, link string) string { return queryParam(t, link, "Signature") }

// tokenOf returns the token parameter of a Qiniu link.
func tokenOf(t *testing.T, link string) string { return queryParam(t, link, "token") }

func queryParam(t *testing.T, link, name string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	v := u.Query().Get(name)
	if v == "" {
		t.Fatalf("no %s in %s", name, link)
	}
	return v
}

// TestAccessLogBounded: a request line of 128 KiB logs a line of a few
// kilobytes: path and query are each cut at journal.MaxField, and the
// reason (which names the path) comes bounded by the server, at
// respond.MaxReason.
func TestAccessLogBounded(t *testing.T) {
	var out logBuffer
	l := startLive(t, emulator.Config{AccessLog: accessLogger("text", &out, slog.LevelInfo)})
	long := strings.Repeat("a", 64<<10)
	l.do(t, "GET", "/chatemu/"+long+"?q="+long, nil, "")
	got := out.take()
	if len(got) > 2*journal.MaxField+respond.MaxReason+512 || strings.Count(got, "…") != 2 {
		t.Errorf("%d bytes logged: %.200s", len(got), got)
	}
	_, reason, ok := strings.Cut(got, ` reason="`)
	reason, _, _ = strings.Cut(reason, `"`)
	if !ok || !strings.HasPrefix(reason, "no emulated API serves GET /chatemu/aaa") || len(reason) > respond.MaxReason {
		t.Errorf("reason of %d bytes: %.100s", len(reason), reason)
	}
}
