package easemob

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"hash/crc64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/pagecache"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// bigSpec holds one app whose hour 2026111905 (UTC) is an archive larger
// than the archive cache keeps, so it is streamed twice: once to size and
// hash it, once to send it.
func bigSpec() world.Spec {
	a := app("acme", "gold", world.ClusterOverseas)
	a.Groups = []world.Group{{ID: "g1", Owner: "alice", Members: []string{"bob"}}}
	a.Traffic = []world.Traffic{{From: "alice", To: "g1", ChatType: world.GroupChat, PerHour: 6000, Since: 30 * time.Hour, Until: 28 * time.Hour,
		Types: []world.KindWeight{{Kind: world.Text, Weight: 1}, {Kind: world.Image, Weight: 1}, {Kind: world.File, Weight: 1}}}}
	return world.Spec{Seed: 42, Start: t0, Frozen: true, Easemob: []world.EasemobApp{a}}
}

// TestArchiveLikeObjectStorage: an archive download carries what OSS sends
// for an object (Content-Length, the MD5 ETag, x-oss-hash-crc64ecma,
// Accept-Ranges, Last-Modified on the emulated clock), and Range, HEAD and
// x-oss-range-behavior behave as OSS documents, for an archive the cache
// keeps and for one it streams.
func TestArchiveLikeObjectStorage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spec  world.Spec
		hour  string
		big   bool
		start time.Time
	}{
		{"kept", testSpec(), "2026111905", false, goldAt},
		{"streamed", bigSpec(), hourAgo(29), true, t0.Truncate(time.Hour).Add(-29 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.spec, testBase)
			a, _ := e.world.EasemobApp("acme", "gold")
			hour := HourOf(a, tc.start)
			var full bytes.Buffer
			if err := e.s.WriteArchive(&full, a, tc.start); err != nil {
				t.Fatal(err)
			}
			size := int64(full.Len())
			if big := size > pagecache.MaxBody; big != tc.big {
				t.Fatalf("archive of %d bytes: big %v, want %v", size, big, tc.big)
			}
			sum := md5.Sum(full.Bytes())
			etag := `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`
			crc := strconv.FormatUint(crc64.Checksum(full.Bytes(), crc64.MakeTable(crc64.ECMA)), 10)
			modified := tc.start.Add(time.Hour + a.ArchiveDelay).UTC().Format(http.TimeFormat)

			// get signs method (and x-oss-range-behavior when standard)
			// and sends it with a Range header.
			get := func(method, rng string, standard bool) (int, http.Header, []byte) {
				req := sign.OSSRequest{Method: method, Bucket: a.OSS.Bucket, Object: ArchiveObject(a, hour), Header: http.Header{}}
				if standard {
					req.Header.Set("x-oss-range-behavior", "standard")
				}
				exp := strconv.FormatInt(e.clock.Now().Add(time.Minute).Unix(), 10)
				sig := sign.OSSSignature(a.OSS.AccessKeySecret, req.StringToSign(exp))
				link := testBase + ossPrefix + "/" + a.OSS.Bucket + "/" + req.Object + "?Expires=" + exp +
					"&OSSAccessKeyId=" + url.QueryEscape(a.OSS.AccessKeyID) + "&Signature=" + url.QueryEscape(sig)
				r := ossRequest(method, link)
				for k, v := range req.Header {
					r.Header[k] = v
				}
				if rng != "" {
					r.Header.Set("Range", rng)
				}
				rec := e.do(r)
				return rec.Code, rec.Header(), rec.Body.Bytes()
			}
			tests := []struct {
				name, method, rng string
				standard          bool
				status            int
				first, last       int64 // the bytes expected (206, or 200 with first 0 and last size-1)
			}{
				{"full", "GET", "", false, 200, 0, size - 1},
				{"full again (cached meta)", "GET", "", false, 200, 0, size - 1},
				{"head", "HEAD", "", false, 200, 0, size - 1},
				{"first ten", "GET", "bytes=0-9", false, 206, 0, 9},
				{"middle", "GET", "bytes=100-1099", false, 206, 100, 1099},
				{"last ten", "GET", "bytes=-10", false, 206, size - 10, size - 1},
				{"from 1000", "GET", "bytes=1000-", false, 206, 1000, size - 1},
				{"head of a range", "HEAD", "bytes=0-9", false, 206, 0, 9},
				{"end past the object: whole", "GET", "bytes=10-" + strconv.FormatInt(size+5, 10), false, 200, 0, size - 1},
				{"end past the object, standard: clipped", "GET", "bytes=10-" + strconv.FormatInt(size+5, 10), true, 206, 10, size - 1},
				{"start past the object: whole", "GET", "bytes=" + strconv.FormatInt(size, 10) + "-", false, 200, 0, size - 1},
				{"start past the object, standard: 416", "GET", "bytes=" + strconv.FormatInt(size, 10) + "-", true, 416, 0, 0},
				{"two ranges: 416", "GET", "bytes=0-1,5-6", false, 416, 0, 0},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					status, h, body := get(tt.method, tt.rng, tt.standard)
					if status != tt.status {
						t.Fatalf("status %d, want %d (%s) %s", status, tt.status, h.Get("X-Chatemu-Reason"), body)
					}
					if status == 416 {
						if !bytes.Contains(body, []byte("<Code>InvalidRange</Code>")) {
							t.Errorf("416 body %s", body)
						}
						return
					}
					want := full.Bytes()[tt.first : tt.last+1]
					if tt.method == "GET" && !bytes.Equal(body, want) {
						t.Errorf("body: %d bytes, want bytes %d-%d (%d)", len(body), tt.first, tt.last, len(want))
					}
					if tt.method == "HEAD" && len(body) != 0 {
						t.Errorf("HEAD sent %d bytes", len(body))
					}
					wantHeaders := map[string]string{
						"Content-Length": strconv.Itoa(len(want)), "ETag": etag, "X-Oss-Hash-Crc64ecma": crc,
						"Last-Modified": modified, "Accept-Ranges": "bytes", "Content-Type": ArchiveContentType,
					}
					if status == 206 {
						wantHeaders["Content-Range"] = "bytes " + strconv.FormatInt(tt.first, 10) + "-" + strconv.FormatInt(tt.last, 10) + "/" + strconv.FormatInt(size, 10)
					}
					for k, v := range wantHeaders {
						if got := h.Get(k); got != v {
							t.Errorf("%s: %q, want %q", k, got, v)
						}
					}
				})
			}
			// Memory stays bounded: a big archive's bytes are never kept.
			if kept := e.s.archiveBytes.Len(); (kept == 0) != tc.big {
				t.Errorf("%d archives kept in memory; big %v", kept, tc.big)
			}
		})
	}
}
