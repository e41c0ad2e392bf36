// Package control is chatemu's control API: the JSON routes under
// /_chatemu/ that a test or an operator uses to read the tenants and their
// credentials, add and remove tenants at run time, move the clock, inject
// messages, inject faults, read the request journal and reset the world
// (docs/control-api.md).
//
// Each handler depends on the narrow interfaces below (World, Clock) and a
// reset function rather than on the server, so the API is tested with stubs
// (the Hoverfly model). Handlers return response values; one adapter
// (emulator/internal/respond, with render here) turns them into bytes, and
// every error is an *Error rendered as {"error":"…"} with a 4xx status (a
// panic, a 500).
//
// openapi.json, beside the routes, describes every route, parameter, body,
// answer and error in OpenAPI 3.1; it is embedded and served at GET
// /_chatemu/openapi.json, open like health.
//
// control imports world, faults, journal and scenarios (for the
// literal-message and tenant forms); it imports no vendor package and not
// the server.
package control

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/internal/routes"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
)

// Prefix is the path prefix of every control route.
const Prefix = "/_chatemu/"

// MaxBodyBytes bounds a control request's body.
const MaxBodyBytes = 1 << 20

// TimeLayout is how the control API writes instants: RFC 3339, UTC, with
// milliseconds (the precision of the world's message times).
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// World is what the control API needs from the world. *world.World
// satisfies it.
type World interface {
	// Spec returns the spec the world was built from: tenants in order.
	Spec() *world.Spec
	// HasTenant reports whether t owns messages in the world.
	HasTenant(t world.TenantID) bool
	// Message returns a tenant's message by id; used to refuse duplicate ids
	// before anything is injected.
	Message(t world.TenantID, id string) (world.Message, bool)
	// Inject stores messages; a message without a time gets now.
	Inject(t world.TenantID, msgs []world.Message, now time.Time) ([]world.Message, error)
	// Added counts the messages added at run time since the last reset.
	Added() uint64
	// Seed is the world's seed; runtime tenants' credentials derive from
	// it.
	Seed() uint64
	// The current tenants, runtime ones included.
	EasemobApps() []*world.EasemobApp
	YunxinApps() []*world.YunxinApp
	OpClients() []*world.OpClient
	EasemobApp(org, app string) (*world.EasemobApp, bool)
	EasemobAppOf(t world.TenantID) (*world.EasemobApp, bool)
	YunxinApp(appKey string) (*world.YunxinApp, bool)
	OpClient(client string) (*world.OpClient, bool)
	// Runtime tenants (POST and DELETE /_chatemu/tenants); traffic is
	// measured back from anchor.
	AddEasemobApp(a world.EasemobApp, anchor time.Time) error
	AddYunxinApp(a world.YunxinApp, anchor time.Time) error
	AddOpClient(c world.OpClient) error
	RemoveTenant(t world.TenantID) error
	// Pages and counts for the world routes (world.go).
	Pages
}

// Clock is what the control API needs from the emulator's clock.
// *clock.Clock satisfies it.
type Clock interface {
	Now() time.Time
	Frozen() bool
	// TrySet and TryAdvance move the clock, or refuse (a
	// *clock.RangeError) to leave its range.
	TrySet(t time.Time) error
	TryAdvance(d time.Duration) error
	Freeze(frozen bool)
}

// Config is what the control API is built from.
type Config struct {
	World World
	Clock Clock
	// Reset puts the world, the vendor surfaces and the clock back in their
	// first state.
	Reset func()
	// PublicURL is the base URL of every vendor surface, written into the
	// tenants' base_url; no trailing slash.
	PublicURL string
	// Token, when not empty, guards every route but health: requests must
	// carry "Authorization: Bearer <Token>".
	Token string
	// Open says the control API is reachable from other hosts without a
	// token: health says so, since anyone there can read credentials.
	Open   bool
	Logger *slog.Logger
	// Faults and Journal back the faults and requests routes; nil gives
	// an empty fault set and a journal of the default size and budget.
	Faults  Faults
	Journal Journal
	// RateLimits, when not empty, is forced on every runtime tenant (the
	// server's --rate-limits).
	RateLimits world.RateLimits
	// Version is the build's version, reported by health.
	Version string
	// MaxInjected bounds the messages injected since the last reset, all
	// tenants together (each costs about half a KiB): 0 means
	// DefaultMaxInjected. An injection past it is refused whole.
	MaxInjected int
	// MaxRuntimeTenants bounds the tenants added at run time and not
	// removed (POST /_chatemu/tenants): 0 means DefaultMaxRuntimeTenants.
	MaxRuntimeTenants int
	// Views writes the world as the vendors do, for the world routes
	// (world.go); nil leaves those routes out (404).
	Views Views
}

// DefaultMaxInjected is Config.MaxInjected's default (--max-injected):
// about 250 MiB of injected messages.
const DefaultMaxInjected = 500_000

// API serves the control routes. It is safe for concurrent use.
type API struct {
	world     World
	clock     Clock
	reset     func()
	publicURL string
	token     []byte
	open      bool
	version   string
	log       *slog.Logger

	faults     Faults
	journal    Journal
	rateLimits world.RateLimits
	// adapter renders every route's answer (Routes).
	adapter *respond.Adapter[*Error]
	// maxInjected is Config.MaxInjected with its default applied.
	maxInjected uint64
	// maxTenants is Config.MaxRuntimeTenants with its default applied.
	maxTenants int
	views      Views
	streams    streamEnds // ends the journal's event streams (stream.go)

	// injectMu makes each injection all-or-nothing with respect to other
	// control injections: the duplicate-id check and the insert happen
	// under it.
	injectMu sync.Mutex

	// tenantMu serializes runtime tenant changes and guards runtimeN, the
	// counter of generated tenant names.
	tenantMu sync.Mutex
	runtimeN int
}

// New returns the control API over cfg.
func New(cfg Config) *API {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	reset := cfg.Reset
	if reset == nil {
		reset = func() {}
	}
	fs := cfg.Faults
	if fs == nil {
		fs = &faults.Set{}
	}
	j := cfg.Journal
	if j == nil {
		j = journal.New(journal.DefaultSize, journal.DefaultBytes)
	}
	maxInjected := cfg.MaxInjected
	if maxInjected <= 0 {
		maxInjected = DefaultMaxInjected
	}
	maxTenants := cfg.MaxRuntimeTenants
	if maxTenants <= 0 {
		maxTenants = DefaultMaxRuntimeTenants
	}
	a := &API{
		maxInjected: uint64(maxInjected),
		maxTenants:  maxTenants,
		views:       cfg.Views,
		world:       cfg.World,
		clock:       cfg.Clock,
		reset:       reset,
		publicURL:   strings.TrimSuffix(cfg.PublicURL, "/"),
		token:       []byte(cfg.Token),
		open:        cfg.Open && cfg.Token == "",
		version:     cfg.Version,
		log:         log,
		faults:      fs,
		journal:     j,
		rateLimits:  cfg.RateLimits,
	}
	a.adapter = &respond.Adapter[*Error]{Log: log, Render: a.render, Internal: errInternal}
	return a
}

// Error is a control API error: an HTTP status (4xx) and a message, written
// as {"error": Message}.
type Error struct {
	Status  int
	Message string
	// header holds the headers the error's answer carries (Allow,
	// WWW-Authenticate).
	header http.Header
}

func (e *Error) Error() string { return e.Message }

// asError returns e as an error: nil when e is nil. The exported methods
// return error, not *Error, so that a nil *Error never becomes a non-nil
// error in a caller's hands.
func asError(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// Messages of the errors every route shares.
const (
	msgTokenRequired    = "control token required"
	msgMethodNotAllowed = "method not allowed"
)

// response is what a handler returns: a status and a value to encode as
// JSON (nil for no body), or a stream that writes the answer itself.
type response struct {
	status int
	body   any
	stream func(w http.ResponseWriter, r *http.Request)
}

// handler handles one method of one route.
type handler func(r *http.Request) (response, *Error)

// endpoint is one control route's handlers by method.
type endpoint struct {
	open    bool // no token needed
	methods map[string]handler
}

// endpoints are the control routes' handlers by route name; their paths
// are in the route table (emulator/internal/routes).
func (a *API) endpoints() map[string]endpoint {
	return map[string]endpoint{
		routes.ControlHealth:   {open: true, methods: map[string]handler{http.MethodGet: a.health, http.MethodHead: a.health}},
		routes.ControlOpenAPI:  {open: true, methods: map[string]handler{http.MethodGet: a.openAPI}},
		routes.ControlTenants:  {methods: map[string]handler{http.MethodGet: a.tenants, http.MethodPost: a.postTenant}},
		routes.ControlTenant:   {methods: map[string]handler{http.MethodDelete: a.deleteTenant}},
		routes.ControlFaults:   {methods: map[string]handler{http.MethodGet: a.getFaults, http.MethodPost: a.postFault, http.MethodDelete: a.deleteFaults}},
		routes.ControlFault:    {methods: map[string]handler{http.MethodDelete: a.deleteFault}},
		routes.ControlRequests: {methods: map[string]handler{http.MethodGet: a.getRequests, http.MethodDelete: a.deleteRequests}},
		routes.ControlClock:    {methods: map[string]handler{http.MethodGet: a.getClock, http.MethodPost: a.postClock}},
		routes.ControlMessages: {methods: map[string]handler{http.MethodPost: a.postMessages}},
		routes.ControlReset:    {methods: map[string]handler{http.MethodPost: a.postReset}},
		// Following the journal and browsing the world (stream.go, world.go).
		routes.ControlRequestStream: {methods: map[string]handler{http.MethodGet: a.getRequestStream}},
		routes.ControlRequest:       {methods: map[string]handler{http.MethodGet: a.getRequest}},
		routes.ControlWorld:         {methods: map[string]handler{http.MethodGet: a.getWorld}},
		routes.ControlArchiveHours:  {methods: map[string]handler{http.MethodGet: a.getArchiveHours}},
		routes.ControlHourRecords:   {methods: map[string]handler{http.MethodGet: a.getHourRecords}},
		routes.ControlYunxinRooms:   {methods: map[string]handler{http.MethodGet: a.getYunxinRooms}},
		routes.ControlYunxinPage:    {methods: map[string]handler{http.MethodGet: a.getYunxinMessages}},
		routes.ControlOpUsers:       {methods: map[string]handler{http.MethodGet: a.getOpUsers}},
		routes.ControlOpPage:        {methods: map[string]handler{http.MethodGet: a.getOpMessages}},
	}
}

// Routes registers the control routes of the route table on r, the last
// of them a catch-all that answers 404 for any other path under Prefix (so
// that no vendor pattern mounted after them sees a control path).
func (a *API) Routes(r *mux.Router) {
	routes.Mount(r, routes.Handlers{routes.Control: a.Handler})
}

// Handler returns the handler of the table's control route name, nil for
// a name that is not the control API's. The inspector's pages
// (routes.ControlUI) are the server's, which mounts its own handler there;
// the API alone answers them as any path it does not serve.
func (a *API) Handler(name string) http.Handler {
	if name == routes.ControlUnknown || name == routes.ControlUI {
		return a.adapter.Handle(func(req *http.Request) (respond.Response, *Error) {
			return respond.Response{}, errorf(http.StatusNotFound, "no control route %s", req.URL.Path)
		})
	}
	if ep, ok := a.endpoints()[name]; ok {
		return a.endpoint(ep)
	}
	return nil
}

// endpoint checks the method and the token, then runs the route's handler.
func (a *API) endpoint(rt endpoint) http.Handler {
	allow := make([]string, 0, len(rt.methods))
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodDelete} {
		if _, ok := rt.methods[m]; ok {
			allow = append(allow, m)
		}
	}
	h := a.adapter.Handle(func(r *http.Request) (respond.Response, *Error) {
		h, ok := rt.methods[r.Method]
		if !ok {
			e := errorf(http.StatusMethodNotAllowed, msgMethodNotAllowed)
			e.header = http.Header{"Allow": {strings.Join(allow, ", ")}}
			return respond.Response{}, e
		}
		if !rt.open && !a.authorized(r) {
			e := errorf(http.StatusUnauthorized, msgTokenRequired)
			e.header = http.Header{"Www-Authenticate": {`Bearer realm="chatemu"`}}
			return respond.Response{}, e
		}
		// A body over the limit is refused before it is read when its
		// length is declared, and cut where it passes the limit otherwise
		// (the server then closes the connection rather than read on).
		if r.ContentLength > MaxBodyBytes {
			return respond.Response{}, errBodyTooLarge()
		}
		res, e := h(r)
		if e != nil {
			return respond.Response{}, e
		}
		if res.stream != nil {
			// An event stream writes its own status and body as it goes.
			return respond.Response{Stream: func(w http.ResponseWriter) { res.stream(w, r) }}, nil
		}
		return a.encode(res), nil
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		h.ServeHTTP(w, r)
	})
}

// Authorized reports whether r may use the guarded control routes: it
// carries the control token, or the API has none. The server guards
// /_chatemu/metrics with it.
func (a *API) Authorized(r *http.Request) bool { return a.authorized(r) }

// authorized compares the bearer token in constant time.
func (a *API) authorized(r *http.Request) bool {
	if len(a.token) == 0 {
		return true
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), a.token) == 1
}

// render is the one place a control error becomes its answer:
// {"error": Message} with its status.
func (a *API) render(_ *http.Request, e *Error) respond.Response {
	res := a.encode(response{status: e.Status, body: map[string]string{"error": e.Message}})
	for k, vs := range e.header {
		res.Header[k] = vs
	}
	return res
}

// errInternal answers a bug of chatemu (a panic in a handler).
func errInternal(reason string) *Error {
	return &Error{Status: http.StatusInternalServerError, Message: reason}
}

// encode turns a handler's response into its answer: the body as JSON
// (none when nil), not cached.
func (a *API) encode(res response) respond.Response {
	if res.body == nil {
		return respond.Response{Status: res.status}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res.body); err != nil {
		// Every body is a type of this package; failing to encode one is a
		// bug, still reported as JSON rather than a bare 500.
		a.log.Error("control: encode response", "error", err)
		buf.Reset()
		fmt.Fprintf(&buf, "{\"error\":%q}\n", "internal error encoding the response")
		res.status = http.StatusInternalServerError
	}
	h := respond.Header("Content-Type", "application/json; charset=utf-8", "Cache-Control", "no-store")
	return respond.Response{Status: res.status, Header: h, Body: buf.Bytes()}
}

// errBodyTooLarge refuses a body over MaxBodyBytes.
func errBodyTooLarge() *Error {
	return errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", MaxBodyBytes)
}

// readBody reads a request body of at most MaxBodyBytes.
func readBody(r *http.Request) ([]byte, *Error) {
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errBodyTooLarge()
		}
		return nil, errorf(http.StatusBadRequest, "reading the request body: %v", err)
	}
	return data, nil
}

// decode reads a JSON body strictly into v: at most MaxBodyBytes, no
// unknown fields, one value.
func decode(r *http.Request, v any) *Error {
	data, e := readBody(r)
	if e != nil {
		return e
	}
	return decodeBytes(data, v, "")
}

// decodeBytes decodes one JSON value strictly; at names the value in error
// messages ("" for the body).
func decodeBytes(data []byte, v any, at string) *Error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errorf(http.StatusBadRequest, "%s: empty, want a JSON object", nameOr(at, "request body"))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(http.StatusBadRequest, "%s", jsonError(at, err))
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "%s: more than one JSON value", nameOr(at, "request body"))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(http.StatusBadRequest, "%s: trailing data after the JSON value", nameOr(at, "request body"))
	}
	return nil
}

func nameOr(at, def string) string {
	if at == "" {
		return def
	}
	return at
}

// jsonError words a decoding error with the key it concerns; at names the
// value that was decoded ("" for the request body).
func jsonError(at string, err error) string {
	var lim *limitError
	if errors.As(err, &lim) {
		return lim.msg
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("%s: %s", joinKey(at, te.Field), valueError(err))
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Sprintf("%s: unknown key", joinKey(at, strings.Trim(f, `"`)))
	}
	return fmt.Sprintf("%s: %s", nameOr(at, "request body"), valueError(err))
}

func joinKey(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

// valueError says what was wrong with a JSON value, without naming it.
func valueError(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var pe *time.ParseError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("want %s, got JSON %s", jsonType(te.Type.String()), te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	case errors.As(err, &pe):
		return fmt.Sprintf("want an RFC 3339 time, got %q", pe.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonType(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint") || strings.HasPrefix(goType, "float"):
		return "a number"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "time.Time":
		return "an RFC 3339 time string"
	}
	return "an object"
}

// limitError is a limit a JSON value passed while it was decoded; its
// message names the key and the limit.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }
