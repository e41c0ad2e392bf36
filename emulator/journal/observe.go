package journal

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// What the server's access log and metrics read of the journal: they
// redact and bound what they print as the journal does what it keeps, and
// read its size at scrape time.

// RedactParams returns s with the values of its credential parameters
// replaced by Redacted, as the journal keeps a query: s is a query string,
// a path with its query, or a text quoting signed links (a reason naming
// the URL it verified). s is returned unchanged, without allocating, when
// it holds no credential.
func RedactParams(s string) string { return redactParams(s) }

// CutField bounds s at MaxField bytes, marked with "…" where it is cut, as
// the journal bounds each string it keeps.
func CutField(s string) string { return cutField(s) }

// Len returns how many entries the journal holds.
func (j *Journal) Len() int {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.count
}

// SetRecords says how many records a request's answer carries (the
// messages of an Easemob archive download), for the server's metrics. It
// does nothing when the request carries no Annotation.
func SetRecords(r *http.Request, n int) {
	if a, ok := r.Context().Value(annotationKey{}).(*Annotation); ok {
		a.Records = n
	}
}

// maxEchoes bounds the credentials RedactEchoes looks for, so that a
// request with thousands of credential parameters costs no more than one
// with a few.
const maxEchoes = 32

// RedactEchoes returns s, a text about r such as its X-Chatemu-Reason,
// with every credential r carries replaced by Redacted: the values of its
// credential headers (an Authorization's credentials after the scheme) and
// query parameters, and the parts of such a value after a ':' (the
// signature of a Qiniu token "AK:sig"), as they are and as Go quotes them.
// A reason that quotes the signature a client provided ("is not the
// provided …") then says so without showing it. s is returned unchanged,
// without allocating, when it holds none of them.
func RedactEchoes(s string, r *http.Request) string {
	if s == "" || r == nil || r.URL == nil {
		return s
	}
	n := 0
	redact := func(v string) {
		for v != "" && n < maxEchoes {
			n++
			// Short values (a "1", an "ab") would redact ordinary words;
			// no vendor credential is that short.
			if len(v) >= 6 {
				s = replaceEcho(s, v)
			}
			_, after, ok := strings.Cut(v, ":")
			if !ok {
				return
			}
			v = after
		}
	}
	for name, vs := range r.Header {
		if !secretName(name) {
			continue
		}
		for _, v := range vs {
			if scheme, cred, ok := strings.Cut(v, " "); ok && (strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization")) && scheme != "" {
				v = strings.TrimSpace(cred)
			}
			redact(v)
		}
	}
	// The query by hand rather than url.ParseQuery, which gives up past
	// its limit of parameters.
	for rest := r.URL.RawQuery; rest != "" && n < maxEchoes; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		name, v, _ := strings.Cut(pair, "=")
		if name, err := url.QueryUnescape(name); err != nil || !secretName(name) {
			continue
		}
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		redact(v)
	}
	return s
}

// replaceEcho replaces v in s, as it is and as strconv.Quote writes it.
func replaceEcho(s, v string) string {
	if strings.Contains(s, v) {
		s = strings.ReplaceAll(s, v, Redacted)
	}
	if q := strconv.Quote(v); q[1:len(q)-1] != v && strings.Contains(s, q[1:len(q)-1]) {
		s = strings.ReplaceAll(s, q[1:len(q)-1], Redacted)
	}
	return s
}
