// Package routes is chatemu's one route table: every path of the control
// API and of each vendor surface, declared in one place, in the order the
// router tries them, with the surface that answers it and the route's name.
// The server mounts the whole table (emulator/routes.go); each surface's
// Routes mounts its own rows, which its package's tests serve; the server's
// path → vendor mapping for the journal and the faults (SurfaceOf) is read
// from the same rows.
//
// A vendor route's name is the journal operation it serves
// (emulator/journal/operations.go); a control route's is "control." and a
// word. A surface turns a name into its handler (its Handler method); the
// methods a route answers, and the vendor's error for the others, are the
// handler's business, so no row restricts a method.
//
// routes imports journal and gorilla/mux. It holds data only: no surface's
// code, so every surface may import it.
package routes

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/journal"
)

// Surface names who answers a route.
type Surface string

// The surfaces, in routing order.
const (
	Control Surface = "control"
	Yunxin  Surface = "yunxin"
	Op      Surface = "op"
	Easemob Surface = "easemob"
)

// The control API's route names.
const (
	ControlHealth   = "control.health"
	ControlOpenAPI  = "control.openapi"
	ControlTenants  = "control.tenants"
	ControlTenant   = "control.tenant"
	ControlFaults   = "control.faults"
	ControlFault    = "control.fault"
	ControlRequests = "control.requests"
	ControlClock    = "control.clock"
	ControlMessages = "control.messages"
	ControlReset    = "control.reset"
	// The journal followed, and the world browsed (the inspector's).
	ControlRequestStream = "control.request_stream"
	ControlRequest       = "control.request"
	ControlWorld         = "control.world"
	ControlArchiveHours  = "control.archive_hours"
	ControlHourRecords   = "control.hour_records"
	ControlYunxinRooms   = "control.yunxin_rooms"
	ControlYunxinPage    = "control.yunxin_page"
	ControlOpUsers       = "control.op_users"
	ControlOpPage        = "control.op_page"
	// ControlUI is the inspector's pages (emulator/inspector), served by
	// the server beside the control API.
	ControlUI      = "control.ui"
	ControlUnknown = "control.unknown"
)

// Route is one row of the table.
type Route struct {
	Surface Surface
	// Name names the route: the journal operation of a vendor route, a
	// Control… name of the control API's.
	Name string
	// Path is a gorilla/mux path template; with Prefix, a literal path
	// prefix that the route answers every path under.
	Path   string
	Prefix bool
}

// Multi-segment variables match "(?s:.+)", not ".+": a key or path may hold
// a newline (%0A), which "." would not match, leaving the request to the
// server's plain 404 instead of the vendor's answer.
const (
	// easemobOrg is an Easemob org: never starting with "_", since /_…
	// paths are chatemu's own (/_chatemu, /_oss, /_nos, /_qiniu) and one
	// unknown there is the server's plain 404.
	easemobOrg = "/{org:[^_/][^/]*}"
	rest       = "{rest:(?s:.+)}"
)

// Table returns the routes in routing order: the control API first (its
// catch-all keeps every /_chatemu/ path from the vendors), then the vendors
// whose paths are fixed, Yunxin and Op, each closing its own prefixes with
// a catch-all in its own format, so that a mistyped path of theirs never
// gets another vendor's body; Easemob last, whose /{org}/{app}/… patterns
// and unknown-API catch-all would otherwise shadow them. A path no row
// matches gets the server's plain 404.
func Table() []Route { return slices.Clone(table) }

// table is the table; nothing writes it.
var table = []Route{
	{Control, ControlHealth, "/_chatemu/health", false},
	{Control, ControlOpenAPI, "/_chatemu/openapi.json", false},
	{Control, ControlTenants, "/_chatemu/tenants", false},
	{Control, ControlTenant, "/_chatemu/tenants/{tenant:.+}", false},
	{Control, ControlFaults, "/_chatemu/faults", false},
	{Control, ControlFault, "/_chatemu/faults/{id}", false},
	{Control, ControlRequests, "/_chatemu/requests", false},
	{Control, ControlClock, "/_chatemu/clock", false},
	{Control, ControlMessages, "/_chatemu/messages", false},
	{Control, ControlReset, "/_chatemu/reset", false},
	{Control, ControlRequestStream, "/_chatemu/requests/stream", false},
	{Control, ControlRequest, "/_chatemu/requests/{seq}", false},
	{Control, ControlWorld, "/_chatemu/world", false},
	{Control, ControlArchiveHours, "/_chatemu/world/easemob/{org}/{app}/hours", false},
	{Control, ControlHourRecords, "/_chatemu/world/easemob/{org}/{app}/hours/{hour}", false},
	{Control, ControlYunxinRooms, "/_chatemu/world/yunxin/{appkey}/rooms", false},
	{Control, ControlYunxinPage, "/_chatemu/world/yunxin/{appkey}/rooms/{room}/messages", false},
	{Control, ControlOpUsers, "/_chatemu/world/op/{client}/users", false},
	{Control, ControlOpPage, "/_chatemu/world/op/{client}/users/{user}/messages", false},
	{Control, ControlUI, "/_chatemu/ui{page:(?:/(?s:.*))?}", false},
	{Control, ControlUnknown, "/_chatemu/", true},

	// The chatroom history: /im/v2 (the vendor's page) and /im/v2.1
	// (its current list and both SDKs), each bare and under the Go
	// SDK's /nimserver prefix (yunxin-server-sdk-golang
	// src/core/base/constants.go).
	{Yunxin, string(journal.YunxinChatroomHistory), "/im/v2/chatrooms/{room_id}/messages", false},
	{Yunxin, string(journal.YunxinChatroomHistory), "/im/v2.1/chatrooms/{room_id}/messages", false},
	{Yunxin, string(journal.YunxinChatroomHistory), "/nimserver/im/v2/chatrooms/{room_id}/messages", false},
	{Yunxin, string(journal.YunxinChatroomHistory), "/nimserver/im/v2.1/chatrooms/{room_id}/messages", false},
	// The attachment files, and every other key under /_nos/ (a/b,
	// ../x), which NOS answers in S3's XML.
	{Yunxin, string(journal.YunxinDownload), "/_nos/{appkey}/{file}", false},
	{Yunxin, string(journal.YunxinDownload), "/_nos/", true},
	{Yunxin, string(journal.YunxinUnknown), "/im/v2/", true},
	{Yunxin, string(journal.YunxinUnknown), "/im/v2.1/", true},
	{Yunxin, string(journal.YunxinUnknown), "/nimserver/", true},

	{Op, string(journal.OpUserMessageList), "/op/v2/userMessageList", false},
	{Op, string(journal.OpQiniuDownload), "/_qiniu/{key:(?s:.+)}", false},
	{Op, string(journal.OpUnknown), "/op/", true},

	{Easemob, string(journal.EasemobArchiveDownload), "/_oss/{bucket}/{object:(?s:.+)}", false},
	{Easemob, string(journal.EasemobToken), easemobOrg + "/{app}/token", false},
	{Easemob, string(journal.EasemobChatMessages), easemobOrg + "/{app}/chatmessages/{time}", false},
	{Easemob, string(journal.EasemobChatFiles), easemobOrg + "/{app}/chatfiles/{uuid}", false},
	{Easemob, string(journal.EasemobUnknown), easemobOrg + "/{app}/" + rest, false},
}

// Handlers gives, for each surface it mounts, the handler of each of its
// route names (the surfaces' Handler methods).
type Handlers map[Surface]func(name string) http.Handler

// Mount registers on r, in table order, the routes of the surfaces h
// holds, each with its handler. It panics when a surface has none for one
// of its routes: the table names a route no handler serves, a bug the
// first request finds (and TestTable before it).
//
// The control API's rows go under one prefix route, /_chatemu, so that a
// vendor request, mounted after them, pays one match for all of them.
func Mount(r *mux.Router, h Handlers) {
	var control *mux.Router
	for _, rt := range table {
		handler, ok := h[rt.Surface]
		if !ok {
			continue
		}
		hh := handler(rt.Name)
		if hh == nil {
			panic(fmt.Sprintf("routes: %s serves no route %s (%s)", rt.Surface, rt.Name, rt.Path))
		}
		on, path := r, rt.Path
		if rest, ok := strings.CutPrefix(rt.Path, controlPrefix); ok && rt.Surface == Control {
			if control == nil {
				control = r.PathPrefix(controlPrefix).Subrouter()
			}
			on, path = control, rest
		}
		var route *mux.Route
		if rt.Prefix {
			route = on.PathPrefix(path)
		} else {
			route = on.Path(path)
		}
		route.Handler(hh).Name(rt.Name)
	}
}

// controlPrefix is the control API's path prefix, without its slash.
const controlPrefix = "/_chatemu"

// SurfaceOf says whose a request path is, for the journal and the faults,
// before it is routed: the surface of the first route whose literal
// beginning (its path up to the first variable) the path starts with.
// Easemob's routes begin with a variable ({org}), so Easemob, the fallback
// vendor, has every path the others do not claim; for the router, too, a
// path the others do not take is Easemob's or no one's.
func SurfaceOf(path string) Surface {
	for _, c := range claims {
		if strings.HasPrefix(path, c.literal) {
			return c.surface
		}
	}
	return Easemob
}

// claim is a route's literal beginning and its surface.
type claim struct {
	literal string
	surface Surface
}

// claims are the table's literal beginnings in order, but "/" (a route
// that begins with a variable claims no path by its beginning); nothing
// writes them.
var claims = func() []claim {
	var out []claim
	for _, rt := range table {
		if lit, _, _ := strings.Cut(rt.Path, "{"); lit != "/" {
			out = append(out, claim{lit, rt.Surface})
		}
	}
	return out
}()
