package contract

import (
	"bytes"
	"strconv"

	"github.com/tidwall/gjson"
)

// jsonRewrite writes a JSON document back value by value, keeping its key
// order and its numbers' text: the one walker of the recordings, which
// redacts (str) and trims (keep) them.
type jsonRewrite struct {
	// str, when set, rewrites each string value; key is the object key it
	// is under (an array's elements have the array's). Without it strings
	// are written as they came.
	str func(key, s string) string
	// keep, when set, returns the filter of the array at path (nil: every
	// element stays); an element it refuses is left out.
	keep func(path string) func(el gjson.Result) bool
}

// write writes v, found at path under key, to out.
func (rw jsonRewrite) write(out *bytes.Buffer, v gjson.Result, path, key string) {
	switch {
	case v.IsObject():
		out.WriteByte('{')
		first := true
		v.ForEach(func(k, val gjson.Result) bool {
			if !first {
				out.WriteByte(',')
			}
			first = false
			out.Write(jsonString(k.Str))
			out.WriteByte(':')
			rw.write(out, val, join(path, gjson.Escape(k.Str)), k.Str)
			return true
		})
		out.WriteByte('}')
	case v.IsArray():
		var keep func(gjson.Result) bool
		if rw.keep != nil {
			keep = rw.keep(path)
		}
		out.WriteByte('[')
		n := 0
		for i, el := range v.Array() {
			if keep != nil && !keep(el) {
				continue
			}
			if n > 0 {
				out.WriteByte(',')
			}
			n++
			rw.write(out, el, join(path, strconv.Itoa(i)), key)
		}
		out.WriteByte(']')
	case v.Type == gjson.String && rw.str != nil:
		out.Write(jsonString(rw.str(key, v.Str)))
	default:
		out.WriteString(v.Raw)
	}
}
