package easemob

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/sign"
)

// A request with header "thumbnail: true" gets the file's thumbnail: for
// an image, the same picture scaled (images over thumbnailMinSize bytes,
// longer side thumbnailSide pixels, Easemob's defaults); for a video, its
// thumbnail image; other files are sent whole
// (https://doc.easemob.com/document/server-side/message_download_thumbnail.html).
const (
	thumbnailSide    = 170
	thumbnailMinSize = 10 * 1024
)

// chatFile is GET /{org}/{app}/chatfiles/{uuid}: the bytes behind an
// attachment url of an archive (message_download_file.md). A file uploaded
// with restricted access (its body carries a secret) needs the app token and
// its share-secret (see shareSecret); an unrestricted one downloads without
// either, but a token that is sent is checked. Checks, in order: org/app,
// method, rate limit (100/s/app), file exists, token, share-secret.
func (s *Surface) chatFile(r *http.Request) (respond.Response, *Error) {
	app, e := s.enter(r, http.MethodGet, limitChatFiles)
	if e != nil {
		return respond.Response{}, e
	}
	uuid := mux.Vars(r)["uuid"]
	a, ok := s.cfg.World.Attachment(app.Tenant(), uuid)
	if !ok {
		return respond.Response{}, errFileNotFound(uuid)
	}
	if a.Secret != "" || r.Header.Get("Authorization") != "" {
		if e := s.authorize(r, app); e != nil {
			return respond.Response{}, e
		}
	}
	if a.Secret != "" {
		if got, where := shareSecret(r); !sign.Equal(got, a.Secret) {
			why := "the file was uploaded with restricted access: send the body's secret as header share-secret or as ?share-secret="
			if got != "" {
				why = where + " share-secret does not match the file's secret"
			}
			// [guess] the vendor does not document this error's body.
			return respond.Response{}, errTokenUnknown(why)
		}
	}
	body, mime := s.cfg.World.Bytes(a), a.MIME
	if r.Header.Get("thumbnail") == "true" {
		if b, m := s.cfg.World.Thumbnail(a, thumbnailSide, thumbnailMinSize); b != nil {
			body, mime = b, m
		}
	}
	h := respond.Header("Content-Type", mime, "Content-Length", strconv.Itoa(len(body)), "Access-Control-Allow-Origin", "*")
	return respond.Response{Status: http.StatusOK, Header: h, Body: body}, nil
}

// shareSecret is the share-secret a request presents, and where: the
// header the download page documents
// (https://doc.easemob.com/document/server-side/message_download_file.html),
// else the query parameter the upload page tells callbacks and history
// consumers to append, "{{url}}?share-secret={{secret}}"
// (https://doc.easemob.com/document/server-side/message_upload_file.html,
// 文件限制). The header wins when both are sent [choice].
func shareSecret(r *http.Request) (value, where string) {
	if v := r.Header.Get("share-secret"); v != "" {
		return v, "header"
	}
	return r.URL.Query().Get("share-secret"), "query parameter"
}
