package opapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/internal/surfacetest"
	"github.com/chatemu/chatemu/emulator/world"
)

// t0 is 2026-03-08 17:29:17 in Beijing, the page example's operationTime
// ten years on.
var t0 = time.Date(2026, 3, 8, 9, 29, 17, 0, time.UTC)

// publicURL is what clients see; the test client dials the listener for it,
// so signed links and golden files do not depend on the port.
const publicURL = "http://op.chatemu.test"

// The test world's Op clients.
const (
	clientID   = "b2736195b38346639463ee889d6b8ff4"
	clientTok  = "o0001403351be22c648efa24c20e842fd7351"
	qiniuAK    = "1pd5YXbBmYR7QQqodYuItP927L99-O4qNLAynsmp"
	qiniuSK    = "qiniu-secret-key"
	md5Client  = "md5client"
	md5Token   = "md5token"
	md5Secret  = "md5secret"
	orphanID   = "orphan"
	orphanTok  = "orphantoken"
	numericUID = "148992039571161524"
)

var tenant = world.EasemobTenant("acme", "chat")

// baseSpec is the test world before marks and favorites: alice sees her
// chats with bob, group g1's messages and two literals; carol's and dave's
// traffic and the chat room are not hers.
func baseSpec() world.Spec {
	all := []world.KindWeight{
		{Kind: world.Text, Weight: 3}, {Kind: world.Image, Weight: 2}, {Kind: world.Audio, Weight: 1},
		{Kind: world.Video, Weight: 1}, {Kind: world.File, Weight: 1}, {Kind: world.Location, Weight: 1},
		{Kind: world.Command, Weight: 1}, {Kind: world.Custom, Weight: 1}, {Kind: world.Combine, Weight: 1},
	}
	return world.Spec{
		Seed:  11,
		Start: t0, Frozen: true,
		Easemob: []world.EasemobApp{{
			Org: "acme", App: "chat", Cluster: world.ClusterCN,
			Users: []string{"alice", "bob", "carol", "dave", numericUID},
			Groups: []world.Group{
				{ID: "g1", Owner: "alice", Members: []string{"bob"}},
				{ID: "g2", Owner: "carol", Members: []string{"dave"}},
			},
			Rooms: []world.Room{{ID: "r1", Name: "lobby"}},
			Traffic: []world.Traffic{
				{From: "alice", To: "bob", ChatType: world.Chat, PerHour: 3, Since: 8 * time.Hour, Types: all},
				{From: "bob", To: "alice", ChatType: world.Chat, PerHour: 1, Since: 4 * time.Hour, Types: all},
				{From: "bob", To: "g1", ChatType: world.GroupChat, PerHour: 2, Since: 5 * time.Hour, Until: time.Hour, Types: all},
				{From: "carol", To: "dave", ChatType: world.Chat, PerHour: 3, Since: 6 * time.Hour},
				{From: "carol", To: "g2", ChatType: world.GroupChat, PerHour: 2, Since: 6 * time.Hour},
				{From: "dave", To: "r1", ChatType: world.ChatRoom, PerHour: 5, Since: 3 * time.Hour},
				{From: numericUID, To: "alice", ChatType: world.Chat, PerHour: 1, Since: 2 * time.Hour},
			},
			Messages: []world.Message{
				{ID: "lit-1", From: "carol", To: "alice", ChatType: world.Chat, Kind: world.Text,
					Text: "你好 <b>&\"quoted\"", At: t0.Add(-30 * time.Minute), Ext: map[string]any{"reFresh": "chats"}},
				{ID: "lit-2", From: "alice", To: "g1", ChatType: world.GroupChat, Kind: world.Image, At: t0.Add(-20 * time.Minute)},
				{ID: "lit-3", From: "bob", To: "carol", ChatType: world.Chat, Kind: world.Text, Text: "not alice's", At: t0.Add(-10 * time.Minute)},
			},
		}},
		Op: []world.OpClient{
			{Client: clientID, Token: clientTok, Secret: "s3cr3t", Sign: world.SignAny, EasemobApp: tenant,
				Qiniu: world.QiniuKeys{AccessKey: qiniuAK, SecretKey: qiniuSK}},
			{Client: md5Client, Token: md5Token, Secret: md5Secret, Sign: world.SignMD5, EasemobApp: tenant,
				Qiniu: world.QiniuKeys{AccessKey: "AK2", SecretKey: "SK2"}},
			{Client: orphanID, Token: orphanTok, Sign: world.SignAny, EasemobApp: world.EasemobTenant("nope", "nope"),
				Qiniu: world.QiniuKeys{AccessKey: "AK3", SecretKey: "SK3"}},
		},
	}
}

// archive is alice's (or any user's) history as the Easemob archives show
// it: the app's messages she sent or received one-to-one, plus those of her
// groups, oldest first.
func archive(w *world.World, user string) []world.Message {
	app, _ := w.EasemobAppOf(tenant)
	groups := map[string]bool{}
	for _, g := range app.Groups {
		if g.Owner == user || slices.Contains(g.Members, user) {
			groups[g.ID] = true
		}
	}
	var out []world.Message
	for m := range w.Range(tenant, time.Time{}, time.Time{}) {
		if m.ChatType == world.Chat && (m.From == user || m.To == user) || m.ChatType == world.GroupChat && groups[m.To] {
			out = append(out, m)
		}
	}
	return out
}

// testSpec adds marks and favorites on literal and generated messages, the
// latter picked from a first build of the same world (ids are a pure
// function of the spec).
func testSpec(t testing.TB) world.Spec {
	spec := baseSpec()
	w, err := world.New(spec, t0)
	if err != nil {
		t.Fatal(err)
	}
	h := archive(w, "alice")
	g5, g9, g12 := h[5].ID, h[9].ID, h[12].ID
	spec.Op[0].Marks = []world.Mark{
		{User: "alice", MessageID: "lit-1", Marks: []string{"重要"}},
		{User: "alice", MessageID: "lit-2", Marks: []string{"重要", "待办"}},
		{User: "alice", MessageID: "lit-3", Marks: []string{"not hers"}},
		{User: "alice", MessageID: "no-such-id", Marks: []string{"gone"}},
		{User: "alice", MessageID: g5, Marks: []string{"待办"}},
		{User: "bob", MessageID: g9, Marks: []string{"bob's"}},
	}
	spec.Op[0].Favorites = []world.Favorite{
		{User: "alice", MessageID: "lit-2"},
		{User: "alice", MessageID: g9},
		{User: "alice", MessageID: g12},
		{User: "bob", MessageID: "lit-1"},
	}
	return spec
}

// env is a running Op surface over a fresh test world.
type env struct {
	world  *world.World
	clock  *clock.Clock
	s      *Surface
	srv    *httptest.Server
	client *http.Client
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOf(t, testSpec(t))
}

// newEnvOf is newEnv over another world.
func newEnvOf(t testing.TB, spec world.Spec) *env {
	t.Helper()
	w, err := world.New(spec, t0)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.Start(t0, true)
	r := mux.NewRouter()
	s := New(Config{World: w, Clock: clk, PublicURL: publicURL})
	s.Routes(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &env{world: w, clock: clk, s: s, srv: srv, client: surfacetest.Dialing(srv)}
}

// listQuery is the query of clientID's calls.
const listQuery = "apiVersion=01&client=" + clientID + "&token=" + clientTok + "&sign=ed549766b3a74c305602d7be2cdf12d1"

// response is an answer as the tests read it.
type response = surfacetest.Response

func (e *env) do(t testing.TB, method, rawURL, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return surfacetest.Do(t, e.client, req)
}

// list posts body to userMessageList with query.
func (e *env) list(t testing.TB, query, body string) response {
	t.Helper()
	return e.do(t, http.MethodPost, publicURL+UserMessageListPath+"?"+query, body)
}

// wireRecord decodes a record for assertions.
type wireRecord struct {
	To            string          `json:"to"`
	CreateTime    string          `json:"createTime"`
	Form          string          `json:"form"`
	FileLength    *int64          `json:"file_length"`
	Lng           *float64        `json:"lng"`
	Lat           *float64        `json:"lat"`
	Addr          *string         `json:"addr"`
	Type          string          `json:"type"`
	Msg           *string         `json:"msg"`
	Ext           json.RawMessage `json:"ext"`
	URL           *string         `json:"url"`
	GetURL        *string         `json:"getUrl"`
	ThumbSecret   *string         `json:"thumbsecret"`
	Length        *int64          `json:"length"`
	Filename      *string         `json:"filename"`
	Secret        *string         `json:"secret"`
	UserMessageID string          `json:"userMessageId"`
	Thumb         *string         `json:"thumb"`
	HxMsgID       string          `json:"hxMsgId"`
	Favorite      bool            `json:"favorite"`
	Mark          []string        `json:"mark"`
}

type wireEnvelope struct {
	Code    int           `json:"code"`
	Message string        `json:"message"`
	Data    []wireRecord  `json:"data"`
	Page    *wirePage     `json:"page"`
	Foot    *wireFootLine `json:"foot"`
}

type wirePage struct {
	Total                 int64
	Page, PageSize, Count int
	Next                  bool
	StartIndex            *int
}

type wireFootLine struct {
	OperationTime, ServicePhone, Host string
}

func decode(t testing.TB, r response) wireEnvelope {
	t.Helper()
	var e wireEnvelope
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("body is not the envelope: %v\n%s", err, r.Body)
	}
	return e
}

func ids(recs []wireRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.HxMsgID
	}
	return out
}
