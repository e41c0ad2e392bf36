package easemob

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/sign"
)

// TestOSSPrecondition: the order and outcome of OSS's conditional headers.
func TestOSSPrecondition(t *testing.T) {
	mod := time.Date(2026, 11, 20, 10, 25, 0, 0, time.UTC)
	at := func(d time.Duration) string { return mod.Add(d).Format(http.TimeFormat) }
	const etag = `"ABC"`
	for _, tt := range []struct {
		name   string
		h      map[string]string
		status int
		header string
	}{
		{"none", nil, 0, ""},
		{"if-match holds", map[string]string{"If-Match": etag}, 0, ""},
		{"if-match in a list", map[string]string{"If-Match": `"x", "ABC"`}, 0, ""},
		{"if-match star", map[string]string{"If-Match": "*"}, 0, ""},
		{"if-match fails", map[string]string{"If-Match": `"other"`}, 412, "If-Match"},
		{"if-unmodified-since holds", map[string]string{"If-Unmodified-Since": at(0)}, 0, ""},
		{"if-unmodified-since fails", map[string]string{"If-Unmodified-Since": at(-time.Second)}, 412, "If-Unmodified-Since"},
		{"if-match wins over if-unmodified-since", map[string]string{"If-Match": etag, "If-Unmodified-Since": at(-time.Hour)}, 0, ""},
		{"if-none-match matches", map[string]string{"If-None-Match": etag}, 304, "If-None-Match"},
		{"if-none-match weak", map[string]string{"If-None-Match": `W/"ABC"`}, 304, "If-None-Match"},
		{"if-none-match differs", map[string]string{"If-None-Match": `"other"`}, 0, ""},
		{"if-modified-since not modified", map[string]string{"If-Modified-Since": at(0)}, 304, "If-Modified-Since"},
		{"if-modified-since modified", map[string]string{"If-Modified-Since": at(-time.Second)}, 0, ""},
		{"if-none-match wins over if-modified-since", map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": at(time.Hour)}, 0, ""},
		{"bad date ignored", map[string]string{"If-Modified-Since": "yesterday"}, 0, ""},
		{"412 before 304", map[string]string{"If-Match": `"other"`, "If-None-Match": etag}, 412, "If-Match"},
	} {
		h := http.Header{}
		for k, v := range tt.h {
			h.Set(k, v)
		}
		if status, header := ossPrecondition(h, etag, mod.Add(300*time.Millisecond)); status != tt.status || header != tt.header {
			t.Errorf("%s: %d %q, want %d %q", tt.name, status, header, tt.status, tt.header)
		}
	}
}

// TestArchiveConditionalRequests: a signed archive link honours the
// conditional headers over HTTP: 304 with the object's ETag and no body,
// and OSS's 412 XML with its EC.
func TestArchiveConditionalRequests(t *testing.T) {
	e := newEnv(t, testSpec(), testBase)
	a, _ := e.world.EasemobApp("acme", "gold")
	start := goldAt
	hour := HourOf(a, start)
	var full bytes.Buffer
	if err := e.s.WriteArchive(&full, a, start); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(full.Bytes())
	etag := `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`
	modified := start.Add(time.Hour + a.ArchiveDelay).UTC()
	get := func(method string, cond map[string]string) (int, http.Header, string) {
		req := sign.OSSRequest{Method: method, Bucket: a.OSS.Bucket, Object: ArchiveObject(a, hour), Header: http.Header{}}
		exp := strconv.FormatInt(e.clock.Now().Add(time.Minute).Unix(), 10)
		sig := sign.OSSSignature(a.OSS.AccessKeySecret, req.StringToSign(exp))
		link := testBase + ossPrefix + "/" + a.OSS.Bucket + "/" + req.Object + "?Expires=" + exp +
			"&OSSAccessKeyId=" + url.QueryEscape(a.OSS.AccessKeyID) + "&Signature=" + url.QueryEscape(sig)
		r := ossRequest(method, link)
		for k, v := range cond {
			r.Header.Set(k, v)
		}
		rec := e.do(r)
		return rec.Code, rec.Header(), rec.Body.String()
	}
	for _, tt := range []struct {
		name, method string
		cond         map[string]string
		status       int
		ec           string
	}{
		{"unconditional", "GET", nil, 200, ""},
		{"if-none-match", "GET", map[string]string{"If-None-Match": etag}, 304, ""},
		{"if-none-match head", "HEAD", map[string]string{"If-None-Match": etag}, 304, ""},
		{"if-modified-since", "GET", map[string]string{"If-Modified-Since": modified.Format(http.TimeFormat)}, 304, ""},
		{"if-modified-since earlier", "GET", map[string]string{"If-Modified-Since": modified.Add(-time.Minute).Format(http.TimeFormat)}, 200, ""},
		{"if-match", "GET", map[string]string{"If-Match": etag}, 200, ""},
		{"if-match other", "GET", map[string]string{"If-Match": `"0"`}, 412, sign.ECPreconditionFailed},
		{"if-unmodified-since earlier", "GET", map[string]string{"If-Unmodified-Since": modified.Add(-time.Minute).Format(http.TimeFormat)}, 412, sign.ECPreconditionFailed},
	} {
		status, h, body := get(tt.method, tt.cond)
		if status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, status, tt.status, body)
			continue
		}
		switch status {
		case 200:
			if body != full.String() {
				t.Errorf("%s: body of %d bytes, want the archive's %d", tt.name, len(body), full.Len())
			}
		case 304:
			if body != "" || h.Get("ETag") != etag || h.Get("Last-Modified") != modified.Format(http.TimeFormat) {
				t.Errorf("%s: 304 with body %q, ETag %q, Last-Modified %q", tt.name, body, h.Get("ETag"), h.Get("Last-Modified"))
			}
		case 412:
			if h.Get("x-oss-ec") != tt.ec || !strings.Contains(body, "<Code>PreconditionFailed</Code>") ||
				!strings.Contains(body, "<Message>At least one of the pre-conditions you specified did not hold</Message>") ||
				!strings.Contains(body, "<EC>"+tt.ec+"</EC>") || h.Get("ETag") != "" {
				t.Errorf("%s: 412 x-oss-ec %q ETag %q body %s", tt.name, h.Get("x-oss-ec"), h.Get("ETag"), body)
			}
		}
	}
}
