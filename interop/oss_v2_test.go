package interop

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

// ossV2Client is the V2 SDK at chatemu's host, path-style, signing V1 (the
// scheme of Easemob's links; the V2 SDK's default is V4, which chatemu does
// not emulate).
func ossV2Client(a archive) *oss.Client {
	cfg := oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(a.keyID, a.secret)).
		WithRegion("cn-hangzhou").
		WithEndpoint("http://" + a.host).
		WithUsePathStyle(true).
		WithSignatureVersion(oss.SignatureVersionV1)
	return oss.NewClient(cfg)
}

// TestOSSV2Presign: links the V2 SDK presigns (V1) with response-*
// sub-resources, for HEAD, and with the signed x-oss-range-behavior header
// verify against chatemu, and the body's CRC-64 by the SDK's own hash
// matches x-oss-hash-crc64ecma.
func TestOSSV2Presign(t *testing.T) {
	emu := start(t)
	a := easemobArchive(t, emu)
	client := ossV2Client(a)
	c := emu.HTTPClient()
	ctx := context.Background()
	_, full := get(t, c, http.MethodGet, a.link, nil)
	exp := oss.PresignExpiration(emu.Clock().Now().Add(5 * time.Minute))

	tests := []struct {
		name    string
		request any
		method  string
		rng     string
		status  int
		body    []byte
		headers map[string]string
	}{
		{"sub-resources", &oss.GetObjectRequest{Bucket: oss.Ptr(a.bucket), Key: oss.Ptr(a.key),
			ResponseContentType: oss.Ptr("text/plain"), ResponseContentDisposition: oss.Ptr(`attachment; filename="h.gz"`), ResponseContentLanguage: oss.Ptr("zh-CN")},
			http.MethodGet, "", 200, full,
			map[string]string{"Content-Type": "text/plain", "Content-Disposition": `attachment; filename="h.gz"`, "Content-Language": "zh-CN"}},
		{"HEAD", &oss.HeadObjectRequest{Bucket: oss.Ptr(a.bucket), Key: oss.Ptr(a.key)},
			http.MethodHead, "", 200, nil, map[string]string{"Content-Length": strconv.Itoa(len(full))}},
		{"range", &oss.GetObjectRequest{Bucket: oss.Ptr(a.bucket), Key: oss.Ptr(a.key)},
			http.MethodGet, "bytes=0-9", 206, full[:10], map[string]string{"Content-Range": "bytes 0-9/" + strconv.Itoa(len(full))}},
		{"range, standard behaviour signed", &oss.GetObjectRequest{Bucket: oss.Ptr(a.bucket), Key: oss.Ptr(a.key), RangeBehavior: oss.Ptr("standard")},
			http.MethodGet, "bytes=5-99999999", 206, full[5:], map[string]string{"Content-Length": strconv.Itoa(len(full) - 5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := client.Presign(ctx, tt.request, exp)
			if err != nil {
				t.Fatal(err)
			}
			if p.Method != tt.method {
				t.Fatalf("presigned for %s, want %s", p.Method, tt.method)
			}
			header := map[string]string{}
			for k, v := range p.SignedHeaders {
				header[k] = v
			}
			if tt.rng != "" {
				header["Range"] = tt.rng
			}
			res, body := get(t, c, p.Method, a.underOSS(p.URL), header)
			if res.StatusCode != tt.status {
				t.Fatalf("%d, want %d (%s)", res.StatusCode, tt.status, res.Header.Get("X-Chatemu-Reason"))
			}
			if tt.method == http.MethodGet && !bytes.Equal(body, tt.body) {
				t.Errorf("%d bytes, want %d", len(body), len(tt.body))
			}
			for k, v := range tt.headers {
				if res.Header.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, res.Header.Get(k), v)
				}
			}
			if tt.status == 200 {
				crc := oss.NewCRC64(0)
				crc.Write(full)
				if got := res.Header.Get("X-Oss-Hash-Crc64ecma"); got != strconv.FormatUint(crc.Sum64(), 10) {
					t.Errorf("x-oss-hash-crc64ecma %s, the SDK's CRC-64 of the bytes is %d", got, crc.Sum64())
				}
			}
		})
	}
}
