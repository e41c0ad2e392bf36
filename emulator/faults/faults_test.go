package faults

import (
	"net/http/httptest"
	"strconv"
	"testing"
)

func TestTakeOrderAndTimes(t *testing.T) {
	var s Set
	a, _ := s.Add(Rule{Vendor: "easemob", Path: "chatmessages", Kind: RateLimit, Times: 2})
	b, _ := s.Add(Rule{Kind: ServerError})
	if a.ID != "f1" || b.ID != "f2" || a.Remaining != 2 || b.Remaining != -1 {
		t.Fatalf("added %+v %+v", a, b)
	}
	for i, want := range []string{"f1", "f1", "f2", "f2"} {
		f, ok := s.Take("easemob", "GET", "/o/a/chatmessages/2026112009")
		if !ok || f.ID != want {
			t.Errorf("take %d: %v %q, want %s", i, ok, f.ID, want)
		}
	}
	if f, _ := s.Take("yunxin", "GET", "/im/v2/x"); f.ID != "f2" {
		t.Errorf("other vendor took %q", f.ID)
	}
	if l := s.List(); len(l) != 1 || l[0].Hits != 3 {
		t.Errorf("list %+v", l)
	}
	if s.Delete("f1") || !s.Delete("f2") || s.Len() != 0 {
		t.Error("delete")
	}
	s.Reset()
	if c, _ := s.Add(Rule{Kind: Drop}); c.ID != "f1" {
		t.Errorf("after Reset id %q", c.ID)
	}
}

func TestMatches(t *testing.T) {
	f, err := Compile(Rule{Vendor: "op", Method: "post", Path: "^/op/", Kind: Drop})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		vendor, method, path string
		want                 bool
	}{
		{"op", "POST", "/op/v2/userMessageList", true},
		{"op", "GET", "/op/v2/userMessageList", false},
		{"easemob", "POST", "/op/v2/userMessageList", false},
		{"op", "POST", "/_qiniu/op/x", false},
	} {
		if got := f.Matches(tt.vendor, tt.method, tt.path); got != tt.want {
			t.Errorf("%+v: %v", tt, got)
		}
	}
}

// TestCompileStatus: a raw fault's status and headers must be what a server
// can honestly send: a final status of three digits, no body on a status
// that carries none, no framing headers, valid names and values.
func TestCompileStatus(t *testing.T) {
	for _, tt := range []struct {
		name string
		rule Rule
		want string // the error, "" for none
	}{
		{"200", Rule{Status: 200, Body: "ok"}, ""},
		{"418", Rule{Status: 418, Body: "teapot"}, ""},
		{"599", Rule{Status: 599, Body: `{"error":"server operation failed"}`}, ""},
		{"Qiniu's 612", Rule{Status: 612, Body: `{"error":"no such file or directory"}`}, ""},
		{"999", Rule{Status: 999}, ""},
		{"204 without body", Rule{Status: 204}, ""},
		{"304 without body", Rule{Status: 304, Headers: map[string]string{"ETag": `"x"`}}, ""},
		{"a delay and a status", Rule{Status: 503, Delay: "1s"}, ""},
		{"100", Rule{Status: 100}, "status: 100 is an interim (1xx) status: the server would follow it with a final status of its own; want a final status, 200 to 999"},
		{"101", Rule{Status: 101, Body: "x"}, "status: 101 is an interim (1xx) status: the server would follow it with a final status of its own; want a final status, 200 to 999"},
		{"103", Rule{Status: 103}, "status: 103 is an interim (1xx) status: the server would follow it with a final status of its own; want a final status, 200 to 999"},
		{"199", Rule{Status: 199}, "status: 199 is an interim (1xx) status: the server would follow it with a final status of its own; want a final status, 200 to 999"},
		{"99", Rule{Status: 99}, "status: want an HTTP status, 200 to 999, got 99"},
		{"negative", Rule{Status: -200}, "status: want an HTTP status, 200 to 999, got -200"},
		{"1000", Rule{Status: 1000}, "status: want an HTTP status, 200 to 999, got 1000"},
		{"204 with body", Rule{Status: 204, Body: "x"}, "body: a 204 answer carries no body (RFC 9110); drop the body or choose another status"},
		{"205 with body", Rule{Status: 205, Body: "x"}, "body: a 205 answer carries no body (RFC 9110); drop the body or choose another status"},
		{"304 with body", Rule{Status: 304, Body: "x"}, "body: a 304 answer carries no body (RFC 9110); drop the body or choose another status"},
		{"status and kind", Rule{Status: 500, Kind: ServerError}, `status: a raw status and kind "server_error" exclude each other: the kind renders its own status`},
		{"body without status", Rule{Body: "x", Delay: "1s"}, "body: body and headers go with a raw status; set status too"},
		{"Content-Length", Rule{Status: 200, Headers: map[string]string{"content-length": "100"}}, "headers: Content-Length is set by the server from the body and the connection; a fault may not set it"},
		{"Transfer-Encoding", Rule{Status: 200, Headers: map[string]string{"Transfer-Encoding": "chunked"}}, "headers: Transfer-Encoding is set by the server from the body and the connection; a fault may not set it"},
		{"Connection", Rule{Status: 200, Headers: map[string]string{"Connection": "close"}}, "headers: Connection is set by the server from the body and the connection; a fault may not set it"},
		{"empty name", Rule{Status: 200, Headers: map[string]string{"": "x"}}, `headers: "" is not a header name`},
		{"name with a colon", Rule{Status: 200, Headers: map[string]string{"X-A:b": "x"}}, `headers: "X-A:b" is not a header name`},
		{"name with a space", Rule{Status: 200, Headers: map[string]string{"X A": "x"}}, `headers: "X A" is not a header name`},
		{"value with CRLF", Rule{Status: 200, Headers: map[string]string{"X-A": "1\r\nSet-Cookie: x"}}, "headers: X-A: a header value may not hold control characters (CR, LF, …)"},
		{"value with a tab", Rule{Status: 200, Headers: map[string]string{"X-A": "1\t2"}}, ""},
	} {
		_, err := Compile(tt.rule)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: error %q\n want %q", tt.name, got, tt.want)
		}
	}
}

// TestWriteRaw: the raw answer is the status, the headers and the body as
// given; a 204 or 304 carries no Content-Length.
func TestWriteRaw(t *testing.T) {
	for _, tt := range []struct {
		rule   Rule
		length string
	}{
		{Rule{Status: 503, Body: "busy", Headers: map[string]string{"Retry-After": "1"}}, "4"},
		{Rule{Status: 612, Body: `{"error":"no such file or directory"}`}, "37"},
		{Rule{Status: 204}, ""},
		{Rule{Status: 304}, ""},
	} {
		f, err := Compile(tt.rule)
		if err != nil {
			t.Fatal(err)
		}
		f.ID = "f1"
		rec := httptest.NewRecorder()
		f.WriteRaw(rec)
		if rec.Code != tt.rule.Status || rec.Body.String() != tt.rule.Body || rec.Header().Get("Content-Length") != tt.length ||
			rec.Header().Get("X-Chatemu-Reason") != "fault f1: raw status "+strconv.Itoa(tt.rule.Status) {
			t.Errorf("%d: %d %q %v", tt.rule.Status, rec.Code, rec.Body, rec.Header())
		}
		for k, v := range tt.rule.Headers {
			if rec.Header().Get(k) != v {
				t.Errorf("%d: header %s = %q, want %q", tt.rule.Status, k, rec.Header().Get(k), v)
			}
		}
	}
}
