package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// Health is the body of GET /_chatemu/health.
type Health struct {
	Status string `json:"status"`
	// Warning is set when the control API is open to other hosts without a
	// control token.
	Warning string `json:"warning,omitempty"`
	// Version is the server's build version (chatemu version).
	Version string `json:"version,omitempty"`
}

// WarningOpen is health's warning for a control API open to other hosts.
const WarningOpen = "the control API is reachable from other hosts without a control token: set --control-token"

func (a *API) health(*http.Request) (response, *Error) {
	h := Health{Status: "ok", Version: a.version}
	if a.open {
		h.Warning = WarningOpen
	}
	return response{status: http.StatusOK, body: h}, nil
}

// Tenants is the body of GET /_chatemu/tenants: every tenant with its
// credentials, signing keys and base URL, in the scenario's order.
type Tenants struct {
	Easemob []EasemobTenant `json:"easemob"`
	Yunxin  []YunxinTenant  `json:"yunxin"`
	Op      []OpTenant      `json:"op"`
}

// EasemobTenant is an Easemob app as GET tenants lists it.
type EasemobTenant struct {
	Org          string         `json:"org"`
	App          string         `json:"app"`
	ClientID     string         `json:"client_id"`
	ClientSecret string         `json:"client_secret"`
	Cluster      string         `json:"cluster"`
	BaseURL      string         `json:"base_url"`
	Users        []string       `json:"users"`
	Groups       []EasemobGroup `json:"groups"`
	Chatrooms    []EasemobRoom  `json:"chatrooms"`
	OSS          OSSKeys        `json:"oss"`
}

// EasemobGroup is an Easemob group; the owner is a member whether listed or
// not.
type EasemobGroup struct {
	ID      string   `json:"id"`
	Owner   string   `json:"owner"`
	Members []string `json:"members"`
}

// EasemobRoom is an Easemob chat room.
type EasemobRoom struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// OSSKeys sign an Easemob app's archive links.
type OSSKeys struct {
	Bucket          string `json:"bucket"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
}

// YunxinTenant is a Yunxin app as GET tenants lists it. Its base_url is the
// server's URL: the SDK-style prefix /nimserver is optional on every Yunxin
// path.
type YunxinTenant struct {
	AppKey    string       `json:"appkey"`
	AppSecret string       `json:"app_secret"`
	BaseURL   string       `json:"base_url"`
	Accounts  []string     `json:"accounts"`
	Chatrooms []YunxinRoom `json:"chatrooms"`
}

// YunxinRoom is a Yunxin chat room.
type YunxinRoom struct {
	ID     RoomID `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// RoomID is a Yunxin room id. It is written as a JSON number, as Yunxin
// writes room ids; an id that is not an integer (impossible from a scenario
// file, possible in a spec built in Go) is written as a string rather than
// breaking the document.
type RoomID string

// MarshalJSON writes the id as a number when it is an integer.
func (id RoomID) MarshalJSON() ([]byte, error) {
	if _, err := strconv.ParseInt(string(id), 10, 64); err == nil {
		return []byte(id), nil
	}
	return json.Marshal(string(id))
}

// UnmarshalJSON reads the id as MarshalJSON writes it: a JSON number or a
// string.
func (id *RoomID) UnmarshalJSON(data []byte) error {
	var n json.Number
	if err := json.Unmarshal(data, &n); err == nil {
		*id = RoomID(n.String())
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*id = RoomID(s)
	return nil
}

// OpTenant is an Op API client as GET tenants lists it.
type OpTenant struct {
	Client     string    `json:"client"`
	Token      string    `json:"token"`
	Secret     string    `json:"secret"`
	BaseURL    string    `json:"base_url"`
	EasemobApp string    `json:"easemob_app"` // org/app
	Qiniu      QiniuKeys `json:"qiniu"`
}

// QiniuKeys sign an Op client's getUrl links.
type QiniuKeys struct {
	AccessKey string `json:"access_key"`
	SecretKey string `json:"secret_key"`
}

// TenantsOf lists the tenants of spec with base URL publicURL.
func TenantsOf(spec *world.Spec, publicURL string) Tenants {
	out := Tenants{Easemob: []EasemobTenant{}, Yunxin: []YunxinTenant{}, Op: []OpTenant{}}
	for i := range spec.Easemob {
		out.Easemob = append(out.Easemob, easemobTenant(&spec.Easemob[i], publicURL))
	}
	for i := range spec.Yunxin {
		out.Yunxin = append(out.Yunxin, yunxinTenant(&spec.Yunxin[i], publicURL))
	}
	for i := range spec.Op {
		out.Op = append(out.Op, opTenant(&spec.Op[i], publicURL))
	}
	return out
}

func easemobTenant(a *world.EasemobApp, publicURL string) EasemobTenant {
	t := EasemobTenant{
		Org: a.Org, App: a.App, ClientID: a.ClientID, ClientSecret: a.ClientSecret,
		Cluster: string(a.Cluster), BaseURL: publicURL,
		Users:     strs(a.Users),
		Groups:    []EasemobGroup{},
		Chatrooms: []EasemobRoom{},
		OSS:       OSSKeys{Bucket: a.OSS.Bucket, AccessKeyID: a.OSS.AccessKeyID, AccessKeySecret: a.OSS.AccessKeySecret},
	}
	for _, g := range a.Groups {
		t.Groups = append(t.Groups, EasemobGroup{ID: g.ID, Owner: g.Owner, Members: strs(g.Members)})
	}
	for _, r := range a.Rooms {
		t.Chatrooms = append(t.Chatrooms, EasemobRoom{ID: r.ID, Name: r.Name})
	}
	return t
}

func yunxinTenant(a *world.YunxinApp, publicURL string) YunxinTenant {
	t := YunxinTenant{AppKey: a.AppKey, AppSecret: a.AppSecret, BaseURL: publicURL, Accounts: strs(a.Accounts), Chatrooms: []YunxinRoom{}}
	for _, r := range a.Rooms {
		status := r.Status
		if status == "" {
			status = world.RoomOpen
		}
		t.Chatrooms = append(t.Chatrooms, YunxinRoom{ID: RoomID(r.ID), Name: r.Name, Status: string(status)})
	}
	return t
}

func opTenant(c *world.OpClient, publicURL string) OpTenant {
	return OpTenant{
		Client: c.Client, Token: c.Token, Secret: c.Secret, BaseURL: publicURL,
		EasemobApp: strings.TrimPrefix(string(c.EasemobApp), "easemob:"),
		Qiniu:      QiniuKeys{AccessKey: c.Qiniu.AccessKey, SecretKey: c.Qiniu.SecretKey},
	}
}

// strs returns list, or an empty list for nil, so that JSON shows [].
func strs(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func (a *API) tenants(*http.Request) (response, *Error) {
	return response{status: http.StatusOK, body: a.Tenants()}, nil
}

// Tenants lists every tenant, runtime ones included (after the scenario's,
// in the order they were added), as GET /_chatemu/tenants does.
func (a *API) Tenants() Tenants {
	return TenantsOf(a.liveSpec(), a.publicURL)
}

// ClockState is the body of GET and POST /_chatemu/clock.
type ClockState struct {
	Now    string `json:"now"` // RFC 3339, UTC, milliseconds
	Frozen bool   `json:"frozen"`
}

// ClockChange is the body of POST /_chatemu/clock: exactly one field.
type ClockChange struct {
	Set     *string `json:"set,omitempty"`     // RFC 3339
	Advance *string `json:"advance,omitempty"` // a Go duration, e.g. "90m"; negative moves back
	Frozen  *bool   `json:"frozen,omitempty"`
}

func (a *API) clockState() ClockState {
	return ClockState{Now: a.clock.Now().UTC().Format(TimeLayout), Frozen: a.clock.Frozen()}
}

func (a *API) getClock(*http.Request) (response, *Error) {
	return response{status: http.StatusOK, body: a.clockState()}, nil
}

func (a *API) postClock(r *http.Request) (response, *Error) {
	var c ClockChange
	if err := decode(r, &c); err != nil {
		return response{}, err
	}
	if e := a.changeClock(c); e != nil {
		return response{}, e
	}
	return response{status: http.StatusOK, body: a.clockState()}, nil
}

// changeClock applies one clock change.
func (a *API) changeClock(c ClockChange) *Error {
	n := 0
	for _, set := range []bool{c.Set != nil, c.Advance != nil, c.Frozen != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return errorf(http.StatusBadRequest, `want exactly one of "set", "advance", "frozen", got %d`, n)
	}
	switch {
	case c.Set != nil:
		t, err := time.Parse(time.RFC3339Nano, *c.Set)
		if err != nil {
			return errorf(http.StatusBadRequest, "set: want an RFC 3339 time, got %q", *c.Set)
		}
		if err := a.clock.TrySet(t); err != nil {
			return errorf(http.StatusBadRequest, "set: %s", rangeError(err))
		}
		a.log.Info("clock set", "now", t.UTC().Format(TimeLayout))
	case c.Advance != nil:
		d, err := time.ParseDuration(*c.Advance)
		if err != nil {
			return errorf(http.StatusBadRequest, `advance: want a duration such as "90m" or "36h", got %q`, *c.Advance)
		}
		if err := a.clock.TryAdvance(d); err != nil {
			return errorf(http.StatusBadRequest, "advance: %s would move the clock to %s", d, rangeError(err))
		}
		a.log.Info("clock advanced", "by", d.String())
	default:
		a.clock.Freeze(*c.Frozen)
		a.log.Info("clock freeze", "frozen", *c.Frozen)
	}
	return nil
}

// MaxInjectMessages bounds the messages of one injection (POST
// /_chatemu/messages or Inject), so that one request cannot make the server
// decode and check an unbounded number of messages; the body is bounded by
// MaxBodyBytes as well.
const MaxInjectMessages = 1000

// rangeError words a clock refusal: the refused time and the clock's
// range, in the control API's layout.
func rangeError(err error) string {
	var re *clock.RangeError
	if !errors.As(err, &re) {
		return err.Error()
	}
	return fmt.Sprintf("%s, outside the supported range %s to %s", re.At.UTC().Format(TimeLayout),
		clock.Min.Format(TimeLayout), clock.Max.Format(TimeLayout))
}

// Injection is the body of POST /_chatemu/messages: literal messages in the
// scenario form for a tenant ("easemob:ORG/APP" or "yunxin:APPKEY"). A
// message may name its own tenant.
type Injection struct {
	Tenant   string      `json:"tenant,omitempty"`
	Messages RawMessages `json:"messages"`
}

// RawMessages are an injection's messages, undecoded. Decoding stops at the
// first message past MaxInjectMessages, so an oversized list costs no more
// than the limit.
type RawMessages []json.RawMessage

// errTooManyMessages refuses an injection of more than MaxInjectMessages.
func errTooManyMessages() *Error {
	return errorf(http.StatusBadRequest, "%s", tooManyMessages)
}

var tooManyMessages = fmt.Sprintf("messages: more than %d in one request; inject at most %d at a time", MaxInjectMessages, MaxInjectMessages)

// UnmarshalJSON decodes a JSON array of at most MaxInjectMessages values.
func (m *RawMessages) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*m = nil
		return nil
	}
	if data[0] != '[' {
		return &json.UnmarshalTypeError{Value: jsonKind(data[0]), Type: reflect.TypeFor[[]json.RawMessage]()}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return err
	}
	out := RawMessages{}
	for dec.More() {
		if len(out) == MaxInjectMessages {
			return &limitError{tooManyMessages}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		out = append(out, raw)
	}
	*m = out
	return nil
}

// jsonKind names the kind of the JSON value that starts with c, as
// json.UnmarshalTypeError does.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// InjectionMessage is one message of an Injection.
type InjectionMessage struct {
	Tenant string `json:"tenant,omitempty"`
	scenarios.LiteralMessage
}

// Injected is the body of a successful POST /_chatemu/messages: the ids of
// the stored messages, in order.
type Injected struct {
	IDs []string `json:"ids"`
}

func (a *API) postMessages(r *http.Request) (response, *Error) {
	var in Injection
	if err := decode(r, &in); err != nil {
		return response{}, err
	}
	if in.Messages == nil {
		return response{}, errorf(http.StatusBadRequest, "messages: required, a list of messages")
	}
	if len(in.Messages) == 0 {
		return response{}, errorf(http.StatusBadRequest, "messages: empty, nothing to inject")
	}
	msgs := make([]InjectionMessage, len(in.Messages))
	for i, raw := range in.Messages {
		if err := decodeMessage(raw, fmt.Sprintf("messages[%d]", i), &msgs[i]); err != nil {
			return response{}, err
		}
		if msgs[i].Tenant == "" {
			msgs[i].Tenant = in.Tenant
		}
	}
	ids, err := a.inject(msgs)
	if err != nil {
		return response{}, err
	}
	return response{status: http.StatusCreated, body: Injected{IDs: ids}}, nil
}

// Inject stores literal messages for tenant as POST messages does and
// returns their ids. A message without `at` is stamped with the clock's now.
// Nothing is stored unless every message is valid. Its error is an *Error
// (errors.As) with the status the route would answer.
func (a *API) Inject(tenant world.TenantID, msgs ...scenarios.LiteralMessage) ([]string, error) {
	in := make([]InjectionMessage, len(msgs))
	for i, m := range msgs {
		in[i] = InjectionMessage{Tenant: string(tenant), LiteralMessage: m}
	}
	ids, e := a.inject(in)
	return ids, asError(e)
}

func (a *API) inject(msgs []InjectionMessage) ([]string, *Error) {
	if len(msgs) == 0 {
		return nil, errorf(http.StatusBadRequest, "messages: empty, nothing to inject")
	}
	if len(msgs) > MaxInjectMessages {
		return nil, errTooManyMessages()
	}
	spec := a.liveSpec()
	conv := make([]world.Message, len(msgs))
	tenants := make([]world.TenantID, len(msgs))
	for i, m := range msgs {
		at := fmt.Sprintf("messages[%d]", i)
		t, err := a.tenant(at, m.Tenant)
		if err != nil {
			return nil, err
		}
		wm, cerr := scenarios.ToWorld(spec, t, m.LiteralMessage)
		if cerr != nil {
			return nil, errorf(http.StatusBadRequest, "%s", literalError(at, cerr))
		}
		conv[i], tenants[i] = wm, t
	}

	a.injectMu.Lock()
	defer a.injectMu.Unlock()
	// Every injected message is kept until a reset: the total is bounded
	// so that no client grows the server's memory without end.
	if held := a.world.Added(); held+uint64(len(conv)) > a.maxInjected {
		return nil, errorf(http.StatusInsufficientStorage,
			"messages: %d messages were added since the last reset and the world keeps at most %d (--max-injected); POST /_chatemu/reset to start again", held, a.maxInjected)
	}
	seen := map[world.TenantID]map[string]int{}
	for i, m := range conv {
		if m.ID == "" {
			continue
		}
		if _, ok := a.world.Message(tenants[i], m.ID); ok {
			return nil, errorf(http.StatusConflict, "messages[%d].id: tenant %s already has a message %q", i, tenants[i], m.ID)
		}
		if seen[tenants[i]] == nil {
			seen[tenants[i]] = map[string]int{}
		}
		if j, dup := seen[tenants[i]][m.ID]; dup {
			return nil, errorf(http.StatusConflict, "messages[%d].id: %q repeats messages[%d].id", i, m.ID, j)
		}
		seen[tenants[i]][m.ID] = i
	}
	now := a.clock.Now()
	ids := make([]string, 0, len(conv))
	// Runs of one tenant go in one call, in order, so that ids come back in
	// the order the messages were given.
	for lo := 0; lo < len(conv); {
		hi := lo + 1
		for hi < len(conv) && tenants[hi] == tenants[lo] {
			hi++
		}
		stored, err := a.world.Inject(tenants[lo], conv[lo:hi], now)
		if err != nil {
			// The checks above make this unreachable; still a 4xx naming
			// the batch rather than a 500.
			return nil, errorf(http.StatusConflict, "messages[%d:%d]: %v", lo, hi, err)
		}
		for _, m := range stored {
			ids = append(ids, m.ID)
		}
		lo = hi
	}
	a.log.Info("messages injected", "count", len(ids))
	return ids, nil
}

// tenant parses and checks a message's tenant.
func (a *API) tenant(at, s string) (world.TenantID, *Error) {
	switch {
	case s == "":
		return "", errorf(http.StatusBadRequest, `%s.tenant: required ("easemob:ORG/APP" or "yunxin:APPKEY"), on the request or on the message`, at)
	case strings.HasPrefix(s, "easemob:"):
		org, app, ok := strings.Cut(strings.TrimPrefix(s, "easemob:"), "/")
		if !ok || org == "" || app == "" || strings.Contains(app, "/") {
			return "", errorf(http.StatusBadRequest, `%s.tenant: want "easemob:ORG/APP", got %q`, at, s)
		}
	case strings.HasPrefix(s, "yunxin:"):
		if strings.TrimPrefix(s, "yunxin:") == "" {
			return "", errorf(http.StatusBadRequest, `%s.tenant: want "yunxin:APPKEY", got %q`, at, s)
		}
	default:
		return "", errorf(http.StatusBadRequest, `%s.tenant: want "easemob:ORG/APP" or "yunxin:APPKEY" (Op clients read an Easemob app's messages), got %q`, at, s)
	}
	t := world.TenantID(s)
	if !a.world.HasTenant(t) {
		return "", errorf(http.StatusNotFound, "%s.tenant: unknown tenant %q (GET %stenants lists them)", at, s, Prefix)
	}
	return t, nil
}

// literalError prefixes a scenarios error with the message's index.
func literalError(at string, err error) string {
	if e, ok := err.(*scenarios.Error); ok && e.File == "" && e.Line == 0 {
		if e.Key != "" {
			return fmt.Sprintf("%s.%s: %s", at, e.Key, e.Reason)
		}
		return fmt.Sprintf("%s: %s", at, e.Reason)
	}
	return fmt.Sprintf("%s: %v", at, err)
}

// messageKeys are the JSON keys an injected message may carry.
var messageKeys = func() map[string]bool {
	keys := map[string]bool{"tenant": true}
	t := reflect.TypeOf(scenarios.LiteralMessage{})
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys[name] = true
		}
	}
	return keys
}()

// decodeMessage decodes one injected message key by key, so that an error
// names the message's index and the key.
func decodeMessage(raw json.RawMessage, at string, m *InjectionMessage) *Error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return errorf(http.StatusBadRequest, "%s: want an object", at)
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !messageKeys[k] {
			return errorf(http.StatusBadRequest, "%s.%s: unknown key", at, k)
		}
		one, _ := json.Marshal(map[string]json.RawMessage{k: fields[k]})
		var probe InjectionMessage
		if err := json.Unmarshal(one, &probe); err != nil {
			return errorf(http.StatusBadRequest, "%s.%s: %s", at, k, valueError(err))
		}
	}
	if err := decodeBytes(raw, m, at); err != nil {
		return err
	}
	return nil
}

func (a *API) postReset(r *http.Request) (response, *Error) {
	a.reset()
	a.log.Info("reset")
	return response{status: http.StatusNoContent}, nil
}
