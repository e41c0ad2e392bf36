package yunxin

import (
	"net/http"
	"strings"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/internal/s3xml"
	"github.com/chatemu/chatemu/emulator/journal"
)

// WriteFault answers r with the fault preset kind in Yunxin's format, as
// the server's fault injection asks (docs/control-api.md), and reports whether kind
// is a preset. reason goes in X-Chatemu-Reason. API paths get HTTP 200 and
// the v2 envelope, as every Yunxin business error
// (yunxin-server-sdk-golang src/core/base/biz_name.go):
//
//   - rate_limit: code 416 "frequency control" (the limiter's answer);
//   - server_error: code 500 "internal server error";
//   - unauthorized: code 414 "checksum" (a wrong signature's answer).
//
// Attachment files under /_nos/ get NOS's S3-style XML: 503 SlowDown, 500
// InternalError, 403 AccessDenied. The limiter does not count the request.
func (s *Surface) WriteFault(w http.ResponseWriter, r *http.Request, kind faults.Kind, reason string) bool {
	if strings.HasPrefix(r.URL.Path, "/_nos/") {
		var e *nosError
		switch kind {
		case faults.RateLimit:
			e = &nosError{status: http.StatusServiceUnavailable, code: s3xml.CodeSlowDown, msg: s3xml.MessageSlowDown}
		case faults.ServerError:
			e = nosInternalError("")
		case faults.Unauthorized:
			e = &nosError{status: http.StatusForbidden, code: s3xml.CodeAccessDenied, msg: s3xml.MessageAccessDenied}
		default:
			return false
		}
		e.reason = reason
		if app, ok := s.cfg.World.YunxinApp(strings.SplitN(strings.TrimPrefix(r.URL.Path, "/_nos/"), "/", 2)[0]); ok {
			journal.SetTenant(r, string(app.Tenant()))
		}
		s.nos.Fail(w, r, e)
		return true
	}
	var e *Error
	switch kind {
	case faults.RateLimit:
		e = &Error{Code: CodeFrequency, Msg: MsgFrequencyControl, Reason: reason}
	case faults.ServerError:
		e = errInternal(reason)
	case faults.Unauthorized:
		e = authError(MsgCheckSum, reason)
	default:
		return false
	}
	if app, ok := s.cfg.World.YunxinApp(r.Header.Get("AppKey")); ok {
		journal.SetTenant(r, string(app.Tenant()))
	}
	s.api.Fail(w, r, e)
	return true
}
