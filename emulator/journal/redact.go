package journal

import (
	"strings"
)

// Redacted replaces a credential's value wherever the journal keeps it.
const Redacted = "REDACTED"

// secretNames are the names under which the vendors carry credentials, in
// headers, query parameters, form fields and JSON keys (compared without
// case): the Authorization bearer token and client_secret of Easemob's
// token request, the access_token it answers, share-secret for restricted
// chatfiles, OSS's Signature and security-token, Yunxin's CheckSum, the Op
// API's token and sign, Qiniu's download token; and the web's usual ones.
// AppKey, Nonce, CurTime, client_id, OSSAccessKeyId and Expires identify or
// date a request and stay; so do page tokens (next_token, page_token).
var secretNames = []string{
	"authorization", "proxy-authorization", "cookie", "set-cookie",
	"client_secret", "access_token", "refresh_token", "share-secret", "share_secret",
	"signature", "security-token", "x-oss-security-token",
	"checksum", "token", "sign", "secret", "app_secret", "appsecret", "password",
}

// secretsByLen are secretNames by length, so that an ASCII name is
// compared only with those as long (a JSON answer has many keys); a name
// with other bytes may fold to one of another length (U+212A KELVIN SIGN
// folds to k) and is compared with all.
var secretsByLen = func() (l [32][]string) {
	for _, s := range secretNames {
		l[len(s)] = append(l[len(s)], s)
	}
	return l
}()

// secretName reports whether name carries a credential.
func secretName(name string) bool {
	names := secretNames
	if isASCII(name) {
		if len(name) >= len(secretsByLen) {
			return false
		}
		names = secretsByLen[len(name)]
	}
	for _, s := range names {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// redactHeader returns a header's value with a credential replaced; an
// Authorization keeps its scheme ("Bearer REDACTED"), which says how the
// client authenticated without saying with what.
func redactHeader(name, value string) string {
	if !secretName(name) {
		return value
	}
	if strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") {
		if scheme, _, ok := strings.Cut(value, " "); ok && scheme != "" {
			if scheme == "Bearer" {
				return "Bearer " + Redacted // the usual case, without allocating
			}
			return scheme + " " + Redacted
		}
	}
	return Redacted
}

// redactParams replaces the values of credential parameters in s, which
// holds name=value pairs separated by '&' (a query string or a form body),
// and in the query strings of URLs within s (a JSON or XML body whose links
// are signed). A parameter starts s or follows '?', '&' or JSON's "\u0026";
// its value ends at '&', '"', '\', '<', whitespace or the end. s is returned
// unchanged, without allocating, when it holds no credential.
func redactParams(s string) string {
	var out splicer
	starts := paramStarts{s: s}
	for i := 0; i < len(s); {
		start := paramStart(s, i)
		if start < 0 {
			// Past position 0, only '?', '&' and '\' start a parameter.
			if i = starts.from(i + 1); i < 0 {
				break
			}
			continue
		}
		eq := start
		for eq < len(s) && s[eq] != '=' && !paramEnd(s[eq]) {
			eq++
		}
		if eq == len(s) || s[eq] != '=' || eq == start || !secretName(unescape(s[start:eq])) {
			i = max(eq, i+1)
			continue
		}
		end := eq + 1
		for end < len(s) && !paramEnd(s[end]) {
			end++
		}
		if end > eq+1 {
			out.redact(s, eq+1, end)
		}
		i = end
	}
	return out.result(s)
}

// paramStarts finds the bytes that can start a parameter past position 0
// ('?', '&', '\\'), each with strings.IndexByte, remembering where each
// one next occurs: a body without them is scanned once per byte kind.
type paramStarts struct {
	s    string
	next [3]int // next index of each byte at or after the last search; -1 none
}

var paramStartBytes = [3]byte{'?', '&', '\\'}

// from returns the first index at or after i of a byte that can start a
// parameter, or -1; i only grows from call to call.
func (p *paramStarts) from(i int) int {
	best := -1
	for k, c := range paramStartBytes {
		if p.next[k] >= 0 && p.next[k] < i {
			if j := strings.IndexByte(p.s[i:], c); j >= 0 {
				p.next[k] = i + j
			} else {
				p.next[k] = -1
			}
		}
		if n := p.next[k]; n >= 0 && (best < 0 || n < best) {
			best = n
		}
	}
	return best
}

// splicer builds s with some spans replaced by Redacted, allocating only
// from the first span replaced.
type splicer struct {
	b    strings.Builder
	last int // s[:last] is written to b; 0 until a span is replaced
}

// redact replaces s[from:to], which follows the spans already replaced,
// unless it is Redacted already.
func (p *splicer) redact(s string, from, to int) {
	if s[from:to] == Redacted {
		return
	}
	if p.last == 0 {
		p.b.Grow(len(s) + 2*len(Redacted))
	}
	p.b.WriteString(s[p.last:from])
	p.b.WriteString(Redacted)
	p.last = to
}

// result returns s with the spans replaced: s itself when there were none.
func (p *splicer) result(s string) string {
	if p.last == 0 {
		return s
	}
	p.b.WriteString(s[p.last:])
	return p.b.String()
}

// paramStart returns where a parameter name starts at i, or -1.
func paramStart(s string, i int) int {
	switch {
	case i == 0:
		return 0
	case s[i] == '?' || s[i] == '&':
		return i + 1
	case strings.HasPrefix(s[i:], `\u0026`):
		return i + len(`\u0026`)
	}
	return -1
}

func paramEnd(c byte) bool {
	return c == '&' || c == '"' || c == '\\' || c == '<' || c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// unescape decodes the %XX escapes of a parameter name, enough to see
// "Signature" in "%53ignature".
func unescape(name string) string {
	if !strings.Contains(name, "%") {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] == '%' && i+2 < len(name) && isHex(name[i+1]) && isHex(name[i+2]) {
			b.WriteByte(unhex(name[i+1])<<4 | unhex(name[i+2]))
			i += 2
			continue
		}
		b.WriteByte(name[i])
	}
	return b.String()
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// redactJSON replaces the string values of credential keys in s, a JSON
// text (possibly cut short): {"client_secret":"x"} becomes
// {"client_secret":"REDACTED"}. s is returned unchanged, without
// allocating, when it holds no credential.
func redactJSON(s string) string {
	var out splicer
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			k := strings.IndexByte(s[i:], '"')
			if k < 0 {
				break
			}
			i += k
		}
		end := stringEnd(s, i+1)
		key := s[i+1 : end]
		j := end + 1
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != ':' {
			i = end
			continue
		}
		j++
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != '"' || !secretName(key) {
			i = j - 1
			continue
		}
		vEnd := stringEnd(s, j+1)
		out.redact(s, j+1, vEnd)
		i = vEnd
	}
	return out.result(s)
}

// stringEnd returns the index of the quote closing the JSON string whose
// content starts at i, or len(s) for a string cut short: the first quote
// after an even run of backslashes (each escapes the byte after it).
func stringEnd(s string, i int) int {
	for {
		k := strings.IndexByte(s[i:], '"')
		if k < 0 {
			return len(s)
		}
		q := i + k
		n := 0
		for q-1-n >= i && s[q-1-n] == '\\' {
			n++
		}
		if n%2 == 0 {
			return q
		}
		i = q + 1
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// secretElements are the XML elements whose text is a credential: OSS's
// SignatureDoesNotMatch echoes the signature the client sent.
var secretElements = []string{"SignatureProvided"}

// redactXML replaces the text of secretElements in s.
func redactXML(s string) string {
	var out splicer
	for _, el := range secretElements {
		open, closing := "<"+el+">", "</"+el+">"
		i := strings.Index(s, open)
		if i < 0 || i < out.last {
			continue
		}
		from := i + len(open)
		to := strings.Index(s[from:], closing)
		if to < 0 {
			to = len(s) - from
		}
		if to > 0 {
			out.redact(s, from, from+to)
		}
	}
	return out.result(s)
}

// redactBody redacts a request or response body: credential keys of JSON,
// credential parameters of forms and of the links in it, OSS's echoed
// signature.
func redactBody(s string) string {
	if s == "" {
		return s
	}
	return redactXML(redactParams(redactJSON(s)))
}
