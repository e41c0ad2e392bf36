package easemob

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/chatemu/chatemu/emulator/internal/javajson"
	"github.com/chatemu/chatemu/emulator/world"
)

// The surface writes JSON by hand: key order is part of the wire format
// (Usergrid's @JsonPropertyOrder in rest/ApiResponse.java), and escaping follows
// Jackson, the vendor's serializer, not encoding/json: only '"', '\\' and
// control characters are escaped; '<', '>', '&' and non-ASCII text travel
// as they are (encoding/json would turn the '&' of every signed URL into
// \u0026).

// appendString appends s as a JSON string, escaped as Jackson does (upper-case
// \u escapes).
func appendString(b []byte, s string) []byte { return javajson.AppendString(b, s, javajson.UpperHex) }

// appendText writes m's text as appendString does; a generated text,
// known to need nothing of it, is copied as it is.
func appendText(b []byte, m *world.Message) []byte {
	if m.TextPlain {
		return javajson.AppendVerbatim(b, m.Text)
	}
	return appendString(b, m.Text)
}

// appendDouble appends f as Java's Double.toString does (116.0, 1.0E-4).
func appendDouble(b []byte, f float64) []byte {
	return javajson.AppendDouble(b, f, javajson.JavaDouble)
}

// appendAny appends a JSON value of the shapes the world's ext maps hold.
// Map keys are sorted: the world keeps no insertion order, and a stable
// order is what makes archives byte-identical run to run.
func appendAny(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.AppendInt(b, int64(x), 10) // a JSON integer decoded into any
		}
		return appendDouble(b, x)
	case json.Number:
		return append(b, x...)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendAny(b, x[k])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAny(b, e)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e)
		}
		return append(b, ']')
	default:
		// Other Go values (a scenario's typed numbers): encoding/json without
		// HTML escaping, which matches Jackson for numbers and bools.
		raw, err := json.Marshal(x)
		if err != nil {
			return append(b, "null"...)
		}
		return append(b, raw...)
	}
}
