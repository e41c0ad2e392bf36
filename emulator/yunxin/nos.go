package yunxin

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/internal/s3xml"
	"github.com/chatemu/chatemu/emulator/internal/servecontent"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
)

// nosError is a failed attachment download as NOS, which is S3-compatible,
// answers it: an HTTP status and S3's XML error with Code, Message and, for
// a missing key, the Key. Reason is for the developer.
type nosError struct {
	status    int
	code, msg string
	key       string // a <Key> element when not empty
	reason    string
}

func (e *nosError) Error() string { return "nos " + e.code + ": " + e.reason }

// download serves GET and HEAD /_nos/{appkey}/{file}, an attachment's bytes
// at FileURL: Content-Type its MIME, Content-Length its size, ranges
// honoured. The path is public like a NOS object url in the history (no
// signature). Any other method is S3's 405 MethodNotAllowed; an unknown
// app or file, or a key of another shape (the emulated buckets hold only
// {appkey}/{file} keys), is S3's 404 NoSuchKey. [choice]
func (s *Surface) download(r *http.Request) (respond.Response, *nosError) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return respond.Response{}, &nosError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed",
			msg:    "The specified method is not allowed against this resource.",
			reason: fmt.Sprintf("NOS files are read with GET or HEAD, got %s", r.Method)}
	}
	v := mux.Vars(r)
	appKey, name := v["appkey"], v["file"]
	if name == "" { // the /_nos/ prefix: a key of another shape
		appKey, name, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/_nos/"), "/")
		return respond.Response{}, noSuchKey(appKey, name)
	}
	app, ok := s.cfg.World.YunxinApp(appKey)
	var a *world.Attachment
	if ok {
		journal.SetTenant(r, string(app.Tenant()))
		a, ok = s.cfg.World.Attachment(app.Tenant(), name)
		if !ok {
			if dot := strings.LastIndexByte(name, '.'); dot > 0 {
				a, ok = s.cfg.World.Attachment(app.Tenant(), name[:dot])
				ok = ok && a.Ext == name[dot+1:]
			}
		}
	}
	if !ok {
		return respond.Response{}, noSuchKey(appKey, name)
	}
	h := make(http.Header, 2)
	if a.MIME != "" {
		h.Set("Content-Type", a.MIME)
	}
	h.Set("ETag", `"`+s.cfg.World.MD5(a)+`"`)
	b := s.cfg.World.Bytes(a)
	return respond.Response{Header: h, Stream: func(w http.ResponseWriter) {
		servecontent.Serve(w, r, name, time.Time{}, bytes.NewReader(b), func(w http.ResponseWriter) {
			// S3's InvalidRange, NOS being S3-compatible.
			s.nos.Fail(w, r, &nosError{status: http.StatusRequestedRangeNotSatisfiable, code: "InvalidRange", msg: "The requested range is not satisfiable",
				reason: fmt.Sprintf("Range %q is not satisfiable: the file is %d bytes", r.Header.Get("Range"), len(b))})
		})
	}}, nil
}

func noSuchKey(appKey, name string) *nosError {
	return &nosError{status: http.StatusNotFound, code: "NoSuchKey", msg: "The specified key does not exist.", key: name,
		reason: fmt.Sprintf("no attachment %q in app %q", name, appKey)}
}

// nosInternalError is NOS's 500, S3's InternalError.
func nosInternalError(reason string) *nosError {
	return &nosError{status: http.StatusInternalServerError, code: s3xml.CodeInternalError, msg: s3xml.MessageInternalError, reason: reason}
}

// renderNOSError is the one place a NOS error becomes its answer: S3's
// one-line XML, and Allow on a 405.
func renderNOSError(_ *http.Request, e *nosError) respond.Response {
	el := []s3xml.Element{{Name: "Code", Text: e.code}, {Name: "Message", Text: e.msg}}
	if e.key != "" {
		el = append(el, s3xml.Element{Name: "Key", Text: e.key})
	}
	res := s3xml.Response(e.status, s3xml.Document(false, el...))
	if e.status == http.StatusMethodNotAllowed {
		res.Header.Set("Allow", "GET, HEAD")
	}
	res.Reason = e.reason
	return res
}
