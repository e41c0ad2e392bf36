package easemob

import (
	"compress/gzip"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/internal/pagecache"
	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// Defaults for an app whose spec leaves a setting zero (docs/scenarios.md).
const (
	// DefaultRetention is how far back archives reach: "最多可以获取最近 3
	// 天" (the history page).
	DefaultRetention = 72 * time.Hour
	// DefaultLinkTTL is the archive link's lifetime: Expires − timestamp in
	// the vendor's example is exactly 1800 s (the history page).
	DefaultLinkTTL = 30 * time.Minute
	// DefaultTokenTTL is a token's lifetime when the request has no ttl. The
	// vendor applies the console setting (easemob-doc
	// docs/product/easemob_app_token.md), whose value is
	// not documented: 60 days is a [guess] (Config.TokenTTL changes it).
	DefaultTokenTTL = 60 * 24 * time.Hour
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
	// rest and oss render the REST API's answers and the archive
	// downloads' (routes.go).
	rest *respond.Adapter[*Error]
	oss  *respond.Adapter[*sign.OSSError]

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
	s.adapters()
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
// cn cluster, UTC overseas (the Easemob history page (doc.easemob.com/document/server-side/message_historical.html)).
func zone(app *world.EasemobApp) *time.Location {
	if app.Cluster == world.ClusterOverseas {
		return time.UTC
	}
	return beijing
}
