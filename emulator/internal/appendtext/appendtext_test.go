package appendtext

import (
	"encoding/binary"
	"encoding/hex"
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

// TestHex: Hex is hex.AppendEncode, for every length up to a few words
// and every byte value in every place of a word.
func TestHex(t *testing.T) {
	var cases [][]byte
	for n := range 41 {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(i*37 + n*101)
		}
		cases = append(cases, src)
	}
	for pos := range 5 {
		for v := range 256 {
			src := make([]byte, 5)
			src[pos] = byte(v)
			cases = append(cases, src)
		}
	}
	for _, src := range cases {
		if got, want := string(Hex([]byte("x"), src)), string(hex.AppendEncode([]byte("x"), src)); got != want {
			t.Fatalf("Hex(%x) = %q, want %q", src, got, want)
		}
	}
}

// TestUUID: the 8-4-4-4-12 form of hex.Encode's digits, for every byte
// value in each of the 16 places.
func TestUUID(t *testing.T) {
	for pos := range 16 {
		for v := range 256 {
			var u [16]byte
			u[pos] = byte(v)
			h := hex.EncodeToString(u[:])
			want := "x" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
			hi, lo := binary.BigEndian.Uint64(u[:8]), binary.BigEndian.Uint64(u[8:])
			if got := string(UUID([]byte("x"), hi, lo)); got != want {
				t.Fatalf("UUID(%x) = %q, want %q", u, got, want)
			}
		}
	}
}
