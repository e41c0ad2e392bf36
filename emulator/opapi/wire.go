package opapi

import (
	"crypto/md5"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// record is one element of "data". The first eighteen fields are in the
// order of the page's example, spelled as it spells them (form, thumbsecret);
// the page's table fields the example lacks follow (hxMsgId, favorite,
// mark). Absent values are null, as in the example.
type record struct {
	To          string         `json:"to"`
	CreateTime  string         `json:"createTime"`
	Form        string         `json:"form"`
	FileLength  *int64         `json:"file_length"`
	Lng         *float64       `json:"lng"`
	Addr        *string        `json:"addr"`
	Type        string         `json:"type"`
	Msg         *string        `json:"msg"`
	Ext         map[string]any `json:"ext"`
	URL         *string        `json:"url"`
	GetURL      *string        `json:"getUrl"`
	ThumbSecret *string        `json:"thumbsecret"`
	Length      *int64         `json:"length"`
	Filename    *string        `json:"filename"`
	Secret      *string        `json:"secret"`
	UserMsgID   string         `json:"userMessageId"`
	Thumb       *string        `json:"thumb"`
	Lat         *float64       `json:"lat"`
	HxMsgID     string         `json:"hxMsgId"`
	Favorite    bool           `json:"favorite"`
	Mark        []string       `json:"mark"`
}

// TypeName is the Easemob body type of a kind, the record's "type"
// (vendor-notes §1.4). Combine has no type in Easemob's doc; "combine" is
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
	sum := md5.Sum([]byte(string(t) + "\x00" + msgID))
	return "u0001" + hex.EncodeToString(sum[:])
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
}

func ptr[T any](v T) *T { return &v }

// record renders m for the user.
func (s *Surface) record(v *userView, m *world.Message) *record {
	rec := &record{
		To:         m.To,
		CreateTime: m.At.In(s.beijing).Format(dateTime),
		Form:       m.From,
		Type:       TypeName(m.Kind),
		Ext:        m.Ext,
		UserMsgID:  UserMessageID(m.Tenant, m.ID),
		HxMsgID:    m.ID,
		Favorite:   v.favorites[m.ID],
		Mark:       v.marks[m.ID],
	}
	if rec.Ext == nil {
		rec.Ext = map[string]any{}
	}
	switch m.Kind {
	case world.Text, world.Tip, world.Robot:
		rec.Msg = ptr(m.Text)
	case world.Command:
		rec.Msg = ptr(m.Action)
	case world.Custom:
		if m.Custom != nil {
			rec.Msg = ptr(m.Custom.Event)
		}
	case world.Combine:
		if m.Combine != nil {
			rec.Msg = ptr(m.Combine.Title)
		}
	case world.Location:
		if p := m.Location; p != nil {
			rec.Addr, rec.Lat, rec.Lng = ptr(p.Address), ptr(p.Lat), ptr(p.Lng)
		}
	}
	a := m.Attachment
	if a == nil || !m.Kind.HasAttachment() {
		return rec
	}
	rec.URL = ptr(s.chatfileURL(v.app, a))
	rec.GetURL = ptr(s.QiniuURL(v.client, a, v.now))
	rec.Filename = ptr(a.Name)
	rec.Secret = ptr(a.Secret)
	rec.Thumb, rec.ThumbSecret = ptr(""), ptr("")
	if t := a.Thumb; t != nil {
		rec.Thumb, rec.ThumbSecret = ptr(s.chatfileURL(v.app, t)), ptr(t.Secret)
	}
	switch m.Kind {
	case world.Audio:
		rec.Length = ptr(int64(a.Duration / time.Second))
	case world.Video:
		rec.FileLength = ptr(a.Size)
	}
	return rec
}

// chatfileURL is the attachment's Easemob URL, the same the Easemob
// archives show: {public_url}/{org}/{app}/chatfiles/{uuid}.
func (s *Surface) chatfileURL(app *world.EasemobApp, a *world.Attachment) string {
	return s.publicURL + "/" + url.PathEscape(app.Org) + "/" + url.PathEscape(app.App) + "/chatfiles/" + url.PathEscape(a.FileID)
}

// QiniuURL is an attachment's getUrl: a Qiniu private download URL for
// {public_url}/_qiniu/{QiniuKey} signed with the client's Qiniu keys and
// valid for the client's link lifetime from now (DefaultLinkTTL unless
// its link_ttl says otherwise; the signing is Qiniu's "下载凭证",
// https://developer.qiniu.com/kodo/manual/1202).
func (s *Surface) QiniuURL(c *world.OpClient, a *world.Attachment, now time.Time) string {
	base := s.publicURL + QiniuPathPrefix + escapeKey(QiniuKey(a))
	return sign.QiniuURL(base, c.Qiniu.AccessKey, c.Qiniu.SecretKey, now.Add(linkTTL(c)))
}

// escapeKey escapes a key for a path, keeping "/" (Qiniu keys may hold it).
func escapeKey(k string) string {
	parts := strings.Split(k, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
