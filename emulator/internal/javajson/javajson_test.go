package javajson

import "testing"

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
