package opapi

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/internal/golden"
)

// refQiniuToken is an independent Qiniu download signer (https://developer.qiniu.com/kodo/manual/1202,
// developer.qiniu.com/kodo/manual/1202): AK + ":" + urlsafe_base64 with
// padding of HMAC-SHA1(SK, the URL with ?e=).
func refQiniuToken(ak, sk, urlWithE string) string {
	mac := hmac.New(sha1.New, []byte(sk))
	mac.Write([]byte(urlWithE))
	enc := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	enc = strings.NewReplacer("+", "-", "/", "_").Replace(enc)
	return ak + ":" + enc
}

func TestQiniuReferenceVector(t *testing.T) {
	got := refQiniuToken("MY_ACCESS_KEY", "MY_SECRET_KEY", "http://78re52.com1.z0.glb.clouddn.com/resource/flower.jpg?e=1451491200")
	if want := "MY_ACCESS_KEY:438dd8pXocjYuF-6dTcKMtETB2g="; got != want {
		t.Fatalf("reference signer = %s, want the download-token doc's vector %s", got, want)
	}
	s := New(Config{PublicURL: "http://78re52.com1.z0.glb.clouddn.com"})
	// QiniuURL over the vector's base with a key that is the vector's path.
	a := &world.Attachment{FileID: "resource/flower", Ext: "jpg"}
	c := &world.OpClient{Qiniu: world.QiniuKeys{AccessKey: "MY_ACCESS_KEY", SecretKey: "MY_SECRET_KEY"}}
	link := s.QiniuURL(c, a, time.Unix(1451491200, 0).Add(-DefaultLinkTTL))
	base := "http://78re52.com1.z0.glb.clouddn.com/_qiniu/resource/flower.jpg?e=1451491200"
	if want := base + "&token=" + refQiniuToken("MY_ACCESS_KEY", "MY_SECRET_KEY", base); link != want {
		t.Fatalf("link\n got %s\nwant %s", link, want)
	}
}

// mediaRecords returns alice's records that have a getUrl, with their
// attachments.
func mediaRecords(t *testing.T, e *env) ([]wireRecord, []*world.Attachment) {
	t.Helper()
	env := decode(t, e.list(t, listQuery, `{"userId":"alice","pageNum":1,"pageSize":100}`))
	var recs []wireRecord
	var atts []*world.Attachment
	for _, r := range env.Data {
		if r.GetURL == nil {
			continue
		}
		m, _ := e.world.Message(tenant, r.HxMsgID)
		recs, atts = append(recs, r), append(atts, m.Attachment)
	}
	if len(recs) < 5 {
		t.Fatalf("only %d media records", len(recs))
	}
	return recs, atts
}

func TestGetURLMatchesIndependentSigner(t *testing.T) {
	e := newEnv(t)
	recs, atts := mediaRecords(t, e)
	deadline := strconv.FormatInt(t0.Add(DefaultLinkTTL).Unix(), 10)
	for i, r := range recs {
		base := publicURL + "/_qiniu/" + atts[i].FileID
		if atts[i].Ext != "" {
			base += "." + atts[i].Ext
		}
		want := base + "?e=" + deadline + "&token=" + refQiniuToken(qiniuAK, qiniuSK, base+"?e="+deadline)
		if *r.GetURL != want {
			t.Errorf("%s getUrl\n got %s\nwant %s", r.HxMsgID, *r.GetURL, want)
		}
	}
}

func TestQiniuDownload(t *testing.T) {
	e := newEnv(t)
	recs, atts := mediaRecords(t, e)
	for i, r := range recs {
		res := e.do(t, http.MethodGet, *r.GetURL, "")
		if res.Status != 200 || res.Header.Get("Content-Type") != atts[i].MIME || res.Header.Get("Content-Length") != strconv.FormatInt(atts[i].Size, 10) {
			t.Fatalf("%s: %d %q %q (%s)", *r.GetURL, res.Status, res.Header.Get("Content-Type"), res.Header.Get("Content-Length"), res.Header.Get("X-Chatemu-Reason"))
		}
		sum := md5.Sum(res.Body)
		if int64(len(res.Body)) != atts[i].Size || hex.EncodeToString(sum[:]) != e.world.MD5(atts[i]) {
			t.Errorf("%s: %d bytes, md5 differs from the attachment's", r.HxMsgID, len(res.Body))
		}
	}
	head := e.do(t, http.MethodHead, *recs[0].GetURL, "")
	if head.Status != 200 || len(head.Body) != 0 || head.Header.Get("Content-Length") != strconv.FormatInt(atts[0].Size, 10) {
		t.Errorf("HEAD: %d, %d bytes, Content-Length %s", head.Status, len(head.Body), head.Header.Get("Content-Length"))
	}
}

func TestQiniuDownloadErrors(t *testing.T) {
	e := newEnv(t)
	recs, _ := mediaRecords(t, e)
	link := *recs[0].GetURL
	base, token, _ := strings.Cut(link, "&token=")
	ak, sig, _ := strings.Cut(token, ":")
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	unknownKey := publicURL + "/_qiniu/00000000-0000-1000-8000-000000000000.jpg?e=" + strconv.FormatInt(t0.Add(DefaultLinkTTL).Unix(), 10)
	tests := []struct {
		name, method, url string
		advance           time.Duration
		status            int
		body              string
	}{
		{"token_missing", "GET", base, 0, 401, `{"error":"download token not specified"}`},
		{"token_empty", "GET", base + "&token=", 0, 401, `{"error":"download token not specified"}`},
		{"no_query", "GET", strings.SplitN(link, "?", 2)[0], 0, 401, `{"error":"download token not specified"}`},
		{"signature_tampered", "GET", base + "&token=" + ak + ":" + flip(sig), 0, 401, `{"error":"download token auth failed"}`},
		{"deadline_tampered", "GET", strings.Replace(link, "?e=1", "?e=2", 1), 0, 401, `{"error":"download token auth failed"}`},
		{"key_tampered", "GET", strings.Replace(link, "/_qiniu/", "/_qiniu/x", 1), 0, 401, `{"error":"download token auth failed"}`},
		{"access_key_unknown", "GET", base + "&token=nobody:" + sig, 0, 401, `{"error":"download token auth failed"}`},
		{"expired", "GET", link, DefaultLinkTTL + time.Second, 401, `{"error":"token out of date"}`},
		{"unknown_key", "GET", unknownKey + "&token=" + refQiniuToken(qiniuAK, qiniuSK, unknownKey), 0, 404, QiniuBodyNotFound},
		{"method", "POST", link, 0, 405, QiniuBodyMethod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.Set(t0.Add(tt.advance))
			defer e.clock.Set(t0)
			r := e.do(t, tt.method, tt.url, "")
			if r.Status != tt.status || string(r.Body) != tt.body || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%d %s (%s), want %d %s", r.Status, r.Body, r.Header.Get("Content-Type"), tt.status, tt.body)
			}
			if r.Header.Get("X-Chatemu-Reason") == "" {
				t.Error("no X-Chatemu-Reason")
			}
			golden.Check(t, filepath.Join("testdata", "qiniu/"+tt.name+".json"), r.Body)
		})
	}
	// The link is still valid at its deadline, exactly.
	e.clock.Set(t0.Add(DefaultLinkTTL))
	if r := e.do(t, "GET", link, ""); r.Status != 200 {
		t.Errorf("at the deadline: %d %s", r.Status, r.Body)
	}
}

// TestQiniuDownloadLikeKodo: a download carries Qiniu's hash as its ETag and
// Accept-Ranges, and answers Range with 206 (416 in Qiniu's JSON shape when
// unsatisfiable), as the Go SDK's concurrent downloader expects.
func TestQiniuDownloadLikeKodo(t *testing.T) {
	e := newEnv(t)
	recs, atts := mediaRecords(t, e)
	link, size := *recs[0].GetURL, atts[0].Size
	full := e.world.Bytes(atts[0])
	etag := `"` + sign.QiniuEtag(full) + `"`
	tests := []struct {
		method, rng string
		status      int
		body        string // "" for a part of the file
		first, last int64
	}{
		{"GET", "", 200, "", 0, size - 1},
		{"HEAD", "", 200, "", 0, size - 1},
		{"GET", "bytes=0-9", 206, "", 0, 9},
		{"GET", "bytes=-7", 206, "", size - 7, size - 1},
		{"GET", "bytes=" + strconv.FormatInt(size, 10) + "-", 416, QiniuBodyRange, 0, 0},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, link, nil)
		if tt.rng != "" {
			req.Header.Set("Range", tt.rng)
		}
		res, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status {
			t.Fatalf("%s %q: %d, want %d", tt.method, tt.rng, res.StatusCode, tt.status)
		}
		if tt.status == 416 {
			if string(body) != tt.body || res.Header.Get("Content-Type") != "application/json" {
				t.Errorf("416: %q %q", res.Header.Get("Content-Type"), body)
			}
			continue
		}
		want := full[tt.first : tt.last+1]
		if (tt.method == "GET" && string(body) != string(want)) || res.Header.Get("Content-Length") != strconv.Itoa(len(want)) {
			t.Errorf("%s %q: %d bytes, Content-Length %s; want %d", tt.method, tt.rng, len(body), res.Header.Get("Content-Length"), len(want))
		}
		if res.Header.Get("ETag") != etag || res.Header.Get("Accept-Ranges") != "bytes" {
			t.Errorf("%s %q: ETag %q Accept-Ranges %q, want %s bytes", tt.method, tt.rng, res.Header.Get("ETag"), res.Header.Get("Accept-Ranges"), etag)
		}
	}
}

// TestGetURLLifetime: by default a getUrl lives what the page's example
// shows (its e=1615109357 minus its operationTime 2016-03-08 17:29:17
// +08:00 is 157,680,000 s); an Op client's LinkTTL (scenario link_ttl)
// replaces it.
func TestGetURLLifetime(t *testing.T) {
	s := New(Config{PublicURL: "http://7xkq6j.com1.z0.glb.clouddn.com"})
	a := &world.Attachment{FileID: "u0001a46607f873f0428d8fc07119fa05fac7", Ext: "jpg"}
	operationTime, err := time.ParseInLocation("2006-01-02 15:04:05", "2016-03-08 17:29:17", time.FixedZone("CST", 8*3600))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ttl  time.Duration
		want string
	}{
		{0, "?e=1615109357&token="}, // the page's example
		{90 * time.Minute, "?e=" + strconv.FormatInt(operationTime.Unix()+5400, 10) + "&token="},
	} {
		c := &world.OpClient{LinkTTL: tc.ttl, Qiniu: world.QiniuKeys{AccessKey: "1pd5YXbBmYR7QQqodYuItP927L99-O4qNLAynsmp", SecretKey: "sk"}}
		if link := s.QiniuURL(c, a, operationTime); !strings.Contains(link, tc.want) {
			t.Errorf("link_ttl %v: %s, want %s", tc.ttl, link, tc.want)
		}
	}
	if DefaultLinkTTL != 5*365*24*time.Hour {
		t.Errorf("DefaultLinkTTL %v, want five 365-day years", DefaultLinkTTL)
	}
}

// TestClientLinkTTLExpires: a client with a short link_ttl hands out links
// that expire then, through the surface.
func TestClientLinkTTLExpires(t *testing.T) {
	spec := testSpec(t)
	spec.Op[0].LinkTTL = 10 * time.Minute
	e := newEnvOf(t, spec)
	recs, _ := mediaRecords(t, e)
	link := *recs[0].GetURL
	if want := "?e=" + strconv.FormatInt(t0.Add(10*time.Minute).Unix(), 10) + "&"; !strings.Contains(link, want) {
		t.Fatalf("getUrl %s, want %s", link, want)
	}
	e.clock.Set(t0.Add(10*time.Minute + time.Second))
	if r := e.do(t, "GET", link, ""); r.Status != 401 || string(r.Body) != `{"error":"token out of date"}` {
		t.Errorf("after the client's link_ttl: %d %s", r.Status, r.Body)
	}
}
