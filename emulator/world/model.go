// Package world holds chatemu's vendor-neutral state: tenants (Easemob apps,
// Yunxin apps, Op clients), their users, groups and rooms, and the messages
// they carry, with the queries the vendor surfaces need.
//
// The world is a function, not a table: traffic streams are
// described by a rate and a span, and message i of a stream is computed from
// (seed, stream, i) on demand, so a world of millions of messages costs what a
// world of ten costs, and a page costs what its page costs, at any depth:
// streams count their messages before any time by arithmetic, so a query
// seeks to an offset rather than walking to it. Literal messages from the
// scenario and messages injected at run time sit in sorted lists, one per
// view a query reads (index.go), merged with the streams.
//
// world speaks Go types (time.Time, typed kinds). It imports no vendor
// package and knows no wire format; it may import fixtures for content.
package world

import (
	"fmt"
	"time"
)

// Vendor names the vendor a tenant belongs to.
type Vendor string

// The vendors whose tenants live in the world.
const (
	Easemob Vendor = "easemob"
	Yunxin  Vendor = "yunxin"
	Op      Vendor = "op"
)

// TenantID names a tenant that owns messages: "easemob:ORG/APP" or
// "yunxin:APPKEY" (the form the control API takes).
type TenantID string

// EasemobTenant returns the TenantID of an Easemob app.
func EasemobTenant(org, app string) TenantID { return TenantID("easemob:" + org + "/" + app) }

// YunxinTenant returns the TenantID of a Yunxin app.
func YunxinTenant(appKey string) TenantID { return TenantID("yunxin:" + appKey) }

// ChatType is the kind of conversation a message belongs to.
type ChatType int

// The conversation kinds.
const (
	Chat      ChatType = iota + 1 // one-to-one
	GroupChat                     // a group the sender belongs to
	ChatRoom                      // a chat room
)

func (c ChatType) String() string {
	switch c {
	case Chat:
		return "chat"
	case GroupChat:
		return "groupchat"
	case ChatRoom:
		return "chatroom"
	}
	return fmt.Sprintf("ChatType(%d)", int(c))
}

// Kind is a message's type, across vendors. Each vendor surface maps the
// kinds it carries to its own names and codes.
type Kind int

// The message kinds of the three vendors.
const (
	Text         Kind = iota + 1 // Easemob txt, Yunxin 0
	Image                        // Easemob img, Yunxin 1
	Audio                        // Easemob audio, Yunxin 2
	Video                        // Easemob video, Yunxin 3
	Location                     // Easemob loc, Yunxin 4
	Notification                 // Yunxin 5
	File                         // Easemob file, Yunxin 6
	Tip                          // Yunxin 10
	Robot                        // Yunxin 11
	Custom                       // Easemob custom, Yunxin 100
	Command                      // Easemob cmd
	Combine                      // Easemob combine (merged forward)
)

// Kinds lists every kind, in declaration order.
var Kinds = []Kind{Text, Image, Audio, Video, Location, Notification, File, Tip, Robot, Custom, Command, Combine}

func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Image:
		return "image"
	case Audio:
		return "audio"
	case Video:
		return "video"
	case Location:
		return "location"
	case Notification:
		return "notification"
	case File:
		return "file"
	case Tip:
		return "tip"
	case Robot:
		return "robot"
	case Custom:
		return "custom"
	case Command:
		return "command"
	case Combine:
		return "combine"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// HasAttachment reports whether messages of kind k carry a downloadable file.
func (k Kind) HasAttachment() bool {
	switch k {
	case Image, Audio, Video, File, Combine:
		return true
	}
	return false
}

// Message is one message in the world, vendor-neutral. Fields that do not
// apply to its Kind are zero.
type Message struct {
	// ID is the server message id: for Easemob the msg_id (a decimal string),
	// for Yunxin the server id. For literal messages it is the scenario's id.
	ID string
	// ClientID is the client-generated id (Yunxin message_client_id), a UUID.
	ClientID string
	Tenant   TenantID
	At       time.Time // millisecond precision, UTC
	From     string
	To       string // user, group or room id
	ChatType ChatType
	Kind     Kind
	// Text is the text of a text, tip or robot message, or the description
	// of a media message.
	Text string
	// TextPlain reports that Text is a generated one (fixtures.Text):
	// valid UTF-8 without a control character, a quote, a backslash or an
	// HTML character, which every JSON writer copies as it is.
	TextPlain  bool
	Attachment *Attachment // Image, Audio, Video, File, Combine
	Location   *Place      // Location
	Action     string      // Command: the cmd action
	Custom     *CustomBody // Custom
	Combine    *CombineBody
	// Notification is a Yunxin notification's attachment, a JSON object,
	// as a scenario or an injection gives it. A generated notification
	// has Notice instead.
	Notification map[string]any
	// Notice is a generated notification's event; zero for any other
	// message.
	Notice Notice
	// Ext is the Easemob payload.ext object; nil when absent.
	Ext map[string]any
	// Extension is the Yunxin extension string; "" when absent.
	Extension string
	// ClientType is the sender's client type in Yunxin's numbering
	// (1 Android, 2 iOS, 4 PC, 16 Web, 32 REST, 64 Mac).
	ClientType int
	// Key orders the message among all others.
	Key Key
}

// Generated reports whether the world made m from a traffic stream,
// rather than taking it from the scenario or an injection. A generated
// message's own strings (its ids, its text, its extension, its files'
// ids, names and extensions, its place's address, its custom event and
// properties, its command's action, its notice's nickname) are valid
// UTF-8 without a control character, a quote, a backslash or an HTML
// character, which every JSON writer copies as it is
// (TestGeneratedStringsNeedNoEscaping); its sender and recipient are the
// scenario's.
func (m *Message) Generated() bool { return m.Key.Src != 0 }

// Fields names optional parts of a generated message that a reader may go
// without (RoomQuery.Omit): they cost the making on a cold page, and a
// vendor that shows none of them need not pay it.
type Fields uint8

// The fields a reader may omit.
const (
	OmitID     Fields = 1 << iota // Message.ID, the server id (Yunxin's history shows only the client id)
	OmitSecret                    // Attachment.Secret, Easemob's share-secret
	OmitThumb                     // Attachment.Thumb, a video's thumbnail
	// OmitName: Attachment.Name of a generated sound, video or thumbnail
	// (Yunxin shows names only on images and documents).
	OmitName
)

// Key orders messages totally: by time, then by source, then by sequence.
// Vendor page tokens wrap a Key.
type Key struct {
	At  int64  // ms since the Unix epoch
	Src uint32 // 0 for literal and injected messages, else stream number
	Seq uint64 // index in the stream, or insertion order for literal ones
}

// Less reports whether k sorts before o.
func (k Key) Less(o Key) bool {
	if k.At != o.At {
		return k.At < o.At
	}
	if k.Src != o.Src {
		return k.Src < o.Src
	}
	return k.Seq < o.Seq
}

// Attachment describes a message's file. Its bytes come from World.Bytes and
// their checksum from World.MD5: both are computed on demand, so listing
// messages never generates files.
type Attachment struct {
	// FileID is the id in the download URL (the Easemob chatfiles uuid).
	FileID   string
	Name     string // file name with extension
	Ext      string // extension without the dot, e.g. "jpg"; "" for none
	MIME     string
	Size     int64  // length of the bytes World.Bytes returns
	Secret   string // Easemob share-secret; "" when the file is unrestricted
	Width    int    // image and video pixels
	Height   int
	Duration time.Duration // audio and video
	Thumb    *Attachment   // video thumbnail

	kind Kind   // what the bytes are: Image, Audio, Video, File or Combine
	seed uint64 // the bytes' seed
	// sum is the md5 of the bytes when summed: a shared file's (files.go),
	// kept with its variant.
	sum    [16]byte
	summed bool
}

// Place is a location message's content.
type Place struct {
	Address  string
	Lat, Lng float64
}

// CustomBody is a custom message's content.
type CustomBody struct {
	Event string
	// Exts are the custom properties, in order.
	Exts [][2]string
}

// Notice is a generated chatroom notification: the sender entered the
// room or left it, showing a nickname. Yunxin numbers the events 301
// (entered) and 302 (left) in its chatroom notification types.
type Notice struct {
	Event int
	Nick  string
}

// CombineBody is a merged-forward message's content; its file is the
// message's Attachment.
type CombineBody struct {
	Level   int
	Title   string
	Summary string
}
