// Package appendtext appends the text forms that the wire formats write for
// every message (a path-escaped URL segment, a calendar date and time, hex
// digits and UUIDs) into
// the caller's buffer, without the allocation of their standard library
// forms. It is vendor-neutral and imports only the standard library.
package appendtext

import (
	"encoding/binary"
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

// Hex appends src in lower-case hex, as hex.AppendEncode does, four bytes
// at a time: a cold page writes an id or an md5 for most of its messages,
// and hex.AppendEncode's two lookups a byte were a tenth of the ids' making.
func Hex(b, src []byte) []byte {
	n := len(b)
	b = append(b, make([]byte, 2*len(src))...)
	dst := b[n:]
	for len(src) >= 4 {
		hex8(dst, binary.BigEndian.Uint32(src))
		src, dst = src[4:], dst[8:]
	}
	const digits = "0123456789abcdef"
	for i, c := range src {
		dst[2*i], dst[2*i+1] = digits[c>>4], digits[c&0xf]
	}
	return b
}

// UUID appends the UUID whose 16 bytes are hi and lo, big-endian, in the
// 8-4-4-4-12 form, in lower case.
func UUID(b []byte, hi, lo uint64) []byte {
	n := len(b)
	b = append(b, "00000000-0000-0000-0000-000000000000"...)
	u := b[n : n+36]
	hex8(u[0:8], uint32(hi>>32))
	hex4(u[9:13], uint16(hi>>16))
	hex4(u[14:18], uint16(hi))
	hex4(u[19:23], uint16(lo>>48))
	hex8(u[24:32], uint32(lo>>16))
	hex4(u[32:36], uint16(lo))
	return b
}

// hex8 writes x as 8 lower-case hex digits at once: each nibble is spread
// into a byte of its own, and the eight bytes become digits together.
func hex8(dst []byte, x uint32) {
	t := uint64(x)
	t = (t | t<<16) & 0x0000ffff0000ffff
	t = (t | t<<8) & 0x00ff00ff00ff00ff
	t = (t | t<<4) & 0x0f0f0f0f0f0f0f0f
	binary.BigEndian.PutUint64(dst, hexDigits(t))
}

// hex4 is hex8 for 4 digits.
func hex4(dst []byte, x uint16) {
	t := uint32(x)
	t = (t | t<<8) & 0x00ff00ff
	t = (t | t<<4) & 0x0f0f0f0f
	binary.BigEndian.PutUint32(dst, uint32(hexDigits(uint64(t))))
}

// hexDigits turns each byte of t, a nibble, into its lower-case hex
// digit: '0' + n, and 'a' - '0' - 10 more where n is 10 or above (n + 6
// carries into bit 4 exactly then).
func hexDigits(t uint64) uint64 {
	const ones = 0x0101010101010101
	letter := (t + 6*ones) >> 4 & ones
	return t + '0'*ones + letter*('a'-'0'-10)
}
