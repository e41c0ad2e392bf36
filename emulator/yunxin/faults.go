package yunxin

import (
	"net/http"
	"strings"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
)

// Operation names, the names of the routes (and of the journal's
// operations).
const (
	OpChatroomHistory = "yunxin.chatroom_history"
	OpDownload        = "yunxin.download"
	OpUnknown         = "yunxin.unknown"
)

// NOS's S3-compatible error codes for the download presets [guess: NOS is
// S3-compatible and documents no throttling body of its own].
const (
	nosCodeSlowDown         = "SlowDown"
	nosMessageSlowDown      = "Please reduce your request rate."
	nosCodeInternalError    = "InternalError"
	nosMessageInternalError = "We encountered an internal error. Please try again."
	nosCodeAccessDenied     = "AccessDenied"
	nosMessageAccessDenied  = "Access Denied"
)

// WriteFault answers r with the fault preset kind in Yunxin's format, as
// the server's fault injection asks (DESIGN §3), and reports whether kind
// is a preset. reason goes in X-Chatemu-Reason. API paths get HTTP 200 and
// the v2 envelope, as every Yunxin business error (vendor-notes §3.3, §7):
//
//   - rate_limit: code 416 "frequency control" (the limiter's answer);
//   - server_error: code 500 "internal server error";
//   - unauthorized: code 414 "checksum" (a wrong signature's answer).
//
// Attachment files under /_nos/ get NOS's S3-style XML: 503 SlowDown, 500
// InternalError, 403 AccessDenied. The limiter does not count the request.
func (s *Surface) WriteFault(w http.ResponseWriter, r *http.Request, kind faults.Kind, reason string) bool {
	if strings.HasPrefix(r.URL.Path, "/_nos/") {
		var status int
		var code, msg string
		switch kind {
		case faults.RateLimit:
			status, code, msg = http.StatusServiceUnavailable, nosCodeSlowDown, nosMessageSlowDown
		case faults.ServerError:
			status, code, msg = http.StatusInternalServerError, nosCodeInternalError, nosMessageInternalError
		case faults.Unauthorized:
			status, code, msg = http.StatusForbidden, nosCodeAccessDenied, nosMessageAccessDenied
		default:
			return false
		}
		if app, ok := s.cfg.World.YunxinApp(strings.SplitN(strings.TrimPrefix(r.URL.Path, "/_nos/"), "/", 2)[0]); ok {
			journal.SetTenant(r, string(app.Tenant()))
		}
		writeNOSError(w, r, status, code, msg, "", reason)
		return true
	}
	var e *Error
	switch kind {
	case faults.RateLimit:
		e = &Error{Code: CodeFrequency, Msg: MsgFrequencyControl, Reason: reason}
	case faults.ServerError:
		e = &Error{Code: CodeServer, Msg: MsgInternalError, Reason: reason}
	case faults.Unauthorized:
		e = authError(MsgCheckSum, reason)
	default:
		return false
	}
	if app, ok := s.cfg.World.YunxinApp(r.Header.Get("AppKey")); ok {
		journal.SetTenant(r, string(app.Tenant()))
	}
	writeError(w, e)
	return true
}
