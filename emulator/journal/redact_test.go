package journal

import (
	"testing"
)

// TestRedact: every credential a vendor request or answer carries is
// replaced, in headers, query strings, form and JSON bodies and the signed
// links inside answers; identifiers, dates and page tokens stay.
func TestRedact(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		// Query strings.
		{"oss link", "Expires=1795172400&OSSAccessKeyId=LTAI5t&Signature=abc%2Bdef%3D",
			"Expires=1795172400&OSSAccessKeyId=LTAI5t&Signature=REDACTED"},
		{"op list", "client=chatemu-op&token=chatemu-op-token-0001&sign=9f86d0&apiVersion=01",
			"client=chatemu-op&token=REDACTED&sign=REDACTED&apiVersion=01"},
		{"qiniu link", "e=1795172400&token=AK:c2lnbmF0dXJl", "e=1795172400&token=REDACTED"},
		{"share-secret", "share-secret=s3cr3t", "share-secret=REDACTED"},
		{"name any case", "SIGNATURE=x&Token=y", "SIGNATURE=REDACTED&Token=REDACTED"},
		{"name folding to another length", "to\u212Aen=x&\u017Fign=y", "to\u212Aen=REDACTED&\u017Fign=REDACTED"},
		{"escaped name", "%53ignature=x", "%53ignature=REDACTED"},
		{"repeated", "sign=a&sign=b", "sign=REDACTED&sign=REDACTED"},
		{"empty value", "token=&x=1", "token=&x=1"},
		{"page token stays", "page_token=abc&limit=20&sender_id=amy", "page_token=abc&limit=20&sender_id=amy"},
		{"no value", "token&sign", "token&sign"},
		{"nothing", "", ""},
		// Bodies.
		{"easemob token request", `{"grant_type":"client_credentials","client_id":"YXA6id","client_secret":"YXA6secret"}`,
			`{"grant_type":"client_credentials","client_id":"YXA6id","client_secret":"REDACTED"}`},
		{"easemob token answer", `{"access_token":"YWMtabc","expires_in":5184000,"application":"6f0e"}`,
			`{"access_token":"REDACTED","expires_in":5184000,"application":"6f0e"}`},
		{"json spaces and escapes", `{ "client_secret" : "a\"b", "x": "client_secret"}`, `{ "client_secret" : "REDACTED", "x": "client_secret"}`},
		{"json cut short", `{"client_secret":"YXA6sec`, `{"client_secret":"REDACTED`},
		{"json number stays", `{"sign":12,"token":null}`, `{"sign":12,"token":null}`},
		{"json next_token stays", `{"data":{"next_token":"abc","has_more":true}}`, `{"data":{"next_token":"abc","has_more":true}}`},
		{"signed link in json", `{"data":[{"url":"http://h/_oss/b/o?Expires=1&OSSAccessKeyId=K&Signature=s%2B"}],"timestamp":1}`,
			`{"data":[{"url":"http://h/_oss/b/o?Expires=1&OSSAccessKeyId=K&Signature=REDACTED"}],"timestamp":1}`},
		{"escaped ampersand", `{"getUrl":"http://h/_qiniu/k.jpg?e=1\u0026token=AK:sig"}`, `{"getUrl":"http://h/_qiniu/k.jpg?e=1\u0026token=REDACTED"}`},
		{"form body", "grant_type=client_credentials&client_id=id&client_secret=s", "grant_type=client_credentials&client_id=id&client_secret=REDACTED"},
		{"oss error", "<Error><Code>SignatureDoesNotMatch</Code><StringToSign>GET\n\n\n1\n/b/o</StringToSign><SignatureProvided>abc=</SignatureProvided></Error>",
			"<Error><Code>SignatureDoesNotMatch</Code><StringToSign>GET\n\n\n1\n/b/o</StringToSign><SignatureProvided>REDACTED</SignatureProvided></Error>"},
	} {
		if got := redactBody(tt.in); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct{ name, value, want string }{
		{"Authorization", "Bearer YWMtabc", "Bearer REDACTED"},
		{"authorization", "Basic dXNlcjpwYXNz", "Basic REDACTED"},
		{"Authorization", "YWMtabc", "REDACTED"},
		{"CheckSum", "3f2a9c", "REDACTED"},
		{"Share-Secret", "s3cr3t", "REDACTED"},
		{"Cookie", "a=b", "REDACTED"},
		{"AppKey", "chatemu-yunxin-demo", "chatemu-yunxin-demo"},
		{"Nonce", "n1", "n1"},
		{"CurTime", "1795168800", "1795168800"},
		{"Content-Type", "application/json", "application/json"},
	} {
		if got := redactHeader(tt.name, tt.value); got != tt.want {
			t.Errorf("header %s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestRedactAllocatesOnlyWhenItRedacts: the common request carries no
// credential in its query or body, and costs no allocation.
func TestRedactAllocatesOnlyWhenItRedacts(t *testing.T) {
	q := "sender_id=amy&limit=20&page_token=abc"
	body := `{"userId":"alice","pageNum":1,"pageSize":20,"action":"INIT","url":"http://h/x?y=1"}`
	if n := testing.AllocsPerRun(100, func() { redactParams(q); redactBody(body); redactHeader("Authorization", "Bearer x") }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func FuzzRedact(f *testing.F) {
	f.Add(`{"client_secret":"x","url":"http://h/p?Signature=s&a=1"}`)
	f.Add("token=a&sign=b")
	f.Fuzz(func(t *testing.T, s string) {
		got := redactBody(s)
		if len(got) > len(s)+len(Redacted)*(len(s)+1) {
			t.Fatalf("grew from %d to %d", len(s), len(got))
		}
		if again := redactBody(got); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", s, got, again)
		}
	})
}
