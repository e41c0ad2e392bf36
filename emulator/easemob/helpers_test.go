package easemob

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/world"
)

// t0 is the test clock's start: Friday 2026-11-20 10:30 UTC (18:30 in
// Beijing).
var t0 = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)

// testBase is the PublicURL of in-process (recorder) tests.
const testBase = "http://chatemu.test"

func oss(name string) world.OSSKeys {
	return world.OSSKeys{Bucket: "easemob-" + name, AccessKeyID: "LTAI" + name + "KeyId", AccessKeySecret: name + "-oss-secret"}
}

func app(org, name string, cluster world.Cluster) world.EasemobApp {
	return world.EasemobApp{
		Org: org, App: name, ClientID: "YXA6" + name + "ClientId", ClientSecret: "YXA6" + name + "ClientSecret",
		UUID:    "8be024f0-e978-11e8-b697-5d598d5f84" + map[string]string{"chat": "02", "gold": "03", "limited": "04", "cn": "05", "os": "06"}[name],
		Cluster: cluster, Retention: 72 * time.Hour, ArchiveDelay: time.Hour, LinkTTL: 30 * time.Minute,
		RateLimits: world.RateLimitsOff, OSS: oss(name),
		Users: []string{"alice", "bob", "carol"},
	}
}

// goldAt is the hour of the gold app's literal messages, one of each body
// type (overseas cluster: the archive hour is 2026111905).
var goldAt = time.Date(2026, 11, 19, 5, 0, 0, 0, time.UTC)

func goldMessages() []world.Message {
	at := func(min int) time.Time { return goldAt.Add(time.Duration(min) * time.Minute) }
	return []world.Message{
		{ID: "1100000000000000001", At: at(1), From: "alice", To: "bob", ChatType: world.Chat, Kind: world.Text,
			Text: "welcome to easemob! \"quoted\" <b>&</b>\n第二行", Ext: map[string]any{"key1": "value1", "n": float64(2)}},
		{ID: "1100000000000000002", At: at(2), From: "alice", To: "g1", ChatType: world.GroupChat, Kind: world.Image, Ext: map[string]any{},
			Attachment: &world.Attachment{FileID: "65e54a4a-0000-4000-b821-ebde7b50cc4b", Name: "test1.jpg", Ext: "jpg", MIME: "image/jpeg",
				Size: 1288, Secret: "DRGM8OZrEeO1vaXXXXXXXXHBeKlIhDp0GCnFu54xOF3M6KLr", Width: 746, Height: 1325}},
		{ID: "1100000000000000003", At: at(3), From: "bob", To: "r1", ChatType: world.ChatRoom, Kind: world.Location, Ext: map[string]any{},
			Location: &world.Place{Address: "西城区西便门桥 ", Lat: 39.9053, Lng: 116}},
		{ID: "1100000000000000004", At: at(4), From: "bob", To: "alice", ChatType: world.Chat, Kind: world.Audio, Ext: map[string]any{},
			Attachment: &world.Attachment{FileID: "0637e55a-f606-4000-8000-51f25fd1215b", Name: "test1.amr", Ext: "amr", MIME: "audio/amr",
				Size: 6630, Secret: "DRGM8OZrEeO1vafuJSo2IjHBeKlIhDp0GCnFu54xOF3M6KLr", Duration: 10 * time.Second}},
		{ID: "1100000000000000005", At: at(5), From: "carol", To: "alice", ChatType: world.Chat, Kind: world.Video, Ext: map[string]any{},
			Attachment: &world.Attachment{FileID: "671dfe30-0000-4000-ba67-8fef0d502f46", Name: "14XXXX.mp4", Ext: "mp4", MIME: "video/mp4",
				Size: 58103, Secret: "VfEpSmSvEeS7yU8dwa9rAQc-DIL2HhmpujTNfSTsrDt6eNb_", Width: 720, Height: 1280, Duration: 10 * time.Second,
				Thumb: &world.Attachment{FileID: "67279b20-0000-4000-8eee-21d3334b3a97", Name: "thumb.jpg", Ext: "jpg", MIME: "image/jpeg",
					Size: 4096, Secret: "ZyebKn9pEeSSfY03ROk7ND24zUf74s7HpPN1oMV-1JxN2O2I", Width: 360, Height: 480}}},
		{ID: "1100000000000000006", At: at(6), From: "carol", To: "bob", ChatType: world.Chat, Kind: world.File, Ext: map[string]any{},
			Attachment: &world.Attachment{FileID: "d9135700-0000-4000-b000-a7039876610f", Name: "record.md", Ext: "md", MIME: "text/markdown",
				Size: 3279, Secret: "2RNXCgeeEeeXXXX-XXXXbtZXJH4cgr2admVXn560He2PD3RX"}},
		{ID: "1100000000000000007", At: at(7), From: "alice", To: "bob", ChatType: world.Chat, Kind: world.Command, Action: "run", Ext: map[string]any{}},
		{ID: "1100000000000000008", At: at(8), From: "alice", To: "g1", ChatType: world.GroupChat, Kind: world.Custom, Ext: map[string]any{},
			Custom: &world.CustomBody{Event: "gift_1", Exts: [][2]string{{"name", "flower"}, {"size", "16"}, {"price", "100"}}}},
		{ID: "1100000000000000009", At: at(9), From: "bob", To: "g1", ChatType: world.GroupChat, Kind: world.Combine, Ext: map[string]any{},
			Combine: &world.CombineBody{Level: 1, Title: "聊天记录", Summary: ":yyuu\n:[图片]\n:[文件]\n"},
			Attachment: &world.Attachment{FileID: "6bf39390-8aba-11ef-a8ae-6f545c50ca23", Name: "17289718748990036",
				Secret: "a_OTmoq6Ee-CygH0PRzcUyFniZDmSsX1ur0j-9RtCj3tK6Gr"}},
	}
}

// testSpec is the world of these tests. acme/chat (cn, Beijing hours):
// alice→bob 7 an hour from 48 h to 24 h before t0, a mixed group stream of
// every kind 20 an hour from 12 h to 2 h before, and nothing between 72 h
// and 48 h before, so those hours are empty.
func testSpec() world.Spec {
	chat := app("acme", "chat", world.ClusterCN)
	chat.Groups = []world.Group{{ID: "g1", Owner: "alice", Members: []string{"bob", "carol"}}}
	chat.Traffic = []world.Traffic{
		{From: "alice", To: "bob", ChatType: world.Chat, PerHour: 7, Since: 48 * time.Hour, Until: 24 * time.Hour},
		{From: "bob", To: "g1", ChatType: world.GroupChat, PerHour: 20, Since: 12 * time.Hour, Until: 2 * time.Hour,
			Types: []world.KindWeight{{Kind: world.Text, Weight: 3}, {Kind: world.Image, Weight: 1}, {Kind: world.Location, Weight: 1}, {Kind: world.Audio, Weight: 1}, {Kind: world.Video, Weight: 1},
				{Kind: world.File, Weight: 1}, {Kind: world.Command, Weight: 1}, {Kind: world.Custom, Weight: 1}, {Kind: world.Combine, Weight: 1}}},
	}
	gold := app("acme", "gold", world.ClusterOverseas)
	gold.Messages = goldMessages()
	limited := app("acme", "limited", world.ClusterCN)
	limited.RateLimits = world.RateLimitsVendor
	limited.Traffic = []world.Traffic{{From: "alice", To: "bob", ChatType: world.Chat, PerHour: 3, Since: 6 * time.Hour}}
	// cn and os each hold one message at 16:30 UTC on 2026-11-18.
	at := time.Date(2026, 11, 18, 16, 30, 0, 0, time.UTC)
	cn := app("acme", "cn", world.ClusterCN)
	cn.Messages = []world.Message{{ID: "1200000000000000001", At: at, From: "alice", To: "bob", ChatType: world.Chat, Kind: world.Text, Text: "at 16:30 UTC"}}
	os := app("acme", "os", world.ClusterOverseas)
	os.Messages = []world.Message{{ID: "1200000000000000002", At: at, From: "alice", To: "bob", ChatType: world.Chat, Kind: world.Text, Text: "at 16:30 UTC"}}
	return world.Spec{Seed: 42, Start: t0, Frozen: true, Easemob: []world.EasemobApp{chat, gold, limited, cn, os}}
}

// env is one surface over a fresh world and a frozen clock.
type env struct {
	t      testing.TB
	world  *world.World
	clock  *clock.Clock
	s      *Surface
	router *mux.Router
	base   string
}

func newEnv(t testing.TB, spec world.Spec, base string) *env {
	t.Helper()
	w, err := world.New(spec, t0)
	if err != nil {
		t.Fatal(err)
	}
	c := clock.Start(t0, true)
	// As a loopback server without a control token: reasons show expected
	// signatures (the server's tests cover the other mode).
	s := New(Config{World: w, Clock: c, PublicURL: base, RevealSecrets: true})
	r := mux.NewRouter()
	s.Routes(r)
	return &env{t: t, world: w, clock: c, s: s, router: r, base: base}
}

// do serves req in process.
func (e *env) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	return rec
}

func tokenBody(a world.EasemobApp, ttl string) string {
	b := `{"grant_type":"client_credentials","client_id":"` + a.ClientID + `","client_secret":"` + a.ClientSecret + `"`
	if ttl != "" {
		b += `,"ttl":` + ttl
	}
	return b + "}"
}

func tokenReq(org, name, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, testBase+"/"+org+"/"+name+"/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// token gets an app token in process.
func (e *env) token(org, name, ttl string) string {
	e.t.Helper()
	a, _ := e.world.EasemobApp(org, name)
	rec := e.do(tokenReq(org, name, tokenBody(*a, ttl)))
	if rec.Code != 200 {
		e.t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		e.t.Fatal(err)
	}
	return out.AccessToken
}

func getWithToken(url, token string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// chatURL gets a fresh archive link for hour of org/name in process.
func (e *env) archiveLink(org, name, hour string) string {
	e.t.Helper()
	rec := e.do(getWithToken(testBase+"/"+org+"/"+name+"/chatmessages/"+hour, e.token(org, name, "")))
	if rec.Code != 200 {
		e.t.Fatalf("chatmessages %s: %d %s", hour, rec.Code, rec.Body)
	}
	var out struct {
		Data []struct{ URL string } `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Data) != 1 {
		e.t.Fatalf("chatmessages body %s: %v", rec.Body, err)
	}
	return out.Data[0].URL
}

// goldenHeaders are the response headers pinned in golden files.
// ossGoldenHeaders are the object-storage headers OSS answers carry.
var ossGoldenHeaders = []string{"Content-Length", "Content-Disposition", "Cache-Control", "Accept-Ranges", "Content-Range",
	"ETag", "X-Oss-Hash-Crc64ecma", "X-Oss-Object-Type", "X-Oss-Ec", "X-Oss-Err"}

var goldenHeaders = []string{"Content-Type", "Content-Encoding", "Server", "X-Oss-Request-Id", "Last-Modified", "X-Chatemu-Reason"}

// render is a response as a golden file holds it.
func render(status int, h http.Header, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString("HTTP " + strconv.Itoa(status) + " " + http.StatusText(status) + "\n")
	names := goldenHeaders
	if h.Get("Server") == "AliyunOSS" {
		names = append(slices.Clone(names), ossGoldenHeaders...)
	}
	for _, k := range names {
		if v := h.Get(k); v != "" {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	b.WriteString("\n")
	b.Write(body)
	if len(body) > 0 && body[len(body)-1] != '\n' {
		b.WriteString("\n")
	}
	return b.Bytes()
}

// goldenPath is the golden file of a response: testdata/NAME.golden.
func goldenPath(name string) string { return filepath.Join("testdata", name+".golden") }

// gunzipLines decompresses an archive and splits it as the Node client does.
func gunzipLines(t testing.TB, r io.Reader) []map[string]any {
	t.Helper()
	zr, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}
