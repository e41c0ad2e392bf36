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
// above (the bit tricks of "Bit Twiddling Hacks", determine if a word has a
// byte less than n / equal to n: exact about whether one exists).
func special(w uint64) bool {
	less := (w - ones*0x20) &^ w
	quote := w ^ (ones * '"')
	slash := w ^ (ones * '\\')
	zero := ((quote - ones) &^ quote) | ((slash - ones) &^ slash)
	return (less|zero|w)&highs != 0
}
