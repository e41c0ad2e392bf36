package yunxin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/internal/surfacetest"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/internal/golden"
)

// t0 is the emulator clock's frozen start in every test.
var t0 = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)

// The test apps. appMain answers newest first by default; appAsc is the
// same world with descending_default: false; appLimited has rate_limits:
// vendor.
const (
	appMain    = "6f1e2d3c4b5a69788796a5b4c3d2e1f0"
	secretMain = "b7c1e0a9f3d2"
	appAsc     = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	secretAsc  = "9e8d7c6b5a40"
	appLimited = "ffeeddccbbaa99887766554433221100"
	secretLim  = "1234567890ab"
)

func yunxinApp(key, secret string) world.YunxinApp {
	lit := func(min int, k world.Kind, m world.Message) world.Message {
		m.Kind, m.From, m.To, m.ChatType = k, "u1", "100", world.ChatRoom
		m.At = time.Date(2026, 11, 20, 5, min, 0, 0, time.UTC) // before the traffic
		return m
	}
	return world.YunxinApp{
		AppKey: key, AppSecret: secret,
		Accounts:          []string{"u1", "u2", "u3", "用户 四"},
		Rooms:             []world.Room{{ID: "100", Name: "lobby", Status: world.RoomOpen}, {ID: "200", Name: "closed", Status: world.RoomClosed}, {ID: "300", Name: "busy", Status: world.RoomOpen}},
		DescendingDefault: true,
		CurTimeWindow:     5 * time.Minute,
		Traffic: []world.Traffic{
			{From: "u1", To: "100", ChatType: world.ChatRoom, PerHour: 40, Since: 4 * time.Hour},
			{From: "u2", To: "100", ChatType: world.ChatRoom, PerHour: 10, Since: 3 * time.Hour},
			{From: "u1", To: "300", ChatType: world.ChatRoom, PerHour: 300, Since: 2 * time.Hour},
		},
		Messages: []world.Message{
			lit(1, world.Text, world.Message{Text: "<b>hi</b> & \"quoted\"\n你好 👋\u2028", Extension: "ext-literal", ClientType: 16}),
			lit(2, world.Tip, world.Message{Text: "u1 joined the room"}),
			lit(3, world.Robot, world.Message{Text: "robot: 42"}),
			lit(4, world.Location, world.Message{Location: &world.Place{Address: "West Lake, Hangzhou", Lat: 30.25, Lng: 120}}),
			lit(5, world.Custom, world.Message{Custom: &world.CustomBody{Event: "gift", Exts: [][2]string{{"sku", "rose"}, {"count", "3"}}}}),
			lit(6, world.Notification, world.Message{Notification: map[string]any{"id": 318, "data": map[string]any{"ext": "<x>", "operator": "yx29"}}}),
			lit(7, world.Image, world.Message{}),
			lit(8, world.File, world.Message{Attachment: &world.Attachment{Name: "report.pdf"}}),
			lit(9, world.Video, world.Message{}),
			lit(10, world.Audio, world.Message{Text: "voice note"}),
		},
	}
}

func testSpec() world.Spec {
	main := yunxinApp(appMain, secretMain)
	asc := yunxinApp(appAsc, secretAsc)
	asc.DescendingDefault = false
	lim := yunxinApp(appLimited, secretLim)
	lim.RateLimits = world.RateLimitsVendor
	return world.Spec{Seed: 42, Start: t0, Frozen: true, Yunxin: []world.YunxinApp{main, asc, lim}}
}

var secrets = map[string]string{appMain: secretMain, appAsc: secretAsc, appLimited: secretLim}

// env is a surface behind a real HTTP server over a fresh world.
type env struct {
	w   *world.World
	clk *clock.Clock
	s   *Surface
	srv *httptest.Server
}

func newEnv(t testing.TB) *env {
	t.Helper()
	w, err := world.New(testSpec(), t0)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.Start(t0, true)
	r := mux.NewRouter()
	srv := httptest.NewUnstartedServer(r)
	s := New(Config{World: w, Clock: clk, PublicURL: "http://" + srv.Listener.Addr().String()})
	s.Routes(r)
	srv.Start()
	t.Cleanup(srv.Close)
	return &env{w: w, clk: clk, s: s, srv: srv}
}

// query is one logical chatroom-history request, before a client spells it.
type query struct {
	app        string
	room       string
	sender     string
	limit      int
	pageToken  string
	descending *bool
	types      []int
}

func ptr[T any](v T) *T { return &v }

// client spells a query the way one kind of caller does.
type client interface {
	name() string
	request(e *env, q query) *http.Request
	// supports reports whether this client can express q at all.
	supports(q query) bool
}

// docClient follows the vendor page: /im/v2, message_type, descending sent
// whenever set, parameters in sorted order (the Java SDK's shape).
type docClient struct{}

func (docClient) name() string        { return "doc" }
func (docClient) supports(query) bool { return true }
func (docClient) request(e *env, q query) *http.Request {
	v := url.Values{}
	if q.sender != "" {
		v.Set("sender_id", q.sender)
	}
	if q.limit != 0 {
		v.Set("limit", strconv.Itoa(q.limit))
	}
	if q.pageToken != "" {
		v.Set("page_token", q.pageToken)
	}
	if q.descending != nil {
		v.Set("descending", strconv.FormatBool(*q.descending))
	}
	if len(q.types) > 0 {
		v.Set("message_type", joinInts(q.types))
	}
	u := e.srv.URL + "/im/v2/chatrooms/" + q.room + "/messages?" + v.Encode()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	sign(e, req, q.app, "n0nce-doc")
	return req
}

// sdkClient behaves like the official Go SDK (yunxin-server-sdk-golang
// chatroom_message_v2_service_impl.go, src/core/yunxin_http_client.go):
// /nimserver/im/v2.1, message_types, the query built from a Go map (random
// order) with url.QueryEscape, descending=true only when true, a 32-hex
// Nonce, X-custom-traceid, its User-Agent, and no Content-Type.
type sdkClient struct{ rnd *rand.Rand }

func (sdkClient) name() string { return "sdk" }

// supports: the SDK cannot send descending=false; it omits the parameter.
func (sdkClient) supports(q query) bool { return q.descending == nil || *q.descending }
func (c sdkClient) request(e *env, q query) *http.Request {
	params := map[string]string{}
	if q.sender != "" {
		params["sender_id"] = q.sender
	}
	if q.limit != 0 {
		params["limit"] = strconv.Itoa(q.limit)
	}
	if q.pageToken != "" {
		params["page_token"] = q.pageToken
	}
	if q.descending != nil && *q.descending {
		params["descending"] = "true"
	}
	if len(q.types) > 0 {
		params["message_types"] = joinInts(q.types)
	}
	var parts []string
	for k, v := range params { // map order: random, as the SDK's
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	u := e.srv.URL + "/nimserver/im/v2.1/chatrooms/" + url.PathEscape(q.room) + "/messages"
	if len(parts) > 0 {
		u += "?" + strings.Join(parts, "&")
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	nonce := fmt.Sprintf("%016x%016x", c.rnd.Uint64(), c.rnd.Uint64())
	sign(e, req, q.app, nonce)
	req.Header.Set("X-custom-traceid", nonce[:16])
	req.Header.Set("User-Agent", "yunxin-server-sdk-golang/1.0.0-beta.3")
	return req
}

func newSDKClient() sdkClient { return sdkClient{rnd: rand.New(rand.NewPCG(1, 2))} }

func clients() []client { return []client{docClient{}, newSDKClient()} }

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// sign sets the auth headers for app with CurTime from the wall clock.
func sign(e *env, req *http.Request, app, nonce string) {
	cur := strconv.FormatInt(e.clk.WallNow().Unix(), 10)
	req.Header.Set("AppKey", app)
	req.Header.Set("Nonce", nonce)
	req.Header.Set("CurTime", cur)
	req.Header.Set("CheckSum", CheckSum(secrets[app], nonce, cur))
}

// do sends req and returns the status, body and reason header.
func do(t testing.TB, req *http.Request) (int, []byte, string) {
	t.Helper()
	res := surfacetest.Do(t, nil, req)
	return res.Status, res.Body, res.Header.Get(reasonHeader)
}

// wirePage is the success body as the official Go SDK decodes it: numbers
// into *int and *int64, so a string sender_client_type would fail.
type wirePage struct {
	Code int             `json:"code"`
	Msg  string          `json:"msg"`
	Data json.RawMessage `json:"data"`
}

type wireData struct {
	HasMore   *bool      `json:"has_more"`
	NextToken *string    `json:"next_token"`
	Items     []wireItem `json:"items"`
}

type wireItem struct {
	SenderID         *string        `json:"sender_id"`
	MessageType      *int           `json:"message_type"`
	CreateTime       *int64         `json:"create_time"`
	MessageClientID  *string        `json:"message_client_id"`
	SenderClientType *int           `json:"sender_client_type"`
	Text             *string        `json:"text"`
	Attachment       map[string]any `json:"attachment"`
	Extension        *string        `json:"extension"`
}

// page fetches one page and decodes it strictly, failing the test on any
// non-200 status (the SDK's transport failure) or non-200 code.
func page(t testing.TB, e *env, c client, q query) (wireData, []byte) {
	t.Helper()
	status, body, reason := do(t, c.request(e, q))
	if status != http.StatusOK {
		t.Fatalf("%s: HTTP %d (the SDK's transport failure): %s", c.name(), status, body)
	}
	var p wirePage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%s: decoding %s: %v", c.name(), body, err)
	}
	if p.Code != 200 {
		t.Fatalf("%s: code %d %q (%s)", c.name(), p.Code, p.Msg, reason)
	}
	var d wireData
	dec = json.NewDecoder(bytes.NewReader(p.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("%s: decoding data %s: %v", c.name(), p.Data, err)
	}
	if d.HasMore == nil {
		t.Fatalf("%s: has_more absent: %s", c.name(), body)
	}
	if *d.HasMore != (d.NextToken != nil) {
		t.Fatalf("%s: has_more %v but next_token present=%v", c.name(), *d.HasMore, d.NextToken != nil)
	}
	for _, it := range d.Items {
		if it.SenderID == nil || it.MessageType == nil || it.CreateTime == nil || it.MessageClientID == nil || it.SenderClientType == nil {
			t.Fatalf("%s: item lacks a required field: %s", c.name(), body)
		}
	}
	return d, body
}

// goldenBody compares a body with testdata/NAME, the emulator's URL in it
// replaced by http://chatemu.test.
func goldenBody(t *testing.T, e *env, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), bytes.ReplaceAll(got, []byte(e.srv.URL), []byte("http://chatemu.test")))
}
