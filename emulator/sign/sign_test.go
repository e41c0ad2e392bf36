package sign

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/internal/golden"
)

// The secret of Aliyun's header-signature example
// (https://developer.aliyun.com/ask/9293).
const aliyunSecret = "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV"

func TestOSSSignatureVectors(t *testing.T) {
	// Aliyun's example (developer.aliyun.com/ask/9293) and vectors computed
	// over the StringToSign of the OSS URL-signing doc; both verified
	// against Python hmac/sha1/base64.
	tests := []struct {
		name, stringToSign, want, wantInURL string
	}{
		{
			name:         "query-string GET",
			stringToSign: "GET\n\n\n1141889120\n/oss-example/oss-api.pdf",
			want:         "EwaNTn1erJGkimiJ9WmXgwnANLc=",
			wantInURL:    "EwaNTn1erJGkimiJ9WmXgwnANLc%3D",
		},
		{
			name:         "header-signed PUT (Aliyun's own example)",
			stringToSign: "PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\nThu, 17 Nov 2005 18:49:58 GMT\nx-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n/oss-example/nelson",
			want:         "26NBxoKdsyly4EDv6inkoDft/yA=",
			wantInURL:    "26NBxoKdsyly4EDv6inkoDft%2FyA%3D",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := OSSSignature(aliyunSecret, tt.stringToSign)
			if got != tt.want {
				t.Fatalf("OSSSignature = %q, want %q", got, tt.want)
			}
			if esc := ossQueryEscape(got); esc != tt.wantInURL {
				t.Fatalf("escaped = %q, want %q", esc, tt.wantInURL)
			}
		})
	}
	if got, want := OSSStringToSign("GET", 1141889120, "oss-example", "oss-api.pdf"), tests[0].stringToSign; got != want {
		t.Fatalf("OSSStringToSign = %q, want %q", got, want)
	}
}

func TestOSSURLVector(t *testing.T) {
	got := OSSURL("http://oss-example.oss-cn-hangzhou.aliyuncs.com/", "oss-example", "oss-api.pdf",
		"44CF9590006BF252F707", aliyunSecret, time.Unix(1141889120, 0))
	want := "http://oss-example.oss-cn-hangzhou.aliyuncs.com/oss-example/oss-api.pdf" +
		"?Expires=1141889120&OSSAccessKeyId=44CF9590006BF252F707&Signature=EwaNTn1erJGkimiJ9WmXgwnANLc%3D"
	if got != want {
		t.Fatalf("OSSURL =\n %s\nwant\n %s", got, want)
	}
}

// refOSSURL is an independent OSS V1 link builder: the StringToSign is
// assembled byte by byte and everything is percent-encoded by hand, so a
// shared mistake with OSSURL (which leans on net/url) is unlikely.
func refOSSURL(base, bucket, key, ak, secret string, expires int64) string {
	var sts bytes.Buffer
	sts.WriteString("GET")
	sts.Write([]byte{'\n', '\n', '\n'})
	sts.WriteString(strconv.FormatInt(expires, 10))
	sts.WriteByte('\n')
	sts.WriteByte('/')
	sts.WriteString(bucket)
	sts.WriteByte('/')
	sts.WriteString(key)
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write(sts.Bytes())
	sum := mac.Sum(nil)
	sig := make([]byte, base64.StdEncoding.EncodedLen(len(sum)))
	base64.StdEncoding.Encode(sig, sum)

	// Path: RFC 3986 unreserved plus the characters a path segment may
	// carry literally ($ & + = : @; not ; or , which url.PathEscape also
	// escapes); '/' only between segments.
	pathKeep := func(c byte) bool { return isUnreserved(c) || strings.IndexByte("$&+:=@", c) >= 0 }
	var path []string
	for _, seg := range strings.Split(key, "/") {
		path = append(path, pct(seg, pathKeep))
	}
	// Query: only unreserved characters survive (QueryEscape with %20).
	return base + "/" + pct(bucket, pathKeep) + "/" + strings.Join(path, "/") +
		"?Expires=" + strconv.FormatInt(expires, 10) +
		"&OSSAccessKeyId=" + pct(ak, isUnreserved) +
		"&Signature=" + pct(string(sig), isUnreserved)
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

func pct(s string, keep func(byte) bool) string {
	const hexdigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; keep(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hexdigits[c>>4])
			b.WriteByte(hexdigits[c&15])
		}
	}
	return b.String()
}

func TestOSSURLMatchesIndependentImplementation(t *testing.T) {
	const base = "http://127.0.0.1:8080/_oss"
	exp := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name, bucket, key, ak, secret string
	}{
		{"vector inputs", "oss-example", "oss-api.pdf", "44CF9590006BF252F707", aliyunSecret},
		{"archive path", "chatemu-bkt", "archive/2026112010.gz", "LTAIchatemu", "secret-18"},
		{"deep path", "chatemu-bkt", "x/y/z", "LTAIchatemu", "secret-05"},
		{"spaces and plus", "chatemu-bkt", "a b/c+d.gz", "LTAIchatemu", "secret-04"},
		{"chinese key", "chatemu-bkt", "目录/聊天 记录.gz", "LTAIchatemu", "secret-02"},
		{"reserved characters", "chatemu-bkt", "q?x=1&y#z/%41;@:,$~'!*()", "LTAI ak+/=", "s3cr3t/+="},
		{"empty segments", "chatemu-bkt", "/lead//trail/", "LTAIchatemu", "secret-14"},
	}
	var sawPlus, sawSlash bool
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := OSSURL(base, tt.bucket, tt.key, tt.ak, tt.secret, exp)
			want := refOSSURL(base, tt.bucket, tt.key, tt.ak, tt.secret, exp.Unix())
			if got != want {
				t.Fatalf("OSSURL =\n %s\nindependent\n %s", got, want)
			}
			sig := OSSSignature(tt.secret, OSSStringToSign("GET", exp.Unix(), tt.bucket, tt.key))
			sawPlus = sawPlus || strings.Contains(sig, "+")
			sawSlash = sawSlash || strings.Contains(sig, "/")
			if !strings.HasSuffix(sig, "=") || !strings.HasSuffix(got, "%3D") {
				t.Fatalf("signature %q must be padded and end the URL as %%3D: %s", sig, got)
			}

			// The link round-trips through a real URL parser into OSSVerify.
			u, err := url.Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			object := strings.TrimPrefix(u.Path, "/_oss/"+tt.bucket+"/")
			if object != tt.key {
				t.Fatalf("decoded object = %q, want %q", object, tt.key)
			}
			secretFor := func(id string) (string, bool) { return tt.secret, id == tt.ak }
			if err := OSSVerify(u.RawQuery, tt.bucket, object, exp, secretFor); err != nil {
				t.Fatalf("OSSVerify of a fresh link: %v", err)
			}
		})
	}
	if !sawPlus || !sawSlash {
		t.Fatalf("the table must include signatures with '+' (%v) and '/' (%v)", sawPlus, sawSlash)
	}
}

func TestOSSVerify(t *testing.T) {
	const (
		bucket = "chatemu-bkt"
		object = "easemob-demo/chatdemo/2026112009.gz"
		ak     = "LTAIchatemu"
		secret = "s3cr3t"
	)
	exp := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	expStr := strconv.FormatInt(exp.Unix(), 10)
	sts := OSSStringToSign("GET", exp.Unix(), bucket, object)
	good := OSSSignature(secret, sts)
	bad := OSSSignature("other", sts)
	esc := ossQueryEscape
	q := func(pairs ...string) string {
		var parts []string
		for i := 0; i < len(pairs); i += 2 {
			parts = append(parts, pairs[i]+"="+pairs[i+1])
		}
		return strings.Join(parts, "&")
	}
	valid := q("Expires", expStr, "OSSAccessKeyId", ak, "Signature", esc(good))
	secretFor := func(id string) (string, bool) { return secret, id == ak }

	tests := []struct {
		name     string
		rawQuery string
		object   string // default object
		now      time.Time
		// want: empty code means valid.
		code, message, param, stringToSign, provided string
		status                                       int
	}{
		{name: "valid", rawQuery: valid, now: exp.Add(-30 * time.Minute)},
		{name: "valid at the expiry second", rawQuery: valid, now: exp},
		{name: "valid with any parameter order", rawQuery: q("Signature", esc(good), "OSSAccessKeyId", ak, "Expires", expStr), now: exp},
		{name: "expired one second past", rawQuery: valid, now: exp.Add(time.Second),
			code: OSSCodeAccessDenied, message: OSSMessageRequestExpired, status: 403},
		{name: "expired half a second past", rawQuery: valid, now: exp.Add(500 * time.Millisecond),
			code: OSSCodeAccessDenied, message: OSSMessageRequestExpired, status: 403},
		{name: "expired and tampered: expiry first", rawQuery: q("Expires", expStr, "OSSAccessKeyId", ak, "Signature", esc(bad)), now: exp.Add(time.Hour),
			code: OSSCodeAccessDenied, message: OSSMessageRequestExpired, status: 403},
		{name: "expired and unknown key: expiry first", rawQuery: q("Expires", expStr, "OSSAccessKeyId", "nobody", "Signature", esc(good)), now: exp.Add(time.Hour),
			code: OSSCodeAccessDenied, message: OSSMessageRequestExpired, status: 403},
		{name: "tampered signature", rawQuery: q("Expires", expStr, "OSSAccessKeyId", ak, "Signature", esc(bad)), now: exp,
			code: OSSCodeSignatureDoesNotMatch, message: OSSMessageSignatureDoesNotMatch, stringToSign: sts, provided: bad, status: 403},
		{name: "tampered expires", rawQuery: q("Expires", strconv.FormatInt(exp.Unix()+3600, 10), "OSSAccessKeyId", ak, "Signature", esc(good)), now: exp,
			code: OSSCodeSignatureDoesNotMatch, message: OSSMessageSignatureDoesNotMatch,
			stringToSign: OSSStringToSign("GET", exp.Unix()+3600, bucket, object), provided: good, status: 403},
		{name: "other object", rawQuery: valid, object: "easemob-demo/chatdemo/2026112010.gz", now: exp,
			code: OSSCodeSignatureDoesNotMatch, message: OSSMessageSignatureDoesNotMatch,
			stringToSign: OSSStringToSign("GET", exp.Unix(), bucket, "easemob-demo/chatdemo/2026112010.gz"), provided: good, status: 403},
		{name: "signature sent unescaped: + decodes as space", rawQuery: q("Expires", expStr, "OSSAccessKeyId", ak, "Signature", "a+b="), now: exp,
			code: OSSCodeSignatureDoesNotMatch, message: OSSMessageSignatureDoesNotMatch, stringToSign: sts, provided: "a b=", status: 403},
		{name: "unknown access key id", rawQuery: q("Expires", expStr, "OSSAccessKeyId", "LTAIother", "Signature", esc(good)), now: exp,
			code: OSSCodeInvalidAccessKeyID, message: OSSMessageInvalidAccessKeyID, status: 403},
		{name: "duplicated Signature, first right", rawQuery: valid + "&Signature=" + esc(bad), now: exp},
		{name: "duplicated Signature, first wrong", rawQuery: q("Expires", expStr, "OSSAccessKeyId", ak, "Signature", esc(bad), "Signature", esc(good)), now: exp,
			code: OSSCodeSignatureDoesNotMatch, message: OSSMessageSignatureDoesNotMatch, stringToSign: sts, provided: bad, status: 403},
		{name: "duplicated Expires, first wins", rawQuery: q("Expires", expStr, "Expires", "1", "OSSAccessKeyId", ak, "Signature", esc(good)), now: exp},
		{name: "duplicated OSSAccessKeyId, first wins", rawQuery: q("Expires", expStr, "OSSAccessKeyId", "nobody", "OSSAccessKeyId", ak, "Signature", esc(good)), now: exp,
			code: OSSCodeInvalidAccessKeyID, message: OSSMessageInvalidAccessKeyID, status: 403},
		{name: "missing Signature", rawQuery: q("Expires", expStr, "OSSAccessKeyId", ak), now: exp,
			code: OSSCodeAccessDenied, message: OSSMessageMissingParam, param: OSSParamSignature, status: 403},
		{name: "empty Signature", rawQuery: q("Expires", expStr, "OSSAccessKeyId", ak, "Signature", ""), now: exp,
			code: OSSCodeAccessDenied, message: OSSMessageMissingParam, param: OSSParamSignature, status: 403},
		{name: "missing Expires", rawQuery: q("OSSAccessKeyId", ak, "Signature", esc(good)), now: exp,
			code: OSSCodeAccessDenied, message: OSSMessageMissingParam, param: OSSParamExpires, status: 403},
		{name: "missing OSSAccessKeyId", rawQuery: q("Expires", expStr, "Signature", esc(good)), now: exp,
			code: OSSCodeAccessDenied, message: OSSMessageMissingParam, param: OSSParamAccessKeyID, status: 403},
		{name: "missing all: anonymous", rawQuery: "", now: exp,
			code: OSSCodeAccessDenied, message: OSSMessageBucketACL, status: 403},
		{name: "Expires=abc", rawQuery: q("Expires", "abc", "OSSAccessKeyId", ak, "Signature", esc(good)), now: exp,
			code: OSSCodeInvalidArgument, message: OSSMessageInvalidExpires, param: OSSParamExpires, status: 400},
		{name: "Expires=+1", rawQuery: q("Expires", "%2B1", "OSSAccessKeyId", ak, "Signature", esc(good)), now: exp,
			code: OSSCodeInvalidArgument, message: OSSMessageInvalidExpires, param: OSSParamExpires, status: 400},
		{name: "Expires overflows int64", rawQuery: q("Expires", "99999999999999999999", "OSSAccessKeyId", ak, "Signature", esc(good)), now: exp,
			code: OSSCodeInvalidArgument, message: OSSMessageInvalidExpires, param: OSSParamExpires, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := object
			if tt.object != "" {
				obj = tt.object
			}
			err := OSSVerify(tt.rawQuery, bucket, obj, tt.now, secretFor)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("OSSVerify = %v, want nil", err)
				}
				return
			}
			var e *OSSError
			if !errors.As(err, &e) {
				t.Fatalf("OSSVerify = %v (%T), want *OSSError %s", err, err, tt.code)
			}
			if e.Code != tt.code || e.Message != tt.message || e.Param != tt.param || e.HTTPStatus() != tt.status {
				t.Fatalf("got %s / %q / param %q / %d, want %s / %q / param %q / %d",
					e.Code, e.Message, e.Param, e.HTTPStatus(), tt.code, tt.message, tt.param, tt.status)
			}
			if e.StringToSign != tt.stringToSign || e.SignatureProvided != tt.provided {
				t.Fatalf("StringToSign %q, provided %q; want %q, %q", e.StringToSign, e.SignatureProvided, tt.stringToSign, tt.provided)
			}
			if e.Reason == "" {
				t.Fatal("every error must carry a Reason for the developer")
			}
			// The EC of each case, as Aliyun's pages number them; none
			// where the vendor's is unknown (the anonymous request).
			wantEC := map[string]string{
				OSSMessageRequestExpired:                           "0002-00000069",
				OSSMessageSignatureDoesNotMatch:                    "0002-00000040",
				OSSMessageInvalidAccessKeyID:                       "0002-00000902",
				OSSMessageInvalidExpires:                           "0002-00000070",
				OSSMessageMissingParam + "/" + OSSParamExpires:     "0002-00000068",
				OSSMessageMissingParam + "/" + OSSParamAccessKeyID: "0002-00000071",
				OSSMessageMissingParam + "/" + OSSParamSignature:   "0002-00000074",
				OSSMessageBucketACL:                                "",
			}
			key := e.Message
			if e.Message == OSSMessageMissingParam {
				key += "/" + e.Param
			}
			if want, ok := wantEC[key]; !ok || e.EC != want {
				t.Fatalf("EC %q, want %q", e.EC, want)
			}
		})
	}
}

func TestOSSVerifyGoV1EscapedSlash(t *testing.T) {
	// The Go V1 SDK sends "/" inside a key as %2F (aliyun-oss-go-sdk
	// oss/conn.go urlMaker.buildURL); the
	// caller decodes the path before verifying.
	const bucket, key, ak, secret = "chatemu-bkt", "easemob-demo/chatdemo/2026112009.gz", "LTAIchatemu", "s3cr3t"
	exp := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	sig := OSSSignature(secret, OSSStringToSign("GET", exp.Unix(), bucket, key))
	raw := "http://127.0.0.1:8080/_oss/" + bucket + "/" + strings.ReplaceAll(url.QueryEscape(key), "+", "%20") +
		"?Expires=" + strconv.FormatInt(exp.Unix(), 10) + "&OSSAccessKeyId=" + ak + "&Signature=" + url.QueryEscape(sig)
	if !strings.Contains(raw, "%2F") {
		t.Fatalf("test URL should carry %%2F: %s", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	object, err := url.PathUnescape(strings.TrimPrefix(u.EscapedPath(), "/_oss/"+bucket+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if err := OSSVerify(u.RawQuery, bucket, object, exp, func(id string) (string, bool) { return secret, id == ak }); err != nil {
		t.Fatalf("OSSVerify = %v", err)
	}
}

func TestOSSErrorXML(t *testing.T) {
	// The request id, host and times of the real capture in
	// https://github.com/johnlui/AliyunOSS/issues/20, so oss_expired.xml
	// equals it byte for byte.
	const requestID, hostID = "589A7A90CDF4741F7D36F2F4", "ws-img-test.oss-cn-hangzhou.aliyuncs.com"
	exp := time.Date(2017, 2, 7, 1, 30, 29, 0, time.UTC)
	sts := OSSStringToSign("GET", exp.Unix(), "chatemu-bkt", "easemob-demo/chatdemo/<&>.gz")
	tests := []struct {
		golden string
		err    *OSSError
		status int
	}{
		{"oss_expired.xml", OSSExpired(exp, time.Date(2017, 2, 8, 9, 55, 28, 0, time.FixedZone("CST", 8*3600))), 403},
		{"oss_signature_mismatch.xml", OSSSignatureMismatch("LTAIchatemu", sts, "EwaNTn1erJGkimiJ9WmXgwnANLc=", "x"), 403},
		{"oss_invalid_access_key_id.xml", OSSInvalidAccessKeyID("LTAIother"), 403},
		{"oss_missing_signature.xml", OSSMissingParam(OSSParamSignature), 403},
		{"oss_anonymous.xml", OSSAnonymous("chatemu-bkt", "a.gz"), 403},
		{"oss_invalid_expires.xml", OSSInvalidExpires("abc"), 400},
		{"oss_no_such_key.xml", OSSNoSuchKey("chatemu-bkt", "easemob-demo/chatdemo/2026112009.gz"), 404},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got := tt.err.XML(requestID, hostID)
			golden.Check(t, filepath.Join("testdata", tt.golden), got)
			if s := tt.err.HTTPStatus(); s != tt.status {
				t.Fatalf("HTTPStatus = %d, want %d", s, tt.status)
			}
			// The body is well-formed and decodes back to the raw values.
			var decoded struct {
				Code, Message, RequestId, StringToSign string
			}
			if err := xml.Unmarshal(got, &decoded); err != nil {
				t.Fatalf("body is not well-formed XML: %v", err)
			}
			if decoded.Code != tt.err.Code || decoded.Message != tt.err.Message || decoded.RequestId != requestID || decoded.StringToSign != tt.err.StringToSign {
				t.Fatalf("decoded %+v does not round-trip", decoded)
			}
		})
	}
}

func TestQiniuVector(t *testing.T) {
	// Qiniu's download-token doc, developer.qiniu.com/kodo/manual/1202.
	const base = "http://78re52.com1.z0.glb.clouddn.com/resource/flower.jpg"
	if got, want := QiniuSign("MY_SECRET_KEY", base+"?e=1451491200"), "438dd8pXocjYuF-6dTcKMtETB2g="; got != want {
		t.Fatalf("QiniuSign = %q, want %q", got, want)
	}
	got := QiniuURL(base, "MY_ACCESS_KEY", "MY_SECRET_KEY", time.Unix(1451491200, 0))
	want := base + "?e=1451491200&token=MY_ACCESS_KEY:438dd8pXocjYuF-6dTcKMtETB2g="
	if got != want {
		t.Fatalf("QiniuURL =\n %s\nwant\n %s", got, want)
	}
}

// refQiniuURL is an independent Qiniu private-URL builder working on bytes
// and the crypto primitives directly.
func refQiniuURL(base, ak, sk string, deadline int64) string {
	data := []byte(base)
	if bytes.IndexByte(data, '?') >= 0 {
		data = append(data, '&')
	} else {
		data = append(data, '?')
	}
	data = append(data, 'e', '=')
	data = strconv.AppendInt(data, deadline, 10)
	mac := hmac.New(sha1.New, []byte(sk))
	mac.Write(data)
	sum := mac.Sum(nil)
	std := base64.StdEncoding.EncodeToString(sum)
	urlsafe := strings.NewReplacer("+", "-", "/", "_").Replace(std)
	return string(data) + "&token=" + ak + ":" + urlsafe
}

func TestQiniuURLMatchesIndependentImplementation(t *testing.T) {
	deadline := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	tests := []struct{ name, base, ak, sk string }{
		{"vector base", "http://78re52.com1.z0.glb.clouddn.com/resource/flower.jpg", "MY_ACCESS_KEY", "MY_SECRET_KEY"},
		{"sign with - and _", "http://dl.example.com/resource/flower.jpg", "AK", "qsk-00"},
		{"emulator path with slashes", "http://127.0.0.1:8080/_qiniu/op/alice/2026/11/20/voice.amr", "AK", "qsk-01"},
		{"escaped spaces", "http://127.0.0.1:8080/_qiniu/my%20file%20name.jpg", "AK", "qsk-02"},
		{"chinese key escaped", "http://127.0.0.1:8080/_qiniu/" + url.PathEscape("聊天记录") + "/图片.png", "AK", "qsk-03"},
		{"chinese key raw UTF-8", "http://127.0.0.1:8080/_qiniu/聊天记录/图片.png", "AK", "qsk-04"},
		{"existing query", "http://127.0.0.1:8080/_qiniu/a.jpg?imageView2/1/w/200", "AK", "qsk-05"},
	}
	var sawDash, sawUnderscore bool
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := QiniuURL(tt.base, tt.ak, tt.sk, deadline)
			want := refQiniuURL(tt.base, tt.ak, tt.sk, deadline.Unix())
			if got != want {
				t.Fatalf("QiniuURL =\n %s\nindependent\n %s", got, want)
			}
			sig := got[strings.LastIndex(got, ":")+1:]
			sawDash = sawDash || strings.Contains(sig, "-")
			sawUnderscore = sawUnderscore || strings.Contains(sig, "_")
			if strings.ContainsAny(sig, "+/") || !strings.HasSuffix(sig, "=") {
				t.Fatalf("sign %q must be URL-safe base64 with padding", sig)
			}
			if err := QiniuVerify(got, deadline, func(ak string) (string, bool) { return tt.sk, ak == tt.ak }); err != nil {
				t.Fatalf("QiniuVerify of a fresh link: %v", err)
			}
		})
	}
	if !sawDash || !sawUnderscore {
		t.Fatalf("the table must include signs with '-' (%v) and '_' (%v)", sawDash, sawUnderscore)
	}
}

func TestQiniuVerify(t *testing.T) {
	const ak, sk = "MY_ACCESS_KEY", "MY_SECRET_KEY"
	const base = "http://127.0.0.1:8080/_qiniu/op/alice/flower.jpg"
	deadline := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	e := strconv.FormatInt(deadline.Unix(), 10)
	valid := QiniuURL(base, ak, sk, deadline)
	signWith := func(key, data string) string { return data + "&token=" + ak + ":" + QiniuSign(key, data) }
	secretFor := func(id string) (string, bool) { return sk, id == ak }
	tamper := func(s string) string { // flip the first character of the sign
		i := strings.LastIndex(s, ":") + 1
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}

	tests := []struct {
		name string
		url  string
		now  time.Time
		body string // empty: valid
	}{
		{"valid", valid, deadline.Add(-time.Hour), ""},
		{"valid at the deadline second", valid, deadline, ""},
		{"params after token are ignored", valid + "&e=1&download=1", deadline, ""},
		{"existing query is signed", QiniuURL(base+"?attname=flower.jpg", ak, sk, deadline), deadline, ""},
		{"token percent-escaped by the client", strings.Replace(valid, ak+":", ak+"%3A", 1), deadline, ""},
		{"missing token", base + "?e=" + e, deadline, QiniuBodyTokenMissing},
		{"no query at all", base, deadline, QiniuBodyTokenMissing},
		{"empty token", base + "?e=" + e + "&token=", deadline, QiniuBodyTokenMissing},
		{"token only after a non-token lookalike", base + "?e=" + e + "&xtoken=" + ak + ":x", deadline, QiniuBodyTokenMissing},
		{"tampered sign", tamper(valid), deadline, QiniuBodyAuthFailed},
		{"tampered deadline", strings.Replace(valid, "e="+e, "e="+strconv.FormatInt(deadline.Unix()+3600, 10), 1), deadline, QiniuBodyAuthFailed},
		{"signed with another secret", signWith("other", base+"?e="+e), deadline, QiniuBodyAuthFailed},
		{"wrong access key", strings.Replace(valid, "token="+ak, "token=OTHER_KEY", 1), deadline, QiniuBodyAuthFailed},
		{"token without colon", base + "?e=" + e + "&token=" + ak, deadline, QiniuBodyAuthFailed},
		{"token with empty sign", base + "?e=" + e + "&token=" + ak + ":", deadline, QiniuBodyAuthFailed},
		{"e missing but signed", signWith(sk, base+"?x=1"), deadline, QiniuBodyAuthFailed},
		{"e after the token is not signed", base + "?token=" + ak + ":" + QiniuSign(sk, base) + "&e=" + e, deadline, QiniuBodyAuthFailed},
		{"e not an integer but signed", signWith(sk, base+"?e=abc"), deadline, QiniuBodyAuthFailed},
		{"expired one second past", valid, deadline.Add(time.Second), QiniuBodyExpired},
		{"expired and tampered: authenticity first [guess]", tamper(valid), deadline.Add(time.Hour), QiniuBodyAuthFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := QiniuVerify(tt.url, tt.now, secretFor)
			if tt.body == "" {
				if err != nil {
					t.Fatalf("QiniuVerify(%s) = %v, want nil", tt.url, err)
				}
				return
			}
			var qe QiniuError
			if !errors.As(err, &qe) {
				t.Fatalf("QiniuVerify(%s) = %v (%T), want QiniuError", tt.url, err, err)
			}
			if qe.Body != tt.body || qe.HTTPStatus() != 401 {
				t.Fatalf("got %d %s, want 401 %s (reason: %s)", qe.HTTPStatus(), qe.Body, tt.body, qe.Reason)
			}
			if qe.Reason == "" {
				t.Fatal("every error must carry a Reason for the developer")
			}
		})
	}
}

// TestOSSCanonicalResource: Aliyun's own example of a CanonicalizedResource
// with sub-resources (https://developer.aliyun.com/ask/2588):
// /BucketName/ObjectName?acl&response-content-type=ContentType&uploadId=UploadId.
// Parameters that are not sub-resources (the auth ones, an unknown one)
// stay out; x-oss- parameters go in, as the V2 SDK signs them.
func TestOSSCanonicalResource(t *testing.T) {
	tests := []struct {
		name  string
		query url.Values
		want  string
	}{
		{"none", nil, "/BucketName/ObjectName"},
		{"Aliyun's example", url.Values{"acl": {""}, "uploadId": {"UploadId"}, "response-content-type": {"ContentType"},
			"Expires": {"1"}, "OSSAccessKeyId": {"a"}, "Signature": {"s"}, "foo": {"bar"}},
			"/BucketName/ObjectName?acl&response-content-type=ContentType&uploadId=UploadId"},
		{"values decoded, first wins", url.Values{"response-content-disposition": {`attachment; filename="a b.gz"`, "second"}},
			`/BucketName/ObjectName?response-content-disposition=attachment; filename="a b.gz"`},
		{"x-oss- parameters", url.Values{"x-oss-process": {"image/resize,w_100"}, "x-oss-anything": {""}},
			"/BucketName/ObjectName?x-oss-anything&x-oss-process=image/resize,w_100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OSSCanonicalResource("BucketName", "ObjectName", tt.query); got != tt.want {
				t.Errorf("OSSCanonicalResource = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestOSSPresignVerifyRequest: a link signed for a method, sub-resources and
// signed headers verifies for exactly that request, and the StringToSign is
// the one an independent reading of the V1 rules gives.
func TestOSSPresignVerifyRequest(t *testing.T) {
	const bucket, object, ak, secret = "bkt", "history/a/b/2026112016.gz", "LTAIk", "s3cret"
	exp := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	secretFor := func(id string) (string, bool) { return secret, id == ak }
	sub := url.Values{"response-content-type": {"text/plain"}, "response-content-disposition": {`attachment; filename="x y.gz"`}}
	link := OSSPresign(http.MethodGet, "http://h/_oss", bucket, object, ak, secret, exp, sub)
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	// The Go V1 SDK's order: every parameter sorted by name.
	if !strings.HasPrefix(u.RawQuery, "Expires=1795170600&OSSAccessKeyId=LTAIk&Signature=") ||
		!strings.HasSuffix(u.RawQuery, "&response-content-disposition=attachment%3B%20filename%3D%22x%20y.gz%22&response-content-type=text%2Fplain") {
		t.Fatalf("query %s", u.RawQuery)
	}
	wantSTS := "GET\n\n\n1795170600\n/bkt/history/a/b/2026112016.gz?response-content-disposition=attachment; filename=\"x y.gz\"&response-content-type=text/plain"
	if got := u.Query().Get("Signature"); got != OSSSignature(secret, wantSTS) {
		t.Fatalf("Signature %s is not over %q", got, wantSTS)
	}
	req := func(method, rawQuery string, h http.Header) OSSRequest {
		return OSSRequest{Method: method, Bucket: bucket, Object: object, RawQuery: rawQuery, Header: h}
	}
	withoutType := strings.Replace(u.RawQuery, "&response-content-type=text%2Fplain", "", 1)
	otherType := strings.Replace(u.RawQuery, "text%2Fplain", "text%2Fhtml", 1)
	tests := []struct {
		name string
		req  OSSRequest
		ok   bool
	}{
		{"as signed", req("GET", u.RawQuery, nil), true},
		{"as signed, unsigned headers added", req("GET", u.RawQuery, http.Header{"Range": {"bytes=0-9"}, "User-Agent": {"x"}}), true},
		{"a sub-resource dropped", req("GET", withoutType, nil), false},
		{"a sub-resource changed", req("GET", otherType, nil), false},
		{"a sub-resource added", req("GET", u.RawQuery+"&acl", nil), false},
		{"a plain parameter added", req("GET", u.RawQuery+"&foo=bar", nil), true},
		{"another method", req("HEAD", u.RawQuery, nil), false},
		{"a Content-Type sent", req("GET", u.RawQuery, http.Header{"Content-Type": {"text/plain"}}), false},
		{"an x-oss- header sent", req("GET", u.RawQuery, http.Header{"X-Oss-Traffic-Limit": {"819200"}}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := OSSVerifyRequest(tt.req, exp, secretFor)
			if (err == nil) != tt.ok {
				t.Fatalf("OSSVerifyRequest = %v, want ok %v", err, tt.ok)
			}
		})
	}

	// Signed headers: Content-Type, Content-MD5 and x-oss- headers, lower-
	// cased, sorted and trimmed, as https://developer.aliyun.com/ask/2589 says.
	h := http.Header{"X-Oss-Meta-B": {" b "}, "X-Oss-Meta-A": {"a"}, "Content-Type": {"text/html"}, "Content-Md5": {"md5=="}}
	r := OSSRequest{Method: "PUT", Bucket: bucket, Object: object, RawQuery: "acl", Header: h}
	if got, want := r.StringToSign("1"), "PUT\nmd5==\ntext/html\n1\nx-oss-meta-a:a\nx-oss-meta-b:b\n/bkt/"+object+"?acl"; got != want {
		t.Errorf("StringToSign = %q, want %q", got, want)
	}
}
