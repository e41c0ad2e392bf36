package easemob

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// ossV1 is an independent OSS V1 query signature, written from Aliyun's
// text (the OSS URL-signing doc) without the sign package:
// base64(HMAC-SHA1(secret, "GET\n\n\n" + Expires + "\n/" + bucket + "/" + key)).
func ossV1(secret string, expires int64, bucket, key string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte("GET\n\n\n" + strconv.FormatInt(expires, 10) + "\n/" + bucket + "/" + key))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// signedLink builds a link as the Go V1 SDK would, with the independent
// signature and the key's "/" escaped as %2F.
func signedLink(base string, k world.OSSKeys, key string, expires time.Time) string {
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	return base + "/_oss/" + k.Bucket + "/" + esc(key) + "?Expires=" + strconv.FormatInt(expires.Unix(), 10) +
		"&OSSAccessKeyId=" + esc(k.AccessKeyID) + "&Signature=" + esc(ossV1(k.AccessKeySecret, expires.Unix(), k.Bucket, key))
}

// TestOSSVector is a URL vector, computed with HMAC-SHA1 over the
// StringToSign of the OSS URL-signing doc, through the independent
// implementation.
func TestOSSVector(t *testing.T) {
	got := ossV1("OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV", 1141889120, "oss-example", "oss-api.pdf")
	if got != "EwaNTn1erJGkimiJ9WmXgwnANLc=" {
		t.Fatalf("vector: %s", got)
	}
	if esc := url.QueryEscape(got); esc != "EwaNTn1erJGkimiJ9WmXgwnANLc%3D" {
		t.Fatalf("escaped: %s", esc)
	}
}

// TestArchiveLinkSignature checks the chatmessages link against the
// independent signature: query order, escaping, Expires = timestamp/1000 +
// 1800, the object key.
func TestArchiveLinkSignature(t *testing.T) {
	e := newEnv(t, testSpec(), testBase)
	e.clock.Advance(123 * time.Millisecond)
	a, _ := e.world.EasemobApp("acme", "gold")
	link := e.archiveLink("acme", "gold", "2026111905")
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/_oss/easemob-gold/history/acme/gold/2026111905.gz" {
		t.Errorf("path %s", u.Path)
	}
	parts := strings.Split(u.RawQuery, "&")
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "Expires=") || !strings.HasPrefix(parts[1], "OSSAccessKeyId=") || !strings.HasPrefix(parts[2], "Signature=") {
		t.Fatalf("query order %v", parts)
	}
	exp, _ := strconv.ParseInt(strings.TrimPrefix(parts[0], "Expires="), 10, 64)
	if want := e.clock.Now().Unix() + 1800; exp != want {
		t.Errorf("Expires %d, want %d", exp, want)
	}
	sig := ossV1(a.OSS.AccessKeySecret, exp, a.OSS.Bucket, "history/acme/gold/2026111905.gz")
	wantSig := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(sig)
	if parts[2] != "Signature="+wantSig {
		t.Errorf("signature %s, independent %s", parts[2], wantSig)
	}
	// The Go V1 SDK's form of the same link (%2F in the key) downloads too.
	rec := e.do(ossRequest(http.MethodGet, signedLink(testBase, a.OSS, "history/acme/gold/2026111905.gz", time.Unix(exp, 0))))
	if rec.Code != 200 {
		t.Fatalf("%%2F link: %d %s", rec.Code, rec.Body)
	}
	// 30 minutes on the clock is still valid (now == Expires); 31 is not.
	e.clock.Set(time.Unix(exp, 0))
	if rec := e.do(ossRequest(http.MethodGet, link)); rec.Code != 200 {
		t.Fatalf("at Expires: %d", rec.Code)
	}
	e.clock.Set(time.Unix(exp, 0).Add(time.Minute))
	rec = e.do(ossRequest(http.MethodGet, link))
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "<Message>Request has expired.</Message>") ||
		!strings.Contains(rec.Body.String(), "<Expires>") || !strings.Contains(rec.Body.String(), "<ServerTime>") {
		t.Fatalf("31 min later: %d %s", rec.Code, rec.Body)
	}
}

// TestClusterHours: a message sent at 16:30 UTC lies in Beijing hour
// (d+1)00 on cn and in UTC hour (d)16 overseas.
func TestClusterHours(t *testing.T) {
	e := newEnv(t, testSpec(), testBase)
	for _, c := range []struct {
		app, in, out string
	}{{"cn", "2026111900", "2026111816"}, {"os", "2026111816", "2026111900"}} {
		a, _ := e.world.EasemobApp("acme", c.app)
		if got := HourOf(a, time.Date(2026, 11, 18, 16, 30, 0, 0, time.UTC)); got != c.in {
			t.Errorf("%s: HourOf = %s, want %s", c.app, got, c.in)
		}
		tok := e.token("acme", c.app, "")
		if rec := e.do(getWithToken(chatmessages("acme", c.app, c.out), tok)); rec.Code != 404 {
			t.Errorf("%s hour %s: %d, want 404", c.app, c.out, rec.Code)
		}
		rec := e.do(ossRequest(http.MethodGet, e.archiveLink("acme", c.app, c.in)))
		lines := gunzipLines(t, rec.Body)
		if len(lines) != 1 || lines[0]["msg_id"] == nil {
			t.Fatalf("%s hour %s: %v", c.app, c.in, lines)
		}
	}
}
