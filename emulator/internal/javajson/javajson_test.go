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
