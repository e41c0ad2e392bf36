package opapi

import (
	"net/http"
	"strings"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/sign"
)

// CodeTooManyRequests and MsgTooManyRequests answer the rate_limit fault
// preset. The vendor documents no rate limit; 429 in
// the envelope follows the page's use of HTTP numbers as codes [guess].
const (
	CodeTooManyRequests Code = 429
	MsgTooManyRequests       = "请求过于频繁"
)

// Qiniu download bodies for the fault presets [guess: Qiniu documents 503
// "服务端不可用" and 599 "服务端操作失败" without their bodies; the
// {"error": …} shape is that of its documented errors].
const (
	QiniuBodyUnavailable = `{"error":"service unavailable"}`
	QiniuBodyServerError = `{"error":"server operation failed"}`
	qiniuStatusServerErr = 599
)

// WriteFault answers r with the fault preset kind in the Op API's format,
// as the server's fault injection asks (docs/control-api.md), and reports whether
// kind is a preset. reason goes in X-Chatemu-Reason. userMessageList gets
// HTTP 200 and the envelope, as every error of the surface:
//
//   - rate_limit: code 429 "请求过于频繁" [guess];
//   - server_error: code 500 "系统错误";
//   - unauthorized: code 401 "token无效".
//
// Qiniu downloads under /_qiniu/ get Qiniu's JSON: 503
// {"error":"service unavailable"}, 599 {"error":"server operation
// failed"}, 401 {"error":"download token auth failed"}.
func (s *Surface) WriteFault(w http.ResponseWriter, r *http.Request, kind faults.Kind, reason string) bool {
	if strings.HasPrefix(r.URL.Path, QiniuPathPrefix) {
		var e *qiniuError
		switch kind {
		case faults.RateLimit:
			e = &qiniuError{http.StatusServiceUnavailable, QiniuBodyUnavailable, reason}
		case faults.ServerError:
			e = qiniuInternalError(reason)
		case faults.Unauthorized:
			e = &qiniuError{http.StatusUnauthorized, sign.QiniuBodyAuthFailed, reason}
		default:
			return false
		}
		s.qiniuTenant(r)
		s.qiniu.Fail(w, r, e)
		return true
	}
	var e *Error
	switch kind {
	case faults.RateLimit:
		e = fail(CodeTooManyRequests, MsgTooManyRequests, reason)
	case faults.ServerError:
		e = errInternal(reason)
	case faults.Unauthorized:
		e = fail(CodeUnauthorized, MsgTokenInvalid, reason)
	default:
		return false
	}
	if c, ok := s.world.OpClient(r.URL.Query().Get("client")); ok {
		journal.SetTenant(r, "op:"+c.Client)
	}
	s.api.Fail(w, r, e)
	return true
}

// qiniuTenant names, for the journal, the first Op client holding the
// request's access key.
func (s *Surface) qiniuTenant(r *http.Request) {
	ak := accessKeyOf(r)
	for _, c := range s.world.OpClients() {
		if ak != "" && c.Qiniu.AccessKey == ak {
			journal.SetTenant(r, "op:"+c.Client)
			return
		}
	}
}
