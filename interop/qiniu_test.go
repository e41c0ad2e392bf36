package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qiniu/go-sdk/v7/auth"
	"github.com/qiniu/go-sdk/v7/storage"
	"github.com/qiniu/go-sdk/v7/storagev2/credentials"
	"github.com/qiniu/go-sdk/v7/storagev2/downloader"
	"github.com/qiniu/go-sdk/v7/storagev2/downloader/destination"

	"github.com/chatemu/chatemu/testkit"
)

// qiniuFile is a file an Op getUrl link names, and the Op client's Qiniu keys.
type qiniuFile struct {
	getURL  string
	key     string // the path after /_qiniu/
	domain  string // {public_url}/_qiniu
	ak, sk  string
	content []byte
}

// opQiniuFile finds alice's first record with a getUrl through the Op API
// and downloads it with that link.
func opQiniuFile(t *testing.T, emu *testkit.Emulator) qiniuFile {
	t.Helper()
	op := emu.Op()
	c := emu.HTTPClient()
	q := url.Values{"client": {op.Client}, "token": {op.Token}}
	res, err := c.Post(op.BaseURL+"/op/v2/userMessageList?"+q.Encode(), "application/json", strings.NewReader(`{"userId":"alice","pageNum":1,"pageSize":100}`))
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Data []struct {
			GetURL *string `json:"getUrl"`
		} `json:"data"`
	}
	decode(t, res, &page)
	keys := emu.Server().Tenants().Op[0].Qiniu
	for _, r := range page.Data {
		if r.GetURL == nil {
			continue
		}
		u, _ := url.Parse(*r.GetURL)
		key := strings.TrimPrefix(u.Path, "/_qiniu/")
		res, body := get(t, c, http.MethodGet, *r.GetURL, nil)
		if res.StatusCode != 200 {
			t.Fatalf("getUrl %s: %d", *r.GetURL, res.StatusCode)
		}
		return qiniuFile{getURL: *r.GetURL, key: key, domain: op.BaseURL + "/_qiniu", ak: keys.AccessKey, sk: keys.SecretKey, content: body}
	}
	t.Fatal("alice has no record with a getUrl")
	return qiniuFile{}
}

// TestQiniuMakePrivateURL: the SDK's private download URL for the key
// chatemu's getUrl names verifies against chatemu and serves the same
// bytes.
func TestQiniuMakePrivateURL(t *testing.T) {
	emu := start(t)
	f := opQiniuFile(t, emu)
	mac := auth.New(f.ak, f.sk)
	deadline := emu.Clock().Now().Unix() + 300
	link := storage.MakePrivateURL(mac, f.domain, f.key, deadline)
	res, body := get(t, emu.HTTPClient(), http.MethodGet, link, nil)
	if res.StatusCode != 200 || !bytes.Equal(body, f.content) {
		t.Fatalf("%s: %d, %d bytes (%s)", link, res.StatusCode, len(body), res.Header.Get("X-Chatemu-Reason"))
	}
	// And one signed with another secret key is Qiniu's 401.
	bad := storage.MakePrivateURL(auth.New(f.ak, "not-the-secret-key"), f.domain, f.key, deadline)
	res, body = get(t, emu.HTTPClient(), http.MethodGet, bad, nil)
	var e struct{ Error string }
	if json.Unmarshal(body, &e); res.StatusCode != 401 || e.Error != "download token auth failed" {
		t.Fatalf("badly signed: %d %s", res.StatusCode, body)
	}
}

// TestQiniuConcurrentDownloader: the SDK's downloader signs its
// own links, HEADs the file (it splits only with Accept-Ranges and a
// length), fetches it in ranged parts and keeps a part only when its ETag
// is the HEAD's: the file it assembles is chatemu's bytes.
func TestQiniuConcurrentDownloader(t *testing.T) {
	emu := start(t)
	f := opQiniuFile(t, emu)
	if len(f.content) < 1024 {
		t.Fatalf("the file is %d bytes: too small to split", len(f.content))
	}
	signer := downloader.NewCredentialsSigner(credentials.NewCredentials(f.ak, f.sk))
	// The provider puts the object name at the domain's root: the name
	// carries chatemu's /_qiniu prefix.
	urls, err := downloader.NewStaticDomainBasedURLsProvider([]string{emu.URL}).
		GetURLsIter(context.Background(), "_qiniu/"+f.key, &downloader.GenerateOptions{UseInsecureProtocol: true})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "file")
	dest, err := destination.NewFileDestination(path)
	if err != nil {
		t.Fatal(err)
	}
	// One part at a time: the SDK's host resolver cache has a data race
	// between parts (storagev2/resolver cacheResolver.FeedbackGood against
	// Resolve) that go test -race reports; the parts, the ranges and the
	// ETag checks are the same.
	d := downloader.NewConcurrentDownloader(&downloader.ConcurrentDownloaderOptions{Concurrency: 1, PartSize: uint64(len(f.content)/4 + 1)})
	n, err := d.Download(context.Background(), downloader.SignURLs(context.Background(), urls, signer, nil), dest, nil)
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	dest.Close()
	got, _ := os.ReadFile(path)
	if n != uint64(len(f.content)) || !bytes.Equal(got, f.content) {
		t.Fatalf("downloaded %d bytes (file %d), want %d", n, len(got), len(f.content))
	}
	// It did split: several ranged GETs reached chatemu.
	ranged := 0
	for _, r := range emu.Requests() {
		if r.Operation == "op.qiniu_download" && r.Status == http.StatusPartialContent {
			ranged++
		}
	}
	if ranged != 4 {
		t.Errorf("%d ranged requests, want the file in its 4 parts", ranged)
	}
}
