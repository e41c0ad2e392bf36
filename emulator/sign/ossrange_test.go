package sign

import "testing"

// TestOSSByteRange: the Range rows of OSS's pages for a 2,000-byte object
// (http-status-code-416) and the out-of-range rows for a 1,000-byte one,
// with and without x-oss-range-behavior: standard.
func TestOSSByteRange(t *testing.T) {
	tests := []struct {
		header         string
		size           int64
		standard       bool
		first, last    int64
		partial, error bool
	}{
		{"", 2000, false, 0, 1999, false, false},
		{"bytes=0-499", 2000, false, 0, 499, true, false},
		{"bytes=-500", 2000, false, 1500, 1999, true, false},
		{"bytes=500-", 2000, false, 500, 1999, true, false},
		{"bytes=0-", 2000, false, 0, 1999, true, false},
		{"bytes=0-0", 2000, false, 0, 0, true, false},
		// End past the object: the whole object; standard clips it.
		{"bytes=500-2000", 1000, false, 0, 999, false, false},
		{"bytes=500-2000", 1000, true, 500, 999, true, false},
		// Start past the object: the whole object; standard refuses.
		{"bytes=1000-2000", 1000, false, 0, 999, false, false},
		{"bytes=1000-2000", 1000, true, 0, 0, false, true},
		// Several ranges: InvalidRange either way.
		{"bytes=0-1,5-6", 1000, false, 0, 0, false, true},
		// Not a byte range: ignored.
		{"items=0-1", 1000, true, 0, 999, false, false},
		{"bytes=a-b", 1000, true, 0, 999, false, false},
		// Suffix longer than the object.
		{"bytes=-5000", 1000, false, 0, 999, false, false},
		{"bytes=-5000", 1000, true, 0, 999, true, false},
		// Backwards and empty.
		{"bytes=9-1", 1000, false, 0, 999, false, false},
		{"bytes=9-1", 1000, true, 0, 0, false, true},
		{"bytes=-0", 1000, true, 0, 0, false, true},
	}
	for _, tt := range tests {
		first, last, partial, e := OSSByteRange(tt.header, tt.size, tt.standard)
		if (e != nil) != tt.error {
			t.Errorf("%q of %d (standard %v): error %v, want %v", tt.header, tt.size, tt.standard, e, tt.error)
			continue
		}
		if e != nil {
			if e.Code != OSSCodeInvalidRange || e.HTTPStatus() != 416 {
				t.Errorf("%q: %s %d, want InvalidRange 416", tt.header, e.Code, e.HTTPStatus())
			}
			continue
		}
		if first != tt.first || last != tt.last || partial != tt.partial {
			t.Errorf("%q of %d (standard %v) = %d-%d partial %v, want %d-%d partial %v",
				tt.header, tt.size, tt.standard, first, last, partial, tt.first, tt.last, tt.partial)
		}
	}
}
