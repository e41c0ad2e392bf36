package opapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/world"
)

// Fuzz targets for the Op API's inputs: the request body parser
// and the whole userMessageList call (query string and body). Invariants:
// no panic; every answer is HTTP 200 with the {code,message,data,page,foot}
// envelope; code 500 only for the test world's orphan client (linked to no
// app, the one documented 500); an accepted body is within the documented
// ranges.

func fuzzSurface(f *testing.F) (*Surface, *mux.Router) {
	w, err := world.New(testSpec(f), t0)
	if err != nil {
		f.Fatal(err)
	}
	s := New(Config{World: w, Clock: clock.Start(t0, true), PublicURL: publicURL})
	r := mux.NewRouter()
	s.Routes(r)
	return s, r
}

var fuzzBodies = []string{
	`{"userId":"alice","pageNum":1,"pageSize":20}`,
	`{"userId":"alice","pageNum":"2","pageSize":"100","needMark":"true","needFavorite":false,"action":"MORE","creatTime":"2026-03-08 17:29:17.5"}`,
	`{"userId":148992039571161524,"pageNum":1,"pageSize":1,"action":"NEW","creatTime":"2026-03-08 17:29:17"}`,
	`{"userId":"alice","pageNum":9223372036854775808,"pageSize":-1}`,
	`{"userId":"alice","pageNum":1.5,"pageSize":1e2}`,
	`{"userId":"alice","pageNum":1,"pageSize":1,"creatTime":"2026-02-30 10:00:00","action":"MORE"}`,
	`{"userId":"alice","pageNum":1,"pageSize":1,"creatTime":"2026-03-08 17:29:17.1234","action":"NEW"}`,
	`{"userId":"alice","userId":"bob","pageNum":1,"pageSize":1,"action":null}`,
	`{"createTime":"x"}`, `null`, `[]`, ``, `{"userId":`, "{\"userId\":\"\xff\"}", `{} {}`,
	` { "userId" : "a" , "pageNum" : -0 , "needMark" : true } `, `{"userId":"a",}`, `{"userId":"a"}x`,
	`{"userId":"a\"b"}`, `{"user\u0049d":"a"}`, `{"userId":"a","pageNum":01}`, `{"userId":"a","pageNum":-}`,
	`{"userId":"a","needMark":truex}`, `{"userId":"a","pageSize":20 }`, "{\"userId\":\"a\tb\"}", `{}`,
}

// FuzzParseBody parses arbitrary bodies.
func FuzzParseBody(f *testing.F) {
	s, _ := fuzzSurface(f)
	for _, b := range fuzzBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// The scanner reads only what encoding/json reads the same way.
		var scanned, decoded bodyValues
		if scanned.scan(body) {
			if e := decoded.decode(body); e != nil {
				t.Fatalf("scanned %q, which encoding/json refuses: %s", body, e.Message)
			}
			for i := range scanned {
				if string(scanned[i]) != string(decoded[i]) {
					t.Fatalf("%q: %s scanned as %q, decoded as %q", body, bodyFields[i], scanned[i], decoded[i])
				}
			}
		}
		var req request
		if e := s.parseBody(body, &req); e != nil {
			if e.Code != CodeBadParam || !strings.HasPrefix(e.Message, "参数错误: ") {
				t.Fatalf("refusal %d %q, want 400 参数错误", e.Code, e.Message)
			}
			return
		}
		switch {
		case req.userID == "", req.pageNum < 1, req.pageSize < MinPageSize, req.pageSize > MaxPageSize:
			t.Fatalf("accepted %q as %+v", body, req)
		case req.action != ActionInit && req.action != ActionMore && req.action != ActionNew:
			t.Fatalf("action %q", req.action)
		}
	})
}

// FuzzUserMessageList serves arbitrary methods, query strings and bodies.
func FuzzUserMessageList(f *testing.F) {
	_, r := fuzzSurface(f)
	q := "apiVersion=01&client=" + clientID + "&token=" + clientTok + "&sign=x"
	for _, b := range fuzzBodies {
		f.Add("POST", q, []byte(b))
	}
	for _, qq := range []string{"", "client=%zz", q + "&client=x", q + "&pageNum=1", "apiVersion=02&client=" + clientID, "client=" + md5Client + "&token=" + md5Token + "&sign=", "client=" + orphanID + "&token=" + orphanTok} {
		f.Add("POST", qq, []byte(fuzzBodies[0]))
	}
	f.Add("GET", q, []byte(nil))
	f.Fuzz(func(t *testing.T, method, rawQuery string, body []byte) {
		if method == "" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") {
			return // not an HTTP method token: net/http refuses the request
		}
		req := httptest.NewRequest(http.MethodPost, publicURL+UserMessageListPath, strings.NewReader(string(body)))
		req.Method = method
		req.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
		var env struct {
			Code    *int            `json:"code"`
			Message *string         `json:"message"`
			Data    json.RawMessage `json:"data"`
			Page    json.RawMessage `json:"page"`
			Foot    *foot           `json:"foot"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Code == nil || env.Message == nil || env.Data == nil || env.Page == nil || env.Foot == nil {
			t.Fatalf("not the envelope (%v): %s", err, rec.Body)
		}
		if *env.Code != 200 && rec.Header().Get("X-Chatemu-Reason") == "" {
			t.Fatalf("code %d without X-Chatemu-Reason", *env.Code)
		}
		if *env.Code == int(CodeInternal) {
			if v, err := url.ParseQuery(rawQuery); err != nil || v.Get("client") != orphanID {
				t.Fatalf("code 500 for a client linked to an app: %s", rec.Body)
			}
		}
	})
}

// TestBodyScan: the bodies clients send are read without encoding/json,
// and anything else is left to it.
func TestBodyScan(t *testing.T) {
	for _, c := range []struct {
		body string
		ok   bool
	}{
		{`{"userId":"alice","pageNum":1000,"pageSize":20,"action":"MORE","creatTime":"2026-11-20 09:00:00.0"}`, true},
		{` { "userId" : 148992039571161524 , "needMark" : "true" , "needFavorite" : null } `, true},
		{`{}`, true},
		{`{"userId":"a\"b"}`, false},            // an escape
		{`{"userId":"a","pageNum":1.5}`, false}, // not an integer
		{`{"userId":"a","pageNum":01}`, false},  // not JSON
		{`{"userId":"a",}`, false},
		{`{"userId":"a"} {}`, false},
		{`{"other":1}`, false},
	} {
		var v bodyValues
		if got := v.scan([]byte(c.body)); got != c.ok {
			t.Errorf("scan(%s) = %v, want %v", c.body, got, c.ok)
		}
	}
	var v bodyValues
	body := []byte(`{"userId":"alice","pageNum":1000,"pageSize":20,"action":"MORE","creatTime":"2026-11-20 09:00:00.0"}`)
	if n := testing.AllocsPerRun(100, func() { v.scan(body) }); n != 0 {
		t.Errorf("scan allocates %v times", n)
	}
}
