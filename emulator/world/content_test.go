package world

import (
	"crypto/md5"
	"encoding/hex"
	"testing"
	"time"
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
