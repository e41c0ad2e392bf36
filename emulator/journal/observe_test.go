package journal

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRedactEchoes: a text about a request keeps none of the credentials
// the request carries, in headers or query, whole, after a ':' or as Go
// quotes them; what is not a credential, and short values, stay.
func TestRedactEchoes(t *testing.T) {
	for _, tt := range []struct {
		name   string
		target string
		header http.Header
		in     string
		want   string
	}{
		{"provided signature", "/_oss/b/o?Expires=1&OSSAccessKeyId=K&Signature=abc%2Bdef%3D", nil,
			`is not the provided "abc+def="`, `is not the provided "REDACTED"`},
		{"escaped parameter name", "/_oss/b/o?%53ignature=abc%2Bdef", nil, `provided "abc+def"`, `provided "REDACTED"`},
		{"qiniu token's signature", "/_qiniu/k?e=1&token=AKEY01:c2lnbmF0dXJl", nil,
			`urlsafe_base64(HMAC-SHA1(secret key of AKEY01, …)) is not the provided "c2lnbmF0dXJl"`,
			`urlsafe_base64(HMAC-SHA1(secret key of AKEY01, …)) is not the provided "REDACTED"`},
		{"op token", "/op/v2/userMessageList?client=c&token=wrong-token", nil,
			`token "wrong-token" is not client c's token`, `token "REDACTED" is not client c's token`},
		{"checksum header", "/im/v2/x", http.Header{"Checksum": {"3f2a9c0d1e"}}, `is not the provided "3f2a9c0d1e"`, `is not the provided "REDACTED"`},
		{"bearer", "/o/a/chatmessages/1", http.Header{"Authorization": {"Bearer YWMtabcdef"}}, "token YWMtabcdef is unknown", "token REDACTED is unknown"},
		{"quoted form", "/x?sign=a%22b%5Cc-def", nil, `provided "a\"b\\c-def"`, `provided "REDACTED"`},
		{"identifiers stay", "/_oss/b/o?Expires=1795172400&OSSAccessKeyId=LTAI5tKey", http.Header{"Appkey": {"chatemu-yunxin-demo"}},
			"key LTAI5tKey of app chatemu-yunxin-demo expired at 1795172400", "key LTAI5tKey of app chatemu-yunxin-demo expired at 1795172400"},
		{"short value stays", "/x?token=ab", nil, "a tab", "a tab"},
		{"empty", "/x?token=secret-1", nil, "", ""},
	} {
		r := httptest.NewRequest("GET", tt.target, nil)
		for k, v := range tt.header {
			r.Header[k] = v
		}
		if got := RedactEchoes(tt.in, r); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// TestRedactEchoesBounded: thousands of credential parameters cost what
// maxEchoes of them do.
func TestRedactEchoesBounded(t *testing.T) {
	target := "/x?" + strings.Repeat("token=abcdefgh&", 10000)
	r := httptest.NewRequest("GET", target, nil)
	if got := RedactEchoes("provided abcdefgh", r); got != "provided REDACTED" {
		t.Errorf("got %q", got)
	}
	if n := testing.AllocsPerRun(5, func() { RedactEchoes("nothing here", r) }); n > maxEchoes {
		t.Errorf("%.0f allocations", n)
	}
}
