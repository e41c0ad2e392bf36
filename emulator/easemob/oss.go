package easemob

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/internal/s3xml"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// ossPrefix is where the emulated OSS buckets live on the emulator:
// {public_url}/_oss/{bucket}/{object}.
const ossPrefix = "/_oss"

// archiveDownload serves GET and HEAD /_oss/{bucket}/{object}: an archive
// behind an OSS V1 query-signed link
// (https://www.alibabacloud.com/help/doc-detail/31952.htm).
// sign.OSSVerifyRequest checks expiry before the signature, as OSS does, and
// signs the method, the signed headers and every sub-resource, so only a
// link signed for this very request verifies. The object may arrive with
// "/" escaped as %2F (the Go V1 SDK's form); gorilla/mux matches the decoded
// path, so object is the raw key either way.
func (s *Surface) archiveDownload(r *http.Request) (respond.Response, *sign.OSSError) {
	v := mux.Vars(r)
	bucket, object := v["bucket"], v["object"]
	s.ossTenant(r, object)
	now := s.cfg.Clock.Now()

	req := sign.OSSRequest{Method: r.Method, Bucket: bucket, Object: object, RawQuery: r.URL.RawQuery, Header: r.Header}
	if err := sign.OSSVerifyRequest(req, now, s.ossSecret); err != nil {
		var oe *sign.OSSError
		if !errors.As(err, &oe) {
			oe = sign.OSSNoSuchKey(bucket, object) // OSSVerifyRequest returns only *OSSError
		}
		return respond.Response{}, oe
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return respond.Response{}, sign.OSSMethodNotAllowed(r.Method)
	}
	overrides, e := ossOverrides(req.Query())
	if e != nil {
		return respond.Response{}, e
	}
	app, start, ok := s.archiveFor(bucket, object, now)
	if !ok {
		return respond.Response{}, sign.OSSNoSuchKey(bucket, object)
	}
	meta, body, err := s.archive(app, start)
	if err != nil {
		s.log.Error("archive", "tenant", app.Tenant(), "hour", start, "error", err)
		return respond.Response{}, ossInternalError("chatemu bug: writing the archive: " + err.Error())
	}
	etag := `"` + strings.ToUpper(hex.EncodeToString(meta.md5[:])) + `"`
	modified := start.Add(time.Hour + app.ArchiveDelay)
	switch status, header := ossPrecondition(r.Header, etag, modified); status {
	case http.StatusPreconditionFailed:
		return respond.Response{}, sign.OSSPreconditionFailed(header)
	case http.StatusNotModified:
		h := s.ossHeader(now)
		h.Set("ETag", etag)
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
		return respond.Response{Status: http.StatusNotModified, Header: h, Reason: header + " holds: the archive did not change"}, nil
	}
	first, last, partial, e := sign.OSSByteRange(r.Header.Get("Range"), meta.size, r.Header.Get("x-oss-range-behavior") == sign.OSSRangeStandard)
	if e != nil {
		return respond.Response{}, e
	}
	// The object's headers as OSS sends them for a simple upload: its
	// length, an ETag that is the quoted upper-case hex MD5, the CRC-64/ECMA
	// the SDKs check a full download against, and Last-Modified, the
	// emulated moment the archive was written.
	h := s.ossHeader(now)
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
	res := respond.Response{Status: status, Header: h}
	if r.Method != http.MethodHead && last == meta.size-1 {
		// For the server's metrics: a download, whole or in ranges, counts
		// its records once, with the answer that ends at the last byte.
		journal.SetRecords(r, s.cfg.World.Count(app.Tenant(), start, start.Add(time.Hour)))
	}
	if body != nil {
		res.Body = body[first : last+1]
		return res, nil
	}
	res.Stream = func(w http.ResponseWriter) {
		_ = s.writeArchiveRange(w, app, start, first, last-first+1) // a write error is the client leaving
	}
	return res, nil
}

// ossHeader holds the headers every OSS answer carries: Server, its
// request id and Date.
func (s *Surface) ossHeader(now time.Time) http.Header {
	return respond.Header("Server", "AliyunOSS", "X-Oss-Request-Id", s.ossRequestID(now), "Date", now.Format(http.TimeFormat))
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

// renderOSSError is the one place an OSS error becomes its answer: the XML
// body (https://github.com/johnlui/AliyunOSS/issues/20 shows one), the
// status its code has, and the reason. A known EC also goes in the x-oss-ec
// header, and a HEAD, which has no body, gets the body base64 in x-oss-err,
// as OSS sends them (alibabacloud-oss-go-sdk-v2 reads both: oss/client.go
// tryConvertServiceError, and its HeadObject test vectors).
func (s *Surface) renderOSSError(r *http.Request, e *sign.OSSError) respond.Response {
	h := s.ossHeader(s.cfg.Clock.Now())
	body := e.XML(h.Get("x-oss-request-id"), r.Host)
	res := s3xml.Response(e.HTTPStatus(), body)
	for k, vs := range res.Header {
		h[k] = vs
	}
	if e.EC != "" {
		h.Set("x-oss-ec", e.EC)
	}
	if r.Method == http.MethodHead {
		h.Set("x-oss-err", base64.StdEncoding.EncodeToString(body))
	}
	res.Header, res.Reason = h, e.RevealedReason(s.cfg.RevealSecrets)
	return res
}

// ossInternalError is OSS's 500, S3's InternalError, with its reason.
func ossInternalError(reason string) *sign.OSSError {
	return &sign.OSSError{Code: s3xml.CodeInternalError, Message: s3xml.MessageInternalError, Reason: reason}
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

// ossTenant names, for the journal, the app whose archive an object key
// is.
func (s *Surface) ossTenant(r *http.Request, object string) {
	if org, name, _, ok := parseArchiveObject(object); ok {
		if app, ok := s.cfg.World.EasemobApp(org, name); ok {
			journal.SetTenant(r, string(app.Tenant()))
		}
	}
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
