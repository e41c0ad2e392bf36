package opapi

import (
	"log/slog"
	"sync"
	"time"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/internal/pagecache"
	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/world"
)

// Config is what the surface needs from the server.
type Config struct {
	World *world.World
	Clock *clock.Clock
	// PublicURL is the base of every link ("http://127.0.0.1:8080", no
	// trailing slash). Downloads are verified against PublicURL + the
	// request URI, so it must be the base clients actually use.
	PublicURL string
	Logger    *slog.Logger
	// RevealSecrets lets X-Chatemu-Reason show what would have
	// authenticated a refused request (an expected signature); the server
	// sets it only when it listens on loopback without a control token.
	RevealSecrets bool
}

// Surface serves the Op API. It keeps no run-time state: marks and
// favorites are the scenario's, messages are the world's.
type Surface struct {
	world     *world.World
	clock     *clock.Clock
	publicURL string
	reveal    bool // Config.RevealSecrets
	log       *slog.Logger
	// api and qiniu render userMessageList's answers and the Qiniu
	// downloads' (routes.go).
	api     *respond.Adapter[*Error]
	qiniu   *respond.Adapter[*qiniuError]
	beijing *time.Location
	// msgs recycles the slices pages are generated in, bufs the buffers
	// answers are rendered in (cache.go).
	msgs world.Pages
	bufs pagecache.Buffers
	// recordSets recycles the records a page is rendered from (*recordSet).
	recordSets sync.Pool
	// pages keeps rendered answers by request, clock second and world
	// version (cache.go); auth, sign and body checks run on every request.
	pages *pagecache.Cache
	// signers sign getUrl links, one HMAC kept per Qiniu key pair (wire.go).
	signers qiniuSigners
}

// Host is the foot's "host": the example shows the developer's machine
// name ("ldx-pc"), so chatemu writes its own.
const Host = "chatemu"

// ServicePhone is the foot's "servicePhone", copied from the page.
const ServicePhone = "400800400"

// DefaultLinkTTL is how long a getUrl link stays valid unless the client's
// link_ttl says otherwise. Qiniu leaves the deadline to the issuer; the
// page's example shows it: its getUrl has e=1615109357 and its
// foot.operationTime is 2016-03-08 17:29:17 (+08:00, Unix 1457429357), so
// the backend signed its links for 157,680,000 s, five 365-day years.
const DefaultLinkTTL = 157_680_000 * time.Second

// linkTTL is c's getUrl lifetime.
func linkTTL(c *world.OpClient) time.Duration {
	if c.LinkTTL > 0 {
		return c.LinkTTL
	}
	return DefaultLinkTTL
}

// Route paths.
const (
	UserMessageListPath = "/op/v2/userMessageList"
	QiniuPathPrefix     = "/_qiniu/"
)

// New returns the surface over cfg's world and clock.
func New(cfg Config) *Surface {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Surface{
		world:     cfg.World,
		clock:     cfg.Clock,
		publicURL: cfg.PublicURL,
		reveal:    cfg.RevealSecrets,
		log:       log,
		// Beijing has kept +08:00 without daylight saving since 1991; a
		// fixed zone needs no tz database on the host.
		beijing: time.FixedZone("CST", 8*60*60),
		pages:   pagecache.New(pagecache.DefaultEntries, pagecache.DefaultBytes),
	}
	s.adapters()
	return s
}

// Reset forgets run-time state. The surface has none (no tokens are issued,
// and the vendor documents no rate limit) but its page cache, which the
// world's version already invalidates; emptying it frees the memory.
func (s *Surface) Reset() { s.pages.Reset() }

// foot is the envelope's foot at the clock's now.
func (s *Surface) foot() foot { return s.footAt(s.clock.Now()) }

// footAt is the envelope's foot at now.
func (s *Surface) footAt(now time.Time) foot {
	return foot{
		OperationTime: now.In(s.beijing).Format(dateTime),
		ServicePhone:  ServicePhone,
		Host:          Host,
	}
}

// dateTime is Java's "yyyy-MM-dd HH:mm:ss".
const dateTime = "2006-01-02 15:04:05"
