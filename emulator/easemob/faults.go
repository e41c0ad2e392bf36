package easemob

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/sign"
)

// Operation names, the names of the routes (and of the journal's
// operations).
const (
	OpToken           = "easemob.token"
	OpChatMessages    = "easemob.chatmessages"
	OpChatFiles       = "easemob.chatfiles"
	OpArchiveDownload = "easemob.archive_download"
	OpUnknown         = "easemob.unknown"
)

// The preset faults' texts where the vendor documents none.
const (
	// [guess] No generic Easemob 500 is documented; JAX-RS's
	// InternalServerErrorException gives internal_server_error by
	// Usergrid's class-name rule, and its default message.
	codeInternalServerError = "internal_server_error"
	excInternalServerError  = "javax.ws.rs.InternalServerErrorException"
	descInternalServerError = "HTTP 500 Internal Server Error"

	// OSS's throttling and internal errors, with S3's wording, which OSS
	// shares for these codes [guess for SlowDown: OSS documents QPS limits
	// but not their body].
	ossCodeSlowDown         = "SlowDown"
	ossMessageSlowDown      = "Please reduce your request rate."
	ossCodeInternalError    = "InternalError"
	ossMessageInternalError = "We encountered an internal error. Please try again."
)

// WriteFault answers r with the fault preset kind in Easemob's format, as
// the server's fault injection asks (DESIGN §3), and reports whether kind
// is a preset. reason goes in X-Chatemu-Reason. REST paths get the
// Usergrid envelope:
//
//   - rate_limit: 429 reach_limit, "This request has reached api limit";
//   - server_error: 500 internal_server_error [guess];
//   - unauthorized: 401 unauthorized, "Unable to authenticate due to
//     expired access token" (what a stale token gets, vendor-notes §1.5).
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
		e = &Error{Status: http.StatusInternalServerError, Code: codeInternalServerError, Exception: excInternalServerError,
			Description: descInternalServerError, Reason: reason}
	case faults.Unauthorized:
		e = errTokenExpired(reason)
	default:
		return false
	}
	v := mux.Vars(r)
	if app, ok := s.cfg.World.EasemobApp(v["org"], v["app"]); ok {
		journal.SetTenant(r, string(app.Tenant()))
	}
	s.fail(w, r, e)
	return true
}

func (s *Surface) ossFault(w http.ResponseWriter, r *http.Request, kind faults.Kind, reason string) bool {
	now := s.cfg.Clock.Now()
	var (
		e      *sign.OSSError
		status int
	)
	switch kind {
	case faults.RateLimit:
		e, status = &sign.OSSError{Code: ossCodeSlowDown, Message: ossMessageSlowDown}, http.StatusServiceUnavailable
	case faults.ServerError:
		e, status = &sign.OSSError{Code: ossCodeInternalError, Message: ossMessageInternalError}, http.StatusInternalServerError
	case faults.Unauthorized:
		expires := now
		if sec, err := strconv.ParseInt(r.URL.Query().Get(sign.OSSParamExpires), 10, 64); err == nil && sec < now.Unix() {
			expires = time.Unix(sec, 0)
		}
		e = sign.OSSExpired(expires, now)
		status = e.HTTPStatus()
	default:
		return false
	}
	e.Reason = reason
	s.ossTenant(r, mux.Vars(r)["object"])
	reqID := s.ossRequestID(now)
	h := w.Header()
	h.Set("Server", "AliyunOSS")
	h.Set("x-oss-request-id", reqID)
	h.Set("Date", now.Format(http.TimeFormat))
	s.ossFailStatus(w, r, reqID, e, status)
	return true
}

// ossTenant names, for the journal, the app whose archive an object key
// is.
func (s *Surface) ossTenant(r *http.Request, object string) {
	if org, name, _, ok := parseArchiveObject(object); ok {
		if app, ok := s.cfg.World.EasemobApp(org, name); ok {
			journal.SetTenant(r, string(app.Tenant()))
		}
	}
}
