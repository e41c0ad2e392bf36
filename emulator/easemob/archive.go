package easemob

import (
	"bufio"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

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
// an OSS V1 query-signed link (vendor-notes §2). sign.OSSVerifyRequest
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
	h.Set("Content-Type", ArchiveContentType)
	h.Set("Last-Modified", start.Add(time.Hour+app.ArchiveDelay).UTC().Format(http.TimeFormat))
	h.Set("x-oss-object-type", "Normal")
	h.Set("x-oss-storage-class", "Standard")
	for name, value := range overrides {
		h.Set(name, value)
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	_ = s.WriteArchive(w, app, start) // a write error is the client leaving
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
	enc := recordEncoder{files: s.cfg.PublicURL + "/" + app.Org + "/" + app.App + "/chatfiles/"}
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
