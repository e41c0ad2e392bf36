package appendtext

import (
	"net/url"
	"testing"
	"time"
)

func TestPathEscaped(t *testing.T) {
	cases := []string{"", "plain-ID_0.9~", "a b", "a/b", "a;b,c?d", "中文", "%41", "x+y=z&w", "\x00\xff"}
	for c := range 256 { // every byte, alone and after a kept one
		cases = append(cases, string([]byte{byte(c)}), "k"+string([]byte{byte(c)}))
	}
	for _, s := range cases {
		if got, want := string(PathEscaped([]byte("pre|"), s)), "pre|"+url.PathEscape(s); got != want {
			t.Errorf("PathEscaped(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestDateTime(t *testing.T) {
	beijing := time.FixedZone("CST", 8*60*60)
	for _, tm := range []time.Time{
		time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999_999_999, beijing),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(999, 3, 4, 5, 6, 7, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
		time.UnixMilli(1_763_632_800_123).In(beijing),
	} {
		for _, sep := range []byte{' ', 'T'} {
			want := tm.Format("2006-01-02" + string(sep) + "15:04:05")
			if got := string(DateTime([]byte("x"), tm, sep)); got != "x"+want {
				t.Errorf("DateTime(%v, %q) = %q, want %q", tm, sep, got, "x"+want)
			}
		}
	}
}
