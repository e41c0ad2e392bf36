package javajson

import (
	"encoding/binary"
	"unsafe"
)

// PlainPrefix returns the length of the longest prefix of s that both
// writers copy as it is: printable ASCII other than '"' and '\\'. Most of
// what a page writes (ids, links, times, names in ASCII) is plain
// throughout, so this looks at eight bytes at a time.
func PlainPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		// The eight bytes from i, read as one word; no copy is made.
		w := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
		if special(w) {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return i
		}
	}
	return len(s)
}

// Plain reports whether both writers copy b as it is (PlainPrefix is all
// of it).
func Plain(b []byte) bool {
	return len(b) == 0 || PlainPrefix(unsafe.String(&b[0], len(b))) == len(b)
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special reports whether a byte of w is below 0x20, '"', '\\' or 0x80 and
// above.
func special(w uint64) bool { return escaped(w) || w&highs != 0 }

// UnescapedPrefix returns the length of the longest prefix of s without a
// byte that both writers escape: below 0x20, '"' or '\\'. Bytes from 0x80
// on are part of it; ascii reports that there are none, otherwise whether
// they are valid UTF-8 is the caller's to check. Eight bytes at a time.
func UnescapedPrefix(s string) (n int, ascii bool) {
	i, high := 0, uint64(0)
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
		if escaped(w) {
			break
		}
		high |= w
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			break
		}
		high |= uint64(c)
	}
	return i, high&highs == 0
}

// escaped reports whether a byte of w is below 0x20, '"' or '\\' (the bit
// tricks of "Bit Twiddling Hacks", determine if a word has a byte less than
// n / equal to n: exact about whether one exists; a byte from 0x80 on is
// none of them).
func escaped(w uint64) bool {
	less := (w - ones*0x20) &^ w
	quote := w ^ (ones * '"')
	slash := w ^ (ones * '\\')
	zero := ((quote - ones) &^ quote) | ((slash - ones) &^ slash)
	return (less|zero)&highs != 0
}
