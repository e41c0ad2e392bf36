package easemob

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/internal/s3xml"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/sign"
)

// WriteFault answers r with the fault preset kind in Easemob's format, as
// the server's fault injection asks (docs/control-api.md), and reports whether kind
// is a preset. reason goes in X-Chatemu-Reason. REST paths get the
// Usergrid envelope:
//
//   - rate_limit: 429 reach_limit, "This request has reached api limit";
//   - server_error: 500 internal_server_error [guess];
//   - unauthorized: 401 unauthorized, "Unable to authenticate due to
//     expired access token" (what a stale token gets, easemob-doc error.md).
//
// Archive downloads under /_oss/ get OSS's XML with its headers:
//
//   - rate_limit: 503 SlowDown;
//   - server_error: 500 InternalError;
//   - unauthorized: 403 AccessDenied "Request has expired." with the link's
//     Expires, what a client must answer by asking for a fresh link.
//
// Nothing of the surface's state changes (no token, no rate-limit window),
// so a fault never corrupts the world.
func (s *Surface) WriteFault(w http.ResponseWriter, r *http.Request, kind faults.Kind, reason string) bool {
	if strings.HasPrefix(r.URL.Path, ossPrefix+"/") {
		return s.ossFault(w, r, kind, reason)
	}
	var e *Error
	switch kind {
	case faults.RateLimit:
		e = errReachLimit(reason)
	case faults.ServerError:
		e = errInternal(reason)
	case faults.Unauthorized:
		e = errTokenExpired(reason)
	default:
		return false
	}
	v := mux.Vars(r)
	if app, ok := s.cfg.World.EasemobApp(v["org"], v["app"]); ok {
		journal.SetTenant(r, string(app.Tenant()))
	}
	s.rest.Fail(w, r, e)
	return true
}

func (s *Surface) ossFault(w http.ResponseWriter, r *http.Request, kind faults.Kind, reason string) bool {
	var e *sign.OSSError
	switch kind {
	case faults.RateLimit:
		e = &sign.OSSError{Code: s3xml.CodeSlowDown, Message: s3xml.MessageSlowDown}
	case faults.ServerError:
		e = ossInternalError("")
	case faults.Unauthorized:
		now := s.cfg.Clock.Now()
		expires := now
		if sec, err := strconv.ParseInt(r.URL.Query().Get(sign.OSSParamExpires), 10, 64); err == nil && sec < now.Unix() {
			expires = time.Unix(sec, 0)
		}
		e = sign.OSSExpired(expires, now)
	default:
		return false
	}
	e.Reason = reason
	s.ossTenant(r, mux.Vars(r)["object"])
	s.oss.Fail(w, r, e)
	return true
}
