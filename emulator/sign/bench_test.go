package sign

import (
	"net/url"
	"testing"
	"time"
)

// BenchmarkVerify measures signed-link verification, the work every archive
// (OSS) and Op media (Qiniu) download does before it serves a byte, and
// signing, which the chatmessages answer and each Op media record do.
func BenchmarkVerify(b *testing.B) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const (
		bucket, object = "chatemu-history", "history/chatemu/demo/2026112016.gz"
		ak, secret     = "LTAI5tChatemuDemoKey0001", "ChatemuDemoOssAccessKeySecret1"
	)
	secretFor := func(string) (string, bool) { return secret, true }
	ossLink := OSSURL("http://127.0.0.1:8080/_oss", bucket, object, ak, secret, now.Add(30*time.Minute))
	u, err := url.Parse(ossLink)
	if err != nil {
		b.Fatal(err)
	}
	if err := OSSVerify(u.RawQuery, bucket, object, now, secretFor); err != nil {
		b.Fatal(err)
	}
	qiniuLink := QiniuURL("http://127.0.0.1:8080/_qiniu/0f1e2d3c-4b5a-1978-8796-a5b4c3d2e1f0.jpg", "qiniu-ak", "qiniu-sk", now.Add(time.Hour))
	qsecret := func(string) (string, bool) { return "qiniu-sk", true }
	if err := QiniuVerify(qiniuLink, now, qsecret); err != nil {
		b.Fatal(err)
	}
	b.Run("OSSVerify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := OSSVerify(u.RawQuery, bucket, object, now, secretFor); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("OSSURL", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			OSSURL("http://127.0.0.1:8080/_oss", bucket, object, ak, secret, now)
		}
	})
	b.Run("QiniuVerify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := QiniuVerify(qiniuLink, now, qsecret); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("QiniuURL", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			QiniuURL("http://127.0.0.1:8080/_qiniu/0f1e2d3c-4b5a-1978-8796-a5b4c3d2e1f0.jpg", "qiniu-ak", "qiniu-sk", now)
		}
	})
	// A page's getUrl: the signer's kept HMAC, the URL appended in place.
	b.Run("QiniuSigner", func(b *testing.B) {
		q := NewQiniuSigner("qiniu-ak", "qiniu-sk")
		base := "http://127.0.0.1:8080/_qiniu/0f1e2d3c-4b5a-1978-8796-a5b4c3d2e1f0.jpg"
		buf := make([]byte, 0, 256)
		b.ReportAllocs()
		for b.Loop() {
			buf = q.AppendSigned(append(buf[:0], base...), 0, now)
		}
	})
}
