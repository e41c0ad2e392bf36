// Package javajson writes JSON strings and doubles the way the vendors'
// Java serializers do, not as encoding/json does. Strings: only '"', '\\'
// and control characters are escaped; '<', '>', '&', non-ASCII text and U+2028/2029
// travel as they are, and invalid UTF-8 becomes U+FFFD (a Java string cannot
// hold it). It is vendor-neutral and imports only the standard library.
package javajson

import (
	"math"
	"strconv"
	"unicode/utf8"
)

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
	for {
		// Up to the next byte to escape: copied as it is when it is valid
		// UTF-8, the usual case, rune by rune otherwise.
		n, ascii := UnescapedPrefix(s)
		if seg := s[:n]; ascii || utf8.ValidString(seg) {
			b = append(b, seg...)
		} else {
			b = appendReplacingInvalid(b, seg)
		}
		if n == len(s) {
			return append(b, '"')
		}
		b = AppendEscape(b, s[n], hex)
		s = s[n+1:]
	}
}

// AppendVerbatim appends s quoted and as it is, without looking at it: for
// a string known to hold nothing AppendString changes (valid UTF-8 without
// a control character, '"' or '\\'), such as a generated text.
func AppendVerbatim(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendReplacingInvalid appends s with each byte that does not begin a
// valid UTF-8 sequence written as U+FFFD.
func appendReplacingInvalid(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(append(b, s[start:i]...), "\uFFFD"...)
			start = i + 1
		}
		i += size
	}
	return append(b, s[start:]...)
}

// AppendEscape appends the escape of c, an ASCII byte a JSON string must
// escape ('"', '\\' or a control character): the short forms JSON has,
// else \u00XX with hex (UpperHex or LowerHex).
func AppendEscape(b []byte, c byte, hex string) []byte {
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
	return b
}

// DoubleForm is how a vendor's serializer writes a double.
type DoubleForm int

const (
	// JavaDouble is Java's Double.toString, which Jackson writes (Easemob):
	// the shortest digits that read back, ".0" on whole numbers (116.0), and
	// computerized scientific notation below 10⁻³ and from 10⁷ (1.0E-4,
	// 1.2345678E7).
	JavaDouble DoubleForm = iota
	// PlainDouble is always positional, with ".0" on whole numbers (120.0)
	// (Yunxin).
	PlainDouble
)

// AppendDouble appends f in form. NaN and infinities, which JSON cannot
// hold and the world never makes, are written 0.
func AppendDouble(b []byte, f float64, form DoubleForm) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, '0')
	}
	if abs := math.Abs(f); form == JavaDouble && abs != 0 && (abs < 1e-3 || abs >= 1e7) {
		s := strconv.FormatFloat(f, 'E', -1, 64)
		mant, exp, _ := cut(s, 'E')
		if !contains(mant, '.') {
			mant += ".0"
		}
		if exp[0] == '+' {
			exp = exp[1:]
		}
		for len(exp) > 1 && exp[0] == '0' {
			exp = exp[1:]
		}
		if len(exp) > 2 && exp[0] == '-' && exp[1] == '0' {
			exp = "-" + exp[2:]
		}
		return append(append(append(b, mant...), 'E'), exp...)
	}
	n := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	if !contains(string(b[n:]), '.') {
		b = append(b, '.', '0')
	}
	return b
}

func cut(s string, c byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func contains(s string, c byte) bool {
	_, _, ok := cut(s, c)
	return ok
}
