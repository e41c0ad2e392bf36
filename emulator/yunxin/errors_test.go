package yunxin

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestErrors has a row per error path. Each row runs through both the
// doc-shaped and the SDK-shaped client and asserts HTTP 200, the exact body
// (also pinned by a golden file) and a reason header.
func TestErrors(t *testing.T) {
	e := newEnv(t)
	base := query{app: appMain, room: "100", sender: "u1", limit: 5}

	// Tokens for the page_token rows: one issued for this query, one for
	// another sender.
	d, _ := page(t, e, docClient{}, base)
	own := *d.NextToken
	d, _ = page(t, e, docClient{}, with(base, func(q *query) { q.sender = "u2" }))
	foreign := *d.NextToken

	resign := func(req *http.Request, cur string) {
		req.Header.Set("CurTime", cur)
		req.Header.Set("CheckSum", CheckSum(secretMain, req.Header.Get("Nonce"), cur))
	}
	wall := func(d time.Duration) string { return strconv.FormatInt(e.clk.WallNow().Add(d).Unix(), 10) }
	setParam := func(name, value string) func(*http.Request) {
		return func(req *http.Request) {
			v := req.URL.Query()
			v.Set(name, value)
			req.URL.RawQuery = v.Encode()
		}
	}
	const (
		param    = `{"code":414,"msg":"parameter error","data":{}}`
		appkey   = `{"code":414,"msg":"appkey","data":{}}`
		checksum = `{"code":414,"msg":"checksum","data":{}}`
		expired  = `{"code":414,"msg":"CurTime is expired","data":{}}`
	)
	rows := []struct {
		name   string
		q      query
		mutate func(*http.Request)
		want   string
		reason string // a substring of X-Chatemu-Reason
	}{
		{"appkey_missing", base, func(r *http.Request) { r.Header.Del("AppKey") }, appkey, "AppKey header is missing"},
		{"appkey_unknown", base, func(r *http.Request) { r.Header.Set("AppKey", "nosuchapp") }, appkey, "not an app"},
		{"curtime_missing", base, func(r *http.Request) { r.Header.Del("CurTime") }, expired, "CurTime header is missing"},
		{"curtime_not_a_number", base, func(r *http.Request) { resign(r, "soon") }, expired, "not a whole number"},
		{"curtime_stale", base, func(r *http.Request) { resign(r, wall(-10*time.Minute)) }, expired, "outside the 5m0s window"},
		{"curtime_future", base, func(r *http.Request) { resign(r, wall(10*time.Minute)) }, expired, "outside the 5m0s window"},
		{"curtime_millis", base, func(r *http.Request) {
			resign(r, strconv.FormatInt(e.clk.WallNow().UnixMilli(), 10))
		}, expired, "looks like milliseconds"},
		{"nonce_missing", base, func(r *http.Request) { r.Header.Del("Nonce") }, checksum, "Nonce header is missing"},
		{"nonce_too_long", base, func(r *http.Request) {
			r.Header.Set("Nonce", strings.Repeat("n", 129))
			resign(r, r.Header.Get("CurTime"))
		}, checksum, "at most 128"},
		{"checksum_missing", base, func(r *http.Request) { r.Header.Del("CheckSum") }, checksum, "CheckSum header is missing"},
		{"checksum_wrong", base, func(r *http.Request) { r.Header.Set("CheckSum", CheckSum("wrong-secret", "n", "1")) }, checksum, "CheckSum mismatch"},
		{"checksum_uppercase", base, func(r *http.Request) {
			r.Header.Set("CheckSum", strings.ToUpper(r.Header.Get("CheckSum")))
		}, checksum, "lowercase hex"},
		{"room_id_not_a_number", with(base, func(q *query) { q.room = "lobby" }), nil, param, "not a Long"},
		{"room_id_doc_artifact", with(base, func(q *query) { q.room = ":100" }), nil, param, "doc artifact"},
		{"limit_missing", with(base, func(q *query) { q.limit = 0 }), nil, param, "limit is required"},
		{"limit_zero", base, setParam("limit", "0"), param, "outside 1..100"},
		{"limit_negative", base, setParam("limit", "-3"), param, "outside 1..100"},
		{"limit_over_100", with(base, func(q *query) { q.limit = 101 }), nil, param, "outside 1..100"},
		{"limit_not_a_number", base, setParam("limit", "ten"), param, "not an integer"},
		{"sender_missing", with(base, func(q *query) { q.sender = "" }), nil, param, "sender_id is required"},
		{"message_type_unknown", with(base, func(q *query) { q.types = []int{7} }), nil, param, "not a message type"},
		{"message_type_spaced", base, setParam("message_type", "0, 1"), param, "not a message type"},
		{"message_type_and_types", base, func(r *http.Request) {
			v := r.URL.Query()
			v.Set("message_type", "0")
			v.Set("message_types", "0")
			r.URL.RawQuery = v.Encode()
		}, param, "both message_type and message_types"},
		{"descending_not_boolean", base, setParam("descending", "yes"), param, "not true or false"},
		{"parameter_unknown", base, setParam("begin_time", "0"), param, `"begin_time" is not one of`},
		{"parameter_repeated", base, func(r *http.Request) { r.URL.RawQuery += "&limit=5" }, param, "given 2 times"},
		{"page_token_garbage", with(base, func(q *query) { q.pageToken = "xs9oS5VowsDoSrQcSR==" }), nil, param, "not a token this emulator issued"},
		{"page_token_foreign", with(base, func(q *query) { q.pageToken = foreign }), nil, param, "issued for another query"},
		{"page_token_other_direction", with(base, func(q *query) { q.pageToken = own; q.descending = ptr(false) }), nil, param, "issued for another query"},
		{"page_token_other_types", with(base, func(q *query) { q.pageToken = own; q.types = []int{0} }), nil, param, "issued for another query"},
		{"page_token_tampered", with(base, func(q *query) { q.pageToken = own[:10] + flip(own[10]) + own[11:] }), nil, param, "issued for another query"},
		{"page_token_plus_unescaped", base, func(r *http.Request) {
			tok := "AQAAAaH4X4xh+AAAAQAAAAAAAACbWvzd4Cjhg+5APq/pvQ=="
			r.URL.RawQuery = strings.ReplaceAll(r.URL.RawQuery, "limit=5", "limit=5&page_token="+tok)
		}, param, "a '+' was not URL-encoded"},
		{"chatroom_not_exist", with(base, func(q *query) { q.room = "999" }), nil, `{"code":113404,"msg":"chatroom not exist","data":{}}`, "has no chatroom 999"},
		{"chatroom_closed", with(base, func(q *query) { q.room = "200" }), nil, `{"code":113406,"msg":"chatroom closed","data":{}}`, "is closed"},
		{"account_not_exist", with(base, func(q *query) { q.sender = "ghost" }), nil, `{"code":102404,"msg":"account not exist","data":{}}`, `"ghost" is not an account`},
	}
	for _, c := range clients() {
		for _, row := range rows {
			t.Run(c.name()+"/"+row.name, func(t *testing.T) {
				if !c.supports(row.q) {
					t.Skip("the SDK cannot send descending=false")
				}
				req := c.request(e, row.q)
				if row.mutate != nil {
					row.mutate(req)
				}
				status, body, reason := do(t, req)
				if status != http.StatusOK {
					t.Errorf("HTTP %d, want 200 (the vendor answers every business error with HTTP 200)", status)
				}
				if string(body) != row.want {
					t.Errorf("body %s, want %s", body, row.want)
				}
				if !strings.Contains(reason, row.reason) {
					t.Errorf("reason %q lacks %q", reason, row.reason)
				}
				goldenBody(t, e, "errors/"+row.name+".json", body)
			})
		}
	}
	if len(rows) < 15 {
		t.Errorf("%d rows, the issue asks for at least 15", len(rows))
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// TestSpacesInQuery: the SDK's url.QueryEscape turns spaces into '+'; an
// account with a space must still be found.
func TestSpacesInQuery(t *testing.T) {
	e := newEnv(t)
	for _, c := range clients() {
		req := c.request(e, query{app: appMain, room: "100", sender: "用户 四", limit: 1})
		if c.name() == "sdk" && !strings.Contains(req.URL.RawQuery, "+") {
			t.Fatalf("sdk query %s has no '+'", req.URL.RawQuery)
		}
		if _, body, reason := do(t, req); string(body) != `{"code":200,"msg":"success","data":{"has_more":false,"items":[]}}` {
			t.Errorf("%s: %s (%s)", c.name(), body, reason)
		}
	}
}
