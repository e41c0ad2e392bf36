package sign

import (
	"strconv"
	"strings"
)

// OSSRangeStandard is the x-oss-range-behavior value that asks OSS for
// standard HTTP range semantics.
const OSSRangeStandard = "standard"

// OSSByteRange applies a GetObject Range header to an object of size bytes
// as OSS does (https://help.aliyun.com/en/oss/user-guide/http-status-code-416;
// the range-download pages of the SDKs, "How out-of-range requests
// behave"): it returns the first and last byte to send and whether the
// answer is partial (206), or an InvalidRange error (416).
//
// OSS serves one range: "bytes=a-b", "bytes=a-" or "bytes=-n". Several
// ranges are InvalidRange. A range OSS cannot satisfy is ignored (the whole
// object, 200) unless the request says x-oss-range-behavior: standard,
// which clips an end past the object (206) and refuses a start past it
// (416). A header that is not a byte range at all is ignored either way,
// and a backwards or empty range counts as unsatisfiable [guess: the pages
// do not show those two].
func OSSByteRange(header string, size int64, standard bool) (first, last int64, partial bool, e *OSSError) {
	whole := func() (int64, int64, bool, *OSSError) { return 0, size - 1, false, nil }
	spec, ok := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if header == "" || !ok {
		return whole()
	}
	if strings.Contains(spec, ",") {
		return 0, 0, false, OSSInvalidRange(header, size)
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return whole()
	}
	num := func(s string) (int64, bool) {
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	unsatisfiable := func() (int64, int64, bool, *OSSError) {
		if standard {
			return 0, 0, false, OSSInvalidRange(header, size)
		}
		return whole()
	}
	switch {
	case a == "": // the last n bytes
		n, ok := num(b)
		switch {
		case !ok:
			return whole()
		case n == 0:
			return unsatisfiable()
		case n >= size && !standard:
			return whole()
		}
		return max(size-n, 0), size - 1, true, nil
	default:
		start, ok := num(a)
		if !ok {
			return whole()
		}
		end := size - 1
		if b != "" {
			if end, ok = num(b); !ok {
				return whole()
			}
		}
		switch {
		case start >= size || start > end:
			return unsatisfiable()
		case end >= size && !standard:
			return whole()
		}
		return start, min(end, size-1), true, nil
	}
}
