package easemob

import (
	"bufio"
	"compress/gzip"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc64"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/pagecache"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// ossPrefix is where the emulated OSS buckets live on the emulator
// (DESIGN §1): {public_url}/_oss/{bucket}/{object}.
const ossPrefix = "/_oss"

// ArchiveContentType is the archive's Content-Type. OSS sends the type the
// object was stored with, which its SDKs infer from the key's extension:
// ".gz" → application/x-gzip (aliyun-oss-go-sdk oss/type.go). [guess] that
// Easemob uploads without an explicit type. There is no Content-Encoding:
// the body is a .gz file, not a compressed transfer of NDJSON.
const ArchiveContentType = "application/x-gzip"

// ArchiveObject is the OSS key of app's archive for hour (yyyyMMddHH in the
// app's cluster zone). The vendor never shows its key (vendor-notes §1.4);
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

// serveOSS serves GET and HEAD /_oss/{bucket}/{object}: an archive behind
// an OSS V1 query-signed link (https://www.alibabacloud.com/help/doc-detail/31952.htm). sign.OSSVerifyRequest
// checks expiry before the signature, as OSS does, and signs the method,
// the signed headers and every sub-resource, so only a link signed for this
// very request verifies. The object may arrive with "/" escaped as %2F (the
// Go V1 SDK's form); gorilla/mux matches the decoded path, so object is the
// raw key either way.
func (s *Surface) serveOSS(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	bucket, object := v["bucket"], v["object"]
	s.ossTenant(r, object)
	now := s.cfg.Clock.Now()
	reqID := s.ossRequestID(now)
	h := w.Header()
	h.Set("Server", "AliyunOSS")
	h.Set("x-oss-request-id", reqID)
	h.Set("Date", now.Format(http.TimeFormat))

	req := sign.OSSRequest{Method: r.Method, Bucket: bucket, Object: object, RawQuery: r.URL.RawQuery, Header: r.Header}
	if err := sign.OSSVerifyRequest(req, now, s.ossSecret); err != nil {
		var oe *sign.OSSError
		if !errors.As(err, &oe) {
			oe = sign.OSSNoSuchKey(bucket, object) // OSSVerifyRequest returns only *OSSError
		}
		s.ossFail(w, r, reqID, oe)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.ossFail(w, r, reqID, sign.OSSMethodNotAllowed(r.Method))
		return
	}
	overrides, e := ossOverrides(req.Query())
	if e != nil {
		s.ossFail(w, r, reqID, e)
		return
	}
	app, start, ok := s.archiveFor(bucket, object, now)
	if !ok {
		s.ossFail(w, r, reqID, sign.OSSNoSuchKey(bucket, object))
		return
	}
	meta, body, err := s.archive(app, start)
	if err != nil {
		s.log.Error("archive", "tenant", app.Tenant(), "hour", start, "error", err)
		s.ossFailStatus(w, r, reqID, &sign.OSSError{Code: "InternalError", Message: "We encountered an internal error. Please try again.",
			Reason: "chatemu bug: writing the archive: " + err.Error()}, http.StatusInternalServerError)
		return
	}
	etag := `"` + strings.ToUpper(hex.EncodeToString(meta.md5[:])) + `"`
	modified := start.Add(time.Hour + app.ArchiveDelay)
	switch status, header := ossPrecondition(r.Header, etag, modified); status {
	case http.StatusPreconditionFailed:
		s.ossFail(w, r, reqID, sign.OSSPreconditionFailed(header))
		return
	case http.StatusNotModified:
		h.Set("ETag", etag)
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
		h.Set("X-Chatemu-Reason", header+" holds: the archive did not change")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	first, last, partial, rerr := sign.OSSByteRange(r.Header.Get("Range"), meta.size, r.Header.Get("x-oss-range-behavior") == sign.OSSRangeStandard)
	if rerr != nil {
		s.ossFail(w, r, reqID, rerr)
		return
	}
	// The object's headers as OSS sends them for a simple upload: its
	// length, an ETag that is the quoted upper-case hex MD5, the CRC-64/ECMA
	// the SDKs check a full download against, and Last-Modified, the
	// emulated moment the archive was written.
	h.Set("Content-Type", ArchiveContentType)
	h.Set("Accept-Ranges", "bytes")
	h.Set("ETag", etag)
	h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(meta.crc, 10))
	h.Set("x-oss-object-type", "Normal")
	h.Set("x-oss-storage-class", "Standard")
	for name, value := range overrides {
		h.Set(name, value)
	}
	h.Set("Content-Length", strconv.FormatInt(last-first+1, 10))
	status := http.StatusOK
	if partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, meta.size))
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if last == meta.size-1 {
		// For the server's metrics: a download, whole or in ranges, counts
		// its records once, with the answer that ends at the last byte.
		journal.SetRecords(r, s.cfg.World.Count(app.Tenant(), start, start.Add(time.Hour)))
	}
	// A write error is the client leaving.
	if body != nil {
		_, _ = w.Write(body[first : last+1])
		return
	}
	_ = s.writeArchiveRange(w, app, start, first, last-first+1)
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

// ossResponseOverrides maps GetObject's response-* parameters to the
// response header each one sets (https://help.aliyun.com/zh/oss/developer-reference/getobject,
// 请求参数; the SDKs' ResponseContentType … options).
var ossResponseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

// ossOverrides returns the response headers a verified request's response-*
// parameters ask for, or NotImplemented when it carries another
// sub-resource: each of those (acl, x-oss-process, versionId, …) selects an
// OSS feature chatemu does not emulate, and a plain download would silently
// ignore it.
func ossOverrides(q url.Values) (map[string]string, *sign.OSSError) {
	out := map[string]string{}
	var other []string
	for k, v := range q {
		if header, ok := ossResponseOverrides[k]; ok {
			out[header] = v[0]
		} else if sign.OSSIsSubResource(k) {
			other = append(other, k)
		}
	}
	if len(other) > 0 {
		slices.Sort(other)
		return nil, sign.OSSNotImplemented("sub-resource " + strings.Join(other, ", "))
	}
	return out, nil
}

// ossFail writes an OSS XML error (vendor-notes §2.2) with its reason.
func (s *Surface) ossFail(w http.ResponseWriter, r *http.Request, reqID string, e *sign.OSSError) {
	s.ossFailStatus(w, r, reqID, e, e.HTTPStatus())
}

// ossFailStatus is ossFail with the status given: the one place an OSS
// error becomes bytes, also for the fault presets whose codes sign does not
// know (SlowDown 503, InternalError 500). A known EC also goes in the
// x-oss-ec header, and a HEAD, which has no body, gets the body base64 in
// x-oss-err, as OSS sends them (alibabacloud-oss-go-sdk-v2 reads both:
// oss/client.go tryConvertServiceError, and its HeadObject test vectors).
func (s *Surface) ossFailStatus(w http.ResponseWriter, r *http.Request, reqID string, e *sign.OSSError, status int) {
	s.log.Debug("oss error", "path", r.URL.Path, "code", e.Code, "reason", e.Reason)
	body := e.XML(reqID, r.Host)
	h := w.Header()
	for _, k := range []string{"Content-Encoding", "Content-Disposition", "Content-Language", "Cache-Control", "Expires", "Last-Modified", "ETag"} {
		h.Del(k) // an error carries none of the object's headers
	}
	h.Set("X-Chatemu-Reason", e.RevealedReason(s.cfg.RevealSecrets))
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if e.EC != "" {
		h.Set("x-oss-ec", e.EC)
	}
	if r.Method == http.MethodHead {
		h.Set("x-oss-err", base64.StdEncoding.EncodeToString(body))
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// ossSecret finds the secret of an access key id among the apps' OSS keys.
func (s *Surface) ossSecret(id string) (string, bool) {
	for _, a := range s.cfg.World.EasemobApps() {
		if a.OSS.AccessKeyID != "" && a.OSS.AccessKeyID == id {
			return a.OSS.AccessKeySecret, true
		}
	}
	return "", false
}

// archiveFor finds the archive an object key names: an app whose bucket it
// is, an hour that is archived, within retention, and not empty. Anything
// else does not exist in the bucket.
func (s *Surface) archiveFor(bucket, object string, now time.Time) (*world.EasemobApp, time.Time, bool) {
	org, name, hour, ok := parseArchiveObject(object)
	if !ok {
		return nil, time.Time{}, false
	}
	app, ok := s.cfg.World.EasemobApp(org, name)
	if !ok || app.OSS.Bucket != bucket {
		return nil, time.Time{}, false
	}
	start, ok := ParseHour(hour, zone(app))
	if !ok {
		return nil, time.Time{}, false
	}
	if st, _ := hourState(app, start, now); st != archiveReady {
		return nil, time.Time{}, false
	}
	if s.cfg.World.Count(app.Tenant(), start, start.Add(time.Hour)) == 0 {
		return nil, time.Time{}, false
	}
	return app, start, true
}

// ossRequestID makes an x-oss-request-id shaped like OSS's: 24 upper-case
// hex digits starting with the server's Unix seconds (the 2017 capture's
// 589A7A90… is its ServerTime). The rest counts requests, so ids are
// deterministic for a deterministic run.
func (s *Surface) ossRequestID(now time.Time) string {
	s.mu.Lock()
	n := s.ossReqs
	s.ossReqs++
	s.mu.Unlock()
	x := n + 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	x ^= x >> 31
	return fmt.Sprintf("%08X%016X", uint32(now.Unix()), x)
}

// flushAt is how much NDJSON the archive writer gathers before handing it
// to gzip.
const flushAt = 32 << 10

// WriteArchive writes the archive of app's hour starting at start to w: a
// single-member gzip of one JSON record per message, each ending in "\n"
// (vendor-notes §1.4, §7). It streams: it holds one message per traffic
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
// from, to} (vendor-notes §1.4). timestamp is a JSON number of ms. The
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
// vendor page's example for its type (vendor-notes §1.4): alphabetical for
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
	b = appendString(b, m.Text)
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
