package sign

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
