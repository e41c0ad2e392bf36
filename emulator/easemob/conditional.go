package easemob

import (
	"net/http"
	"strings"
	"time"
)

// ossPrecondition evaluates a GET or HEAD's conditional headers against an
// archive's ETag and Last-Modified, as OSS's GetObject and HeadObject do
// (https://help.aliyun.com/en/oss/user-guide/http-status-code-412, and the
// order of RFC 9110 section 13.2.2): If-Match, else If-Unmodified-Since, may fail
// with 412; then If-None-Match, else If-Modified-Since, may answer 304. It
// returns 0 when the archive is to be served, else the status and the
// header that decided it. Dates are compared in whole seconds, as HTTP
// dates carry them; an unparsable date is ignored, as HTTP says.
func ossPrecondition(h http.Header, etag string, modified time.Time) (int, string) {
	modified = modified.Truncate(time.Second)
	if v := h.Get("If-Match"); v != "" {
		if !etagListHas(v, etag) {
			return http.StatusPreconditionFailed, "If-Match"
		}
	} else if t, err := http.ParseTime(h.Get("If-Unmodified-Since")); err == nil && modified.After(t) {
		return http.StatusPreconditionFailed, "If-Unmodified-Since"
	}
	if v := h.Get("If-None-Match"); v != "" {
		if etagListHas(v, etag) {
			return http.StatusNotModified, "If-None-Match"
		}
	} else if t, err := http.ParseTime(h.Get("If-Modified-Since")); err == nil && !modified.After(t) {
		return http.StatusNotModified, "If-Modified-Since"
	}
	return 0, ""
}

// etagListHas reports whether a comma list of entity tags (or "*") names
// etag; weak tags compare by their value, as OSS's ETags are all strong.
func etagListHas(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
