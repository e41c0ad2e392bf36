// Package servecontent serves a file's bytes with HTTP ranges as
// net/http.ServeContent does, but lets the vendor surface render the one
// error ServeContent would write itself: 416 for a Range the file cannot
// satisfy, whose Go text body ("invalid range: failed to overlap") no
// vendor sends.
package servecontent

import (
	"io"
	"net/http"
	"time"
)

// Serve is http.ServeContent(w, r, name, modtime, content), except that a
// 416 is rendered by unsatisfiable, which gets the writer with the
// Content-Range ServeContent set ("bytes */size") and must write the
// vendor's status and body.
func Serve(w http.ResponseWriter, r *http.Request, name string, modtime time.Time, content io.ReadSeeker, unsatisfiable func(w http.ResponseWriter)) {
	http.ServeContent(&rangeErrorWriter{ResponseWriter: w, unsatisfiable: unsatisfiable}, r, name, modtime, content)
}

// rangeErrorWriter hands a 416 to unsatisfiable and drops ServeContent's
// own body for it.
type rangeErrorWriter struct {
	http.ResponseWriter
	unsatisfiable func(w http.ResponseWriter)
	replaced      bool
}

func (x *rangeErrorWriter) WriteHeader(code int) {
	if code == http.StatusRequestedRangeNotSatisfiable {
		x.replaced = true
		h := x.ResponseWriter.Header()
		h.Del("X-Content-Type-Options") // http.Error's; the vendors send none
		x.unsatisfiable(x.ResponseWriter)
		return
	}
	x.ResponseWriter.WriteHeader(code)
}

func (x *rangeErrorWriter) Write(p []byte) (int, error) {
	if x.replaced {
		return len(p), nil
	}
	return x.ResponseWriter.Write(p)
}
