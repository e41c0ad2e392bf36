package opapi

import (
	"crypto/md5"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/chatemu/chatemu/emulator/internal/appendtext"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// record is one element of "data". The first eighteen fields are in the
// order of the page's example, spelled as it spells them (form, thumbsecret);
// the page's table fields the example lacks follow (hxMsgId, favorite,
// mark). Absent values are null, as in the example.
type record struct {
	To          string       `json:"to"`
	CreateTime  string       `json:"createTime"`
	Form        string       `json:"form"`
	FileLength  opt[int64]   `json:"file_length"`
	Lng         opt[float64] `json:"lng"`
	Addr        opt[string]  `json:"addr"`
	Type        string       `json:"type"`
	Msg         opt[string]  `json:"msg"`
	Ext         extObject    `json:"ext"`
	URL         opt[string]  `json:"url"`
	GetURL      opt[string]  `json:"getUrl"`
	ThumbSecret opt[string]  `json:"thumbsecret"`
	Length      opt[int64]   `json:"length"`
	Filename    opt[string]  `json:"filename"`
	Secret      opt[string]  `json:"secret"`
	UserMsgID   string       `json:"userMessageId"`
	Thumb       opt[string]  `json:"thumb"`
	Lat         opt[float64] `json:"lat"`
	HxMsgID     string       `json:"hxMsgId"`
	Favorite    bool         `json:"favorite"`
	Mark        []string     `json:"mark"`
}

// opt is a value that may be null, held without a pointer so that a
// record costs no allocation per field.
type opt[T any] struct {
	v  T
	ok bool
}

func some[T any](v T) opt[T] { return opt[T]{v: v, ok: true} }

// MarshalJSON writes null or the value, as the hand-written encoder does
// (encode.go), for encoding/json in tests.
func (o opt[T]) MarshalJSON() ([]byte, error) {
	if !o.ok {
		return []byte("null"), nil
	}
	return marshalNoEscape(o.v)
}

// extObject is a record's ext: the message's Easemob payload.ext, and {}
// (never null) when it has none.
type extObject map[string]any

// MarshalJSON writes {} for no ext, as the hand-written encoder does.
func (e extObject) MarshalJSON() ([]byte, error) {
	if len(e) == 0 {
		return []byte("{}"), nil
	}
	return marshalNoEscape(map[string]any(e))
}

// TypeName is the Easemob body type of a kind, the record's "type"
// (the Easemob history page (doc.easemob.com/document/server-side/message_historical.html)). Combine has no type in Easemob's doc; "combine" is
// its SDKs' name.
func TypeName(k world.Kind) string {
	switch k {
	case world.Text:
		return "txt"
	case world.Image:
		return "img"
	case world.Audio:
		return "audio"
	case world.Video:
		return "video"
	case world.File:
		return "file"
	case world.Location:
		return "loc"
	case world.Command:
		return "cmd"
	case world.Custom:
		return "custom"
	case world.Combine:
		return "combine"
	}
	return k.String() // not an Easemob kind; the world gives Easemob apps none
}

// UserMessageID is the backend's own id of a stored message: "u0001" and
// the hex MD5 of the tenant and the Easemob msg_id, 37 characters like the
// example's "u0001a46607f873f0428d8fc07119fa05fac7". It is stable for a
// message and differs across apps.
func UserMessageID(t world.TenantID, msgID string) string {
	var id [5 + 2*md5.Size]byte
	return string(appendUserMessageID(id[:0], t, msgID))
}

func appendUserMessageID(b []byte, t world.TenantID, msgID string) []byte {
	var in [128]byte // on the stack for the usual tenant and id lengths
	sum := md5.Sum(append(append(append(in[:0], t...), 0), msgID...))
	b = append(b, "u0001"...)
	return appendtext.Hex(b, sum[:])
}

// QiniuKey is the key a re-hosted attachment has in the Qiniu bucket: its
// Easemob file id, then "." and its extension when it has one.
func QiniuKey(a *world.Attachment) string {
	if a.Ext == "" {
		return a.FileID
	}
	return a.FileID + "." + a.Ext
}

// userView is what the records of one user need besides the message.
type userView struct {
	app       *world.EasemobApp
	client    *world.OpClient
	marks     map[string][]string // msg id → the user's marks
	favorites map[string]bool
	now       time.Time
	// files is the app's chatfiles URL prefix, "{public_url}/{org}/{app}/chatfiles/".
	files string
}

// records renders msgs for the user into rs, whose records and strings
// are reused from page to page: they stay valid until rs is used again.
func (s *Surface) records(v *userView, msgs []world.Message, rs *recordSet) []*record {
	rs.recs = slices.Grow(rs.recs[:0], len(msgs))[:len(msgs)]
	rs.out = slices.Grow(rs.out[:0], len(msgs))[:len(msgs)]
	buf := slices.Grow(rs.buf[:0], recordStrings*len(msgs))
	for i := range msgs {
		buf = s.fillRecord(&rs.recs[i], v, &msgs[i], buf)
		rs.out[i] = &rs.recs[i]
	}
	rs.buf = buf
	if rs.out == nil {
		return []*record{} // "data":[] on a page past the last
	}
	return rs.out
}

// recordSet holds one page's records and the strings they point into, so
// that a page rendered and cached as bytes hands them back to
// Surface.recordSets for the next page instead of to the collector.
type recordSet struct {
	recs []record
	out  []*record
	buf  []byte
}

// recordStrings is about how many bytes the strings fillRecord makes for a
// record with an attachment take.
const recordStrings = 384

// fillRecord renders m for the user into rec. The strings it makes
// (createTime, userMessageId, the links) are appended to buf, which the
// page's records share, and returned: they stay valid as buf grows, since
// a byte once appended is never written again.
func (s *Surface) fillRecord(rec *record, v *userView, m *world.Message, buf []byte) []byte {
	*rec = record{
		To:       m.To,
		Form:     m.From,
		Type:     TypeName(m.Kind),
		Ext:      m.Ext,
		HxMsgID:  m.ID,
		Favorite: v.favorites[m.ID],
		Mark:     v.marks[m.ID],
	}
	switch m.Kind {
	case world.Text, world.Tip, world.Robot:
		rec.Msg = some(m.Text)
	case world.Command:
		rec.Msg = some(m.Action)
	case world.Custom:
		if m.Custom != nil {
			rec.Msg = some(m.Custom.Event)
		}
	case world.Combine:
		if m.Combine != nil {
			rec.Msg = some(m.Combine.Title)
		}
	case world.Location:
		if p := m.Location; p != nil {
			rec.Addr, rec.Lat, rec.Lng = some(p.Address), some(p.Lat), some(p.Lng)
		}
	}
	start := len(buf)
	b := appendtext.DateTime(buf, m.At.In(s.beijing), ' ')
	ends := [5]int{len(b)}
	b = appendUserMessageID(b, m.Tenant, m.ID)
	ends[1] = len(b)
	a := m.Attachment
	media := a != nil && m.Kind.HasAttachment()
	if media {
		b = appendtext.PathEscaped(append(b, v.files...), a.FileID)
		ends[2] = len(b)
		b = s.appendQiniuURL(b, v.client, a, v.now)
		ends[3] = len(b)
		if t := a.Thumb; t != nil {
			b = appendtext.PathEscaped(append(b, v.files...), t.FileID)
		}
		ends[4] = len(b)
	}
	str := unsafe.String(&b[start], len(b)-start) // never empty: the time
	for i := range ends {                         // offsets in str; those past ends[1] are set for media only
		ends[i] -= start
	}
	rec.CreateTime, rec.UserMsgID = str[:ends[0]], str[ends[0]:ends[1]]
	if !media {
		return b
	}
	rec.URL = some(str[ends[1]:ends[2]])
	rec.GetURL = some(str[ends[2]:ends[3]])
	rec.Filename = some(a.Name)
	rec.Secret = some(a.Secret)
	rec.Thumb, rec.ThumbSecret = some(str[ends[3]:ends[4]]), some("")
	if t := a.Thumb; t != nil {
		rec.ThumbSecret = some(t.Secret)
	}
	switch m.Kind {
	case world.Audio:
		rec.Length = some(int64(a.Duration / time.Second))
	case world.Video:
		rec.FileLength = some(a.Size)
	}
	return b
}

// chatfilesPrefix is the app's attachment URL prefix, the one the Easemob
// archives show: {public_url}/{org}/{app}/chatfiles/, followed by the
// file's uuid.
func (s *Surface) chatfilesPrefix(app *world.EasemobApp) string {
	return s.publicURL + "/" + url.PathEscape(app.Org) + "/" + url.PathEscape(app.App) + "/chatfiles/"
}

// QiniuURL is an attachment's getUrl: a Qiniu private download URL for
// {public_url}/_qiniu/{QiniuKey} signed with the client's Qiniu keys and
// valid for the client's link lifetime from now (DefaultLinkTTL unless
// its link_ttl says otherwise; the signing is Qiniu's "下载凭证",
// https://developer.qiniu.com/kodo/manual/1202).
func (s *Surface) QiniuURL(c *world.OpClient, a *world.Attachment, now time.Time) string {
	return string(s.appendQiniuURL(nil, c, a, now))
}

func (s *Surface) appendQiniuURL(b []byte, c *world.OpClient, a *world.Attachment, now time.Time) []byte {
	start := len(b)
	b = append(append(b, s.publicURL...), QiniuPathPrefix...)
	b = appendEscapedKey(b, a.FileID)
	if a.Ext != "" {
		b = appendEscapedKey(append(b, '.'), a.Ext)
	}
	return s.signers.get(c.Qiniu).AppendSigned(b, start, now.Add(linkTTL(c)))
}

// appendEscapedKey appends part of a Qiniu key escaped for a path, keeping
// "/" (Qiniu keys may hold it).
func appendEscapedKey(b []byte, k string) []byte {
	for {
		part, rest, found := strings.Cut(k, "/")
		b = appendtext.PathEscaped(b, part)
		if !found {
			return b
		}
		b = append(b, '/')
		k = rest
	}
}

// qiniuSigners keeps a sign.QiniuSigner per Qiniu key pair, so that the
// getUrl of every media record reuses its HMAC rather than keying a new
// one. Key pairs come from the world's Op clients, which the control API
// can add and change: past maxSigners the map starts over.
type qiniuSigners struct {
	mu sync.Mutex
	m  map[world.QiniuKeys]*sign.QiniuSigner
}

const maxSigners = 64

func (q *qiniuSigners) get(k world.QiniuKeys) *sign.QiniuSigner {
	q.mu.Lock()
	defer q.mu.Unlock()
	if s, ok := q.m[k]; ok {
		return s
	}
	if q.m == nil || len(q.m) >= maxSigners {
		q.m = map[world.QiniuKeys]*sign.QiniuSigner{}
	}
	s := sign.NewQiniuSigner(k.AccessKey, k.SecretKey)
	q.m[k] = s
	return s
}
