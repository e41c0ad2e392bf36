package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

func defaultSpec(t *testing.T) *world.Spec {
	t.Helper()
	spec, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func TestLiteralMessageJSON(t *testing.T) {
	body := `{"id":"x1","from":"alice","to":"bob","type":"custom","event":"e","exts":{"z":"1","a":"2"},"ext":{"k":1}}`
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.DisallowUnknownFields()
	var m LiteralMessage
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Exts, Exts{{"z", "1"}, {"a", "2"}}) {
		t.Errorf("exts order lost: %v", m.Exts)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != body {
		t.Errorf("round trip\n got %s\nwant %s", out, body)
	}
	var bad LiteralMessage
	if err := json.Unmarshal([]byte(`{"exts":{"a":1}}`), &bad); err == nil {
		t.Error("exts with a number accepted")
	}
}

// TestRoomIDJSON: a room is a JSON number or a string of digits, and is
// written as a number.
func TestRoomIDJSON(t *testing.T) {
	tests := []struct {
		body string
		want RoomID
		err  string
	}{
		{`{"room":7001}`, 7001, ""},
		{`{"room":"7001"}`, 7001, ""},
		{`{"room":9007199254740993}`, 9007199254740993, ""}, // past float64's integers
		{`{"room":null}`, 0, ""},
		{`{}`, 0, ""},
		{`{"room":"lobby"}`, 0, `want a chat room number such as 10001 (or "10001"), got "lobby"; a chat room whose id is not a number goes in to`},
		{`{"room":1.5}`, 0, `want a chat room number such as 10001 (or "10001"), got 1.5;`},
		{`{"room":true}`, 0, `want a chat room number such as 10001 (or "10001"), got true;`},
		{`{"room":""}`, 0, `want a chat room number such as 10001 (or "10001"), got "";`},
	}
	for _, tt := range tests {
		var m LiteralMessage
		err := json.Unmarshal([]byte(tt.body), &m)
		if tt.err == "" {
			if err != nil || m.Room != tt.want {
				t.Errorf("%s: room %d, err %v; want %d", tt.body, m.Room, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("%s: err %v\nwant %s", tt.body, err, tt.err)
		}
	}
	out, err := json.Marshal(LiteralMessage{Sender: "amy", Room: 10001})
	if err != nil || string(out) != `{"sender":"amy","room":10001}` {
		t.Errorf("Marshal = %s, %v", out, err)
	}
}

func TestToWorld(t *testing.T) {
	spec := defaultSpec(t)
	demo := world.EasemobTenant("chatemu", "demo")
	yx := world.YunxinTenant("chatemu-yunxin-demo")
	at := time.Date(2026, 11, 20, 9, 0, 0, 999999, time.FixedZone("CST", 8*3600))

	m, err := ToWorld(spec, demo, LiteralMessage{From: "carol", To: "200000000000001", Type: "img", Filename: "cat.png", Width: 4, Height: 3, At: at})
	if err != nil {
		t.Fatal(err)
	}
	want := world.Message{Tenant: demo, At: time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC), From: "carol", To: "200000000000001",
		ChatType: world.GroupChat, Kind: world.Image, Attachment: &world.Attachment{Name: "cat.png", Ext: "png", Width: 4, Height: 3}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("ToWorld img\n got %+v\nwant %+v", m, want)
	}

	m, err = ToWorld(spec, demo, LiteralMessage{ID: "i1", Sender: "alice", To: "bob", Msg: "hi"})
	if err != nil || m.Kind != world.Text || m.Text != "hi" || m.ChatType != world.Chat || !m.At.IsZero() || m.ID != "i1" {
		t.Errorf("ToWorld text = %+v, %v", m, err)
	}

	m, err = ToWorld(spec, yx, LiteralMessage{Sender: "amy", Room: 10001, Type: "1"})
	if err != nil || m.Kind != world.Image || m.ClientType != 32 || m.Attachment.Name != "file.jpg" || m.ChatType != world.ChatRoom {
		t.Errorf("ToWorld yunxin image = %+v, %v", m, err)
	}

	bad := []struct {
		name   string
		tenant world.TenantID
		m      LiteralMessage
		key    string
	}{
		{"unknown tenant", "easemob:no/such", LiteralMessage{From: "alice", To: "bob", Msg: "x"}, "tenant"},
		{"unknown sender", demo, LiteralMessage{From: "zed", To: "bob", Msg: "x"}, "from"},
		{"unknown target", demo, LiteralMessage{From: "alice", To: "zed", Msg: "x"}, "to"},
		{"missing target", demo, LiteralMessage{From: "alice", Msg: "x"}, "to"},
		{"not a member", demo, LiteralMessage{From: "frank", To: "200000000000001", Msg: "x"}, "from"},
		{"chat type disagrees", demo, LiteralMessage{From: "alice", To: "bob", ChatType: "chatroom", Msg: "x"}, "chat_type"},
		{"bad chat type", demo, LiteralMessage{From: "alice", To: "bob", ChatType: "dm", Msg: "x"}, "chat_type"},
		{"yunxin type name on easemob", demo, LiteralMessage{From: "alice", To: "bob", Type: "text", Msg: "x"}, "type"},
		{"field of another type", demo, LiteralMessage{From: "alice", To: "bob", Msg: "x", Filename: "a.txt"}, "filename"},
		{"yunxin field on easemob", demo, LiteralMessage{From: "alice", To: "bob", Msg: "x", Extension: "e"}, "extension"},
		{"easemob field on yunxin", yx, LiteralMessage{Sender: "amy", Room: 10001, Msg: "x", Ext: map[string]any{"a": 1}}, "ext"},
		{"secret on yunxin", yx, LiteralMessage{Sender: "amy", Room: 10001, Type: "image", Secret: "s"}, "secret"},
		{"empty text", demo, LiteralMessage{From: "alice", To: "bob"}, "msg"},
		{"msg and text", demo, LiteralMessage{From: "alice", To: "bob", Msg: "a", Text: "b"}, "text"},
		{"cmd without action", demo, LiteralMessage{From: "alice", To: "bob", Type: "cmd"}, "action"},
		{"bad latitude", demo, LiteralMessage{From: "alice", To: "bob", Type: "loc", Lat: 91}, "lat"},
		{"unknown room", yx, LiteralMessage{Sender: "amy", Room: 1, Msg: "x"}, "room"},
		{"unknown account", yx, LiteralMessage{Sender: "alice", Room: 10001, Msg: "x"}, "sender"},
		{"bad client type", yx, LiteralMessage{Sender: "amy", Room: 10001, Msg: "x", ClientType: 3}, "client_type"},
		{"negative width", demo, LiteralMessage{From: "alice", To: "bob", Type: "img", Width: -1}, "width"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ToWorld(spec, tt.tenant, tt.m)
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if se.Key != tt.key {
				t.Errorf("key = %q, want %q (%v)", se.Key, tt.key, err)
			}
		})
	}
}
