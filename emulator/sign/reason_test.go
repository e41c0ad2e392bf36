package sign

import (
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
