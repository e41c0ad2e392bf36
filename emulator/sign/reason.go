package sign

import "strings"

// HiddenNote stands in a reason for the part that would authenticate (an
// expected signature, CheckSum, token or sign) when the server may not
// reveal it: a server with a control token, or one that other hosts reach.
const HiddenNote = "the expected value is shown only by a loopback server without a control token"

// Reason is the X-Chatemu-Reason of a refused credential: public says what
// failed and shows the public inputs (a StringToSign, the parameters used);
// expected is what would have authenticated (for example "expected
// signature abc="). With reveal, the header carries both, a debugging aid
// for a loopback server nobody else reaches; without it, expected is left
// out and HiddenNote says so, because whoever reads the header could
// otherwise forge the request it describes.
func Reason(public, expected string, reveal bool) string {
	switch {
	case expected == "":
		return public
	case reveal:
		return public + "; " + expected
	default:
		return public + " (" + HiddenNote + ")"
	}
}

// HideExpected returns reason as Reason would have written it without
// reveal: the "; expected WHAT VALUE" a revealing Reason appended is
// replaced by HiddenNote, and what a caller appended after it (Qiniu's
// " (verified URL …)") stays. A log that keeps reasons (the access log)
// then holds no value that would authenticate, whatever the server shows
// the client itself. The last such part is the revealed one: what comes
// before it quotes the client's input, which may hold the same words; a
// reason that says its value is hidden revealed nothing.
func HideExpected(reason string) string {
	const mark = "; expected "
	i := strings.LastIndex(reason, mark)
	if i < 0 || strings.Contains(reason, HiddenNote) {
		return reason // nothing revealed (the mark is the client's input)
	}
	// WHAT is one word (signature, CheckSum, sign), VALUE has no space
	// (base64 or hex).
	_, value, ok := strings.Cut(reason[i+len(mark):], " ")
	if !ok {
		return reason
	}
	end := strings.IndexByte(value, ' ')
	if end < 0 {
		end = len(value)
	}
	return reason[:i] + " (" + HiddenNote + ")" + value[end:]
}
