package emulator

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator/journal"
)

// TestRecorderKeepsImmutableBody: the recorder keeps an immutable body
// (a cached page) by reference, and a write after it appends to a copy,
// never into the cached bytes; what it keeps is cut at journal.MaxBody.
func TestRecorderKeepsImmutableBody(t *testing.T) {
	for _, size := range []int{100, journal.MaxBody + 100} {
		page := []byte(strings.Repeat("p", size))
		orig := bytes.Clone(page)
		rec := &recorder{ResponseWriter: httptest.NewRecorder(), declared: -1, capture: true, srv: &Server{journal: journal.New(10, 1<<20)}}
		rec.WriteImmutable(page)
		rec.Write([]byte("tail"))
		want := string(append(bytes.Clone(orig), "tail"...))[:min(size+4, journal.MaxBody)]
		if !bytes.Equal(page, orig) || string(rec.body) != want || rec.written != int64(size+4) {
			t.Errorf("size %d: page changed %v, kept %d bytes (want %d), written %d", size, !bytes.Equal(page, orig), len(rec.body), len(want), rec.written)
		}
		if size <= journal.MaxBody && &rec.body[0] == &page[0] {
			t.Errorf("size %d: the write after the page appended into the page's bytes", size)
		}
	}
}
