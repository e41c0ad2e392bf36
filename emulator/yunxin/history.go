package yunxin

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
)

// history serves GET …/chatrooms/{room_id}/messages. Checks run in the
// order method → auth → rate limit → room_id and query parameters → page_token →
// room (113404, 113406) → sender account (102404); the README's fidelity notes explain.
func (s *Surface) history(r *http.Request) (respond.Response, *Error) {
	if r.Method != http.MethodGet {
		return respond.Response{}, methodNotAllowed(r)
	}
	app, e := s.authenticate(r)
	if e != nil {
		return respond.Response{}, e
	}
	journal.SetTenant(r, string(app.Tenant()))
	if app.RateLimits == world.RateLimitsVendor {
		if e := s.limiter.allow(app.AppKey+"/"+apiChatroomHistory, s.cfg.Clock.Now()); e != nil {
			return respond.Response{}, e
		}
	}
	buf := s.bufs.Get()
	b, pooled, e := s.page(r.Context(), app, mux.Vars(r)["room_id"], r.URL.RawQuery, buf)
	if !pooled {
		s.bufs.Put(buf)
	}
	if e != nil {
		return respond.Response{}, e
	}
	if b == nil { // the client has gone (its context is done): nobody reads an answer
		s.log.Debug("request cancelled", "path", r.URL.Path)
		return respond.Response{}, nil
	}
	res := pageResponse(b)
	if pooled {
		// The page lies in buf, which goes back to the pool once written.
		res.Immutable, res.Release = false, func() { s.bufs.Put(buf) }
	}
	return res, nil
}

// page answers an authenticated history request of app: the body of the
// page, or the vendor's error; nil when ctx is done first. A page it
// renders is built in *buf, which keeps the grown buffer. A page asked for
// before (pagecache.Cache.Admit) is then copied into the page cache and
// the copy returned; a page asked for the first time is not cached, and
// one longer than the journal keeps is returned where it lies in *buf, as
// pooled says: the caller must not reuse *buf while it reads the page.
// The control API's world routes answer through it too (History).
func (s *Surface) page(ctx context.Context, app *world.YunxinApp, rawRoom, rawQuery string, buf *[]byte) (body []byte, pooled bool, _ *Error) {
	room, e := parseRoomID(rawRoom)
	if e != nil {
		return nil, false, e
	}
	q, e := parseHistoryQuery(rawQuery, app.DescendingDefault)
	if e != nil {
		return nil, false, e
	}
	q.room = room
	scope := pageScope{
		appKey: app.AppKey, appSecret: app.AppSecret,
		room: q.room, sender: q.sender, types: q.typeMask, descending: q.descending,
	}
	var after *world.Key
	if q.pageToken != "" {
		k, e := s.decodeToken(scope, q.pageToken)
		if e != nil {
			return nil, false, e
		}
		after = &k
	}
	rm, ok := app.Room(q.room)
	if !ok {
		return nil, false, &Error{Code: CodeChatroomNotExist, Msg: MsgChatroomNotExist, Reason: fmt.Sprintf("app %s has no chatroom %s", app.AppKey, q.room)}
	}
	if rm.Status == world.RoomClosed {
		return nil, false, &Error{Code: CodeChatroomClosed, Msg: MsgChatroomClosed, Reason: fmt.Sprintf("chatroom %s is closed (status: closed in the scenario)", q.room)}
	}
	if !app.HasAccount(q.sender) {
		return nil, false, &Error{Code: CodeAccountNotExist, Msg: MsgAccountNotExist, Reason: fmt.Sprintf("sender_id %q is not an account of app %s", q.sender, app.AppKey)}
	}
	version := s.cfg.World.Version() // before the page is computed: see pagecache.Put
	var kb [160]byte
	key := pageKey(kb[:0], scope, after, q.limit)
	if b, ok := s.pages.Get(version, key); ok {
		return b, false, nil
	}
	admit := s.pages.Admit(key)
	kinds := q.kinds
	if kinds == nil {
		kinds = yunxinKinds()
	}
	// Each message is rendered as the world makes it (world.RoomVisit).
	// The items are rendered first, after room kept for the head
	// (headRoom), which has_more and next_token go into and which is
	// known only at the end.
	ps := s.pageShared(app.AppKey)
	b := append((*buf)[:0], make([]byte, headRoom)...)
	b = append(b, `,"items":[`...)
	items := len(b)
	var rerr error
	n, last, more, err := s.cfg.World.RoomVisit(ctx, world.RoomQuery{
		Tenant: app.Tenant(), Room: q.room, Sender: q.sender, Kinds: kinds,
		Descending: q.descending, After: after, Limit: q.limit,
		Omit: world.OmitID | world.OmitSecret | world.OmitThumb | world.OmitName, // an item shows none of them
	}, func(m *world.Message) {
		if rerr != nil {
			return
		}
		if len(b) > items {
			b = append(b, ',')
		}
		b, rerr = s.appendItem(b, ps, m)
	})
	if err != nil { // ctx is done
		return nil, false, nil
	}
	if rerr != nil {
		return nil, false, errInternal("chatemu bug: rendering the page: " + rerr.Error())
	}
	b = append(b, "]}}"...)
	*buf = b
	next := ""
	if more && n > 0 {
		next = s.encodeToken(scope, last)
	}
	var hb [headRoom]byte
	h := appendHead(hb[:0], next)
	size := len(h) + len(b) - headRoom
	if !admit && len(h) <= headRoom && size > journal.MaxBody {
		// Longer than the journal keeps of it: written from where it was
		// rendered, the journal's copy of its start the one copy made.
		page := b[headRoom-len(h):]
		copy(page, h)
		return page, true, nil
	}
	// A copy of its own, which the journal keeps as it is.
	page := make([]byte, size)
	copy(page[copy(page, h):], b[headRoom:])
	if admit {
		s.pages.Put(version, key, page)
	}
	return page, false, nil
}

// headRoom is the room a page rendered in a buffer keeps before its items
// for its head: more than the head with the longest next token (about 120
// bytes).
const headRoom = 160

// pageResponse is a history page's answer. b is the page cache's (or, for
// a page too large for it, a copy of its own), which nothing writes again.
func pageResponse(b []byte) respond.Response {
	h := respond.Header("Content-Type", contentTypeJSON, "Content-Length", strconv.Itoa(len(b)))
	return respond.Response{Status: http.StatusOK, Header: h, Body: b, Immutable: true}
}

// methodNotAllowed refuses a method other than GET on the history's path.
func methodNotAllowed(r *http.Request) *Error {
	return &Error{Code: codeMethodNotAllowed, Msg: msgMethodNotAllowed, status: http.StatusMethodNotAllowed,
		Reason: fmt.Sprintf("chatemu emulates only GET on %s (the chatroom history); %s there is not emulated", r.URL.Path, r.Method)}
}
