package yunxin

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"

	// Aliased: the package's tests have a helper named sign.
	signing "github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// CheckSum is the vendor's request signature: lowercase hex
// SHA1(AppSecret + Nonce + CurTime) (yunxin-server-sdk-golang
// src/core/utils/checksum_builder.go). Test clients sign
// with it.
func CheckSum(appSecret, nonce, curTime string) string {
	var sum [2 * sha1.Size]byte
	return string(appendCheckSum(sum[:0], appSecret, nonce, curTime))
}

// appendCheckSum appends CheckSum(appSecret, nonce, curTime) to b; with
// room in b and a short secret and nonce it allocates nothing (every
// request of the vendor's API checks one).
func appendCheckSum(b []byte, appSecret, nonce, curTime string) []byte {
	var in [256]byte
	sum := sha1.Sum(append(append(append(in[:0], appSecret...), nonce...), curTime...))
	return hex.AppendEncode(b, sum[:])
}

// checkSumIs reports whether got is CheckSum(appSecret, nonce, curTime),
// in constant time.
func checkSumIs(got, appSecret, nonce, curTime string) bool {
	var want, given [2 * sha1.Size]byte
	if len(got) != len(given) {
		return false
	}
	copy(given[:], got)
	return subtle.ConstantTimeCompare(given[:], appendCheckSum(want[:0], appSecret, nonce, curTime)) == 1
}

// maxNonce is the vendor's documented bound on Nonce ("随机数（最大长度128个字符）").
const maxNonce = 128

// authenticate checks the AppKey, CurTime, Nonce and CheckSum headers in
// that order and returns the app. The texts are the vendor's v1 desc
// strings (docs/fidelity/yunxin.md): a missing or unknown AppKey is
// "appkey"; a missing, unparsable or out-of-window CurTime is "CurTime is
// expired" (the vendor reads CurTime as a number of seconds; we take an
// unreadable one to be no valid time at all); a missing or over-long Nonce
// and a missing or wrong CheckSum are "checksum". CurTime is measured
// against the wall clock, not the emulator's, because clients sign with
// real time even while the emulator's clock is frozen in the past
// (docs/fidelity/yunxin.md).
func (s *Surface) authenticate(r *http.Request) (*world.YunxinApp, *Error) {
	// The canonical forms of AppKey, CurTime and CheckSum: Get makes the
	// canonical form of any other, a string per call.
	h := r.Header
	appKey := h.Get("Appkey")
	if appKey == "" {
		return nil, authError(MsgAppKey, "the AppKey header is missing")
	}
	app, ok := s.cfg.World.YunxinApp(appKey)
	if !ok {
		return nil, authError(MsgAppKey, fmt.Sprintf("AppKey %q is not an app of this world (GET /_chatemu/tenants lists them)", appKey))
	}
	curTime := h.Get("Curtime")
	if curTime == "" {
		return nil, authError(MsgCurTimeExpired, "the CurTime header is missing (UTC seconds since the epoch, as a decimal string)")
	}
	secs, err := strconv.ParseInt(curTime, 10, 64)
	if err != nil {
		return nil, authError(MsgCurTimeExpired, fmt.Sprintf("CurTime %q is not a whole number of seconds", curTime))
	}
	window := app.CurTimeWindow
	if window <= 0 {
		window = 5 * time.Minute
	}
	wall := s.cfg.Clock.WallNow().Unix()
	if d := time.Duration(secs-wall) * time.Second; secs > wall+int64(window/time.Second) || secs < wall-int64(window/time.Second) {
		hint := ""
		if secs > 1e11 {
			hint = " (it looks like milliseconds; CurTime is in seconds)"
		}
		return nil, authError(MsgCurTimeExpired, fmt.Sprintf("CurTime %s is %v from the wall clock (%d), outside the %v window%s", curTime, d, wall, window, hint))
	}
	nonce := h.Get("Nonce")
	if nonce == "" {
		return nil, authError(MsgCheckSum, "the Nonce header is missing")
	}
	if len(nonce) > maxNonce {
		return nil, authError(MsgCheckSum, fmt.Sprintf("Nonce is %d characters long, the vendor allows at most %d", len(nonce), maxNonce))
	}
	got := h.Get("Checksum")
	if got == "" {
		return nil, authError(MsgCheckSum, "the CheckSum header is missing")
	}
	if !checkSumIs(got, app.AppSecret, nonce, curTime) {
		want := CheckSum(app.AppSecret, nonce, curTime)
		return nil, authError(MsgCheckSum, signing.Reason(
			fmt.Sprintf("CheckSum mismatch: lowercase hex sha1(AppSecret of %s + Nonce %q + CurTime %q) is not the provided %q", app.AppKey, nonce, curTime, got),
			"expected CheckSum "+want, s.cfg.RevealSecrets))
	}
	return app, nil
}

func authError(msg, reason string) *Error {
	return &Error{Code: CodeParameter, Msg: msg, Reason: reason}
}
