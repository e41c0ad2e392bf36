package world

import (
	"bytes"
	"crypto/md5"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// sharedFilesWorld is testSpec with a busy Yunxin room of media messages
// only.
func sharedFilesWorld(t *testing.T) *World {
	t.Helper()
	spec := testSpec()
	spec.Yunxin[0].Traffic[0].PerHour = 3000
	spec.Yunxin[0].Traffic[0].Types = []KindWeight{{Image, 1}, {Audio, 1}, {Video, 1}, {File, 1}}
	w, err := New(spec, anchor)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// fileFacts is what a page says of a file, beside its id and name.
type fileFacts struct {
	ext, md5   string
	size       int64
	w, h       int
	dur        time.Duration
	thumbOf    bool
	seed, kind uint64
}

func factsOf(w *World, a *Attachment, thumb bool) fileFacts {
	return fileFacts{ext: a.Ext, md5: w.MD5(a), size: a.Size, w: a.Width, h: a.Height, dur: a.Duration,
		thumbOf: thumb, seed: a.seed, kind: uint64(a.kind)}
}

// TestSharedFiles: generated messages share files, a bounded number per
// shape: two attachments with the same bytes' seed say the same of their
// file (md5, size, picture size, duration), while ids and names stay each
// message's own; and no shape has more than sharedVariants files.
func TestSharedFiles(t *testing.T) {
	w := sharedFilesWorld(t)
	bySeed := map[uint64]fileFacts{}
	perShape := map[string]map[uint64]bool{}
	ids := map[string]bool{}
	repeats := 0
	for m := range w.Range(YunxinTenant("yx"), time.Time{}, time.Time{}) {
		for a, thumb := m.Attachment, false; a != nil; a, thumb = a.Thumb, true {
			f := factsOf(w, a, thumb)
			if g, ok := bySeed[a.seed]; ok {
				repeats++
				if g != f {
					t.Fatalf("two files of seed %x differ: %+v and %+v", a.seed, g, f)
				}
			}
			bySeed[a.seed] = f
			if ids[a.FileID] {
				t.Fatalf("file id %s given twice", a.FileID)
			}
			ids[a.FileID] = true
			shape := a.Ext
			if thumb {
				shape = "thumb"
			}
			if perShape[shape] == nil {
				perShape[shape] = map[uint64]bool{}
			}
			perShape[shape][a.seed] = true
		}
	}
	if repeats == 0 {
		t.Fatalf("%d files and none shared", len(bySeed))
	}
	for shape, seeds := range perShape {
		if len(seeds) > sharedVariants {
			t.Errorf("%s: %d files, more than %d", shape, len(seeds), sharedVariants)
		}
	}
	for _, shape := range []string{"jpg", "png", "aac", "mp4", "thumb", "pdf"} {
		if len(perShape[shape]) == 0 {
			t.Errorf("no %s generated", shape)
		}
	}
}

// TestSharedTable: the embedded shared.table is every variant's fitted
// size and md5 as fixtures.Sums makes them (go test -update rewrites it),
// and those are the sizes and md5s of the bytes a download returns.
func TestSharedTable(t *testing.T) {
	w, err := New(testSpec(), anchor)
	if err != nil {
		t.Fatal(err)
	}
	want := makeSharedTable(w.sums)
	if *update {
		if err := os.WriteFile("shared.table", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(sharedTable, want) {
		t.Fatalf("shared.table (%d bytes) is not the shared files' sizes and md5s (%d bytes): run go test ./emulator/world -run TestSharedTable -update", len(sharedTable), len(want))
	}
	// A sample of the variants against their bytes, every shape's first
	// and last among them.
	for shape := range numShapes {
		for _, v := range []int{0, 1, 777, sharedVariants - 1} {
			var a Attachment
			var r prng
			w.sharedMedia(&a, shape, v, &r, 1, fileNamer{}, 0, nil, 0)
			b := a.bytes()
			if sum := md5.Sum(b); int64(len(b)) != a.Size || sum != a.sum {
				t.Errorf("shape %d variant %d: table says %d bytes md5 %x, the bytes are %d md5 %x", shape, v, a.Size, a.sum, len(b), sum)
			}
		}
	}
}

// TestGeneratedStringsNeedNoEscaping: Message.Generated's promise. Every
// own string of every generated message of every kind (ids, text,
// extension, files' ids, names and extensions, thumbnails' too) is one a
// JSON writer copies as it is; literal messages are not generated.
func TestGeneratedStringsNeedNoEscaping(t *testing.T) {
	spec := testSpec()
	all := []KindWeight{{Text, 1}, {Image, 1}, {Audio, 1}, {Video, 1}, {File, 1}, {Location, 1}, {Custom, 1}, {Tip, 1}, {Robot, 1}, {Notification, 1}}
	spec.Yunxin[0].Traffic[0].Types, spec.Yunxin[0].Traffic[0].PerHour = all, 2000
	spec.Easemob[0].Traffic[0].Types = []KindWeight{{Text, 1}, {Image, 1}, {Audio, 1}, {Video, 1}, {File, 1}, {Combine, 1}, {Command, 1}}
	spec.Easemob[0].Traffic[0].PerHour = 2000
	w, err := New(spec, anchor)
	if err != nil {
		t.Fatal(err)
	}
	plain := func(s string) bool {
		return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool {
			return r < 0x20 || r == 0x7f || strings.ContainsRune("\"\\<>&\u2028\u2029", r)
		}) < 0
	}
	generated, literal := 0, 0
	for _, ten := range []TenantID{EasemobTenant("acme", "chat"), YunxinTenant("yx")} {
		for m := range w.Range(ten, time.Time{}, time.Time{}) {
			if !m.Generated() {
				literal++
				continue
			}
			generated++
			own := []string{m.ID, m.ClientID, m.Text, m.Extension, m.Action, m.Notice.Nick}
			if p := m.Location; p != nil {
				own = append(own, p.Address)
			}
			if c := m.Custom; c != nil {
				own = append(own, c.Event)
				for _, kv := range c.Exts {
					own = append(own, kv[0], kv[1])
				}
			}
			for a := m.Attachment; a != nil; a = a.Thumb {
				own = append(own, a.FileID, a.Name, a.Ext, a.Secret)
			}
			for _, s := range own {
				if !plain(s) {
					t.Fatalf("%s %s message %s: %q needs escaping", ten, m.Kind, m.ClientID, s)
				}
			}
		}
	}
	if generated < 1000 || literal == 0 {
		t.Fatalf("%d generated and %d literal messages checked", generated, literal)
	}
}
