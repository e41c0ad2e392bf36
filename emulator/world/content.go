package world

import (
	"bytes"
	"crypto/md5"
	_ "embed"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/appendtext"
	"github.com/chatemu/chatemu/fixtures"
)

// Ids. A generated message's server id is Easemob's snowflake shape,
// ms<<22 | source, so it is a 19-digit decimal like Easemob's msg_id and
// decodes back to (time, stream) without a table. Sources at or above
// literalSrcBase are literal or injected messages, found by map.
const (
	srcBits        = 22
	srcMask        = 1<<srcBits - 1
	literalSrcBase = 1 << 21
)

func messageID(at int64, src uint32) string {
	return string(appendMessageID(nil, at, src))
}

func appendMessageID(b []byte, at int64, src uint32) []byte {
	return strconv.AppendUint(b, uint64(at)<<srcBits|uint64(src), 10)
}

// parseMessageID splits a server id into its time and source.
func parseMessageID(id string) (at int64, src uint32, ok bool) {
	if id == "" || id[0] == '0' || len(id) > 20 {
		return 0, 0, false
	}
	v, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return int64(v >> srcBits), uint32(v & srcMask), true
}

// uuid4 formats 128 seeded bits as a version-4 UUID.
func uuid4(a, b uint64) string { return string(appendUUID4(nil, a, b)) }

func appendUUID4(dst []byte, a, b uint64) []byte {
	a = a&^(0xf<<12) | 0x4<<12 // version 4
	b = b&^(0x3<<62) | 0x2<<62 // variant 10
	return appendtext.UUID(dst, a, b)
}

// gregorianOffset is 1582-10-15 to 1970-01-01 in 100 ns ticks (RFC 4122).
const gregorianOffset = 0x01B21DD213814000

// fileID is a generated attachment's id: a version-1 (time-based) UUID like
// Easemob's chatfiles uuids, whose timestamp is the message's and whose
// clock sequence and node carry the stream, the part (0 file, 1 thumbnail)
// and a seeded check, so it decodes back to its message without a table.
func fileID(seed uint64, at int64, src uint32, part int) string {
	return string(appendFileID(nil, seed, at, src, part))
}

func appendFileID(dst []byte, seed uint64, at int64, src uint32, part int) []byte {
	ticks := uint64(at)*10000 + gregorianOffset
	check := hash(seed, uint64(at), uint64(src), uint64(part)) & (1<<38 - 1)
	var u [16]byte
	binary.BigEndian.PutUint32(u[0:4], uint32(ticks))
	binary.BigEndian.PutUint16(u[4:6], uint16(ticks>>32))
	binary.BigEndian.PutUint16(u[6:8], uint16(ticks>>48)&0x0fff|0x1000)
	// clock_seq: variant 10, part (2 bits), 12 check bits.
	binary.BigEndian.PutUint16(u[8:10], 0x8000|uint16(part&3)<<12|uint16(check&0xfff))
	// node: 22 bits of source, 26 check bits.
	node := uint64(src)<<26 | check>>12
	for k := 0; k < 6; k++ {
		u[10+k] = byte(node >> (8 * (5 - k)))
	}
	return appendtext.UUID(dst, binary.BigEndian.Uint64(u[:8]), binary.BigEndian.Uint64(u[8:]))
}

// parseFileID inverts fileID, refusing ids whose check does not match.
func parseFileID(seed uint64, id string) (at int64, src uint32, part int, ok bool) {
	if len(id) != 36 {
		return 0, 0, 0, false
	}
	var u [16]byte
	hex := strings.ReplaceAll(id, "-", "")
	if len(hex) != 32 {
		return 0, 0, 0, false
	}
	for k := 0; k < 16; k++ {
		v, err := strconv.ParseUint(hex[2*k:2*k+2], 16, 8)
		if err != nil {
			return 0, 0, 0, false
		}
		u[k] = byte(v)
	}
	if u[6]>>4 != 1 || u[8]>>6 != 2 {
		return 0, 0, 0, false
	}
	ticks := uint64(binary.BigEndian.Uint32(u[0:4])) |
		uint64(binary.BigEndian.Uint16(u[4:6]))<<32 |
		uint64(binary.BigEndian.Uint16(u[6:8])&0x0fff)<<48
	if ticks < gregorianOffset || (ticks-gregorianOffset)%10000 != 0 {
		return 0, 0, 0, false
	}
	at = int64((ticks - gregorianOffset) / 10000)
	cs := binary.BigEndian.Uint16(u[8:10])
	part = int(cs>>12) & 3
	var node uint64
	for k := 0; k < 6; k++ {
		node = node<<8 | uint64(u[10+k])
	}
	src = uint32(node >> 26)
	check := node&(1<<26-1)<<12 | uint64(cs&0xfff)
	if check != hash(seed, uint64(at), uint64(src), uint64(part))&(1<<38-1) {
		return 0, 0, 0, false
	}
	return at, src, part, true
}

// appendSecret appends an Easemob-shaped share-secret (48 base64url
// characters).
func appendSecret(dst []byte, seed uint64) []byte {
	var b [36]byte
	for k := 0; k < 36; k += 8 {
		var w [8]byte
		binary.BigEndian.PutUint64(w[:], hash(seed, uint64(k)))
		copy(b[k:], w[:])
	}
	return base64.RawURLEncoding.AppendEncode(dst, b[:])
}

var clientTypes = []struct{ code, weight int }{{1, 40}, {2, 35}, {16, 10}, {4, 5}, {64, 5}, {32, 5}}

var imageSizes = [][2]int{{1080, 1920}, {1920, 1080}, {750, 1334}, {1280, 720}, {640, 480}, {1024, 1024}, {828, 1792}}
var videoSizes = [][2]int{{720, 1280}, {1280, 720}, {480, 640}, {360, 480}}
var docExts = [...]string{"pdf", "docx", "xlsx", "txt", "md", "zip"}

// Generated attachments' sizes in bytes: the least, and how many sizes
// above it a draw chooses from; audio adds audioBytesPerSec a second of
// its duration (maxAudioSecs at most).
const (
	imageBytes, imageSpan    = 96_000, 320_000
	thumbBytes, thumbSpan    = 64_000, 60_000
	audioBytes, audioSpan    = 8_192, 2_000
	audioBytesPerSec         = 4_000
	maxAudioSecs             = 59
	videoBytes, videoSpan    = 240_000, 960_000
	fileBytes, fileSpan      = 52_000, 900_000
	combineSize, combineSpan = 2_400, 1_600
)

// sumsTable holds the md5 midstates of the heads of every attachment an
// Easemob or a Yunxin app generates (the md5s their pages carry), up to
// the largest size drawn, so that a fresh world's first walk hashes no
// padding
// (fixtures.AppendSumsTable; TestSumsTable remakes it, go test -update
// rewrites it).
//
//go:embed sums.table
var sumsTable []byte

// generate builds message i of stream s.
func (w *World) generate(s *stream, i int64, sl *slab) Message {
	var m Message
	w.generateInto(&m, s, i, s.at(i), sl, 0)
	return m
}

// generateInto builds message i of stream s, whose time is at (s.at(i),
// which a cursor has at hand), in *m, overwriting it, without the fields
// omit names.
func (w *World) generateInto(m *Message, s *stream, i, at int64, sl *slab, omit Fields) {
	seed := hash(s.seed, uint64(i), 3)
	r := newPRNG(seed, seed^0x5bd1e995)
	*m = Message{
		Tenant:   s.tenant,
		At:       time.UnixMilli(at).UTC(),
		From:     s.from,
		To:       s.to,
		ChatType: s.chat,
		Kind:     s.kind(i),
		Key:      Key{At: at, Src: s.src, Seq: uint64(i)},
	}
	// The server id and the client id in one allocation.
	var buf [20 + 36]byte
	b := buf[:0]
	if omit&OmitID == 0 {
		b = appendMessageID(b, at, s.src)
	}
	n := len(b)
	ids := sl.string(appendUUID4(b, hash(seed, 10), hash(seed, 11)))
	m.ID, m.ClientID = ids[:n], ids[n:]
	pick := r.IntN(100)
	for _, ct := range clientTypes {
		if pick < ct.weight {
			m.ClientType = ct.code
			break
		}
		pick -= ct.weight
	}
	w.fill(m, &r, seed, fileNamer{seed: w.seed, at: at, src: s.src}, false, sl, omit)
}

// fileNamer names a message's files (part 0 the file, 1 the thumbnail): a
// generated message's decode back to it (fileID); a literal message's
// come from its seed.
type fileNamer struct {
	literal bool
	seed    uint64 // the world's seed, or a literal message's own
	at      int64
	src     uint32
}

func (f fileNamer) append(b []byte, part int) []byte {
	if f.literal {
		return appendUUID4(b, hash(f.seed, 100, uint64(part)), hash(f.seed, 101, uint64(part)))
	}
	return appendFileID(b, f.seed, f.at, f.src, part)
}

// fill gives m the content of its kind, drawn from r and seed. files names
// the message's files. Fields already set (a literal message's text, file
// name, size…) are kept. A literal message is taken as its author wrote it:
// fill completes what a file needs (id, size, type) but invents no secret,
// ext or extension for it. Fields omit names are left as they are; their
// draws from r are made all the same, so that the rest does not change.
func (w *World) fill(m *Message, r *prng, seed uint64, files fileNamer, literal bool, sl *slab, omit Fields) {
	vendor := m.Tenant.Vendor()
	switch m.Kind {
	case Text, Tip, Robot:
		if m.Text == "" {
			m.Text, m.TextPlain = w.content.Text(hash(seed, 20)), true
		}
	case Image:
		a := sl.ensure(&m.Attachment)
		if !literal {
			shape := shapeJPG
			if r.IntN(4) == 0 {
				shape = shapePNG
			}
			w.sharedMedia(a, shape, r.IntN(sharedVariants), r, seed, files, 0, sl, omit)
			break
		}
		if a.Ext == "" {
			a.Ext = "jpg"
			if r.IntN(4) == 0 {
				a.Ext = "png"
			}
		}
		if a.Width == 0 || a.Height == 0 {
			d := imageSizes[r.IntN(len(imageSizes))]
			a.Width, a.Height = d[0], d[1]
		}
		w.media(a, Image, r, seed, files, 0, imageBytes+r.Int64N(imageSpan), literal, sl, omit)
	case Audio:
		a := sl.ensure(&m.Attachment)
		if !literal {
			shape := shapeAMR
			if vendor == Yunxin {
				shape = shapeAAC
			}
			w.sharedMedia(a, shape, r.IntN(sharedVariants), r, seed, files, 0, sl, omit)
			break
		}
		if a.Ext == "" {
			a.Ext = "amr"
			if vendor == Yunxin {
				a.Ext = "aac"
			}
		}
		if a.Duration == 0 {
			a.Duration = time.Duration(1+r.IntN(maxAudioSecs)) * time.Second
		}
		secs := int64(a.Duration / time.Second)
		w.media(a, Audio, r, seed, files, 0, audioBytes+secs*audioBytesPerSec+r.Int64N(audioSpan), literal, sl, omit)
	case Video:
		a := sl.ensure(&m.Attachment)
		if !literal {
			v := r.IntN(sharedVariants)
			w.sharedMedia(a, shapeMP4, v, r, seed, files, 0, sl, omit)
			if omit&OmitThumb != 0 {
				r.IntN(2) // the draw of the thumbnail's secret
				break
			}
			a.Thumb = sl.attachment()
			w.sharedMedia(a.Thumb, shapeThumb, v, r, hash(seed, 30), files, 1, sl, omit)
			break
		}
		if a.Ext == "" {
			a.Ext = "mp4"
		}
		if a.Width == 0 || a.Height == 0 {
			d := videoSizes[r.IntN(len(videoSizes))]
			a.Width, a.Height = d[0], d[1]
		}
		if a.Duration == 0 {
			a.Duration = time.Duration(3+r.IntN(58)) * time.Second
		}
		w.media(a, Video, r, seed, files, 0, videoBytes+r.Int64N(videoSpan), literal, sl, omit)
		if a.Thumb == nil { // else a literal message's own, kept
			t := sl.attachment()
			t.Ext, t.Width, t.Height = "jpg", a.Width, a.Height
			w.media(t, Image, r, hash(seed, 30), files, 1, thumbBytes+r.Int64N(thumbSpan), literal, sl, omit)
			a.Thumb = t
		}
	case File:
		a := sl.ensure(&m.Attachment)
		if !literal {
			shape := shapeDoc + fileShape(r.IntN(len(docExts)))
			w.sharedMedia(a, shape, r.IntN(sharedVariants), r, seed, files, 0, sl, omit)
			break
		}
		if a.Ext == "" && a.Name == "" {
			a.Ext = docExts[r.IntN(len(docExts))]
		}
		w.media(a, File, r, seed, files, 0, fileBytes+r.Int64N(fileSpan), literal, sl, omit)
	case Combine:
		a := sl.ensure(&m.Attachment)
		if m.Combine == nil {
			m.Combine = &CombineBody{Level: 1, Title: "聊天记录"}
		}
		if m.Combine.Summary == "" {
			m.Combine.Summary = combineSummary(r)
		}
		if a.Name == "" {
			a.Name = strconv.FormatInt(m.Key.At*10000+r.Int64N(10000), 10)
		}
		// The forwarded messages' JSON is padded to a size chosen up front,
		// above the longest it can be (4 texts of at most 120 runes).
		w.media(a, Combine, r, seed, files, 0, combineSize+r.Int64N(combineSpan), literal, sl, omit)
	case Location:
		if m.Location == nil {
			addr, lat, lng := w.content.Place(hash(seed, 40))
			m.Location = &Place{Address: addr, Lat: lat, Lng: lng}
		}
	case Command:
		if m.Action == "" {
			m.Action = w.content.Word(hash(seed, 50))
		}
	case Custom:
		if m.Custom == nil {
			c := &CustomBody{Event: w.content.Word(hash(seed, 60))}
			for k := 0; k < 1+r.IntN(3); k++ {
				c.Exts = append(c.Exts, [2]string{w.content.Word(hash(seed, 61, uint64(k))), strconv.Itoa(r.IntN(1000))})
			}
			m.Custom = c
		}
	case Notification:
		if m.Notification == nil {
			m.Notice = Notice{Event: 301 + r.IntN(2), Nick: w.content.Name(hash(seed, 70))}
		}
	}
	if vendor == Easemob && m.Ext == nil && r.IntN(4) == 0 && !literal {
		m.Ext = map[string]any{"nickname": w.content.Name(hash(seed, 80))}
	}
	if vendor == Yunxin && m.Extension == "" && r.IntN(3) == 0 && !literal {
		m.Extension = extension(m.At, sl)
	}
}

// extension is a generated Yunxin extension: "ext-" and the message's
// time as 2006-01-02T15:04:05.
func extension(t time.Time, sl *slab) string {
	var b [4 + 19]byte
	return sl.string(appendtext.DateTime(append(b[:0], "ext-"...), t, 'T'))
}

func (sl *slab) ensure(p **Attachment) *Attachment {
	if *p == nil {
		*p = sl.attachment()
	}
	return *p
}

// media completes a file attachment: its id (part of files), name, type,
// size and secret. The size is chosen before the bytes exist (fixtures.Fit
// pads the real file to it), so listing messages never generates a file.
func (w *World) media(a *Attachment, kind Kind, r *prng, seed uint64, files fileNamer, part int, size int64, literal bool, sl *slab, omit Fields) {
	a.kind, a.seed = kind, hash(seed, 90)
	if a.Name == "" {
		a.Name = w.content.FileName(hash(seed, 91), a.Ext)
	}
	if a.Ext == "" {
		if dot := strings.LastIndexByte(a.Name, '.'); dot >= 0 {
			a.Ext = strings.ToLower(a.Name[dot+1:])
		}
	}
	if a.MIME == "" {
		a.MIME = fixtures.MIME(a.Ext)
	}
	if a.Size == 0 {
		a.Size = size
		if kind != Combine {
			a.Size = w.sums.Fit(a.file())
		}
	}
	w.mediaIDs(a, r, seed, files, part, literal, sl, omit)
}

// mediaIDs gives a its id (part of files) unless it has one, and, drawn
// from r, a secret (unless literal or omitted).
func (w *World) mediaIDs(a *Attachment, r *prng, seed uint64, files fileNamer, part int, literal bool, sl *slab, omit Fields) {
	// The id and the secret in one allocation.
	var buf [36 + 48]byte
	b := buf[:0]
	if a.FileID == "" {
		b = files.append(b, part)
	}
	n := len(b)
	if r.IntN(2) == 0 && a.Secret == "" && !literal && omit&OmitSecret == 0 {
		b = appendSecret(b, hash(seed, 92))
	}
	if len(b) > 0 {
		s := sl.string(b)
		if n > 0 {
			a.FileID = s[:n]
		}
		if len(s) > n {
			a.Secret = s[n:]
		}
	}
}

var combineParts = [...]string{"[图片]", "[文件]", "[语音]", "[视频]", "你好", "收到", "好的👌", "明天见"}

func combineSummary(r *prng) string {
	var b strings.Builder
	for k := 0; k < 2+r.IntN(3); k++ {
		b.WriteByte(':')
		b.WriteString(combineParts[r.IntN(len(combineParts))])
		b.WriteByte('\n')
	}
	return b.String()
}

// newSums returns the md5 midstates of a world, starting from sumsTable.
func newSums() *fixtures.Sums { return fixtures.NewSumsFrom(0, parsedSumsTable()) }

// sharedContent is the fixtures.Content every world of the process keeps
// its texts, names, words, places and file names in. Its pools are a pure
// function of their slots, so sharing them changes no answer; what it
// changes is that a second server in a process (a test suite starts many)
// starts with the slots the first made, and that the pools' memory
// (TestPoolMemory) is bounded per process rather than per server.
var sharedContent = sync.OnceValue(func() *fixtures.Content { return new(fixtures.Content) })

// parsedSumsTable is sumsTable parsed, once for every world of the
// process: read-only data, like the table itself. Nil if it does not
// parse (TestSumsTable keeps it whole; without it, md5s are only slower).
var parsedSumsTable = sync.OnceValue(func() *fixtures.SumsTable {
	t, err := fixtures.ParseSumsTable(sumsTable)
	if err != nil {
		return nil
	}
	return t
})

// file describes a's bytes to fixtures.
func (a *Attachment) file() fixtures.File {
	f := fixtures.File{Media: fixtures.DocumentFile, Ext: a.Ext, Seed: a.seed, Size: a.Size,
		Width: a.Width, Height: a.Height, Duration: a.Duration}
	switch a.kind {
	case Image:
		f.Media = fixtures.ImageFile
	case Audio:
		f.Media = fixtures.AudioFile
	case Video:
		f.Media = fixtures.VideoFile
	}
	return f
}

// bytes is a's file.
func (a *Attachment) bytes() []byte {
	if a.kind == Combine {
		b := combineBytes(a.seed)
		if pad := int(a.Size) - len(b); pad > 0 {
			b = append(b, bytes.Repeat([]byte{' '}, pad)...) // JSON allows trailing whitespace
		}
		return b
	}
	return a.file().Bytes()
}

// fileMD5 is the md5 of a's bytes. A merged-forward file is a few KB and
// hashed whole; every other file's md5 comes from the world's midstates
// (fixtures.Sums), without making its bytes.
func (w *World) fileMD5(a *Attachment) [16]byte {
	switch {
	case a.summed:
		return a.sum
	case a.kind == Combine:
		return md5.Sum(a.bytes())
	}
	return w.sums.MD5(a.file())
}

// combineBytes is a merged-forward message's file: the forwarded messages as
// JSON lines.
func combineBytes(seed uint64) []byte {
	var b strings.Builder
	n := 2 + int(seed%3)
	for k := 0; k < n; k++ {
		fmt.Fprintf(&b, "{\"type\":\"txt\",\"msg\":%q}\n", fixtures.Text(hash(seed, uint64(k))))
	}
	return []byte(b.String())
}

// Vendor returns the vendor a tenant id belongs to.
func (t TenantID) Vendor() Vendor {
	// The vendors' own constants first, compared in place: a cold page
	// asks once a message.
	for _, v := range [...]Vendor{Yunxin, Easemob, Op} {
		if len(t) > len(v) && t[len(v)] == ':' && string(t[:len(v)]) == string(v) {
			return v
		}
	}
	v, _, _ := strings.Cut(string(t), ":")
	return Vendor(v)
}

// Thumbnail returns a smaller file for a: an image's own picture with its
// longer side scaled to side pixels when the image is larger than minSize
// bytes (smaller images are their own thumbnail), a video's thumbnail
// attachment; other files have none (nil). mime is the bytes' media type.
func (w *World) Thumbnail(a *Attachment, side int, minSize int64) (b []byte, mime string) {
	switch a.kind {
	case Image:
		if a.Size <= minSize {
			return a.bytes(), a.MIME
		}
		return a.file().Thumbnail(side), a.MIME
	case Video:
		if a.Thumb != nil {
			return a.Thumb.bytes(), a.Thumb.MIME
		}
	}
	return nil, ""
}
