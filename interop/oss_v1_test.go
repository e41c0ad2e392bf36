package interop

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// ossV1Bucket is the Go V1 SDK's bucket at chatemu's host. An IP endpoint
// gives path-style links (aliyun-oss-go-sdk oss/conn.go buildURL).
func ossV1Bucket(t *testing.T, a archive, secret string, opts ...oss.ClientOption) *oss.Bucket {
	t.Helper()
	client, err := oss.New("http://"+a.host, a.keyID, secret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := client.Bucket(a.bucket)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOSSV1SignedURLs: links the V1 SDK signs, with response-* sub-resources
// and for HEAD, verify against chatemu; the SDK's own CRC-64 check passes on
// a full download; a ranged read gets the right bytes.
func TestOSSV1SignedURLs(t *testing.T) {
	emu := start(t)
	a := easemobArchive(t, emu)
	b := ossV1Bucket(t, a, a.secret)
	c := emu.HTTPClient()
	_, full := get(t, c, http.MethodGet, a.link, nil)
	if records(t, full) == 0 {
		t.Fatal("the archive holds no record")
	}

	t.Run("sub-resources, CRC-64 checked by the SDK", func(t *testing.T) {
		signed, err := b.SignURL(a.key, oss.HTTPGet, 300,
			oss.ResponseContentType("text/plain"), oss.ResponseContentDisposition(`attachment; filename="history.gz"`), oss.ResponseCacheControl("no-cache"))
		if err != nil {
			t.Fatal(err)
		}
		link := a.underOSS(signed)
		path := filepath.Join(t.TempDir(), "history.gz")
		// GetObjectToFileWithURL compares the body's CRC-64 with
		// x-oss-hash-crc64ecma (IsEnableCRC is the default).
		if err := b.GetObjectToFileWithURL(link, path); err != nil {
			t.Fatalf("GetObjectToFileWithURL: %v", err)
		}
		got, _ := os.ReadFile(path)
		if !bytes.Equal(got, full) {
			t.Fatalf("%d bytes, want the archive's %d", len(got), len(full))
		}
		var h http.Header
		r, err := b.GetObjectWithURL(link, oss.GetResponseHeader(&h))
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		for k, v := range map[string]string{"Content-Type": "text/plain", "Content-Disposition": `attachment; filename="history.gz"`, "Cache-Control": "no-cache"} {
			if h.Get(k) != v {
				t.Errorf("%s: %q, want %q", k, h.Get(k), v)
			}
		}
	})

	t.Run("ranged read", func(t *testing.T) {
		signed, err := b.SignURL(a.key, oss.HTTPGet, 300)
		if err != nil {
			t.Fatal(err)
		}
		r, err := b.GetObjectWithURL(a.underOSS(signed), oss.Range(10, 109))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, full[10:110]) {
			t.Fatalf("bytes 10-109: %d bytes, %v", len(got), err)
		}
	})

	t.Run("HEAD-signed link", func(t *testing.T) {
		signed, err := b.SignURL(a.key, oss.HTTPHead, 300)
		if err != nil {
			t.Fatal(err)
		}
		res, err := b.Client.Conn.DoURL(oss.HTTPHead, a.underOSS(signed), nil, nil, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Headers.Get("Content-Length"); got != strconv.Itoa(len(full)) {
			t.Errorf("Content-Length %s, want %d", got, len(full))
		}
	})
}

// TestOSSV1Errors: the V1 SDK decodes chatemu's errors, <EC> included.
func TestOSSV1Errors(t *testing.T) {
	emu := start(t)
	a := easemobArchive(t, emu)
	tests := []struct {
		name         string
		secret       string
		before       func()
		status       int
		code, ec     string
		signedMethod oss.HTTPMethod
	}{
		{"signed with another secret", "not-the-secret", nil, 403, "SignatureDoesNotMatch", "0002-00000040", oss.HTTPGet},
		{"expired", a.secret, func() { emu.Clock().Advance(time.Hour) }, 403, "AccessDenied", "0002-00000069", oss.HTTPGet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ossV1Bucket(t, a, tt.secret)
			signed, err := b.SignURL(a.key, tt.signedMethod, 300)
			if err != nil {
				t.Fatal(err)
			}
			if tt.before != nil {
				tt.before()
			}
			_, err = b.GetObjectWithURL(a.underOSS(signed))
			var se oss.ServiceError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want an oss.ServiceError", err, err)
			}
			if se.StatusCode != tt.status || se.Code != tt.code || se.Ec != tt.ec || se.RequestID == "" {
				t.Errorf("got %d %s EC %q request %q, want %d %s EC %s", se.StatusCode, se.Code, se.Ec, se.RequestID, tt.status, tt.code, tt.ec)
			}
		})
	}
}

// TestOSSV1CRCCheckIsReal: the SDK's CRC-64 check is not vacuous: through a
// proxy that changes x-oss-hash-crc64ecma, the same download fails it.
func TestOSSV1CRCCheckIsReal(t *testing.T) {
	emu := start(t)
	a := easemobArchive(t, emu)
	target, _ := url.Parse("http://" + a.host)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(res *http.Response) error {
		if res.Header.Get("X-Oss-Hash-Crc64ecma") != "" {
			res.Header.Set("X-Oss-Hash-Crc64ecma", "1")
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	b := ossV1Bucket(t, a, a.secret)
	signed, err := b.SignURL(a.key, oss.HTTPGet, 300)
	if err != nil {
		t.Fatal(err)
	}
	link := a.underOSS(signed)
	viaProxy := srv.URL + link[len("http://"+a.host):]
	err = b.GetObjectToFileWithURL(viaProxy, filepath.Join(t.TempDir(), "history.gz"))
	var crcErr oss.CRCCheckError
	if !errors.As(err, &crcErr) {
		t.Fatalf("a wrong x-oss-hash-crc64ecma gave %v, want oss.CRCCheckError", err)
	}
}
