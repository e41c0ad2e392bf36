package opapi

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/chatemu/chatemu/emulator/internal/gojson"
)

// The success path writes JSON by hand: the records are the hot path of the
// surface (BENCHMARKS), and writing each key in place pins the page's key
// order in code. The output is byte-for-byte what encoding/json with
// SetEscapeHTML(false) writes for the same values (TestEncoderMatchesJSON),
// which is also how the golden files were first made.

func appendEnvelope(b []byte, e *envelope) []byte {
	b = append(b, `{"code":`...)
	b = strconv.AppendInt(b, int64(e.Code), 10)
	b = append(b, `,"message":`...)
	b = appendString(b, e.Message)
	b = append(b, `,"data":`...)
	if e.Data == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, r := range e.Data {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendRecord(b, r)
		}
		b = append(b, ']')
	}
	b = append(b, `,"page":`...)
	if p := e.Page; p == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"total":`...)
		b = strconv.AppendInt(b, p.Total, 10)
		b = append(b, `,"page":`...)
		b = strconv.AppendInt(b, int64(p.Page), 10)
		b = append(b, `,"pageSize":`...)
		b = strconv.AppendInt(b, int64(p.PageSize), 10)
		b = append(b, `,"count":`...)
		b = strconv.AppendInt(b, int64(p.Count), 10)
		b = append(b, `,"next":`...)
		b = strconv.AppendBool(b, p.Next)
		b = append(b, `,"startIndex":`...)
		b = appendIntPtr(b, p.StartIndex)
		b = append(b, '}')
	}
	b = append(b, `,"foot":{"operationTime":`...)
	b = appendString(b, e.Foot.OperationTime)
	b = append(b, `,"servicePhone":`...)
	b = appendString(b, e.Foot.ServicePhone)
	b = append(b, `,"host":`...)
	b = appendString(b, e.Foot.Host)
	return append(b, "}}"...)
}

func appendRecord(b []byte, r *record) []byte {
	b = append(b, `{"to":`...)
	b = appendString(b, r.To)
	b = append(b, `,"createTime":`...)
	b = appendString(b, r.CreateTime)
	b = append(b, `,"form":`...)
	b = appendString(b, r.Form)
	b = append(b, `,"file_length":`...)
	b = appendOptInt(b, r.FileLength)
	b = append(b, `,"lng":`...)
	b = appendOptFloat(b, r.Lng)
	b = append(b, `,"addr":`...)
	b = appendOptString(b, r.Addr)
	b = append(b, `,"type":`...)
	b = appendString(b, r.Type)
	b = append(b, `,"msg":`...)
	b = appendOptString(b, r.Msg)
	b = append(b, `,"ext":`...)
	b = appendExt(b, r.Ext)
	b = append(b, `,"url":`...)
	b = appendOptString(b, r.URL)
	b = append(b, `,"getUrl":`...)
	b = appendOptString(b, r.GetURL)
	b = append(b, `,"thumbsecret":`...)
	b = appendOptString(b, r.ThumbSecret)
	b = append(b, `,"length":`...)
	b = appendOptInt(b, r.Length)
	b = append(b, `,"filename":`...)
	b = appendOptString(b, r.Filename)
	b = append(b, `,"secret":`...)
	b = appendOptString(b, r.Secret)
	b = append(b, `,"userMessageId":`...)
	b = appendString(b, r.UserMsgID)
	b = append(b, `,"thumb":`...)
	b = appendOptString(b, r.Thumb)
	b = append(b, `,"lat":`...)
	b = appendOptFloat(b, r.Lat)
	b = append(b, `,"hxMsgId":`...)
	b = appendString(b, r.HxMsgID)
	b = append(b, `,"favorite":`...)
	b = strconv.AppendBool(b, r.Favorite)
	b = append(b, `,"mark":`...)
	if r.Mark == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, m := range r.Mark {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendExt writes the ext object, {} when there is none, as encoding/json
// writes it (keys sorted): gojson for the values scenarios and the world
// make, encoding/json for anything else.
func appendExt(b []byte, ext extObject) []byte {
	if len(ext) == 0 {
		return append(b, "{}"...)
	}
	if b, ok := gojson.AppendValue(b, map[string]any(ext)); ok {
		return b
	}
	v, err := marshalNoEscape(map[string]any(ext))
	if err != nil {
		// A scenario cannot produce an unencodable ext (YAML and JSON
		// values only); keep the wire shape valid regardless.
		return append(b, "{}"...)
	}
	return append(b, v...)
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf jsonBuffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	out := buf.b
	if n := len(out); n > 0 && out[n-1] == '\n' {
		out = out[:n-1]
	}
	return out, nil
}

type jsonBuffer struct{ b []byte }

func (j *jsonBuffer) Write(p []byte) (int, error) { j.b = append(j.b, p...); return len(p), nil }

func appendOptString(b []byte, s opt[string]) []byte {
	if !s.ok {
		return append(b, "null"...)
	}
	return appendString(b, s.v)
}

func appendIntPtr(b []byte, n *int) []byte {
	if n == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(*n), 10)
}

func appendOptInt(b []byte, n opt[int64]) []byte {
	if !n.ok {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, n.v, 10)
}

// appendOptFloat formats as encoding/json does (ES6 number formatting).
func appendOptFloat(b []byte, f opt[float64]) []byte {
	if !f.ok || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
		return append(b, "null"...)
	}
	return gojson.AppendFloat(b, f.v, 64)
}

// appendString quotes s as encoding/json does without HTML escaping.
func appendString(b []byte, s string) []byte { return gojson.AppendString(b, s) }
