package easemob

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// server serves e's routes over real HTTP; e's PublicURL is the server's.
func server(t *testing.T, spec world.Spec) (*env, *httptest.Server) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	e := newEnv(t, spec, "http://"+srv.Listener.Addr().String())
	srv.Config.Handler = e.router
	srv.Start()
	t.Cleanup(srv.Close)
	return e, srv
}

// goClient behaves like the official Go SDK (github.com/Easemob-Community/
// easemob-go-sdk client.go, http.go): "ttl":"",
// an empty "Authorization: Bearer " on the token call, User-Agent go-sdk,
// and Content-Type application/json even on bodiless GETs.
type goClient struct {
	t     *testing.T
	http  *http.Client
	base  string
	token string
}

func (c *goClient) do(method, url, body, token string) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "go-sdk")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, raw
}

// TestEndToEnd is a real client: token, then chatmessages for every hour in
// retention, download, gunzip, split lines, parse. It must recover exactly
// the world's messages: same count, ids and bodies; hours without messages
// answer 404. Every attachment url it finds downloads real bytes of
// file_length, behind share-secret where the body has a secret.
func TestEndToEnd(t *testing.T) {
	e, srv := server(t, testSpec())
	a, _ := e.world.EasemobApp("acme", "chat")
	c := &goClient{t: t, http: srv.Client(), base: e.base + "/acme/chat"}
	resp, raw := c.do(http.MethodPost, c.base+"/token",
		`{"grant_type":"client_credentials","client_id":"`+a.ClientID+`","client_secret":"`+a.ClientSecret+`","ttl":""}`, "")
	if resp.StatusCode != 200 {
		t.Fatalf("token: %d %s", resp.StatusCode, raw)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(raw, &tok)
	c.token = tok.AccessToken

	now := e.clock.Now()
	first := now.Add(-retention(a)).Add(time.Hour - time.Nanosecond).Truncate(time.Hour) // oldest hour still kept
	got := map[string]map[string]any{}
	var order []string
	hours, empty := 0, 0
	for start := first; !now.Before(start.Add(time.Hour + a.ArchiveDelay)); start = start.Add(time.Hour) {
		hours++
		hour := HourOf(a, start)
		resp, raw := c.do(http.MethodGet, c.base+"/chatmessages/"+hour, "", c.token)
		if n := e.world.Count(a.Tenant(), start, start.Add(time.Hour)); n == 0 {
			empty++
			if resp.StatusCode != 404 {
				t.Fatalf("hour %s has no messages: %d %s", hour, resp.StatusCode, raw)
			}
			continue
		}
		if resp.StatusCode != 200 {
			t.Fatalf("hour %s: %d %s", hour, resp.StatusCode, raw)
		}
		var cm struct {
			Data []struct {
				URL string `json:"url"`
			} `json:"data"`
			Duration int `json:"duration"`
		}
		if err := json.Unmarshal(raw, &cm); err != nil || len(cm.Data) != 1 {
			t.Fatalf("hour %s: %s", hour, raw)
		}
		dl, err := c.http.Get(cm.Data[0].URL)
		if err != nil {
			t.Fatal(err)
		}
		if dl.StatusCode != 200 || dl.Header.Get("Content-Type") != ArchiveContentType {
			t.Fatalf("download %s: %d %v", hour, dl.StatusCode, dl.Header)
		}
		for _, rec := range gunzipLines(t, dl.Body) {
			id := rec["msg_id"].(string)
			if _, dup := got[id]; dup {
				t.Fatalf("message %s twice", id)
			}
			got[id] = rec
			order = append(order, id)
		}
		dl.Body.Close()
	}
	if hours < 70 || empty == 0 {
		t.Fatalf("walked %d hours, %d empty: the world should have both kinds", hours, empty)
	}

	lo := first
	hi := now.Add(-a.ArchiveDelay).Truncate(time.Hour)
	n, files := 0, 0
	for m := range e.world.Range(a.Tenant(), lo, hi) {
		if n >= len(order) || order[n] != m.ID {
			t.Fatalf("record %d: got %v, world has %s", n, order[min(n, len(order)-1)], m.ID)
		}
		checkRecord(t, got[m.ID], m, e.base+"/acme/chat/chatfiles/")
		if m.Attachment != nil && files < 40 {
			files++
			checkFile(t, c, e.world, got[m.ID], m)
		}
		n++
	}
	if n != len(got) || n == 0 {
		t.Fatalf("client recovered %d messages, world has %d", len(got), n)
	}
	t.Logf("%d hours, %d empty, %d messages, %d attachments downloaded", hours, empty, n, files)
}

// checkRecord compares one archive record with its world message.
func checkRecord(t *testing.T, rec map[string]any, m world.Message, files string) {
	t.Helper()
	p := rec["payload"].(map[string]any)
	if rec["timestamp"].(json.Number).String() != fmt.Sprint(m.At.UnixMilli()) || rec["direction"] != "outgoing" ||
		rec["chat_type"] != m.ChatType.String() || p["from"] != m.From || p["to"] != m.To || rec["from"] != m.From || rec["to"] != m.To {
		t.Fatalf("record %v for %+v", rec, m)
	}
	b := p["bodies"].([]any)[0].(map[string]any)
	num := func(k string) string { return b[k].(json.Number).String() }
	switch m.Kind {
	case world.Text:
		if b["type"] != "txt" || b["msg"] != m.Text {
			t.Fatalf("txt %v vs %q", b, m.Text)
		}
	case world.Location:
		if b["type"] != "loc" || b["addr"] != m.Location.Address {
			t.Fatalf("loc %v", b)
		}
	case world.Command:
		if b["type"] != "cmd" || b["action"] != m.Action {
			t.Fatalf("cmd %v", b)
		}
	case world.Custom:
		if b["type"] != "custom" || b["customEvent"] != m.Custom.Event || len(b["customExts"].([]any)) != len(m.Custom.Exts) {
			t.Fatalf("custom %v", b)
		}
	default:
		a := m.Attachment
		want := map[world.Kind]any{world.Image: "img", world.Audio: "audio", world.Video: "video", world.File: "file", world.Combine: nil}[m.Kind]
		if b["type"] != want || num("file_length") != fmt.Sprint(a.Size) || b["filename"] != a.Name || b["url"] != files+a.FileID {
			t.Fatalf("%s body %v vs %+v", m.Kind, b, a)
		}
		if sec, ok := b["secret"]; (a.Secret != "") != ok || (ok && sec != a.Secret) {
			t.Fatalf("secret %v vs %q", b["secret"], a.Secret)
		}
		if m.Kind == world.Audio || m.Kind == world.Video {
			if num("length") != fmt.Sprint(int64(a.Duration/time.Second)) {
				t.Fatalf("length %v vs %v", b["length"], a.Duration)
			}
		}
		if m.Kind == world.Combine && (b["subType"] != "sub_combine" || b["title"] != m.Combine.Title || b["summary"] != m.Combine.Summary) {
			t.Fatalf("combine %v", b)
		}
	}
}

// checkFile downloads a record's attachment: real bytes of file_length,
// refused without share-secret when the body has a secret.
func checkFile(t *testing.T, c *goClient, w *world.World, rec map[string]any, m world.Message) {
	t.Helper()
	b := rec["payload"].(map[string]any)["bodies"].([]any)[0].(map[string]any)
	url := b["url"].(string)
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	secret, restricted := b["secret"].(string)
	if restricted {
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("restricted file without headers: %d", resp.StatusCode)
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("share-secret", secret)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || fmt.Sprint(len(body)) != b["file_length"].(json.Number).String() {
		t.Fatalf("file %s: %d, %d bytes, file_length %v", url, resp.StatusCode, len(body), b["file_length"])
	}
	if want := w.Bytes(m.Attachment); !bytes.Equal(body, want) {
		t.Fatalf("file %s: bytes differ from the world's", url)
	}
}
