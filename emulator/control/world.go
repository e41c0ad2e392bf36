package control

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/world"
)

// The world routes (GET /_chatemu/world/…) let a person or a tool browse
// what a world holds, as the inspector does: per Easemob app its archive
// hours with their counts and states and an hour's records; per Yunxin app
// its rooms, their senders and a sender's pages; per Op client its users
// and their records. Every answer is a page or a count, so a world of ten
// million messages answers as fast as a small one: counts come from the
// world's arithmetic (world.Count), pages are sought, never walked.
// Records and pages are written by the vendors' own encoders, through
// Views, so they are byte for byte what the vendor APIs return.

// Pages is what the world routes need of the world beyond World.
// *world.World satisfies it.
type Pages interface {
	// Count counts a tenant's messages with At in [from, to); zero times
	// are unbounded.
	Count(t world.TenantID, from, to time.Time) int
	// TenantPage is a page of a tenant's messages in [from, to), oldest
	// first, and how many there are.
	TenantPage(ctx context.Context, t world.TenantID, from, to time.Time, offset int64, limit int) ([]world.Message, int64, error)
	// RoomSenders counts each sender's messages in a chat room.
	RoomSenders(t world.TenantID, room string) []world.SenderCount
	// UserPage is a page of what an Easemob user sees, and its total.
	UserPage(ctx context.Context, q world.UserQuery) ([]world.Message, int64, error)
}

// Views shows parts of the world as the vendors' APIs write them. The
// server implements it over its vendor surfaces, so that control imports
// no vendor package; without Views the world routes that need a vendor's
// form answer 404.
type Views interface {
	// EasemobHourAt returns the start of app's archive hour holding t;
	// EasemobHourStart the start of the hour named name (yyyyMMddHH in the
	// app's cluster zone, as chatmessages takes it), false for a name
	// chatmessages refuses; EasemobHourName names the hour starting at
	// start.
	EasemobHourAt(app *world.EasemobApp, t time.Time) time.Time
	EasemobHourStart(app *world.EasemobApp, name string) (time.Time, bool)
	EasemobHourName(app *world.EasemobApp, start time.Time) string
	// EasemobArchive says what Easemob knows at now of app's hour starting
	// at start: "pending", "archived" or "expired", when the archive is
	// written, and why chatmessages does not serve it.
	EasemobArchive(app *world.EasemobApp, start, now time.Time) (state string, archivedAt time.Time, reason string)
	// EasemobArchiveLink is the signed link chatmessages answers with at
	// now for app's hour.
	EasemobArchiveLink(app *world.EasemobApp, hour string, now time.Time) string
	// AppendEasemobRecord appends m's record as app's archive holds it,
	// without its newline.
	AppendEasemobRecord(b []byte, app *world.EasemobApp, m *world.Message) []byte
	// YunxinHistory answers app's chatroom history for a room id and a
	// query string as the API answers an authenticated request: status,
	// body, and the reason of a refusal. A zero status means ctx ended.
	YunxinHistory(ctx context.Context, app *world.YunxinApp, room, query string) (status int, body []byte, reason string)
	// OpUserMessageList answers client's userMessageList for a JSON body as
	// the API answers a request with the right token and sign.
	OpUserMessageList(ctx context.Context, client *world.OpClient, body []byte) (status int, resp []byte, reason string)
}

// The world routes' page bounds.
const (
	// DefaultHours and MaxHours bound a page of archive hours (a day, a
	// week).
	DefaultHours = 24
	MaxHours     = 168
	// DefaultRecords and MaxRecords bound a page of an hour's records.
	DefaultRecords = 20
	MaxRecords     = 100
	// DefaultWorldPage and MaxWorldPage bound a page of rooms or users.
	DefaultWorldPage = 50
	MaxWorldPage     = 200
)

// WorldOverview is the body of GET /_chatemu/world: every tenant with the
// size of its world.
type WorldOverview struct {
	Now     string          `json:"now"`
	Easemob []EasemobCounts `json:"easemob"`
	Yunxin  []YunxinCounts  `json:"yunxin"`
	Op      []OpCounts      `json:"op"`
}

// EasemobCounts is an Easemob app in the overview.
type EasemobCounts struct {
	Tenant    string `json:"tenant"`
	Org       string `json:"org"`
	App       string `json:"app"`
	Cluster   string `json:"cluster"`
	Messages  int    `json:"messages"`
	Users     int    `json:"users"`
	Groups    int    `json:"groups"`
	Chatrooms int    `json:"chatrooms"`
}

// YunxinCounts is a Yunxin app in the overview.
type YunxinCounts struct {
	Tenant    string `json:"tenant"`
	AppKey    string `json:"appkey"`
	Messages  int    `json:"messages"`
	Accounts  int    `json:"accounts"`
	Chatrooms int    `json:"chatrooms"`
}

// OpCounts is an Op client in the overview.
type OpCounts struct {
	Tenant     string `json:"tenant"`
	Client     string `json:"client"`
	EasemobApp string `json:"easemob_app"`
	Users      int    `json:"users"`
}

func (a *API) getWorld(r *http.Request) (response, *Error) {
	if _, e := queryOf(r.URL.RawQuery, nil); e != nil {
		return response{}, e
	}
	out := WorldOverview{Now: a.clock.Now().UTC().Format(TimeLayout),
		Easemob: []EasemobCounts{}, Yunxin: []YunxinCounts{}, Op: []OpCounts{}}
	for _, app := range a.world.EasemobApps() {
		out.Easemob = append(out.Easemob, EasemobCounts{Tenant: string(app.Tenant()), Org: app.Org, App: app.App,
			Cluster: string(app.Cluster), Messages: a.world.Count(app.Tenant(), time.Time{}, time.Time{}),
			Users: len(app.Users), Groups: len(app.Groups), Chatrooms: len(app.Rooms)})
	}
	for _, app := range a.world.YunxinApps() {
		out.Yunxin = append(out.Yunxin, YunxinCounts{Tenant: string(app.Tenant()), AppKey: app.AppKey,
			Messages: a.world.Count(app.Tenant(), time.Time{}, time.Time{}),
			Accounts: len(app.Accounts), Chatrooms: len(app.Rooms)})
	}
	for _, c := range a.world.OpClients() {
		users := 0
		if app, ok := a.world.EasemobAppOf(c.EasemobApp); ok {
			users = len(app.Users)
		}
		out.Op = append(out.Op, OpCounts{Tenant: "op:" + c.Client, Client: c.Client,
			EasemobApp: strings.TrimPrefix(string(c.EasemobApp), "easemob:"), Users: users})
	}
	return response{status: http.StatusOK, body: out}, nil
}

// queryOf reads a query string, refusing a parameter that is not in
// allowed or is given twice.
func queryOf(rawQuery string, allowed []string) (url.Values, *Error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "query: %v", err)
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			if len(allowed) == 0 {
				return nil, errorf(http.StatusBadRequest, "query parameter %q: unknown (this route takes none)", k)
			}
			return nil, errorf(http.StatusBadRequest, "query parameter %q: unknown (%s)", k, strings.Join(allowed, ", "))
		}
		if len(q[k]) > 1 {
			return nil, errorf(http.StatusBadRequest, "%s: given %d times, want it once", k, len(q[k]))
		}
	}
	return q, nil
}

// intParam reads an integer parameter in [lo, hi], def when absent.
func intParam(q url.Values, name string, def, lo, hi int64) (int64, *Error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, errorf(http.StatusBadRequest, "%s: want an integer from %d to %d, got %q", name, lo, hi, v)
	}
	return n, nil
}

// pageParams reads offset and limit.
func pageParams(q url.Values, def, max int) (offset int64, limit int, e *Error) {
	if offset, e = intParam(q, "offset", 0, 0, 1<<53); e != nil {
		return 0, 0, e
	}
	n, e := intParam(q, "limit", int64(def), 1, int64(max))
	return offset, int(n), e
}

// listPage reads the offset and limit of a page of rooms or users, the
// route's only parameters.
func listPage(r *http.Request) (int64, int, *Error) {
	q, e := queryOf(r.URL.RawQuery, []string{"offset", "limit"})
	if e != nil {
		return 0, 0, e
	}
	return pageParams(q, DefaultWorldPage, MaxWorldPage)
}

// errNoViews answers a route that needs the vendors' forms when the API
// was built without them.
func errNoViews() *Error {
	return errorf(http.StatusNotFound, "the world routes need the server's vendor surfaces; this control API has none")
}

func (a *API) easemobApp(r *http.Request) (*world.EasemobApp, *Error) {
	v := mux.Vars(r)
	app, ok := a.world.EasemobApp(v["org"], v["app"])
	if !ok {
		return nil, errorf(http.StatusNotFound, "unknown Easemob app %s/%s (GET %stenants lists them)", v["org"], v["app"], Prefix)
	}
	return app, nil
}

// ArchiveHours is the body of GET /_chatemu/world/easemob/{org}/{app}/hours:
// a page of the app's archive hours, newest first, on the emulated clock.
type ArchiveHours struct {
	Tenant       string        `json:"tenant"`
	Cluster      string        `json:"cluster"`
	Now          string        `json:"now"`
	Retention    string        `json:"retention"`     // a Go duration
	ArchiveDelay string        `json:"archive_delay"` // a Go duration
	Hours        []ArchiveHour `json:"hours"`
	// Newer and Older name the hours that start the pages after and
	// before this one (from=…); Newer is absent on the page of now.
	Newer string `json:"newer,omitempty"`
	Older string `json:"older"`
}

// ArchiveHour is one archive hour: its name as chatmessages takes it, its
// span, its messages, and what Easemob knows of it now.
type ArchiveHour struct {
	Hour     string `json:"hour"`
	Start    string `json:"start"`
	End      string `json:"end"`
	Messages int    `json:"messages"`
	// State is "pending" (not archived yet), "archived" or "expired"
	// (older than retention); ArchivedAt is when the archive is (or was)
	// written; Reason says why chatmessages does not serve it.
	State      string `json:"state"`
	ArchivedAt string `json:"archived_at"`
	Reason     string `json:"reason,omitempty"`
}

func (a *API) hour(app *world.EasemobApp, start, now time.Time) ArchiveHour {
	state, archivedAt, reason := a.views.EasemobArchive(app, start, now)
	return ArchiveHour{
		Hour: a.views.EasemobHourName(app, start), Start: start.UTC().Format(TimeLayout),
		End: start.Add(time.Hour).UTC().Format(TimeLayout), Messages: a.world.Count(app.Tenant(), start, start.Add(time.Hour)),
		State: state, ArchivedAt: archivedAt.UTC().Format(TimeLayout), Reason: reason,
	}
}

func (a *API) getArchiveHours(r *http.Request) (response, *Error) {
	if a.views == nil {
		return response{}, errNoViews()
	}
	app, e := a.easemobApp(r)
	if e != nil {
		return response{}, e
	}
	q, e := queryOf(r.URL.RawQuery, []string{"from", "limit"})
	if e != nil {
		return response{}, e
	}
	n, e := intParam(q, "limit", DefaultHours, 1, MaxHours)
	if e != nil {
		return response{}, e
	}
	now := a.clock.Now()
	current := a.views.EasemobHourAt(app, now)
	from := current
	if v := q.Get("from"); v != "" {
		var ok bool
		if from, ok = a.views.EasemobHourStart(app, v); !ok {
			return response{}, errorf(http.StatusBadRequest, "from: want an hour yyyyMMddHH in the app's cluster zone, got %q", v)
		}
	}
	out := ArchiveHours{Tenant: string(app.Tenant()), Cluster: string(app.Cluster), Now: now.UTC().Format(TimeLayout),
		Retention: app.Retention.String(), ArchiveDelay: app.ArchiveDelay.String(), Hours: make([]ArchiveHour, 0, n)}
	for i := range n {
		out.Hours = append(out.Hours, a.hour(app, from.Add(-time.Duration(i)*time.Hour), now))
	}
	out.Older = a.views.EasemobHourName(app, from.Add(-time.Duration(n)*time.Hour))
	if from.Before(current) {
		newer := from.Add(time.Duration(n) * time.Hour)
		if newer.After(current) {
			newer = current
		}
		out.Newer = a.views.EasemobHourName(app, newer)
	}
	return response{status: http.StatusOK, body: out}, nil
}

// HourRecords is the body of GET
// /_chatemu/world/easemob/{org}/{app}/hours/{hour}?offset=&limit= (or
// ?at=RFC3339&limit=, the page that starts at that instant): the hour as
// the list shows it, the chatmessages call that asks for it, its archive
// link when it is served, and a page of its records exactly as the
// archive holds them (one JSON object per line of the archive, oldest
// first).
type HourRecords struct {
	Tenant string `json:"tenant"`
	ArchiveHour
	// Chatmessages is the vendor call for the hour's archive link.
	Chatmessages string `json:"chatmessages"`
	// ArchiveURL is the signed link chatmessages answers with now; absent
	// while the hour is not archived, or holds no message.
	ArchiveURL string            `json:"archive_url,omitempty"`
	Offset     int64             `json:"offset"`
	Limit      int               `json:"limit"`
	Records    []json.RawMessage `json:"records"`
}

func (a *API) getHourRecords(r *http.Request) (response, *Error) {
	if a.views == nil {
		return response{}, errNoViews()
	}
	app, e := a.easemobApp(r)
	if e != nil {
		return response{}, e
	}
	q, e := queryOf(r.URL.RawQuery, []string{"offset", "limit", "at"})
	if e != nil {
		return response{}, e
	}
	offset, limit, e := pageParams(q, DefaultRecords, MaxRecords)
	if e != nil {
		return response{}, e
	}
	name := mux.Vars(r)["hour"]
	start, ok := a.views.EasemobHourStart(app, name)
	if !ok {
		return response{}, errorf(http.StatusNotFound, "hour: want yyyyMMddHH in the app's cluster zone, got %q", name)
	}
	if v := q.Get("at"); v != "" {
		// The page that starts with the messages sent at that instant: a
		// message is found by its time without walking the hour.
		at, err := time.Parse(time.RFC3339Nano, v)
		switch {
		case q.Has("offset"):
			return response{}, errorf(http.StatusBadRequest, "at: give at or offset, not both")
		case err != nil:
			return response{}, errorf(http.StatusBadRequest, "at: want an RFC 3339 time, got %q", v)
		case at.Before(start) || !at.Before(start.Add(time.Hour)):
			return response{}, errorf(http.StatusBadRequest, "at: %s is not in hour %s (%s to %s)", v, name,
				start.UTC().Format(TimeLayout), start.Add(time.Hour).UTC().Format(TimeLayout))
		}
		offset = int64(a.world.Count(app.Tenant(), start, at.Truncate(time.Millisecond)))
	}
	now := a.clock.Now()
	out := HourRecords{Tenant: string(app.Tenant()), ArchiveHour: a.hour(app, start, now),
		Chatmessages: "GET /" + app.Org + "/" + app.App + "/chatmessages/" + name,
		Offset:       offset, Limit: limit, Records: []json.RawMessage{}}
	if out.State == "archived" && out.Messages > 0 {
		out.ArchiveURL = a.views.EasemobArchiveLink(app, name, now)
	}
	msgs, _, err := a.world.TenantPage(r.Context(), app.Tenant(), start, start.Add(time.Hour), offset, limit)
	if err != nil {
		return response{}, errGone(err)
	}
	var b []byte
	for i := range msgs {
		n := len(b)
		b = a.views.AppendEasemobRecord(b, app, &msgs[i])
		out.Records = append(out.Records, b[n:len(b):len(b)])
	}
	return response{status: http.StatusOK, body: out}, nil
}

// errGone answers a query whose client went away (its context is done):
// nobody reads it.
func errGone(err error) *Error {
	return errorf(http.StatusBadRequest, "request cancelled: %v", err)
}

// YunxinRooms is the body of GET /_chatemu/world/yunxin/{appkey}/rooms: a
// page of the app's rooms, each with its status, its messages and its
// senders.
type YunxinRooms struct {
	Tenant string `json:"tenant"`
	AppKey string `json:"appkey"`
	// DescendingDefault is what the history API does without descending.
	DescendingDefault bool                 `json:"descending_default"`
	Total             int                  `json:"total"`
	Offset            int64                `json:"offset"`
	Limit             int                  `json:"limit"`
	Rooms             []YunxinRoomMessages `json:"rooms"`
}

// YunxinRoomMessages is a room with its senders and their message counts.
type YunxinRoomMessages struct {
	ID       RoomID         `json:"id"`
	Name     string         `json:"name"`
	Status   string         `json:"status"`
	Messages int64          `json:"messages"`
	Senders  []SenderCounts `json:"senders"`
}

// SenderCounts is one sender's messages in a room.
type SenderCounts struct {
	Account  string `json:"account"`
	Messages int64  `json:"messages"`
}

func (a *API) yunxinApp(r *http.Request) (*world.YunxinApp, *Error) {
	key := mux.Vars(r)["appkey"]
	app, ok := a.world.YunxinApp(key)
	if !ok {
		return nil, errorf(http.StatusNotFound, "unknown Yunxin app %s (GET %stenants lists them)", key, Prefix)
	}
	return app, nil
}

func (a *API) getYunxinRooms(r *http.Request) (response, *Error) {
	app, e := a.yunxinApp(r)
	if e != nil {
		return response{}, e
	}
	offset, limit, e := listPage(r)
	if e != nil {
		return response{}, e
	}
	out := YunxinRooms{Tenant: string(app.Tenant()), AppKey: app.AppKey, DescendingDefault: app.DescendingDefault,
		Total: len(app.Rooms), Offset: offset, Limit: limit, Rooms: []YunxinRoomMessages{}}
	for i := offset; i < int64(len(app.Rooms)) && len(out.Rooms) < limit; i++ {
		rm := app.Rooms[i]
		status := rm.Status
		if status == "" {
			status = world.RoomOpen
		}
		v := YunxinRoomMessages{ID: RoomID(rm.ID), Name: rm.Name, Status: string(status), Senders: []SenderCounts{}}
		for _, s := range a.world.RoomSenders(app.Tenant(), rm.ID) {
			v.Senders = append(v.Senders, SenderCounts{Account: s.Sender, Messages: s.Messages})
			v.Messages += s.Messages
		}
		out.Rooms = append(out.Rooms, v)
	}
	return response{status: http.StatusOK, body: out}, nil
}

// VendorAnswer is the body of the world routes that show a vendor's page:
// the vendor call it answers, and the vendor's answer to it, status and
// body as the API returns them (the body is the vendor's JSON), with the
// reason of a refusal.
type VendorAnswer struct {
	Call string `json:"call"`
	// RequestBody is the body of the call, for a POST.
	RequestBody string          `json:"request_body,omitempty"`
	Status      int             `json:"status"`
	Body        json.RawMessage `json:"body"`
	Reason      string          `json:"reason,omitempty"`
}

func (a *API) getYunxinMessages(r *http.Request) (response, *Error) {
	if a.views == nil {
		return response{}, errNoViews()
	}
	app, e := a.yunxinApp(r)
	if e != nil {
		return response{}, e
	}
	room := mux.Vars(r)["room"]
	call := "GET /im/v2.1/chatrooms/" + room + "/messages"
	if r.URL.RawQuery != "" {
		call += "?" + r.URL.RawQuery
	}
	status, body, reason := a.views.YunxinHistory(r.Context(), app, room, r.URL.RawQuery)
	if status == 0 {
		return response{}, errGone(r.Context().Err())
	}
	return response{status: http.StatusOK, body: VendorAnswer{Call: call, Status: status, Body: body, Reason: reason}}, nil
}

// OpUsers is the body of GET /_chatemu/world/op/{client}/users: a page of
// the users of the client's Easemob app, each with how many messages
// userMessageList holds for them.
type OpUsers struct {
	Tenant     string      `json:"tenant"`
	Client     string      `json:"client"`
	EasemobApp string      `json:"easemob_app"`
	Total      int         `json:"total"`
	Offset     int64       `json:"offset"`
	Limit      int         `json:"limit"`
	Users      []UserCount `json:"users"`
}

// UserCount is one user's messages.
type UserCount struct {
	User     string `json:"user"`
	Messages int64  `json:"messages"`
}

func (a *API) opClient(r *http.Request) (*world.OpClient, *world.EasemobApp, *Error) {
	name := mux.Vars(r)["client"]
	c, ok := a.world.OpClient(name)
	if !ok {
		return nil, nil, errorf(http.StatusNotFound, "unknown Op client %s (GET %stenants lists them)", name, Prefix)
	}
	app, ok := a.world.EasemobAppOf(c.EasemobApp)
	if !ok {
		return nil, nil, errorf(http.StatusNotFound, "Op client %s serves Easemob app %s, which is not in this world", name, c.EasemobApp)
	}
	return c, app, nil
}

func (a *API) getOpUsers(r *http.Request) (response, *Error) {
	c, app, e := a.opClient(r)
	if e != nil {
		return response{}, e
	}
	offset, limit, e := listPage(r)
	if e != nil {
		return response{}, e
	}
	out := OpUsers{Tenant: "op:" + c.Client, Client: c.Client, EasemobApp: app.Org + "/" + app.App,
		Total: len(app.Users), Offset: offset, Limit: limit, Users: []UserCount{}}
	for i := offset; i < int64(len(app.Users)) && len(out.Users) < limit; i++ {
		u := app.Users[i]
		_, total, err := a.world.UserPage(r.Context(), world.UserQuery{Tenant: app.Tenant(), User: u})
		if err != nil {
			return response{}, errGone(err)
		}
		out.Users = append(out.Users, UserCount{User: u, Messages: total})
	}
	return response{status: http.StatusOK, body: out}, nil
}

// opBodyKeys are the query parameters GET …/users/{user}/messages passes
// to userMessageList's body, as the API's page names them.
var opBodyKeys = []string{"pageNum", "pageSize", "action", "creatTime", "needMark", "needFavorite"}

func (a *API) getOpMessages(r *http.Request) (response, *Error) {
	if a.views == nil {
		return response{}, errNoViews()
	}
	c, _, e := a.opClient(r)
	if e != nil {
		return response{}, e
	}
	q, e := queryOf(r.URL.RawQuery, opBodyKeys)
	if e != nil {
		return response{}, e
	}
	// The body as a client would send it: userId first, then the
	// parameters given, numbers and booleans as JSON literals, the rest
	// as strings.
	body := []byte(`{"userId":`)
	body = appendJSONString(body, mux.Vars(r)["user"])
	for _, k := range opBodyKeys {
		if v, ok := q[k]; ok {
			body = append(body, ',')
			body = appendJSONString(body, k)
			body = append(body, ':')
			if _, err := strconv.ParseInt(v[0], 10, 32); err == nil || v[0] == "true" || v[0] == "false" {
				body = append(body, v[0]...)
			} else {
				body = appendJSONString(body, v[0])
			}
		}
	}
	body = append(body, '}')
	status, resp, reason := a.views.OpUserMessageList(r.Context(), c, body)
	if status == 0 {
		return response{}, errGone(r.Context().Err())
	}
	return response{status: http.StatusOK, body: VendorAnswer{Call: "POST /op/v2/userMessageList?apiVersion=01&client=" + url.QueryEscape(c.Client) + "&token=…&sign=…",
		RequestBody: string(body), Status: status, Body: resp, Reason: reason}}, nil
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
