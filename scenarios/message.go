package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// LiteralMessage is one literal message in the scenario form (YAML) and in
// the control API's JSON (POST /_chatemu/messages): same keys.
//
// A zero field is an absent field. Which fields a message may carry depends
// on its type (a vendor type name: Easemob txt img audio video file loc cmd
// custom combine; Yunxin text image audio video location notification file
// tip robot custom, or their numeric codes); a non-zero field that does not
// belong to the type is an error, never ignored.
type LiteralMessage struct {
	// ID is the message id; empty lets the world assign one.
	ID string `json:"id,omitempty" yaml:"id,omitempty"`
	// From or Sender (not both) is the sending user or account.
	From   string `json:"from,omitempty" yaml:"from,omitempty"`
	Sender string `json:"sender,omitempty" yaml:"sender,omitempty"`
	// To is a user, group or chat room (Easemob) or a room (Yunxin); Room is
	// a chat room by its number (Yunxin room ids are numbers). Give one of
	// them.
	To   string `json:"to,omitempty" yaml:"to,omitempty"`
	Room RoomID `json:"room,omitempty" yaml:"room,omitempty"`
	// ChatType (chat, groupchat, chatroom) is inferred from To; when given it
	// must agree.
	ChatType string `json:"chat_type,omitempty" yaml:"chat_type,omitempty"`
	// At is when the message was sent; required in scenario files.
	At time.Time `json:"at,omitzero" yaml:"at,omitempty"`
	// Type is the vendor's type name; default text (txt for Easemob).
	Type string `json:"type,omitempty" yaml:"type,omitempty"`

	Msg      string `json:"msg,omitempty" yaml:"msg,omitempty"`           // text, tip, robot
	Text     string `json:"text,omitempty" yaml:"text,omitempty"`         // alias of msg
	Filename string `json:"filename,omitempty" yaml:"filename,omitempty"` // image, audio, video, file, combine
	Width    int    `json:"width,omitempty" yaml:"width,omitempty"`       // image, video: pixels
	Height   int    `json:"height,omitempty" yaml:"height,omitempty"`
	Secret   string `json:"secret,omitempty" yaml:"secret,omitempty"` // Easemob attachments
	Length   int    `json:"length,omitempty" yaml:"length,omitempty"` // audio, video: seconds
	Addr     string `json:"addr,omitempty" yaml:"addr,omitempty"`     // location
	// Title is a location's address (alias of Addr) or a combine's title.
	Title   string         `json:"title,omitempty" yaml:"title,omitempty"`
	Lat     float64        `json:"lat,omitempty" yaml:"lat,omitempty"`
	Lng     float64        `json:"lng,omitempty" yaml:"lng,omitempty"`
	Action  string         `json:"action,omitempty" yaml:"action,omitempty"` // cmd
	Event   string         `json:"event,omitempty" yaml:"event,omitempty"`   // custom
	Exts    Exts           `json:"exts,omitempty" yaml:"exts,omitempty"`     // custom
	Summary string         `json:"summary,omitempty" yaml:"summary,omitempty"`
	Level   int            `json:"level,omitempty" yaml:"level,omitempty"` // combine; default 1
	Data    map[string]any `json:"data,omitempty" yaml:"data,omitempty"`   // Yunxin notification

	// Ext is the Easemob payload.ext object.
	Ext map[string]any `json:"ext,omitempty" yaml:"ext,omitempty"`
	// Extension is the Yunxin extension string.
	Extension string `json:"extension,omitempty" yaml:"extension,omitempty"`
	// ClientType is the Yunxin sender client type; default 32 (REST).
	ClientType int `json:"client_type,omitempty" yaml:"client_type,omitempty"`
}

// RoomID is a chat room's number: Yunxin room ids are numbers on the wire
// (so are Easemob's in production). Zero is no room. In JSON and YAML it is
// a number or a string of digits ("room": 7001 or "room": "7001"); a chat
// room whose scenario id is not a number (an Easemob room "lobby") is
// named in To.
type RoomID int64

// String writes the id in decimal, as the world names rooms.
func (r RoomID) String() string { return strconv.FormatInt(int64(r), 10) }

// UnmarshalJSON accepts a JSON number or a string of decimal digits.
func (r *RoomID) UnmarshalJSON(data []byte) error {
	s := string(data)
	if s == "null" {
		return nil
	}
	shown := s // a JSON string is shown quoted, other values as written
	if unq, err := strconv.Unquote(s); err == nil && strings.HasPrefix(s, `"`) {
		s = unq
	}
	id, err := parseRoomID(s, shown)
	if err != nil {
		return err
	}
	*r = id
	return nil
}

// parseRoomID parses a room number written in decimal; shown is how the
// value was written, for the error.
func parseRoomID(s, shown string) (RoomID, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf(`want a chat room number such as 10001 (or "10001"), got %s; a chat room whose id is not a number goes in to`, shown)
	}
	return RoomID(n), nil
}

// Exts are a custom message's properties in the order written. In JSON and
// YAML they are an object of strings.
type Exts [][2]string

// MarshalJSON writes the pairs as an object, in order.
func (e Exts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range e {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[0])
		v, _ := json.Marshal(kv[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object of strings, keeping the order of its keys.
func (e *Exts) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		*e = nil
		return nil
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("exts: want an object of strings")
	}
	var out Exts
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("exts.%s: want a string", kt)
		}
		out = append(out, [2]string{kt.(string), v})
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*e = out
	return nil
}

// ToWorld converts a literal message for the given tenant of spec (an
// Easemob or Yunxin app) into a world.Message, validating references (from
// and to exist in that app), the type name and which fields the type may
// carry. It leaves ID empty when the literal has none and the attachment's
// FileID, MIME, Size and MD5 empty (the world fills them); At is m.At in UTC
// at millisecond precision, zero when absent (the caller fills in the
// clock's now). Errors are *Error values whose Key names the field.
func ToWorld(spec *world.Spec, tenant world.TenantID, m LiteralMessage) (world.Message, error) {
	r := refsOf(spec, tenant)
	if r == nil {
		return world.Message{}, &Error{Key: "tenant", Reason: fmt.Sprintf("unknown tenant %q", tenant)}
	}
	r.sug = newSuggester()
	var first *Error
	fail := func(key, reason string) {
		if first == nil {
			first = &Error{Key: key, Reason: reason}
		}
	}
	msg := r.message(&m, presentFields(&m), fail)
	if first != nil {
		return world.Message{}, first
	}
	return msg, nil
}

// presentFields lists the non-zero fields of m by key.
func presentFields(m *LiteralMessage) map[string]bool {
	v := reflect.ValueOf(m).Elem()
	present := map[string]bool{}
	for key, i := range yamlFields(v.Type()) {
		if !v.Field(i).IsZero() {
			present[key] = true
		}
	}
	return present
}

// messageKeys are the keys of LiteralMessage in declaration order.
var messageKeys = func() []string {
	t := reflect.TypeOf(LiteralMessage{})
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		keys = append(keys, name)
	}
	return keys
}()

// refs is what a tenant's messages may refer to.
type refs struct {
	vendor world.Vendor
	tenant world.TenantID
	users  map[string]bool            // Easemob users, Yunxin accounts
	groups map[string]map[string]bool // group id -> members, owner included
	rooms  map[string]bool

	sug *suggester
	// doubtful groups had errors in their own definition: their members
	// are not checked.
	doubtful map[string]bool
	// The names in order, for suggestions; made on first use.
	userList, targetList, roomList []string
}

// unknown writes "unknown WHAT "name"", with the closest of candidates
// as a suggestion.
func (r *refs) unknown(what, name string, candidates func(*refs) []string) string {
	reason := fmt.Sprintf("unknown %s %q", what, name)
	if r.sug == nil {
		return reason
	}
	return r.sug.didYouMean(reason, name, candidates(r))
}

func (r *refs) usersSorted() []string {
	if r.userList == nil {
		r.userList = sortedKeys(r.users)
	}
	return r.userList
}

func (r *refs) roomsSorted() []string {
	if r.roomList == nil {
		r.roomList = sortedKeys(r.rooms)
	}
	return r.roomList
}

// targetsSorted lists what an Easemob "to" may name: users, groups, rooms.
func (r *refs) targetsSorted() []string {
	if r.targetList == nil {
		r.targetList = append(append(append([]string{}, r.usersSorted()...), sortedKeys(r.groups)...), r.roomsSorted()...)
	}
	return r.targetList
}

func refsOf(spec *world.Spec, tenant world.TenantID) *refs {
	if spec == nil {
		return nil
	}
	for i := range spec.Easemob {
		if spec.Easemob[i].Tenant() == tenant {
			return easemobRefs(&spec.Easemob[i])
		}
	}
	for i := range spec.Yunxin {
		if spec.Yunxin[i].Tenant() == tenant {
			return yunxinRefs(&spec.Yunxin[i])
		}
	}
	return nil
}

func easemobRefs(a *world.EasemobApp) *refs {
	r := &refs{vendor: world.Easemob, tenant: a.Tenant(), users: set(a.Users), groups: map[string]map[string]bool{}, rooms: map[string]bool{}}
	for _, g := range a.Groups {
		members := set(g.Members)
		members[g.Owner] = true
		r.groups[g.ID] = members
	}
	for _, room := range a.Rooms {
		r.rooms[room.ID] = true
	}
	return r
}

func yunxinRefs(a *world.YunxinApp) *refs {
	r := &refs{vendor: world.Yunxin, tenant: a.Tenant(), users: set(a.Accounts), rooms: map[string]bool{}}
	for _, room := range a.Rooms {
		r.rooms[room.ID] = true
	}
	return r
}

func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

// route is the sender and target of a message or traffic stream.
type route struct {
	From, To string
	ChatType world.ChatType
}

// routeFields are the route's raw fields and which of them were given.
type routeFields struct {
	From, Sender, To, Room, ChatType string
	Present                          map[string]bool
}

// route resolves from/sender, to/room and chat_type against the tenant.
func (r *refs) route(f routeFields, fail func(key, reason string)) (route, bool) {
	ok := true
	bad := func(key, reason string) { fail(key, reason); ok = false }

	fromKey, from := "from", f.From
	if f.Present["sender"] {
		if f.Present["from"] {
			bad("sender", "give from or sender, not both")
		}
		fromKey, from = "sender", f.Sender
	}
	toKey, to := "to", f.To
	if f.Present["room"] {
		if f.Present["to"] {
			bad("room", "give to or room, not both")
		}
		toKey, to = "room", f.Room
	}
	var ct world.ChatType
	if f.Present["chat_type"] {
		var known bool
		if ct, known = chatTypes[f.ChatType]; !known {
			bad("chat_type", fmt.Sprintf("want chat, groupchat or chatroom, got %q", f.ChatType))
		}
	}
	if from == "" {
		bad("from", "required (from or sender)")
	}
	if to == "" {
		if r.vendor == world.Yunxin {
			bad("room", "required (room or to)")
		} else {
			bad("to", "required (to or room)")
		}
	}
	if !ok {
		return route{}, false
	}

	if r.vendor == world.Yunxin {
		if !r.users[from] {
			bad(fromKey, r.unknown("account", from, (*refs).usersSorted))
		}
		if !r.rooms[to] {
			bad(toKey, r.unknown("chat room", to, (*refs).roomsSorted))
		}
		if ct != 0 && ct != world.ChatRoom {
			bad("chat_type", fmt.Sprintf("Yunxin messages are chatroom messages, got %q", f.ChatType))
		}
		return route{From: from, To: to, ChatType: world.ChatRoom}, ok
	}

	if !r.users[from] {
		bad(fromKey, r.unknown("user", from, (*refs).usersSorted))
	}
	if toKey == "room" {
		if !r.rooms[to] {
			bad(toKey, r.unknown("chat room", to, (*refs).roomsSorted))
			return route{}, false
		}
		if ct != 0 && ct != world.ChatRoom {
			bad("chat_type", fmt.Sprintf("chat_type %q disagrees with room %q", f.ChatType, to))
		}
		return route{From: from, To: to, ChatType: world.ChatRoom}, ok
	}
	is := func(c world.ChatType) bool {
		switch c {
		case world.Chat:
			return r.users[to]
		case world.GroupChat:
			return r.groups[to] != nil
		case world.ChatRoom:
			return r.rooms[to]
		}
		return false
	}
	resolved := ct
	if ct == 0 {
		for _, c := range []world.ChatType{world.Chat, world.GroupChat, world.ChatRoom} {
			if is(c) {
				resolved = c
				break
			}
		}
		if resolved == 0 {
			bad(toKey, r.unknown("user, group or chat room", to, (*refs).targetsSorted))
			return route{}, false
		}
	} else if !is(ct) {
		what := "unknown user, group or chat room"
		for _, c := range []world.ChatType{world.Chat, world.GroupChat, world.ChatRoom} {
			if is(c) {
				what = "a " + chatTypeNoun[c]
			}
		}
		bad("chat_type", fmt.Sprintf("chat_type %s disagrees with to %q: %s", f.ChatType, to, what))
		return route{}, false
	}
	if resolved == world.GroupChat && r.users[from] && !r.groups[to][from] && !r.doubtful[to] {
		bad(fromKey, fmt.Sprintf("%q is not a member of group %q", from, to))
	}
	return route{From: from, To: to, ChatType: resolved}, ok
}

var chatTypes = map[string]world.ChatType{"chat": world.Chat, "groupchat": world.GroupChat, "chatroom": world.ChatRoom}

var chatTypeNoun = map[world.ChatType]string{world.Chat: "user", world.GroupChat: "group", world.ChatRoom: "chat room"}

// Vendor type names.
var (
	easemobKinds = map[string]world.Kind{
		"txt": world.Text, "img": world.Image, "audio": world.Audio, "video": world.Video,
		"file": world.File, "loc": world.Location, "cmd": world.Command, "custom": world.Custom,
		"combine": world.Combine,
	}
	easemobKindNames = "txt, img, audio, video, file, loc, cmd, custom, combine"
	yunxinKinds      = map[string]world.Kind{
		"text": world.Text, "image": world.Image, "audio": world.Audio, "video": world.Video,
		"location": world.Location, "notification": world.Notification, "file": world.File,
		"tip": world.Tip, "robot": world.Robot, "custom": world.Custom,
		"0": world.Text, "1": world.Image, "2": world.Audio, "3": world.Video, "4": world.Location,
		"5": world.Notification, "6": world.File, "10": world.Tip, "11": world.Robot, "100": world.Custom,
	}
	yunxinKindNames = "text, image, audio, video, location, notification, file, tip, robot, custom (or 0, 1, 2, 3, 4, 5, 6, 10, 11, 100)"
)

// kind looks up a vendor type name.
func (r *refs) kind(name string) (world.Kind, error) {
	kinds, other, names := easemobKinds, yunxinKinds, easemobKindNames
	if r.vendor == world.Yunxin {
		kinds, other, names = yunxinKinds, easemobKinds, yunxinKindNames
	}
	if k, ok := kinds[name]; ok {
		return k, nil
	}
	reason := fmt.Sprintf("unknown %s type %q", vendorName(r.vendor), name)
	// The other vendor's name for a type (text on Easemob, img on Yunxin)
	// suggests this vendor's name for it; else the nearest name.
	guess := ""
	if k, ok := other[name]; ok {
		guess = kindName(kinds, k)
	} else {
		guess = r.sug.closest(name, kindNames(kinds))
	}
	return 0, fmt.Errorf("%s%s; want one of %s", reason, suggestion(guess), names)
}

// kindName is the name of k in kinds (the word, not a Yunxin number).
func kindName(kinds map[string]world.Kind, k world.Kind) string {
	for _, n := range kindNames(kinds) {
		if kinds[n] == k {
			return n
		}
	}
	return ""
}

// kindNames lists the word names of kinds, in order.
func kindNames(kinds map[string]world.Kind) []string {
	var out []string
	for _, n := range sortedKeys(kinds) {
		if n[0] < '0' || n[0] > '9' {
			out = append(out, n)
		}
	}
	return out
}

func (r *refs) defaultType() string {
	if r.vendor == world.Yunxin {
		return "text"
	}
	return "txt"
}

// Which keys each kind may carry, beyond the common ones.
var kindKeys = map[world.Kind][]string{
	world.Text:         {"msg", "text"},
	world.Tip:          {"msg", "text"},
	world.Robot:        {"msg", "text"},
	world.Image:        {"filename", "width", "height", "secret"},
	world.Audio:        {"filename", "length", "secret"},
	world.Video:        {"filename", "length", "width", "height", "secret"},
	world.File:         {"filename", "secret"},
	world.Location:     {"addr", "title", "lat", "lng"},
	world.Command:      {"action"},
	world.Custom:       {"event", "exts"},
	world.Combine:      {"title", "summary", "level", "filename", "secret"},
	world.Notification: {"data"},
}

var commonKeys = []string{"id", "from", "sender", "to", "room", "chat_type", "at", "type"}

// Default attachment file extensions by kind.
var defaultExt = map[world.Kind]string{
	world.Image: "jpg", world.Audio: "amr", world.Video: "mp4", world.File: "txt", world.Combine: "",
}

var yunxinClientTypes = map[int]bool{1: true, 2: true, 4: true, 16: true, 32: true, 64: true, 65: true}

// message converts m. present says which keys were given; fail receives
// every problem by key.
func (r *refs) message(m *LiteralMessage, present map[string]bool, fail func(key, reason string)) world.Message {
	out := world.Message{ID: m.ID, Tenant: r.tenant}

	typeName := m.Type
	if !present["type"] {
		typeName = r.defaultType()
	}
	kind, err := r.kind(typeName)
	if err != nil {
		fail("type", err.Error())
	}
	out.Kind = kind

	if kind != 0 {
		allowed := set(commonKeys)
		if r.vendor == world.Easemob {
			allowed["ext"] = true
		} else {
			allowed["extension"] = true
			allowed["client_type"] = true
		}
		for _, k := range kindKeys[kind] {
			if k == "secret" && r.vendor != world.Easemob {
				continue
			}
			allowed[k] = true
		}
		for _, k := range messageKeys {
			if present[k] && !allowed[k] {
				if k == "ext" || k == "extension" || k == "client_type" || k == "secret" {
					fail(k, fmt.Sprintf("not a field of %s messages", vendorName(r.vendor)))
				} else {
					fail(k, fmt.Sprintf("not a field of type %q", typeName))
				}
			}
		}
	}

	rt, _ := r.route(routeFields{From: m.From, Sender: m.Sender, To: m.To, Room: m.Room.String(), ChatType: m.ChatType, Present: present}, fail)
	out.From, out.To, out.ChatType = rt.From, rt.To, rt.ChatType

	if !m.At.IsZero() {
		out.At = m.At.UTC().Truncate(time.Millisecond)
	}

	text := func() string {
		if present["msg"] && present["text"] {
			fail("text", "give msg or text, not both")
		}
		if m.Msg != "" {
			return m.Msg
		}
		return m.Text
	}
	nonNegative := func(key string, v int) {
		if v < 0 {
			fail(key, fmt.Sprintf("must not be negative, got %d", v))
		}
	}
	attachment := func() *world.Attachment {
		nonNegative("width", m.Width)
		nonNegative("height", m.Height)
		nonNegative("length", m.Length)
		name := m.Filename
		if name == "" {
			name = "file"
			if ext := defaultExt[kind]; ext != "" {
				name += "." + ext
			}
		}
		return &world.Attachment{
			Name:     name,
			Ext:      strings.TrimPrefix(path.Ext(name), "."),
			Secret:   m.Secret,
			Width:    m.Width,
			Height:   m.Height,
			Duration: time.Duration(m.Length) * time.Second,
		}
	}

	switch kind {
	case world.Text, world.Tip, world.Robot:
		out.Text = text()
		if out.Text == "" {
			fail("msg", fmt.Sprintf("required for type %q (msg or text)", typeName))
		}
	case world.Image, world.Audio, world.Video, world.File:
		out.Attachment = attachment()
	case world.Combine:
		out.Attachment = attachment()
		level := m.Level
		if level == 0 {
			level = 1
		}
		nonNegative("level", m.Level)
		out.Combine = &world.CombineBody{Level: level, Title: m.Title, Summary: m.Summary}
	case world.Location:
		if present["addr"] && present["title"] {
			fail("title", "give addr or title, not both")
		}
		addr := m.Addr
		if addr == "" {
			addr = m.Title
		}
		if m.Lat < -90 || m.Lat > 90 {
			fail("lat", fmt.Sprintf("want a latitude in [-90, 90], got %v", m.Lat))
		}
		if m.Lng < -180 || m.Lng > 180 {
			fail("lng", fmt.Sprintf("want a longitude in [-180, 180], got %v", m.Lng))
		}
		out.Location = &world.Place{Address: addr, Lat: m.Lat, Lng: m.Lng}
	case world.Command:
		if m.Action == "" {
			fail("action", `required for type "cmd"`)
		}
		out.Action = m.Action
	case world.Custom:
		seen := map[string]bool{}
		for _, kv := range m.Exts {
			if seen[kv[0]] {
				fail("exts", fmt.Sprintf("key %q repeated", kv[0]))
			}
			seen[kv[0]] = true
		}
		out.Custom = &world.CustomBody{Event: m.Event, Exts: append([][2]string(nil), m.Exts...)}
	case world.Notification:
		out.Notification = m.Data
	}

	if r.vendor == world.Easemob {
		out.Ext = m.Ext
	} else {
		out.Extension = m.Extension
		out.ClientType = yunxinRESTClient
		if present["client_type"] {
			if !yunxinClientTypes[m.ClientType] {
				fail("client_type", fmt.Sprintf("want one of 1, 2, 4, 16, 32, 64, 65, got %d", m.ClientType))
			}
			out.ClientType = m.ClientType
		}
	}
	return out
}

func vendorName(v world.Vendor) string {
	if v == world.Yunxin {
		return "Yunxin"
	}
	return "Easemob"
}
