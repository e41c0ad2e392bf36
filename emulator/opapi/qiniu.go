package opapi

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/internal/servecontent"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// Qiniu download bodies besides sign's token errors.
const (
	// QiniuBodyNotFound is Qiniu's body for a missing key [guess: the
	// body its storage returns for a missing object, not documented for
	// private download domains].
	QiniuBodyNotFound = `{"error":"no such file or directory"}`
	// QiniuBodyMethod answers a method other than GET or HEAD [guess].
	QiniuBodyMethod = `{"error":"method not allowed"}`
	// QiniuBodyRange answers a Range the file cannot satisfy [guess: Qiniu
	// documents 416 for it, not the body].
	QiniuBodyRange = `{"error":"invalid range"}`
)

// qiniuDownload is GET /_qiniu/{key}?e=…&token=AK:sig: the re-hosted
// attachment behind a getUrl link. The token is checked first (401, bodies
// in sign), then the key (404), then the real bytes are sent with the
// attachment's MIME type.
func (s *Surface) qiniuDownload(r *http.Request) (respond.Response, *qiniuError) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return respond.Response{}, &qiniuError{http.StatusMethodNotAllowed, QiniuBodyMethod, "Qiniu downloads are GET or HEAD, got " + r.Method}
	}
	uri := r.RequestURI
	if uri == "" || !strings.HasPrefix(uri, "/") {
		uri = r.URL.RequestURI()
	}
	full := s.publicURL + uri
	err := sign.QiniuVerify(full, s.clock.Now(), s.qiniuSecret)
	var qe sign.QiniuError
	if errors.As(err, &qe) {
		return respond.Response{}, &qiniuError{qe.HTTPStatus(), qe.Body, qe.RevealedReason(s.reveal) + " (verified URL " + full + ")"}
	} else if err != nil {
		return respond.Response{}, &qiniuError{http.StatusUnauthorized, sign.QiniuBodyAuthFailed, err.Error()}
	}
	s.qiniuTenant(r)
	key := mux.Vars(r)["key"]
	ak := accessKeyOf(r)
	a, ok := s.qiniuObject(ak, key)
	if !ok {
		return respond.Response{}, &qiniuError{http.StatusNotFound, QiniuBodyNotFound,
			fmt.Sprintf("no attachment with key %q (file id + \".\" + extension) among the apps of the clients with access key %q", key, ak)}
	}
	// As Kodo serves an object: its length, Qiniu's hash as the ETag
	// (sign.QiniuEtag), Accept-Ranges, and Range answered with 206 (416
	// when unsatisfiable). The Go SDK's concurrent downloader relies on
	// exactly these: it splits a file into ranges only when a HEAD shows
	// Accept-Ranges: bytes and a length, and keeps a part only when its ETag
	// matches the HEAD's (qiniu/go-sdk storagev2/downloader).
	b := s.world.Bytes(a)
	h := respond.Header("Content-Type", a.MIME, "Etag", `"`+sign.QiniuEtag(b)+`"`)
	return respond.Response{Header: h, Stream: func(w http.ResponseWriter) {
		servecontent.Serve(w, r, key, time.Time{}, bytes.NewReader(b), func(w http.ResponseWriter) {
			s.qiniu.Fail(w, r, &qiniuError{http.StatusRequestedRangeNotSatisfiable, QiniuBodyRange,
				fmt.Sprintf("Range %q is not satisfiable: the file is %d bytes", r.Header.Get("Range"), len(b))})
		})
	}}, nil
}

// qiniuSecret finds the secret key of an access key among the Op clients.
func (s *Surface) qiniuSecret(ak string) (string, bool) {
	for _, c := range s.world.OpClients() {
		if c.Qiniu.AccessKey == ak && ak != "" {
			return c.Qiniu.SecretKey, true
		}
	}
	return "", false
}

// accessKeyOf returns the AK of a request's (verified) token.
func accessKeyOf(r *http.Request) string {
	ak, _, _ := strings.Cut(r.URL.Query().Get("token"), ":")
	return ak
}

// qiniuObject resolves a key in the buckets of the clients holding ak: each
// client's bucket holds its Easemob app's attachments.
func (s *Surface) qiniuObject(ak, key string) (*world.Attachment, bool) {
	ids := []string{key}
	if dot := strings.LastIndexByte(key, '.'); dot > 0 {
		ids = append(ids, key[:dot])
	}
	for _, c := range s.world.OpClients() {
		if c.Qiniu.AccessKey != ak {
			continue
		}
		for _, id := range ids {
			if a, ok := s.world.Attachment(c.EasemobApp, id); ok && QiniuKey(a) == key {
				return a, true
			}
		}
	}
	return nil, false
}

// qiniuError is a refused Qiniu download: its status, Qiniu's JSON body
// ({"error": …}) and the reason.
type qiniuError struct {
	status int
	body   string
	reason string
}

func (e *qiniuError) Error() string { return "qiniu " + e.body + ": " + e.reason }

// qiniuInternalError is Qiniu's 599 "server operation failed", for the
// server_error fault preset and a bug of chatemu.
func qiniuInternalError(reason string) *qiniuError {
	return &qiniuError{qiniuStatusServerErr, QiniuBodyServerError, reason}
}

// renderQiniuError is the one place a Qiniu error body becomes its answer.
func renderQiniuError(_ *http.Request, e *qiniuError) respond.Response {
	h := respond.Header("Content-Type", "application/json", "Content-Length", strconv.Itoa(len(e.body)))
	return respond.Response{Status: e.status, Header: h, Body: []byte(e.body), Reason: e.reason}
}
