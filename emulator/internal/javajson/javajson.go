// Package javajson writes JSON strings the way the vendors' Java
// serializers do, not as encoding/json does: only '"', '\\' and control
// characters are escaped; '<', '>', '&', non-ASCII text and U+2028/2029
// travel as they are, and invalid UTF-8 becomes U+FFFD (a Java string cannot
// hold it). It is vendor-neutral and imports only the standard library.
package javajson

import "unicode/utf8"

// Hex digits for \u escapes: Jackson (Easemob) writes upper case; other
// serializers lower case.
const (
	UpperHex = "0123456789ABCDEF"
	LowerHex = "0123456789abcdef"
)

// AppendString appends s as a quoted JSON string, writing \u escapes of
// control characters with hex (UpperHex or LowerHex).
func AppendString(b []byte, s, hex string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\uFFFD"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
