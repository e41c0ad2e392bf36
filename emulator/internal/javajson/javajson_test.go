package javajson

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendString(t *testing.T) {
	for _, tc := range []struct{ in, hex, want string }{
		{`plain`, UpperHex, `"plain"`},
		{"a\"b\\c", UpperHex, `"a\"b\\c"`},
		{"\n\r\t\b\f", UpperHex, `"\n\r\t\b\f"`},
		{"\x01\x1f", UpperHex, `"\u0001\u001F"`},
		{"\x01\x1f", LowerHex, `"\u0001\u001f"`},
		{"<b>&amp; 欢迎 👋 \u2028", LowerHex, "\"<b>&amp; 欢迎 👋 \u2028\""},
		{"bad\xffutf8", UpperHex, "\"bad\uFFFDutf8\""},
		{"", LowerHex, `""`},
	} {
		if got := string(AppendString(nil, tc.in, tc.hex)); got != tc.want {
			t.Errorf("AppendString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestAppendDouble(t *testing.T) {
	nan := 0.0
	for _, tc := range []struct {
		in         float64
		java, flat string
	}{
		{116, "116.0", "116.0"},
		{39.9053, "39.9053", "39.9053"},
		{-0.5, "-0.5", "-0.5"},
		{0, "0.0", "0.0"},
		{0.001, "0.001", "0.001"},
		{0.0001, "1.0E-4", "0.0001"},
		{-0.00012, "-1.2E-4", "-0.00012"},
		{1234567, "1234567.0", "1234567.0"},
		{12345678, "1.2345678E7", "12345678.0"},
		{1e21, "1.0E21", "1000000000000000000000.0"},
		{nan / nan, "0", "0"},
	} {
		if got := string(AppendDouble(nil, tc.in, JavaDouble)); got != tc.java {
			t.Errorf("AppendDouble(%v, JavaDouble) = %s, want %s", tc.in, got, tc.java)
		}
		if got := string(AppendDouble([]byte("x"), tc.in, PlainDouble)); got != "x"+tc.flat {
			t.Errorf("AppendDouble(%v, PlainDouble) = %s, want x%s", tc.in, got, tc.flat)
		}
	}
}

// TestPlainPrefix: the word-at-a-time scan stops exactly where the
// byte-at-a-time one does, for every special byte at every offset of
// strings of every length up to three words.
func TestPlainPrefix(t *testing.T) {
	slow := func(s string) int {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
				return i
			}
		}
		return len(s)
	}
	var specials []byte
	for c := 0; c < 256; c++ {
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			specials = append(specials, byte(c))
		}
	}
	for n := 0; n <= 24; n++ {
		plain := []byte(strings.Repeat("a~ !#[]}", 3)[:n])
		if got := PlainPrefix(string(plain)); got != n {
			t.Fatalf("%q: %d, want %d", plain, got, n)
		}
		for at := 0; at < n; at++ {
			for _, c := range specials {
				b := append([]byte(nil), plain...)
				b[at] = c
				if got, want := PlainPrefix(string(b)), slow(string(b)); got != want {
					t.Fatalf("%q: %d, want %d", b, got, want)
				}
			}
		}
	}
}

// TestPlainPrefixRandom: strings mixing plain and special bytes anywhere.
func TestPlainPrefixRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("aZ09 ~\x00\x1f\x20\"\\\x7f\x80\xe4\xff")
	for range 100_000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(6) == 0 {
				b[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				b[i] = byte(0x20 + r.IntN(0x5f))
			}
		}
		want := len(b)
		for i, c := range b {
			if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
				want = i
				break
			}
		}
		if got := PlainPrefix(string(b)); got != want {
			t.Fatalf("%q: %d, want %d", b, got, want)
		}
		if Plain(b) != (want == len(b)) {
			t.Fatalf("Plain(%q) = %v, want %v", b, Plain(b), want == len(b))
		}
	}
}

// TestUnescapedPrefix: every byte value at every offset of short strings,
// against the byte loop.
func TestUnescapedPrefix(t *testing.T) {
	slow := func(s string) int {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
				return i
			}
		}
		return len(s)
	}
	for n := 0; n <= 24; n++ {
		base := []byte(strings.Repeat("a~ 欢\xff#]", 3)[:n])
		for at := 0; at < n; at++ {
			for c := 0; c < 256; c++ {
				b := append([]byte(nil), base...)
				b[at] = byte(c)
				got, ascii := UnescapedPrefix(string(b))
				if want := slow(string(b)); got != want || ascii != !strings.ContainsFunc(string(b[:want]), func(r rune) bool { return r >= utf8.RuneSelf }) {
					t.Fatalf("%q: %d (ascii %v), want %d", b, got, ascii, want)
				}
			}
		}
	}
}

// refAppendString is AppendString written byte by byte, as it first was.
func refAppendString(b []byte, s, hex string) []byte {
	b = append(b, '"')
	start, i := 0, 0
	for i < len(s) {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\uFFFD"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = AppendEscape(append(b, s[start:i]...), c, hex)
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// TestAppendStringRandom: strings mixing ASCII, escapes, multi-byte runes,
// and broken or truncated sequences anywhere, against refAppendString.
func TestAppendStringRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", "Z", " ", "~", "\x00", "\x1f", "\"", "\\", "\n", "\x7f", "é", "欢迎", "👋", "\u2028",
		"\xff", "\x80", "\xe4\xb8", "\xf0\x9f\x91", "\xed\xa0\x80", "\xc0\xaf"}
	for range 100_000 {
		var sb strings.Builder
		for range r.IntN(30) {
			if r.IntN(3) == 0 {
				sb.WriteString(pieces[r.IntN(len(pieces))])
			} else {
				sb.WriteByte(byte(0x20 + r.IntN(0x5f)))
			}
		}
		s := sb.String()
		if got, want := AppendString(nil, s, LowerHex), refAppendString(nil, s, LowerHex); string(got) != string(want) {
			t.Fatalf("%q: %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"plain", "a\"b\\c\n", "欢迎 👋", "bad\xffutf8", "\xe4\xb8", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := AppendString(nil, s, UpperHex), refAppendString(nil, s, UpperHex); string(got) != string(want) {
			t.Fatalf("%q: %s, want %s", s, got, want)
		}
	})
}
