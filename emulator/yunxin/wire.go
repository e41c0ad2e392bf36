package yunxin

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/chatemu/chatemu/emulator/internal/appendtext"
	"github.com/chatemu/chatemu/emulator/internal/gojson"
	"github.com/chatemu/chatemu/emulator/internal/javajson"
	"github.com/chatemu/chatemu/emulator/world"
)

// messageTypes maps the vendor's message_type codes to world kinds
// (the Yunxin history page's type table). Kinds without a code (Easemob's cmd and combine) are
// never served by this surface.
var messageTypes = [...]struct {
	code int
	kind world.Kind
}{
	{0, world.Text}, {1, world.Image}, {2, world.Audio}, {3, world.Video},
	{4, world.Location}, {5, world.Notification}, {6, world.File},
	{10, world.Tip}, {11, world.Robot}, {100, world.Custom},
}

// MessageType returns the vendor's message_type code for a kind, and false
// for kinds Yunxin does not have.
func MessageType(k world.Kind) (int, bool) {
	for _, t := range messageTypes {
		if t.kind == k {
			return t.code, true
		}
	}
	return 0, false
}

// kindOfCode is MessageType's inverse.
func kindOfCode(code int) (world.Kind, bool) {
	for _, t := range messageTypes {
		if t.code == code {
			return t.kind, true
		}
	}
	return 0, false
}

// yunxinKinds is every kind the surface serves: the query when no
// message_type is given, so a stray Easemob-only kind never leaks out.
func yunxinKinds() []world.Kind {
	out := make([]world.Kind, len(messageTypes))
	for i, t := range messageTypes {
		out[i] = t.kind
	}
	return out
}

// appendHead writes the start of a success body, up to its items:
// {"code":200,"msg":"success","data":{"has_more",["next_token"], the
// vendor page's key order; the items and "]}}" follow. has_more is whether
// there is a next token, which is absent on the last page
// (https://yunxin-im.apifox.cn/api-149334533).
func appendHead(b []byte, next string) []byte {
	b = append(b, `{"code":200,"msg":"success","data":{"has_more":`...)
	if next == "" {
		return append(b, "false"...)
	}
	b = append(b, `true,"next_token":`...)
	return appendString(b, next)
}

// appendItem renders one history item. Key order follows the vendor page's
// example (text, message_client_id, sender_id, create_time, message_type,
// sender_client_type, extension) with attachment right after text; text,
// attachment and extension are omitted when empty (all three are optional
// on the page). sender_client_type is a JSON number: the official Go SDK
// decodes it into *int (yunxin-server-sdk-golang
// src/im/v2/chatroom_message/chatroom_message_v2_responses.go).
func (s *Surface) appendItem(b []byte, ps *pageShared, m *world.Message) ([]byte, error) {
	code, _ := MessageType(m.Kind)
	b = append(b, '{')
	if m.Text != "" {
		b = append(b, `"text":`...)
		b = appendPlain(b, m.Text, m.TextPlain)
		b = append(b, ',')
	}
	n := len(b)
	b = append(b, `"attachment":`...)
	var ok bool
	var err error
	if b, ok, err = s.appendAttachment(b, ps, m); err != nil {
		return nil, err
	}
	if ok {
		b = append(b, ',')
	} else {
		b = b[:n]
	}
	b = append(b, `"message_client_id":`...)
	b = appendPlain(b, m.ClientID, m.Generated())
	b = append(b, `,"sender_id":`...)
	b = ps.appendSender(b, m.From)
	b = append(b, `,"create_time":`...)
	b = strconv.AppendInt(b, m.At.UnixMilli(), 10)
	b = append(b, `,"message_type":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"sender_client_type":`...)
	b = strconv.AppendInt(b, int64(m.ClientType), 10)
	if m.Extension != "" {
		b = append(b, `,"extension":`...)
		b = appendPlain(b, m.Extension, m.Generated())
	}
	return append(b, '}'), nil
}

// appendAttachment renders the attachment object of m's kind in the shapes
// of yunxin-server-sdk-java TestHistoryV1.java, and reports false when m has none.
func (s *Surface) appendAttachment(b []byte, ps *pageShared, m *world.Message) ([]byte, bool, error) {
	a := m.Attachment
	switch m.Kind {
	case world.Image:
		if a == nil {
			return b, false, nil
		}
		b = append(b, `{"name":`...)
		b = appendPlain(b, a.Name, m.Generated())
		b = s.appendFile(b, ps, m, a)
		b = append(b, `,"w":`...)
		b = strconv.AppendInt(b, int64(a.Width), 10)
		b = append(b, `,"h":`...)
		b = strconv.AppendInt(b, int64(a.Height), 10)
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, a.Size, 10)
		return append(b, '}'), true, nil
	case world.Audio:
		if a == nil {
			return b, false, nil
		}
		b = append(b, `{"dur":`...)
		b = strconv.AppendInt(b, a.Duration.Milliseconds(), 10)
		b = s.appendFile(b, ps, m, a)
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, a.Size, 10)
		return append(b, '}'), true, nil
	case world.Video:
		if a == nil {
			return b, false, nil
		}
		b = append(b, `{"dur":`...)
		b = strconv.AppendInt(b, a.Duration.Milliseconds(), 10)
		b = s.appendMD5URL(b, ps, a)
		b = append(b, `,"w":`...)
		b = strconv.AppendInt(b, int64(a.Width), 10)
		b = append(b, `,"h":`...)
		b = strconv.AppendInt(b, int64(a.Height), 10)
		b = append(b, `,"ext":`...)
		b = appendPlain(b, a.Ext, m.Generated())
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, a.Size, 10)
		return append(b, '}'), true, nil
	case world.File:
		if a == nil {
			return b, false, nil
		}
		b = append(b, `{"name":`...)
		b = appendPlain(b, a.Name, m.Generated())
		b = s.appendFile(b, ps, m, a)
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, a.Size, 10)
		return append(b, '}'), true, nil
	case world.Location:
		p := m.Location
		if p == nil {
			return b, false, nil
		}
		b = append(b, `{"title":`...)
		b = appendPlain(b, p.Address, m.Generated())
		b = append(b, `,"lng":`...)
		b = appendDouble(b, p.Lng)
		b = append(b, `,"lat":`...)
		b = appendDouble(b, p.Lat)
		return append(b, '}'), true, nil
	case world.Tip:
		b = append(b, `{"msg":`...)
		b = appendPlain(b, m.Text, m.TextPlain)
		return append(b, '}'), true, nil
	case world.Custom:
		c := m.Custom
		if c == nil {
			return b, false, nil
		}
		b = append(b, `{"type":`...)
		b = appendPlain(b, c.Event, m.Generated())
		b = append(b, `,"data":{`...)
		for i, kv := range c.Exts {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPlain(b, kv[0], m.Generated())
			b = append(b, ':')
			b = appendPlain(b, kv[1], m.Generated())
		}
		return append(b, "}}"...), true, nil
	case world.Notification:
		if n := m.Notice; n.Event != 0 {
			return appendNotice(b, m.From, n), true, nil
		}
		if m.Notification == nil {
			return b, false, nil
		}
		// As encoding/json writes it (the vendor's Java JSON does not
		// escape <, >, &): gojson for the usual values, encoding/json
		// for the rest.
		if out, ok := gojson.AppendValue(b, m.Notification); ok {
			return out, true, nil
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // the vendor's Java JSON does not escape <, >, &
		if err := enc.Encode(m.Notification); err != nil {
			return nil, false, err
		}
		return append(b, bytes.TrimRight(buf.Bytes(), "\n")...), true, nil
	}
	return b, false, nil
}

// appendNotice writes a generated notification as the JSON object a
// scenario's notification is written as (gojson, keys in order): the
// sender its operator and target, under the notice's nickname.
func appendNotice(b []byte, from string, n world.Notice) []byte {
	b = append(b, `{"data":{"ext":"","opeNick":`...)
	b = gojson.AppendString(b, n.Nick)
	b = append(b, `,"operator":`...)
	b = gojson.AppendString(b, from)
	b = append(b, `,"tarNick":[`...)
	b = gojson.AppendString(b, n.Nick)
	b = append(b, `],"target":[`...)
	b = gojson.AppendString(b, from)
	b = append(b, `]},"id":`...)
	b = strconv.AppendInt(b, int64(n.Event), 10)
	return append(b, '}')
}

// appendFile writes `,"md5":…,"url":…,"ext":…`, the run image, audio and
// file attachments share (the order of yunxin-server-sdk-java TestHistoryV1.java).
func (s *Surface) appendFile(b []byte, ps *pageShared, m *world.Message, a *world.Attachment) []byte {
	b = s.appendMD5URL(b, ps, a)
	b = append(b, `,"ext":`...)
	return appendPlain(b, a.Ext, m.Generated())
}

// appendMD5URL writes `,"md5":…,"url":…`, both written in place: the md5
// in hex, the url as FileURL spells it.
func (s *Surface) appendMD5URL(b []byte, ps *pageShared, a *world.Attachment) []byte {
	b = append(b, `,"md5":"`...)
	b = s.cfg.World.AppendMD5(b, a)
	b = append(b, `","url":"`...)
	n := len(b)
	b = appendFileName(append(b, ps.nos...), a)
	// Escaped path segments are plain ASCII; only PublicURL may need
	// appendString's care.
	if !ps.nosPlain {
		u := string(b[n:])
		return appendString(b[:n-1], u)
	}
	return append(b, '"')
}

// pageShared is what the items of one page share: where the app's files'
// URLs start ({PublicURL}/_nos/{appkey}/), made once for the page, and the
// last sender id found plain, so that a page of one sender's messages
// checks the id once rather than once an item.
type pageShared struct {
	nos      []byte
	nosPlain bool   // a JSON string holds nos as it is (javajson.Plain)
	sender   string // a sender id all plain (javajson.PlainPrefix); "" for none yet
}

// pageShared returns the pageShared of a page of app appKey.
func (s *Surface) pageShared(appKey string) *pageShared {
	b := append([]byte(s.cfg.PublicURL), "/_nos/"...)
	b = append(appendtext.PathEscaped(b, appKey), '/')
	return &pageShared{nos: b, nosPlain: javajson.Plain(b)}
}

// appendSender writes the sender id from as appendString does, copying
// one already found plain.
func (ps *pageShared) appendSender(b []byte, from string) []byte {
	if from != ps.sender {
		if javajson.PlainPrefix(from) != len(from) {
			return appendString(b, from)
		}
		ps.sender = from
	}
	return javajson.AppendVerbatim(b, from)
}

// FileURL is where an attachment of app appKey downloads from on this
// emulator: {PublicURL}/_nos/{appkey}/{file id}.{ext}, a NOS-shaped path
// (Yunxin stores files on NetEase Object Storage).
func (s *Surface) FileURL(appKey string, a *world.Attachment) string {
	return string(appendFileName(s.pageShared(appKey).nos, a))
}

// appendFileName appends the last segment of a's URL: {file id}.{ext}.
func appendFileName(b []byte, a *world.Attachment) []byte {
	b = appendtext.PathEscaped(b, a.FileID)
	if a.Ext != "" {
		b = append(b, '.')
		b = appendtext.PathEscaped(b, a.Ext)
	}
	return b
}

// appendPlain writes s as appendString does; a string plain says needs
// nothing of it (a generated text, world.Message.TextPlain, or a generated
// message's own string, world.Message.Generated) is copied as it is.
func appendPlain(b []byte, s string, plain bool) []byte {
	if plain {
		return javajson.AppendVerbatim(b, s)
	}
	return appendString(b, s)
}

// appendDouble writes f as the vendor does for coordinates: always with a
// fraction ("120.0", not "120"), never in scientific notation.
func appendDouble(b []byte, f float64) []byte {
	return javajson.AppendDouble(b, f, javajson.PlainDouble)
}

// appendString writes s as a JSON string the way the vendor's Java JSON
// does: quotes, backslashes and control characters escaped, everything else
// (HTML characters, CJK, emoji, U+2028) as is. Invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte { return javajson.AppendString(b, s, javajson.LowerHex) }
