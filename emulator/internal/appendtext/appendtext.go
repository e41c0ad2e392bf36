// Package appendtext appends the text forms that the wire formats write for
// every message (a path-escaped URL segment, a calendar date and time) into
// the caller's buffer, without the allocation of their standard library
// forms. It is vendor-neutral and imports only the standard library.
package appendtext

import (
	"net/url"
	"time"
)

// PathEscaped appends url.PathEscape(s), allocating only when s holds a
// character PathEscape changes: letters, digits and "-._~" are kept as they
// are, in PathEscape as here.
func PathEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !unreserved[s[i]] {
			return append(b, url.PathEscape(s)...)
		}
	}
	return append(b, s...)
}

// unreserved marks the bytes PathEscape keeps: one load a byte rather
// than seven comparisons, for the dozens of file ids a page's URLs carry.
var unreserved = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
	}
	return t
}()

// DateTime appends t, in its own location, as t.Format("2006-01-02" + sep
// + "15:04:05") does: sep is ' ' for Java's "yyyy-MM-dd HH:mm:ss", 'T' for
// ISO 8601.
func DateTime(b []byte, t time.Time, sep byte) []byte {
	y, mo, d := t.Date()
	if y < 0 || y > 9999 { // Format's own spelling of such years
		return t.AppendFormat(b, "2006-01-02"+string(sep)+"15:04:05")
	}
	h, mi, s := t.Clock()
	b = digits(b, y, 4)
	b = append(b, '-')
	b = digits(b, int(mo), 2)
	b = append(b, '-')
	b = digits(b, d, 2)
	b = append(b, sep)
	b = digits(b, h, 2)
	b = append(b, ':')
	b = digits(b, mi, 2)
	b = append(b, ':')
	return digits(b, s, 2)
}

// digits appends v, 0 <= v < 10^n, as n decimal digits.
func digits(b []byte, v, n int) []byte {
	b = append(b, "0000"[:n]...)
	for k := len(b) - 1; v > 0; k-- {
		b[k] = byte('0' + v%10)
		v /= 10
	}
	return b
}
