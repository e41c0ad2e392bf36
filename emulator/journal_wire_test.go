package emulator_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/emulator/journal"
)

// TestJournalKeepsRequestsAndAnswers: over HTTP, each vendor request's
// entry keeps its headers and bodies as the client sent and received them,
// credentials redacted everywhere, binary bodies counted but not kept, long
// bodies cut with their size; the filters of GET /_chatemu/requests select
// by vendor, operation, tenant, status, since, limit and unmatched.
func TestJournalKeepsRequestsAndAnswers(t *testing.T) {
	l := startLive(t, emulator.Config{})
	json := http.Header{"Content-Type": {"application/json"}}
	tok := easemobToken(t, l, "chatemu", "demo", emClientID, emClientSecret)                                                // 1
	_, page := l.do(t, "GET", "/chatemu/demo/chatmessages/2026112016", http.Header{"Authorization": {"Bearer " + tok}}, "") // 2
	l.do(t, "GET", linkIn(t, l, page, "/_oss/"), nil, "")                                                                   // 3
	l.do(t, "GET", "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=2", yunxinHeaders(l.srv, yxAppKey, yxSecret), "")   // 4
	long := `{"userId":"alice","pageNum":1,"pageSize":1,"pad":"` + strings.Repeat("x", journal.MaxBody) + `"}`
	l.do(t, "POST", "/op/v2/userMessageList?client="+opClient+"&token="+opToken+"&sign=abc", json, long) // 5
	l.do(t, "GET", "/nowhere?token=t", nil, "")                                                          // 6
	l.control(t, "POST", "faults", `{"vendor":"op","status":503,"body":"busy","times":1}`, 201, nil)
	l.do(t, "POST", "/op/v2/userMessageList?client=chatemu-op", json, `{"userId":"bob"}`)                                           // 7
	l.do(t, "GET", "/chatemu/demo/chatfiles/nope", http.Header{"Share-Secret": {"s3cr3t"}, "Authorization": {"Bearer " + tok}}, "") // 8

	var all control.RequestList
	l.control(t, "GET", "requests", "", 200, &all)
	if len(all.Requests) != 8 || all.LastSeq != 8 || all.Size != journal.DefaultSize || all.MaxBytes != journal.DefaultBytes ||
		all.Bytes <= 0 || all.Bytes > all.MaxBytes {
		t.Fatalf("%d requests, last_seq %d, size %d, max_bytes %d, bytes %d", len(all.Requests), all.LastSeq, all.Size, all.MaxBytes, all.Bytes)
	}
	r := all.Requests
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"token: request body redacted", r[0].RequestBody == `{"grant_type":"client_credentials","client_id":"`+emClientID+`","client_secret":"REDACTED"}` &&
			r[0].RequestHeaders["Content-Type"] == "application/json" && !r[0].RequestBodyTruncated},
		{"token: access_token redacted", strings.Contains(r[0].ResponseBody, `"access_token":"REDACTED"`) && !strings.Contains(r[0].ResponseBody, tok) &&
			r[0].ResponseBodyBytes > int64(len(r[0].ResponseBody))-int64(len(tok))},
		{"chatmessages: bearer redacted", r[1].RequestHeaders["Authorization"] == "Bearer REDACTED" && r[1].Operation == "easemob.chatmessages"},
		{"chatmessages: signed link redacted", strings.Contains(r[1].ResponseBody, "Signature=REDACTED") && r[1].ResponseBodyBytes > 0},
		{"archive: binary counted, not kept", r[2].Status == 200 && r[2].ResponseBody == "" && r[2].ResponseBodyTruncated && r[2].ResponseBodyBytes > 100 &&
			strings.Contains(r[2].Query, "Signature=REDACTED") && strings.Contains(r[2].Query, "OSSAccessKeyId=")},
		{"yunxin: CheckSum redacted, AppKey kept", r[3].RequestHeaders["Checksum"] == "REDACTED" && r[3].RequestHeaders["Appkey"] == "chatemu-yunxin-demo" &&
			r[3].RequestHeaders["Nonce"] == "n1" && strings.HasPrefix(r[3].ResponseBody, `{"code":200`) && r[3].ResponseBodyBytes == int64(len(r[3].ResponseBody))},
		{"op: long body cut, query redacted", r[4].RequestBodyTruncated && len(r[4].RequestBody) == journal.MaxBody && r[4].RequestBodyBytes == int64(len(long)) &&
			r[4].Query == "client=chatemu-op&token=REDACTED&sign=REDACTED" && r[4].Tenant == "op:chatemu-op"},
		{"unknown path: unmatched", r[5].Unmatched && r[5].Operation == "easemob.unknown" && r[5].Query == "token=REDACTED"},
		{"fault: body read all the same", r[6].Fault == "f1" && r[6].Status == 503 && r[6].RequestBody == `{"userId":"bob"}` && r[6].ResponseBody == "busy" && !r[6].Unmatched},
		{"chatfiles: share-secret redacted", r[7].RequestHeaders["Share-Secret"] == "REDACTED" && r[7].Operation == "easemob.chatfiles"},
		{"host and times", r[3].RequestHeaders["Host"] == strings.TrimPrefix(l.url, "http://") && r[3].Time == "2026-11-20T10:00:00.000Z" && r[3].WallTime != r[3].Time},
	} {
		if !tt.ok {
			t.Errorf("%s", tt.name)
		}
	}
	if t.Failed() {
		for _, e := range r {
			t.Logf("%+v", e)
		}
	}

	for _, tt := range []struct {
		query string
		want  []uint64
	}{
		{"vendor=op", []uint64{5, 7}},
		{"operation=easemob.chatmessages", []uint64{2}},
		{"tenant=easemob:chatemu/demo", []uint64{1, 2, 3, 8}},
		{"status=200", []uint64{1, 2, 3, 4, 5}},
		{"status=5xx", []uint64{7}},
		{"status=4xx", []uint64{6, 8}},
		{"since=5", []uint64{6, 7, 8}},
		{"limit=2", []uint64{7, 8}},
		{"unmatched=true", []uint64{6}},
		{"unmatched=false&vendor=easemob&since=1&limit=2", []uint64{3, 8}},
		{"since=8", nil},
	} {
		var got control.RequestList
		l.control(t, "GET", "requests?"+tt.query, "", 200, &got)
		var seqs []uint64
		for _, e := range got.Requests {
			seqs = append(seqs, e.Seq)
		}
		if !slices.Equal(seqs, tt.want) {
			t.Errorf("%s: %v, want %v", tt.query, seqs, tt.want)
		}
	}
}

// TestJournalHead: a HEAD answer is journaled with its status and no body
// bytes (net/http sends none), before the client has it.
func TestJournalHead(t *testing.T) {
	l := startLive(t, emulator.Config{})
	l.control(t, "POST", "messages", `{"tenant":"yunxin:chatemu-yunxin-demo","messages":[{"sender":"amy","room":"10001","type":"image","at":"2026-11-20T09:59:00Z"}]}`, 201, nil)
	_, page := l.do(t, "GET", "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=1", yunxinHeaders(l.srv, yxAppKey, yxSecret), "")
	link := linkIn(t, l, page, "/_nos/")
	for _, method := range []string{"HEAD", "GET"} {
		res, body := l.do(t, method, link, nil, "")
		e := l.srv.Journal().Entries(journal.Filter{Limit: 1})
		if res.StatusCode != 200 || len(e) != 1 || e[0].Method != method || e[0].Status != 200 || e[0].Operation != journal.YunxinDownload {
			t.Fatalf("%s: %d, journal %+v", method, res.StatusCode, e)
		}
		if want := int64(len(body)); e[0].ResponseBodyBytes != want || e[0].ResponseBody != "" || e[0].ResponseBodyTruncated != (want > 0) {
			t.Errorf("%s: %d body bytes journaled (%q, truncated %v), want %d", method, e[0].ResponseBodyBytes, e[0].ResponseBody, e[0].ResponseBodyTruncated, want)
		}
	}
}

// TestJournalCachedPages: a page asked again is answered from the page
// cache and its entry keeps what the first one kept: the start of the
// body the client got, cut at MaxBody, credentials (the Op page's getUrl
// tokens) redacted; and keeping it changes nothing of the cached page, which
// the next client gets byte for byte.
func TestJournalCachedPages(t *testing.T) {
	l := startLive(t, emulator.Config{})
	opBody := `{"userId":"alice","pageNum":1,"pageSize":20,"action":"INIT"}`
	pages := []struct {
		name, method, path, body string
		header                   http.Header
		redacted                 bool
	}{
		{"yunxin", "GET", "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=100", "", yunxinHeaders(l.srv, yxAppKey, yxSecret), false},
		{"op", "POST", "/op/v2/userMessageList?client=" + opClient + "&token=" + opToken + "&sign=x", opBody,
			http.Header{"Content-Type": {"application/json"}}, true},
	}
	for _, p := range pages {
		var first string
		var kept []journal.Entry
		for i := range 3 {
			res, body := l.do(t, p.method, p.path, p.header, p.body)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %.200s", p.name, res.StatusCode, body)
			}
			if i == 0 {
				first = body
			} else if body != first {
				t.Fatalf("%s: answer %d differs from the first", p.name, i+1)
			}
			kept = append(kept, l.srv.Journal().Entries(journal.Filter{Limit: 1})[0])
		}
		for i, e := range kept {
			want := first[:min(len(first), journal.MaxBody)]
			if p.redacted {
				if !strings.Contains(e.ResponseBody, "token=REDACTED") || strings.Count(e.ResponseBody, "token=REDACTED") != strings.Count(want, "token=") {
					t.Errorf("%s, request %d: the page's tokens are not all redacted: %.300s", p.name, i+1, e.ResponseBody)
				}
				if e.ResponseBody != kept[0].ResponseBody {
					t.Errorf("%s, request %d: kept %.200s, the first request kept %.200s", p.name, i+1, e.ResponseBody, kept[0].ResponseBody)
				}
			} else if e.ResponseBody != want {
				t.Errorf("%s, request %d: kept %.200s, want the start of the answer %.200s", p.name, i+1, e.ResponseBody, want)
			}
			if e.ResponseBodyBytes != int64(len(first)) || e.ResponseBodyTruncated != (len(first) > journal.MaxBody) {
				t.Errorf("%s, request %d: %d bytes (truncated %v), the answer has %d", p.name, i+1, e.ResponseBodyBytes, e.ResponseBodyTruncated, len(first))
			}
		}
	}
}
