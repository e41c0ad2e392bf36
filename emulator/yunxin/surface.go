package yunxin

import (
	"log/slog"
	"strings"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/internal/pagecache"
	"github.com/chatemu/chatemu/emulator/internal/respond"
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
	// api and nos render the history API's answers and the attachment
	// files' (routes.go).
	api  *respond.Adapter[*Error]
	nos  *respond.Adapter[*nosError]
	bufs pagecache.Buffers // the pages' render buffers
	// pages keeps rendered history bodies by query and world version
	// (cache.go); auth, rate limits and checks still run on every request.
	pages *pagecache.Cache
	// macs sign and check page tokens, one key per app secret (pagetoken.go).
	macs tokenMACs
}

// New returns a surface over cfg.World and cfg.Clock.
func New(cfg Config) *Surface {
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Surface{cfg: cfg, log: log, pages: pagecache.New(pagecache.DefaultEntries, pagecache.DefaultBytes)}
	s.adapters()
	return s
}

// Reset forgets run-time state: the rate-limit windows and blocks. Page
// tokens stay valid: they hold their cursor, not a server-side session.
func (s *Surface) Reset() {
	s.limiter.reset()
	s.pages.Reset()
}
