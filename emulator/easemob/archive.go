package easemob

import (
	"bufio"
	"compress/gzip"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"hash"
	"hash/crc64"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/pagecache"
	"github.com/chatemu/chatemu/emulator/world"
)

// ArchiveContentType is the archive's Content-Type. OSS sends the type the
// object was stored with, which its SDKs infer from the key's extension:
// ".gz" → application/x-gzip (aliyun-oss-go-sdk oss/type.go). [guess] that
// Easemob uploads without an explicit type. There is no Content-Encoding:
// the body is a .gz file, not a compressed transfer of NDJSON.
const ArchiveContentType = "application/x-gzip"

// ArchiveObject is the OSS key of app's archive for hour (yyyyMMddHH in the
// app's cluster zone). The vendor never shows its key;
// [guess] "history/{org}/{app}/{yyyyMMddHH}.gz", ending like the {time}.gz
// the Java SDK saves it as.
func ArchiveObject(app *world.EasemobApp, hour string) string {
	return "history/" + app.Org + "/" + app.App + "/" + hour + ".gz"
}

// parseArchiveObject splits an ArchiveObject key.
func parseArchiveObject(key string) (org, app, hour string, ok bool) {
	parts := strings.Split(key, "/")
	if len(parts) != 4 || parts[0] != "history" || !strings.HasSuffix(parts[3], ".gz") {
		return "", "", "", false
	}
	return parts[1], parts[2], strings.TrimSuffix(parts[3], ".gz"), true
}

// Bounds of the archive caches.
const (
	archiveMetaEntries = 4096 // per generation: enough for 170 days of one app's hours
	archiveMetaSize    = 64   // bytes per entry, key and value, for the byte budget
	archiveBytesBudget = 2 * pagecache.DefaultBytes
)

// archiveMeta is what an archive's headers need before its first byte.
type archiveMeta struct {
	size int64
	crc  uint64 // CRC-64/ECMA as OSS's x-oss-hash-crc64ecma and the SDKs compute it
	md5  [md5.Size]byte
}

// archive returns the meta of app's archive for the hour at start, and its
// bytes when they are small enough to keep (nil otherwise: stream them with
// writeArchiveRange). Memory stays bounded: the first request of an
// archive writes it once to hash it (keeping at most pagecache.MaxBody of
// it), later ones find the meta, and the bytes when kept, in the caches,
// which the world's version keys. An archive is a pure function of the
// world, so the second writing of a large one is the same bytes.
func (s *Surface) archive(app *world.EasemobApp, start time.Time) (archiveMeta, []byte, error) {
	version := s.cfg.World.Version()
	key := []byte(string(app.Tenant()) + "\x00" + strconv.FormatInt(start.Unix(), 10))
	if b, ok := s.archiveMeta.Get(version, key); ok && len(b) == 8+8+md5.Size {
		m := archiveMeta{size: int64(binary.BigEndian.Uint64(b)), crc: binary.BigEndian.Uint64(b[8:])}
		copy(m.md5[:], b[16:])
		body, _ := s.archiveBytes.Get(version, key)
		if body != nil || m.size > pagecache.MaxBody {
			return m, body, nil
		}
	}
	hw := &hashingWriter{crc: crc64.New(crc64Table), md5: md5.New(), keep: pagecache.MaxBody}
	if err := s.WriteArchive(hw, app, start); err != nil {
		return archiveMeta{}, nil, err
	}
	m := archiveMeta{size: hw.n, crc: hw.crc.Sum64()}
	hw.md5.Sum(m.md5[:0])
	b := make([]byte, 8+8+md5.Size)
	binary.BigEndian.PutUint64(b, uint64(m.size))
	binary.BigEndian.PutUint64(b[8:], m.crc)
	copy(b[16:], m.md5[:])
	s.archiveMeta.Put(version, key, b)
	if hw.kept != nil {
		s.archiveBytes.Put(version, key, hw.kept)
	}
	return m, hw.kept, nil
}

// crc64Table is CRC-64/ECMA, the table the OSS SDKs use
// (crc64.MakeTable(crc64.ECMA) in aliyun-oss-go-sdk oss/crc.go).
var crc64Table = crc64.MakeTable(crc64.ECMA)

// hashingWriter counts and hashes what is written, keeping the bytes while
// they fit in keep.
type hashingWriter struct {
	n    int64
	crc  hash.Hash64
	md5  hash.Hash
	keep int
	kept []byte
	over bool
}

func (h *hashingWriter) Write(p []byte) (int, error) {
	h.n += int64(len(p))
	h.crc.Write(p)
	h.md5.Write(p)
	switch {
	case h.over:
	case h.n > int64(h.keep):
		h.over, h.kept = true, nil
	default:
		h.kept = append(h.kept, p...)
	}
	return len(p), nil
}

// errRangeSent stops writing an archive once a range of it has been sent.
var errRangeSent = errors.New("range sent")

// writeArchiveRange writes bytes [first, first+n) of the archive to w,
// writing the archive from its start and dropping what comes before.
func (s *Surface) writeArchiveRange(w io.Writer, app *world.EasemobApp, start time.Time, first, n int64) error {
	err := s.WriteArchive(&rangeWriter{w: w, skip: first, left: n}, app, start)
	if errors.Is(err, errRangeSent) {
		return nil
	}
	return err
}

// rangeWriter passes on n bytes after skipping the first skip ones.
type rangeWriter struct {
	w          io.Writer
	skip, left int64
}

func (x *rangeWriter) Write(p []byte) (int, error) {
	n := len(p)
	if x.skip >= int64(len(p)) {
		x.skip -= int64(len(p))
		return n, nil
	}
	p = p[x.skip:]
	x.skip = 0
	if int64(len(p)) > x.left {
		p = p[:x.left]
	}
	if _, err := x.w.Write(p); err != nil {
		return 0, err
	}
	if x.left -= int64(len(p)); x.left == 0 {
		return n, errRangeSent
	}
	return n, nil
}

// flushAt is how much NDJSON the archive writer gathers before handing it
// to gzip.
const flushAt = 32 << 10

// WriteArchive writes the archive of app's hour starting at start to w: a
// single-member gzip of one JSON record per message, each ending in "\n"
// (the Easemob history page (doc.easemob.com/document/server-side/message_historical.html)). It streams: it holds one message per traffic
// stream and one 32 KiB buffer, never the hour.
func (s *Surface) WriteArchive(w io.Writer, app *world.EasemobApp, start time.Time) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	zw, err := gzip.NewWriterLevel(bw, s.cfg.GzipLevel)
	if err != nil {
		return err
	}
	enc := s.recordEncoder(app)
	buf := make([]byte, 0, flushAt+4096)
	for m := range s.cfg.World.Range(app.Tenant(), start, start.Add(time.Hour)) {
		buf = enc.append(buf, &m)
		if len(buf) >= flushAt {
			if _, err := zw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if _, err := zw.Write(buf); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// recordEncoder writes archive records by hand: key order is the vendor's
// and it runs for every message of an hour.
type recordEncoder struct {
	files string // "{public_url}/{org}/{app}/chatfiles/"
}

// recordEncoder returns the encoder of app's records.
func (s *Surface) recordEncoder(app *world.EasemobApp) recordEncoder {
	return recordEncoder{files: s.cfg.PublicURL + "/" + app.Org + "/" + app.App + "/chatfiles/"}
}

// append appends m's record and its "\n". Keys, in the vendor page's order:
// msg_id, timestamp, direction, to, from, chat_type, payload{bodies, ext,
// from, to} (the history page's record example). timestamp is a JSON number of ms. The
// top-level to/from, "internal" on the page, carry the same as payload's
// [guess]. ext is {} when the message has none [guess].
func (e *recordEncoder) append(b []byte, m *world.Message) []byte {
	b = append(b, `{"msg_id":`...)
	b = appendString(b, m.ID)
	b = append(b, `,"timestamp":`...)
	b = strconv.AppendInt(b, m.At.UnixMilli(), 10)
	b = append(b, `,"direction":"outgoing","to":`...)
	b = appendString(b, m.To)
	b = append(b, `,"from":`...)
	b = appendString(b, m.From)
	b = append(b, `,"chat_type":`...)
	b = appendString(b, m.ChatType.String())
	b = append(b, `,"payload":{"bodies":[`...)
	b = e.appendBody(b, m)
	b = append(b, `],"ext":`...)
	if m.Ext == nil {
		b = append(b, '{', '}')
	} else {
		b = appendAny(b, m.Ext)
	}
	b = append(b, `,"from":`...)
	b = appendString(b, m.From)
	b = append(b, `,"to":`...)
	b = appendString(b, m.To)
	return append(b, '}', '}', '\n')
}

// appendBody appends payload.bodies[0] with the fields and order of the
// vendor page's example for its type: alphabetical for
// all but custom, which the page writes v2:customExts, customExts,
// customEvent, type. secret and thumb_secret appear only when the file is
// access-restricted, as the page says.
func (e *recordEncoder) appendBody(b []byte, m *world.Message) []byte {
	a := m.Attachment
	switch m.Kind {
	case world.Image:
		if a == nil {
			break
		}
		b = e.fileHead(b, a)
		b = e.secret(b, a.Secret)
		b = appendSize(b, a.Height, a.Width)
		b = append(b, `,"type":"img"`...)
		return e.url(b, a)
	case world.Audio:
		if a == nil {
			break
		}
		b = e.fileHead(b, a)
		b = append(b, `,"length":`...)
		b = strconv.AppendInt(b, int64(a.Duration/time.Second), 10)
		b = e.secret(b, a.Secret)
		b = append(b, `,"type":"audio"`...)
		return e.url(b, a)
	case world.Video:
		if a == nil {
			break
		}
		b = e.fileHead(b, a)
		b = append(b, `,"length":`...)
		b = strconv.AppendInt(b, int64(a.Duration/time.Second), 10)
		b = e.secret(b, a.Secret)
		// size is the thumbnail's (the page's table), else the video's.
		if t := a.Thumb; t != nil && t.Width > 0 && t.Height > 0 {
			b = appendSize(b, t.Height, t.Width)
		} else {
			b = appendSize(b, a.Height, a.Width)
		}
		if t := a.Thumb; t != nil {
			b = append(b, `,"thumb":`...)
			b = appendString(b, e.files+t.FileID)
			if t.Secret != "" {
				b = append(b, `,"thumb_secret":`...)
				b = appendString(b, t.Secret)
			}
		}
		b = append(b, `,"type":"video"`...)
		return e.url(b, a)
	case world.File:
		if a == nil {
			break
		}
		b = e.fileHead(b, a)
		b = e.secret(b, a.Secret)
		b = append(b, `,"type":"file"`...)
		return e.url(b, a)
	case world.Combine:
		if a == nil {
			break
		}
		level, title, summary := 1, "", ""
		if c := m.Combine; c != nil {
			level, title, summary = c.Level, c.Title, c.Summary
		}
		b = append(b, `{"combineLevel":`...)
		b = strconv.AppendInt(b, int64(level), 10)
		b = append(b, `,"file_length":`...)
		b = strconv.AppendInt(b, a.Size, 10)
		b = append(b, `,"filename":`...)
		b = appendString(b, a.Name)
		b = e.secret(b, a.Secret)
		// The page's combine body has no "type"; copied as shown [guess].
		b = append(b, `,"subType":"sub_combine","summary":`...)
		b = appendString(b, summary)
		b = append(b, `,"title":`...)
		b = appendString(b, title)
		return e.url(b, a)
	case world.Location:
		if m.Location == nil {
			break
		}
		b = append(b, `{"addr":`...)
		b = appendString(b, m.Location.Address)
		b = append(b, `,"lat":`...)
		b = appendDouble(b, m.Location.Lat)
		b = append(b, `,"lng":`...)
		b = appendDouble(b, m.Location.Lng)
		return append(b, `,"type":"loc"}`...)
	case world.Command:
		b = append(b, `{"action":`...)
		b = appendString(b, m.Action)
		return append(b, `,"type":"cmd"}`...)
	case world.Custom:
		b = append(b, '{')
		if c := m.Custom; c != nil && len(c.Exts) > 0 {
			b = append(b, `"v2:customExts":{`...)
			for i, kv := range c.Exts {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, kv[0])
				b = append(b, ':')
				b = appendString(b, kv[1])
			}
			b = append(b, `},"customExts":[`...)
			for i, kv := range c.Exts {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, '{')
				b = appendString(b, kv[0])
				b = append(b, ':')
				b = appendString(b, kv[1])
				b = append(b, '}')
			}
			b = append(b, `],`...)
		}
		b = append(b, `"customEvent":`...)
		if m.Custom != nil {
			b = appendString(b, m.Custom.Event)
		} else {
			b = append(b, `""`...)
		}
		return append(b, `,"type":"custom"}`...)
	}
	// Text, and kinds Easemob has no body for (Yunxin's tip, robot and
	// notification, should one be injected): a txt body with the text.
	b = append(b, `{"msg":`...)
	b = appendText(b, m)
	return append(b, `,"type":"txt"}`...)
}

// fileHead opens a file body: {"file_length":…,"filename":…
func (e *recordEncoder) fileHead(b []byte, a *world.Attachment) []byte {
	b = append(b, `{"file_length":`...)
	b = strconv.AppendInt(b, a.Size, 10)
	b = append(b, `,"filename":`...)
	return appendString(b, a.Name)
}

func (e *recordEncoder) secret(b []byte, secret string) []byte {
	if secret == "" {
		return b
	}
	b = append(b, `,"secret":`...)
	return appendString(b, secret)
}

// url closes a file body with its chatfiles url.
func (e *recordEncoder) url(b []byte, a *world.Attachment) []byte {
	b = append(b, `,"url":`...)
	b = appendString(b, e.files+a.FileID)
	return append(b, '}')
}

func appendSize(b []byte, height, width int) []byte {
	b = append(b, `,"size":{"height":`...)
	b = strconv.AppendInt(b, int64(height), 10)
	b = append(b, `,"width":`...)
	b = strconv.AppendInt(b, int64(width), 10)
	return append(b, '}')
}
