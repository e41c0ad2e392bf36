// Package gojson appends JSON exactly as encoding/json writes it with
// SetEscapeHTML(false) (the form the vendors' pages were matched against),
// for the values a page renders often, without encoding/json's reflection:
// strings, numbers, and the maps and slices of scenario and generated
// values. It is vendor-neutral and imports only the standard library and
// javajson (whose escapes of ASCII bytes are encoding/json's too).
package gojson

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chatemu/chatemu/emulator/internal/javajson"
)

// AppendString appends s quoted as encoding/json does without HTML
// escaping: control characters, quote and backslash escaped, invalid UTF-8
// as \ufffd, U+2028 and U+2029 escaped.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	for {
		// Up to the next ASCII byte to escape: copied as it is when it is
		// valid UTF-8 without U+2028 or U+2029 (whose encodings alone begin
		// E2 80 A8/A9), the usual case, rune by rune otherwise.
		n, ascii := javajson.UnescapedPrefix(s)
		if seg := s[:n]; ascii || utf8.ValidString(seg) && !hasLineSeparator(seg) {
			b = append(b, seg...)
		} else {
			b = appendRunes(b, seg)
		}
		if n == len(s) {
			return append(b, '"')
		}
		b = javajson.AppendEscape(b, s[n], javajson.LowerHex)
		s = s[n+1:]
	}
}

// hasLineSeparator reports whether valid UTF-8 s holds U+2028 or U+2029.
func hasLineSeparator(s string) bool {
	for {
		i := strings.Index(s, "\xe2\x80")
		if i < 0 || i+2 >= len(s) {
			return false
		}
		if c := s[i+2]; c == 0xa8 || c == 0xa9 {
			return true
		}
		s = s[i+2:]
	}
}

// appendRunes appends s, which holds no ASCII byte to escape, with invalid
// bytes as \ufffd and U+2028 and U+2029 escaped.
func appendRunes(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', javajson.LowerHex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(b, s[start:]...)
}

// AppendFloat appends f as encoding/json does (ES6 number formatting) for
// a float of bits 32 or 64; f must be finite.
func AppendFloat(b []byte, f float64, bits int) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// maxDepth bounds AppendValue's nesting; deeper values go to
// encoding/json, whose own limit answers them.
const maxDepth = 32

// AppendValue appends v as encoding/json.Marshal with SetEscapeHTML(false)
// would, map keys sorted, for nil, booleans, strings, integers, finite
// floats, []any, []string, map[string]any and map[string]string, nested;
// for any other value (or a NaN or an infinity) it returns b unchanged and
// false, for the caller to use encoding/json.
func AppendValue(b []byte, v any) ([]byte, bool) {
	out, ok := appendValue(b, v, 0)
	if !ok {
		return b, false
	}
	return out, true
}

func appendValue(b []byte, v any, depth int) ([]byte, bool) {
	if depth > maxDepth {
		return b, false
	}
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), true
	case bool:
		return strconv.AppendBool(b, v), true
	case string:
		return AppendString(b, v), true
	case int:
		return strconv.AppendInt(b, int64(v), 10), true
	case int8, int16, int32, int64:
		// The other sizes are rare in page values: reflect.Value reads
		// them without allocating.
		return strconv.AppendInt(b, reflect.ValueOf(v).Int(), 10), true
	case uint, uint8, uint16, uint32, uint64:
		return strconv.AppendUint(b, reflect.ValueOf(v).Uint(), 10), true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return b, false
		}
		return AppendFloat(b, v, 64), true
	case float32:
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return b, false
		}
		return AppendFloat(b, float64(v), 32), true
	case []any:
		return appendArray(b, v, depth)
	case []string:
		return appendArray(b, v, depth)
	case map[string]any:
		return appendObject(b, v, depth)
	case map[string]string:
		return appendObject(b, v, depth)
	}
	return b, false
}

// appendArray appends v, a []any or a []string, as a JSON array.
func appendArray[E any](b []byte, v []E, depth int) ([]byte, bool) {
	if v == nil {
		return append(b, "null"...), true
	}
	b = append(b, '[')
	for i, e := range v {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendValue(b, e, depth+1); !ok {
			return b, false
		}
	}
	return append(b, ']'), true
}

// appendObject appends m, a map[string]any or a map[string]string, as a
// JSON object, keys sorted.
func appendObject[V any](b []byte, m map[string]V, depth int) ([]byte, bool) {
	if m == nil {
		return append(b, "null"...), true
	}
	b = append(b, '{')
	var kb [8]string // a few keys fit on the stack
	for i, k := range sortedKeys(m, kb[:0]) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(AppendString(b, k), ':')
		var ok bool
		if b, ok = appendValue(b, m[k], depth+1); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// sortedKeys appends m's keys to keys in encoding/json's order.
func sortedKeys[V any](m map[string]V, keys []string) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
