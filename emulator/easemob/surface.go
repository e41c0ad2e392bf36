package easemob

import (
	"compress/gzip"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/internal/pagecache"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
)

// Defaults for an app whose spec leaves a setting zero (DESIGN §3).
const (
	// DefaultRetention is how far back archives reach: "最多可以获取最近 3
	// 天" (vendor-notes §1.1).
	DefaultRetention = 72 * time.Hour
	// DefaultLinkTTL is the archive link's lifetime: Expires − timestamp in
	// the vendor's example is exactly 1800 s (vendor-notes §1.2, §7).
	DefaultLinkTTL = 30 * time.Minute
	// DefaultTokenTTL is a token's lifetime when the request has no ttl. The
	// vendor applies the console setting (vendor-notes §1.5), whose value is
	// not documented: 60 days is a [guess] (Config.TokenTTL changes it).
	DefaultTokenTTL = 60 * 24 * time.Hour
)

// Vendor rate limits, enforced when a tenant has rate_limits: vendor
// (vendor-notes §1.6, §6; chatfiles: message_download_file.md).
const (
	limitChatMessages       = 10
	limitChatMessagesWindow = time.Minute
	limitToken              = 300
	limitTokenWindow        = time.Second
	limitChatFiles          = 100
	limitChatFilesWindow    = time.Second
)

// maxTokens bounds the token table; past it, expired tokens are swept and
// then the oldest entries dropped (a dropped token answers "Unable to
// authenticate", as a token the vendor no longer knows would).
const maxTokens = 1 << 16

// Config is what the surface needs from the server.
type Config struct {
	World     *world.World
	Clock     *clock.Clock
	PublicURL string // e.g. "http://127.0.0.1:8080", no trailing slash; base of every link
	Logger    *slog.Logger
	// TokenTTL is the lifetime of a token requested without ttl; zero means
	// DefaultTokenTTL. (The vendor's value is a console setting, a [guess].)
	TokenTTL time.Duration
	// GzipLevel is the archive's compression level; zero means
	// gzip.BestSpeed (see BENCHMARKS.md for why).
	GzipLevel int
	// RevealSecrets lets X-Chatemu-Reason show what would have
	// authenticated a refused request (an expected signature); the server
	// sets it only when it listens on loopback without a control token.
	RevealSecrets bool
}

// Surface serves the Easemob REST API over a world. It is safe for
// concurrent use; its run-time state (tokens, rate-limit windows, the OSS
// request counter) is forgotten by Reset.
type Surface struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	tokens  map[string]tokenEntry
	order   []string // token issue order, for eviction
	issued  uint64
	windows map[limitKey]*window
	ossReqs uint64

	// archives keeps what an archive's headers need (archive.go): the
	// size, CRC-64 and MD5 of every archive served, and the bytes of the
	// small ones, by world version; both bounded.
	archiveMeta  *pagecache.Cache
	archiveBytes *pagecache.Cache
}

// New returns a surface over cfg.World and cfg.Clock.
func New(cfg Config) *Surface {
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.GzipLevel == 0 {
		cfg.GzipLevel = gzip.BestSpeed
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Surface{cfg: cfg, log: log,
		archiveMeta:  pagecache.New(archiveMetaEntries, archiveMetaEntries*archiveMetaSize),
		archiveBytes: pagecache.New(pagecache.DefaultEntries, archiveBytesBudget)}
	s.Reset()
	return s
}

// Reset forgets every issued token, rate-limit window and counter.
func (s *Surface) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]tokenEntry{}
	s.order = nil
	s.issued = 0
	s.windows = map[limitKey]*window{}
	s.ossReqs = 0
	s.archiveMeta.Reset()
	s.archiveBytes.Reset()
}

// Routes registers the Easemob routes on r. The server registers Easemob
// last: its /{org}/{app}/… catch-all answers every unmatched path of three or
// more segments whose first segment does not start with "_" (the emulator's
// own prefixes), as the vendor's unknown-API error.
//
// Multi-segment variables match "(?s:.+)", not ".+": a key or path may hold
// a newline (%0A), which "." would not match, leaving the request to the
// server's plain 404 instead of the vendor's answer.
//
// Routes carry no method restriction: a wrong method on a known path is the
// vendor's 500 unsupported_service_operation, decided in the handler, not
// gorilla/mux's 405.
func (s *Surface) Routes(r *mux.Router) {
	r.HandleFunc("/_oss/{bucket}/{object:(?s:.+)}", s.serveOSS).Name(OpArchiveDownload)
	// An org never starts with "_": /_… paths are chatemu's own (/_chatemu,
	// /_oss, /_nos, /_qiniu), and one unknown there is the server's 404.
	const org = "/{org:[^_/][^/]*}"
	r.HandleFunc(org+"/{app}/token", s.serveToken).Name(OpToken)
	r.HandleFunc(org+"/{app}/chatmessages/{time}", s.serveChatMessages).Name(OpChatMessages)
	r.HandleFunc(org+"/{app}/chatfiles/{uuid}", s.serveChatFile).Name(OpChatFiles)
	r.HandleFunc(org+"/{app}/{rest:(?s:.+)}", s.serveUnknown).Name(OpUnknown)
}

// app resolves the request's org/app, writing the vendor's 404 when there is
// none.
func (s *Surface) app(w http.ResponseWriter, r *http.Request) (*world.EasemobApp, bool) {
	v := mux.Vars(r)
	app, ok := s.cfg.World.EasemobApp(v["org"], v["app"])
	if !ok {
		// Usergrid's uriInfo.getPath(): the decoded path without its
		// leading slash (vendor-notes §1.5).
		s.fail(w, r, errOrgAppNotFound(v["org"], v["app"], uriPath(r)))
		return nil, false
	}
	journal.SetTenant(r, string(app.Tenant()))
	return app, true
}

func uriPath(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, "/") }

// serveUnknown answers a path under a known org/app that is no emulated API.
func (s *Surface) serveUnknown(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.app(w, r); !ok {
		return
	}
	s.fail(w, r, errUnknownAPI(uriPath(r)))
}

// fail writes e: the vendor's status and body, plus X-Chatemu-Reason.
func (s *Surface) fail(w http.ResponseWriter, r *http.Request, e *Error) {
	s.log.Debug("easemob error", "method", r.Method, "path", r.URL.Path, "status", e.Status, "error", e.Code, "reason", e.Reason)
	w.Header().Set("X-Chatemu-Reason", e.Reason)
	writeJSON(w, e.Status, e.body(s.cfg.Clock.Now().UnixMilli()))
}

// writeJSON writes a compact JSON body as the vendor does (the 2014 capture:
// Content-Type application/json, Access-Control-Allow-Origin *; vendor-notes
// §1.5).
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) // a client that went away is not an error of ours
}

func retention(app *world.EasemobApp) time.Duration {
	if app.Retention > 0 {
		return app.Retention
	}
	return DefaultRetention
}

func linkTTL(app *world.EasemobApp) time.Duration {
	if app.LinkTTL > 0 {
		return app.LinkTTL
	}
	return DefaultLinkTTL
}

// beijing is China Standard Time. A fixed zone, not tzdata's
// Asia/Shanghai: China has had no DST since 1991, and the emulator must not
// depend on the host's zone database.
var beijing = time.FixedZone("CST", 8*3600)

// zone is the zone an app's archive hours are named in: Beijing time on the
// cn cluster, UTC overseas (vendor-notes §1.1).
func zone(app *world.EasemobApp) *time.Location {
	if app.Cluster == world.ClusterOverseas {
		return time.UTC
	}
	return beijing
}

// limitKey names one rate-limit window: an app and an API.
type limitKey struct {
	tenant world.TenantID
	api    string
}

// window is a sliding window on the emulator's clock: the times of the last
// limit accepted calls, in a ring.
type window struct {
	times []time.Time
	next  int
}

// allow reports whether a call of api by app may proceed now, and counts it
// when it may. Refused calls are not counted. Apps with rate_limits off are
// never limited.
func (s *Surface) allow(app *world.EasemobApp, api string, limit int, per time.Duration) (bool, time.Duration) {
	if app.RateLimits != world.RateLimitsVendor {
		return true, 0
	}
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	k := limitKey{app.Tenant(), api}
	win := s.windows[k]
	if win == nil {
		win = &window{times: make([]time.Time, 0, limit)}
		s.windows[k] = win
	}
	if len(win.times) < limit {
		win.times = append(win.times, now)
		return true, 0
	}
	oldest := win.times[win.next]
	if wait := oldest.Add(per).Sub(now); wait > 0 {
		return false, wait
	}
	win.times[win.next] = now
	win.next = (win.next + 1) % limit
	return true, 0
}

// limit writes the 429 when app is over its limit for api.
func (s *Surface) limit(w http.ResponseWriter, r *http.Request, app *world.EasemobApp, api string, limit int, per time.Duration) bool {
	ok, wait := s.allow(app, api, limit, per)
	if !ok {
		s.fail(w, r, errReachLimit(
			"rate_limits: vendor allows "+strconv.Itoa(limit)+" "+api+" calls per "+per.String()+
				" per app; the next is allowed in "+wait.String()+" of emulator time"))
	}
	return ok
}
