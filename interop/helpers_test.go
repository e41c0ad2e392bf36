package interop

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/testkit"
)

// start serves the default scenario with its clock at the wall clock's
// time: the SDKs sign with the wall clock (an expiry of now + TTL), which
// chatemu checks against its own.
func start(t *testing.T) *testkit.Emulator {
	t.Helper()
	return testkit.Start(t, testkit.Scenario("default"), testkit.Now(clock.Wall().WallNow()))
}

// archive is an Easemob archive as an app finds it: the link chatemu's
// chatmessages API hands out, the bucket and key it names, and the
// bucket's keys (which only chatemu's tenants reveal; Easemob keeps its own).
type archive struct {
	link        string
	host        string // 127.0.0.1:port
	bucket, key string
	keyID       string
	secret      string
}

// easemobArchive asks chatemu for the archive of the hour three hours ago.
func easemobArchive(t *testing.T, emu *testkit.Emulator) archive {
	t.Helper()
	app := emu.Easemob()
	c := emu.HTTPClient()
	body := `{"grant_type":"client_credentials","client_id":"` + app.ClientID + `","client_secret":"` + app.ClientSecret + `"}`
	res, err := c.Post(app.BaseURL+"/"+app.Org+"/"+app.App+"/token", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	decode(t, res, &tok)
	// The default app is on the cn cluster: hours are named in Beijing time.
	hour := emu.Clock().Now().Add(-3 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006010215")
	req, _ := http.NewRequest(http.MethodGet, app.BaseURL+"/"+app.Org+"/"+app.App+"/chatmessages/"+hour, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Data []struct {
			URL string `json:"url"`
		} `json:"data"`
	}
	decode(t, res, &out)
	if len(out.Data) != 1 {
		t.Fatalf("chatmessages/%s: no link", hour)
	}
	u, err := url.Parse(out.Data[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(u.Path, "/_oss/"), "/")
	keys := emu.Server().Tenants().Easemob[0].OSS
	if keys.Bucket != bucket {
		t.Fatalf("link %s is not in bucket %s", out.Data[0].URL, keys.Bucket)
	}
	return archive{link: out.Data[0].URL, host: u.Host, bucket: bucket, key: key, keyID: keys.AccessKeyID, secret: keys.AccessKeySecret}
}

// underOSS moves an SDK's path-style link (http://host/bucket/key?…) under
// chatemu's /_oss prefix. The signature covers /bucket/key, not the URL's
// path, so the link stays valid.
func (a archive) underOSS(sdkURL string) string {
	return strings.Replace(sdkURL, a.host+"/"+a.bucket+"/", a.host+"/_oss/"+a.bucket+"/", 1)
}

func decode(t *testing.T, res *http.Response, v any) {
	t.Helper()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s (%s)", res.Request.Method, res.Request.URL.Path, res.StatusCode, b, res.Header.Get("X-Chatemu-Reason"))
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}

// get downloads u with the given headers and returns the answer and body.
func get(t *testing.T, c *http.Client, method, u string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// records counts the NDJSON records of a gzip archive.
func records(t *testing.T, gz []byte) int {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(plain, []byte("\n"))
}
