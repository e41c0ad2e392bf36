package sign

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func TestReason(t *testing.T) {
	tests := []struct {
		name, public, expected string
		reveal                 bool
		want                   string
	}{
		{"nothing to hide", "link expired", "", false, "link expired"},
		{"nothing to hide, revealed", "link expired", "", true, "link expired"},
		{"revealed", "mismatch", "expected signature abc=", true, "mismatch; expected signature abc="},
		{"hidden", "mismatch", "expected signature abc=", false, "mismatch (" + HiddenNote + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Reason(tt.public, tt.expected, tt.reveal); got != tt.want {
				t.Errorf("Reason = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMismatchReasonsKeepExpectedApart: the errors that know what would
// have authenticated keep it out of Reason, so only RevealedReason(true)
// shows it.
func TestMismatchReasonsKeepExpectedApart(t *testing.T) {
	oe := OSSSignatureMismatch("AK", "GET\n\n\n1\n/b/o", "bad=", "good=")
	err := QiniuVerify("http://h/k?e=9999999999&token=AK:bad=", time.Unix(0, 0), func(string) (string, bool) { return "sk", true })
	qe, ok := err.(QiniuError)
	if !ok {
		t.Fatalf("QiniuVerify = %v", err)
	}
	want := QiniuSign("sk", "http://h/k?e=9999999999")
	for _, c := range []struct{ name, reason, hidden, shown, expected string }{
		{"oss", oe.Reason, oe.RevealedReason(false), oe.RevealedReason(true), "good="},
		{"qiniu", qe.Reason, qe.RevealedReason(false), qe.RevealedReason(true), want},
	} {
		if strings.Contains(c.reason, c.expected) || strings.Contains(c.hidden, c.expected) {
			t.Errorf("%s: the expected value leaks into %q / %q", c.name, c.reason, c.hidden)
		}
		if !strings.Contains(c.shown, c.expected) {
			t.Errorf("%s: RevealedReason(true) = %q lacks %q", c.name, c.shown, c.expected)
		}
	}
}

// TestHideExpected: a revealed reason, hidden, is the reason that was
// never revealed, for every vendor's form of it; a reason with nothing
// revealed is left as it is.
func TestHideExpected(t *testing.T) {
	oe := OSSSignatureMismatch("AK", "GET\n\n\n1\n/b/o", "bad; expected signature x=", "good=")
	err := QiniuVerify("http://h/k?e=9999999999&token=AK:bad=", time.Unix(0, 0), func(string) (string, bool) { return "sk", true })
	qe, ok := err.(QiniuError)
	if !ok {
		t.Fatalf("QiniuVerify = %v", err)
	}
	for _, c := range []struct{ name, revealed, hidden string }{
		{"oss", oe.RevealedReason(true), oe.RevealedReason(false)},
		{"qiniu with the URL after", qe.RevealedReason(true) + " (verified URL http://h/k?e=1&token=AK:bad=)", qe.RevealedReason(false) + " (verified URL http://h/k?e=1&token=AK:bad=)"},
		{"checksum", Reason(`CheckSum mismatch: is not the provided "00"`, "expected CheckSum 3f2a9c", true), Reason(`CheckSum mismatch: is not the provided "00"`, "expected CheckSum 3f2a9c", false)},
		{"op sign", Reason("sign mismatch", "expected sign e4562", true), Reason("sign mismatch", "expected sign e4562", false)},
		{"not revealed", oe.RevealedReason(false), oe.RevealedReason(false)},
		{"nothing to reveal", "link expired", "link expired"},
	} {
		if got := HideExpected(c.revealed); got != c.hidden {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.hidden)
		}
	}
}

func TestQiniuEtag(t *testing.T) {
	// The empty file's hash, as Qiniu's qetag tools print it.
	if got := QiniuEtag(nil); got != "Fto5o-5ea0sNMlW_75VgGJCv2AcJ" {
		t.Errorf("QiniuEtag(empty) = %s", got)
	}
	// Above 4 MiB: the sha1 of the blocks' sha1s, prefix 0x96.
	data := bytes.Repeat([]byte("chatemu "), (5<<20)/8)
	b1, b2 := sha1.Sum(data[:4<<20]), sha1.Sum(data[4<<20:])
	all := sha1.Sum(append(b1[:], b2[:]...))
	if got, want := QiniuEtag(data), base64.URLEncoding.EncodeToString(append([]byte{0x96}, all[:]...)); got != want {
		t.Errorf("QiniuEtag(5 MiB) = %s, want %s", got, want)
	}
	if got := QiniuEtag([]byte("x")); len(got) != 28 || got[0] != 'F' {
		t.Errorf("QiniuEtag(x) = %s: a small file's hash is 28 characters starting with F", got)
	}
}
