package world

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/chatemu/chatemu/fixtures"
)

// TestAttachmentMD5IsTheBytesMD5 checks the promise a history page makes:
// the md5 and size of every attachment, generated, literal or injected,
// thumbnails included, are those of the bytes a download returns, though
// World.MD5 never builds the bytes.
func TestAttachmentMD5IsTheBytesMD5(t *testing.T) {
	spec := testSpec()
	spec.Yunxin[0].Traffic[0].Types = []KindWeight{{Image, 1}, {Audio, 1}, {Video, 1}, {File, 1}}
	spec.Easemob[0].Traffic[0].Types = []KindWeight{{Image, 1}, {Audio, 1}, {Video, 1}, {File, 1}, {Combine, 1}}
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	spec.Yunxin[0].Messages = []Message{
		{ID: "lit-img", From: "u1", To: "100", ChatType: ChatRoom, Kind: Image, At: at,
			Attachment: &Attachment{Name: "odd.png", Width: 333, Height: 17, Size: 70_001}},
		{ID: "lit-doc", From: "u1", To: "100", ChatType: ChatRoom, Kind: File, At: at,
			Attachment: &Attachment{Name: "report.docx"}},
		{ID: "lit-vid", From: "u1", To: "100", ChatType: ChatRoom, Kind: Video, At: at,
			Attachment: &Attachment{Ext: "mp4", Width: 100, Height: 50, Duration: 1500 * time.Millisecond}},
	}
	w, err := New(spec, anchor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Inject(YunxinTenant("yx"), []Message{{From: "u2", To: "100", ChatType: ChatRoom, Kind: Audio,
		Attachment: &Attachment{Ext: "mp3", Duration: 9 * time.Second}}}, at); err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]int{}
	for _, ten := range []TenantID{EasemobTenant("acme", "chat"), YunxinTenant("yx")} {
		for m := range w.Range(ten, time.Time{}, time.Time{}) {
			for a := m.Attachment; a != nil; a = a.Thumb {
				b := w.Bytes(a)
				if int64(len(b)) != a.Size {
					t.Fatalf("%s %s: %d bytes, Size %d", m.Kind, a.Name, len(b), a.Size)
				}
				sum := md5.Sum(b)
				if got, want := w.MD5(a), hex.EncodeToString(sum[:]); got != want {
					t.Fatalf("%s %s (%d bytes): MD5 %s, md5 of the bytes %s", m.Kind, a.Name, a.Size, got, want)
				}
				kinds[m.Kind]++
			}
		}
	}
	for _, k := range []Kind{Image, Audio, Video, File, Combine} {
		if kinds[k] == 0 {
			t.Errorf("no %s attachment checked", k)
		}
	}
}

var update = flag.Bool("update", false, "rewrite sums.table and shared.table")

// generatedFiles are the largest of every attachment shape an Easemob or
// a Yunxin app generates, which sumsTable covers.
func generatedFiles() []fixtures.File {
	var fs []fixtures.File
	for _, d := range imageSizes {
		for _, ext := range []string{"jpg", "png"} {
			fs = append(fs, fixtures.File{Media: fixtures.ImageFile, Ext: ext, Width: d[0], Height: d[1], Size: imageBytes + imageSpan - 1})
		}
	}
	for _, d := range videoSizes {
		fs = append(fs, fixtures.File{Media: fixtures.ImageFile, Ext: "jpg", Width: d[0], Height: d[1], Size: thumbBytes + thumbSpan - 1})
	}
	for secs := int64(1); secs <= maxAudioSecs; secs++ {
		for _, ext := range []string{"aac", "amr"} { // Yunxin's, Easemob's
			fs = append(fs, fixtures.File{Media: fixtures.AudioFile, Ext: ext, Duration: time.Duration(secs) * time.Second,
				Size: audioBytes + secs*audioBytesPerSec + audioSpan - 1})
		}
	}
	fs = append(fs, fixtures.File{Media: fixtures.VideoFile, Ext: "mp4", Size: videoBytes + videoSpan - 1})
	for _, ext := range docExts {
		fs = append(fs, fixtures.File{Media: fixtures.DocumentFile, Ext: ext, Size: fileBytes + fileSpan - 1})
	}
	return fs
}

// TestSumsTable: the embedded sums.table is the one AppendSumsTable makes
// for generatedFiles (go test -update rewrites it), and a world loads it.
func TestSumsTable(t *testing.T) {
	want := fixtures.AppendSumsTable(nil, generatedFiles())
	if *update {
		if err := os.WriteFile("sums.table", want, 0o644); err != nil {
			t.Fatal(err)
		}
		sumsTable = want
	}
	if !bytes.Equal(sumsTable, want) {
		t.Fatalf("sums.table (%d bytes) is not the table of the generated attachments (%d bytes): run go test ./emulator/world -run TestSumsTable -update", len(sumsTable), len(want))
	}
	if parsedSumsTable() == nil {
		t.Fatal("sums.table does not parse")
	}
}

// TestSumsTableCoversGenerated: every attachment generated Easemob and
// Yunxin messages carry, and a video's thumbnail, has its head and
// midstates in sumsTable, so a fresh world's first walk builds no chain.
func TestSumsTableCoversGenerated(t *testing.T) {
	spec := testSpec()
	for i := range spec.Easemob[0].Traffic {
		spec.Easemob[0].Traffic[i].PerHour = 3000
	}
	spec.Yunxin[0].Traffic[0].PerHour = 3000
	w, err := New(spec, anchor)
	if err != nil {
		t.Fatal(err)
	}
	table := parsedSumsTable()
	var sl slab
	kinds := map[string]int{}
	for _, streams := range w.tenants.Load().byTenant {
		for _, s := range streams {
			for i := range min(s.len(), 6000) {
				m := w.generate(s, i, &sl)
				if m.Kind == Combine {
					continue
				}
				for a := m.Attachment; a != nil; a = a.Thumb {
					if !table.Covers(a.file()) {
						t.Fatalf("%s %s message %d: its %s of %d bytes is not in sums.table (go test -run TestSumsTable -update)", m.Tenant, m.Kind, i, a.Ext, a.Size)
					}
					kinds[a.Ext]++
				}
			}
		}
	}
	for _, ext := range []string{"jpg", "png", "amr", "aac", "mp4", "pdf", "docx"} {
		if kinds[ext] == 0 {
			t.Errorf("no %s generated: %v", ext, kinds)
		}
	}
}
