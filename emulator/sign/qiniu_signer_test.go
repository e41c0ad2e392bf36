package sign

import (
	"crypto/hmac"
	"crypto/sha1"
	"sync"
	"testing"
	"time"
)

// TestQiniuSignerIsQiniuURL: a signer's URLs are the independent
// implementation's, after what the buffer already held, for many keys and
// deadlines, from goroutines sharing signers (its HMACs are reused: run
// with -race).
func TestQiniuSignerIsQiniuURL(t *testing.T) {
	bases := []string{
		"http://78re52.com1.z0.glb.clouddn.com/resource/flower.jpg",
		"http://127.0.0.1:8080/_qiniu/op/alice/2026/11/20/voice.amr",
		"http://127.0.0.1:8080/_qiniu/a.jpg?imageView2/1/w/200",
		"http://127.0.0.1:8080/_qiniu/聊天记录/图片.png",
	}
	signers := []*QiniuSigner{NewQiniuSigner("AK0", "qsk-00"), NewQiniuSigner("MY_ACCESS_KEY", "MY_SECRET_KEY")}
	keys := [][2]string{{"AK0", "qsk-00"}, {"MY_ACCESS_KEY", "MY_SECRET_KEY"}}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k, base := (g+i)%len(signers), bases[i%len(bases)]
				deadline := time.Unix(1_795_172_400+int64(i*g), 0)
				prefix := "{\"getUrl\":\""
				got := string(signers[k].AppendSigned([]byte(prefix+base), len(prefix), deadline))
				if want := prefix + refQiniuURL(base, keys[k][0], keys[k][1], deadline.Unix()); got != want {
					t.Errorf("AppendSigned =\n %s\nindependent\n %s", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestQiniuSignAllocatesNothing: a page of media records signs a link
// each; with a kept HMAC (a signer's, from its pool), signing into a
// buffer with room makes no allocation: the sum goes into the HMAC's own
// buffer, not a new one.
func TestQiniuSignAllocatesNothing(t *testing.T) {
	mac := &qiniuMAC{h: hmac.New(sha1.New, []byte("qsk-00"))}
	base := "http://127.0.0.1:8080/_qiniu/op/alice/voice.amr"
	buf := make([]byte, 0, 256)
	deadline := time.Unix(1_795_172_400, 0)
	sign := func() {
		mac.h.Reset()
		buf = appendQiniuSign(append(buf[:0], base...), 0, "AK0", deadline, mac)
	}
	sign()
	if n := testing.AllocsPerRun(100, sign); n != 0 {
		t.Errorf("%v allocations per link", n)
	}
	if want := refQiniuURL(base, "AK0", "qsk-00", deadline.Unix()); string(buf) != want {
		t.Errorf("signed %s, want %s", buf, want)
	}
}
