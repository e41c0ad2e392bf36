package yunxin

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/internal/pagecache"
	"github.com/chatemu/chatemu/emulator/internal/servecontent"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
)

// Config is what the surface needs from the server.
type Config struct {
	World *world.World
	Clock *clock.Clock
	// PublicURL is the base of every link the surface writes (attachment
	// urls), e.g. "http://127.0.0.1:8080", without a trailing slash.
	PublicURL string
	Logger    *slog.Logger
	// RevealSecrets lets X-Chatemu-Reason show what would have
	// authenticated a refused request (an expected signature); the server
	// sets it only when it listens on loopback without a control token.
	RevealSecrets bool
}

// Surface serves the Yunxin IM v2 chatroom history and the attachment files
// it links to. Its only run-time state is the rate limiter; page tokens are
// self-contained.
type Surface struct {
	cfg     Config
	log     *slog.Logger
	limiter limiter
	bufs    sync.Pool
	// pages keeps rendered history bodies by query and world version
	// (cache.go); auth, rate limits and checks still run on every request.
	pages *pagecache.Cache
	// macs sign and check page tokens, one key per app secret (token.go).
	macs tokenMACs
}

// New returns a surface over cfg.World and cfg.Clock.
func New(cfg Config) *Surface {
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Surface{cfg: cfg, log: log.With("vendor", "yunxin"),
		pages: pagecache.New(pagecache.DefaultEntries, pagecache.DefaultBytes)}
}

// Reset forgets run-time state: the rate-limit windows and blocks. Page
// tokens stay valid: they hold their cursor, not a server-side session.
func (s *Surface) Reset() {
	s.limiter.reset()
	s.pages.Reset()
}

// historyPaths are the chatroom history's routes: /im/v2 (the doc page)
// and /im/v2.1 (the current list and both SDKs), each bare and under the
// Go SDK's /nimserver prefix (vendor-notes §3.1).
var historyPaths = []string{
	"/im/v2/chatrooms/{room_id}/messages",
	"/im/v2.1/chatrooms/{room_id}/messages",
	"/nimserver/im/v2/chatrooms/{room_id}/messages",
	"/nimserver/im/v2.1/chatrooms/{room_id}/messages",
}

// Routes registers the surface on r: the chatroom history (GET), the same
// paths for other methods (405: POST there is the vendor's send-message API,
// which chatemu does not emulate), the attachment files under /_nos/, and a
// Yunxin-shaped 404 for every other path under /im/v2/, /im/v2.1/ and
// /nimserver/ so that a later catch-all (Easemob's /{org}/{app}/…) never
// answers a Yunxin client in another vendor's format.
func (s *Surface) Routes(r *mux.Router) {
	for _, p := range historyPaths {
		r.Handle(p, s.guard(s.history)).Methods(http.MethodGet).Name(OpChatroomHistory)
		r.Handle(p, s.guard(s.methodNotAllowed)).Name(OpChatroomHistory)
	}
	r.Handle("/_nos/{appkey}/{file}", s.guard(s.file)).Methods(http.MethodGet, http.MethodHead).Name(OpDownload)
	// Every other request under /_nos/ is NOS's too: another method, or a
	// key of another shape (a/b, ../x), answered in S3's XML rather than
	// gorilla/mux's bare 405 or the server's plain 404.
	r.PathPrefix("/_nos/").Handler(s.guard(s.nosOther)).Name(OpDownload)
	for _, p := range []string{"/im/v2/", "/im/v2.1/", "/nimserver/"} {
		r.PathPrefix(p).Handler(s.guard(s.notFound)).Name(OpUnknown)
	}
}

// handler is a request handler that fails with an *Error.
type handler func(w http.ResponseWriter, r *http.Request) *Error

// guard renders a handler's *Error and turns a panic into the vendor's 500
// body: a client never sees a Go error string or a bare 500.
func (s *Surface) guard(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "path", r.URL.Path, "panic", p)
				writeError(w, &Error{Code: CodeServer, Msg: MsgInternalError, Reason: fmt.Sprintf("chatemu bug: panic: %v", p)})
			}
		}()
		if e := h(w, r); e != nil {
			s.log.Debug("refused", "method", r.Method, "path", r.URL.Path, "code", int(e.Code), "msg", e.Msg, "reason", e.Reason)
			writeError(w, e)
		}
	})
}

// history serves GET …/chatrooms/{room_id}/messages. Checks run in the
// order auth → rate limit → room_id and query parameters → page_token →
// room (113404, 113406) → sender account (102404); the README's fidelity notes explain.
func (s *Surface) history(w http.ResponseWriter, r *http.Request) *Error {
	app, e := s.authenticate(r)
	if e != nil {
		return e
	}
	journal.SetTenant(r, string(app.Tenant()))
	if app.RateLimits == world.RateLimitsVendor {
		if e := s.limiter.allow(app.AppKey+"/"+apiChatroomHistory, s.cfg.Clock.Now()); e != nil {
			return e
		}
	}
	room, e := parseRoomID(mux.Vars(r)["room_id"])
	if e != nil {
		return e
	}
	q, e := parseHistoryQuery(r.URL.RawQuery, app.DescendingDefault)
	if e != nil {
		return e
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
			return e
		}
		after = &k
	}
	rm, ok := app.Room(q.room)
	if !ok {
		return &Error{Code: CodeChatroomNotExist, Msg: MsgChatroomNotExist, Reason: fmt.Sprintf("app %s has no chatroom %s", app.AppKey, q.room)}
	}
	if rm.Status == world.RoomClosed {
		return &Error{Code: CodeChatroomClosed, Msg: MsgChatroomClosed, Reason: fmt.Sprintf("chatroom %s is closed (status: closed in the scenario)", q.room)}
	}
	if !app.HasAccount(q.sender) {
		return &Error{Code: CodeAccountNotExist, Msg: MsgAccountNotExist, Reason: fmt.Sprintf("sender_id %q is not an account of app %s", q.sender, app.AppKey)}
	}
	version := s.cfg.World.Version() // before the page is computed: see pagecache.Put
	var kb [160]byte
	key := pageKey(kb[:0], scope, after, q.limit)
	if b, ok := s.pages.Get(version, key); ok {
		writePage(w, b)
		return nil
	}
	kinds := q.kinds
	if kinds == nil {
		kinds = yunxinKinds()
	}
	msgs, more, err := s.cfg.World.RoomPage(r.Context(), world.RoomQuery{
		Tenant: app.Tenant(), Room: q.room, Sender: q.sender, Kinds: kinds,
		Descending: q.descending, After: after, Limit: q.limit,
	})
	if err != nil { // the client has gone (its context is done): nobody reads an answer
		s.log.Debug("request cancelled", "path", r.URL.Path, "err", err)
		return nil
	}
	next := ""
	if more && len(msgs) > 0 {
		next = s.encodeToken(scope, msgs[len(msgs)-1].Key)
	}
	buf := s.buffer()
	defer s.bufs.Put(buf)
	b, err := s.appendHistory((*buf)[:0], app.AppKey, msgs, more && next != "", next)
	if err != nil {
		return &Error{Code: CodeServer, Msg: MsgInternalError, Reason: "chatemu bug: rendering the page: " + err.Error()}
	}
	*buf = b
	s.pages.Put(version, key, append([]byte(nil), b...))
	writePage(w, b)
	return nil
}

// writePage sends a history page's body.
func writePage(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func (s *Surface) buffer() *[]byte {
	if p, ok := s.bufs.Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, 0, 64<<10)
	return &b
}

func (s *Surface) methodNotAllowed(w http.ResponseWriter, r *http.Request) *Error {
	return &Error{Code: codeMethodNotAllowed, Msg: msgMethodNotAllowed, status: http.StatusMethodNotAllowed,
		Reason: fmt.Sprintf("chatemu emulates only GET on %s (the chatroom history); %s there is not emulated", r.URL.Path, r.Method)}
}

func (s *Surface) notFound(w http.ResponseWriter, r *http.Request) *Error {
	return &Error{Code: codeNotFound, Msg: msgNotFound, status: http.StatusNotFound,
		Reason: fmt.Sprintf("%s %s is not an API chatemu emulates for Yunxin (only GET /im/v2[.1]/chatrooms/{room_id}/messages, optionally under /nimserver)", r.Method, r.URL.Path)}
}

// file serves an attachment's bytes at FileURL: Content-Type its MIME,
// Content-Length its size, ranges honoured. The path is public like a NOS
// object url in the history (no signature). An unknown app or file is a
// 404 with an S3-style XML error, NOS being S3-compatible.
func (s *Surface) file(w http.ResponseWriter, r *http.Request) *Error {
	v := mux.Vars(r)
	appKey, name := v["appkey"], v["file"]
	app, ok := s.cfg.World.YunxinApp(appKey)
	var a *world.Attachment
	if ok {
		journal.SetTenant(r, string(app.Tenant()))
		a, ok = s.cfg.World.Attachment(app.Tenant(), name)
		if !ok {
			if dot := strings.LastIndexByte(name, '.'); dot > 0 {
				a, ok = s.cfg.World.Attachment(app.Tenant(), name[:dot])
				ok = ok && a.Ext == name[dot+1:]
			}
		}
	}
	if !ok {
		s.noSuchKey(w, r, appKey, name)
		return nil
	}
	if a.MIME != "" {
		w.Header().Set("Content-Type", a.MIME)
	}
	w.Header().Set("ETag", `"`+s.cfg.World.MD5(a)+`"`)
	b := s.cfg.World.Bytes(a)
	servecontent.Serve(w, r, name, time.Time{}, bytes.NewReader(b), func(w http.ResponseWriter) {
		// S3's InvalidRange, NOS being S3-compatible.
		writeNOSError(w, r, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable", "",
			fmt.Sprintf("Range %q is not satisfiable: the file is %d bytes", r.Header.Get("Range"), len(b)))
	})
	return nil
}

// nosOther answers a /_nos/ request the file route does not take: S3's
// 405 MethodNotAllowed for a method other than GET or HEAD, else NoSuchKey
// (the emulated buckets hold only {appkey}/{file} keys). [choice]
func (s *Surface) nosOther(w http.ResponseWriter, r *http.Request) *Error {
	appKey, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/_nos/"), "/")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeNOSError(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.", "",
			fmt.Sprintf("NOS files are read with GET or HEAD, got %s", r.Method))
		return nil
	}
	s.noSuchKey(w, r, appKey, key)
	return nil
}

func (s *Surface) noSuchKey(w http.ResponseWriter, r *http.Request, appKey, name string) {
	writeNOSError(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", name,
		fmt.Sprintf("no attachment %q in app %q", name, appKey))
}

// writeNOSError is the one place a NOS (S3-style) XML error becomes bytes;
// key, when not empty, adds a <Key> element.
func writeNOSError(w http.ResponseWriter, r *http.Request, status int, code, msg, key, reason string) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString("<Error><Code>" + code + "</Code><Message>" + xmlEscape(msg) + "</Message>")
	if key != "" {
		b.WriteString("<Key>" + xmlEscape(key) + "</Key>")
	}
	b.WriteString("</Error>")
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set(reasonHeader, headerSafe(reason))
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(b.String()))
	}
}

// xmlEscape escapes element text with encoding/xml, which also replaces
// invalid UTF-8 and characters XML forbids with U+FFFD: a key such as
// "%FF" must not make the body ill-formed XML.
func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}
