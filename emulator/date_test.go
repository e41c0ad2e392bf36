package emulator_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/clock"
)

// linkIn returns the first link to a download route (prefix, e.g. "/_nos/")
// in a JSON body, unescaped, as a path and query on the server.
func linkIn(t *testing.T, l *live, body, prefix string) string {
	t.Helper()
	m := regexp.MustCompile(`"(` + regexp.QuoteMeta(l.url+prefix) + `(?:[^"\\]|\\.)*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s link in %.400s", prefix, body)
	}
	var link string
	if err := json.Unmarshal([]byte(m[0]), &link); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(link, l.url)
}

// TestDateFromClock: every vendor response's Date header is the emulated
// clock's time, whatever the wall clock says, on every vendor route and on
// the downloads (a client checking a link's expiry against Date then agrees
// with the server), at an ordinary instant and at the ends of the clock's
// range, where every time in the bodies still renders.
func TestDateFromClock(t *testing.T) {
	for _, at := range []time.Time{t0, clock.Min.Add(4*time.Hour + 30*time.Minute), clock.Max} {
		t.Run(at.Format(time.RFC3339), func(t *testing.T) {
			l := startLive(t, emulator.Config{Now: at})
			// Media messages at the instant, so that every download has a
			// link whatever the scenario's traffic.
			l.control(t, "POST", "messages", `{"tenant":"easemob:chatemu/demo","messages":[{"from":"alice","to":"bob","type":"img","at":"`+at.Add(-2*time.Hour).Format(time.RFC3339)+`"},{"from":"alice","to":"bob","type":"img","at":"`+at.Add(-time.Minute).Format(time.RFC3339)+`"}]}`, 201, nil)
			l.control(t, "POST", "messages", `{"tenant":"yunxin:chatemu-yunxin-demo","messages":[{"sender":"amy","room":"10001","type":"image","at":"`+at.Add(-time.Minute).Format(time.RFC3339)+`"}]}`, 201, nil)
			want := at.UTC().Format(http.TimeFormat)
			check := func(name string, res *http.Response, body string, status int) {
				t.Helper()
				if res.StatusCode != status {
					t.Errorf("%s: status %d, want %d: %.300s", name, res.StatusCode, status, body)
				}
				if got := res.Header.Get("Date"); got != want {
					t.Errorf("%s: Date %q, want %q", name, got, want)
				}
			}

			tok := easemobToken(t, l, "chatemu", "demo", emClientID, emClientSecret)
			hour := at.Add(-2 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006010215")
			res, body := l.do(t, "GET", "/chatemu/demo/chatmessages/"+hour, http.Header{"Authorization": {"Bearer " + tok}}, "")
			check("easemob chatmessages", res, body, 200)
			if ms := `"timestamp":` + jsonInt(at.UnixMilli()); !strings.Contains(body, ms) {
				t.Errorf("chatmessages: no %s in %.300s", ms, body)
			}
			res, body = l.do(t, "GET", linkIn(t, l, body, "/_oss/"), nil, "")
			check("oss archive", res, body, 200)
			res, body = l.do(t, "GET", "/chatemu/demo/nothing", http.Header{"Authorization": {"Bearer " + tok}}, "")
			check("easemob unknown", res, body, 500)

			res, body = l.do(t, "GET", "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=5", yunxinHeaders(l.srv, yxAppKey, yxSecret), "")
			check("yunxin history", res, body, 200)
			if ms := jsonInt(at.Add(-time.Minute).UnixMilli()); !strings.Contains(body, ms) {
				t.Errorf("yunxin: no time %s in %.300s", ms, body)
			}
			res, body = l.do(t, "GET", linkIn(t, l, body, "/_nos/"), nil, "")
			check("nos file", res, body, 200)

			res, body = l.do(t, "POST", "/op/v2/userMessageList?client="+opClient+"&token="+opToken, nil, `{"userId":"alice","pageNum":1,"pageSize":20,"action":"INIT"}`)
			check("op userMessageList", res, body, 200)
			if day := at.Add(-time.Minute).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"); !strings.Contains(body, day) {
				t.Errorf("op: no %s in %.300s", day, body)
			}
			res, body = l.do(t, "GET", linkIn(t, l, body, "/_qiniu/"), nil, "")
			check("qiniu file", res, body, 200)

			// Errors and faults too.
			res, body = l.do(t, "GET", "/_qiniu/x.png?e=1&token=a:b", nil, "")
			check("qiniu refused", res, body, 401)
			l.control(t, "POST", "faults", `{"vendor":"yunxin","status":503,"body":"busy","times":1}`, 201, nil)
			res, body = l.do(t, "GET", "/im/v2/chatrooms/10001/messages", nil, "")
			check("raw fault", res, body, 503)
			// The control API is not a vendor: its Date is the real one.
			res, body = l.do(t, "GET", "/_chatemu/health", nil, "")
			if res.Header.Get("Date") == want {
				t.Errorf("control Date %q is the emulated clock's", want)
			}
		})
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
