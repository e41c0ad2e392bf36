package easemob

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// TestChatFileThumbnail: with header "thumbnail: true" an image downloads
// as the same picture with its longer side 170 px, a video as its
// thumbnail image, anything else whole; the length is the header's, and
// two downloads are the same bytes.
func TestChatFileThumbnail(t *testing.T) {
	e := newEnv(t, testSpec(), testBase)
	a, _ := e.world.EasemobApp("acme", "chat")
	tok := e.token("acme", "chat", "")
	get := func(t *testing.T, at *world.Attachment, thumb string) ([]byte, http.Header) {
		t.Helper()
		req := getWithToken(testBase+"/acme/chat/chatfiles/"+at.FileID, tok)
		req.Header.Set("share-secret", at.Secret)
		if thumb != "" {
			req.Header.Set("thumbnail", thumb)
		}
		rec := e.do(req)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", at.Name, rec.Code, rec.Body)
		}
		if n, _ := strconv.Atoi(rec.Header().Get("Content-Length")); n != rec.Body.Len() {
			t.Fatalf("%s: Content-Length %d, body %d bytes", at.Name, n, rec.Body.Len())
		}
		return rec.Body.Bytes(), rec.Header()
	}
	seen := map[world.Kind]bool{}
	for m := range e.world.Range(a.Tenant(), time.Time{}, time.Time{}) {
		at := m.Attachment
		if at == nil || seen[m.Kind] {
			continue
		}
		seen[m.Kind] = true
		full, _ := get(t, at, "")
		thumb, h := get(t, at, "true")
		again, _ := get(t, at, "true")
		if !bytes.Equal(thumb, again) {
			t.Errorf("%s: two thumbnail downloads differ", at.Name)
		}
		switch m.Kind {
		case world.Image, world.Video:
			img, _, err := image.Decode(bytes.NewReader(thumb))
			if err != nil {
				t.Fatalf("%s thumbnail: %v", at.Name, err)
			}
			size := img.Bounds().Size()
			if max(size.X, size.Y) != thumbnailSide && m.Kind == world.Image {
				t.Errorf("%s: thumbnail %v, want the longer side %d", at.Name, size, thumbnailSide)
			}
			if size.X*at.Height-size.Y*at.Width > at.Height || size.Y*at.Width-size.X*at.Height > at.Width {
				t.Errorf("%s: thumbnail %v is not %dx%d's shape", at.Name, size, at.Width, at.Height)
			}
			if len(thumb) >= len(full) {
				t.Errorf("%s: thumbnail %d bytes, file %d", at.Name, len(thumb), len(full))
			}
			if ct := h.Get("Content-Type"); ct != "image/jpeg" && ct != "image/png" {
				t.Errorf("%s: thumbnail Content-Type %q", at.Name, ct)
			}
		default:
			if !bytes.Equal(thumb, full) {
				t.Errorf("%s (%s): thumbnail differs from the file; only images and videos have one", at.Name, m.Kind)
			}
		}
		if h, _ := get(t, at, "false"); !bytes.Equal(h, full) {
			t.Errorf("%s: thumbnail: false is not the file", at.Name)
		}
	}
	for _, k := range []world.Kind{world.Image, world.Video, world.Audio, world.File} {
		if !seen[k] {
			t.Errorf("no %s attachment in the world", k)
		}
	}
}
