package sign

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"hash"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Qiniu download errors: HTTP 401 with one of these JSON bodies
// (Qiniu's download-token doc, https://developer.qiniu.com/kodo/manual/1202).
const (
	// QiniuBodyTokenMissing is sent when the URL has no token parameter.
	QiniuBodyTokenMissing = `{"error":"download token not specified"}`
	// QiniuBodyAuthFailed is sent for a malformed token, an unknown access
	// key or a wrong signature.
	QiniuBodyAuthFailed = `{"error":"download token auth failed"}`
	// QiniuBodyExpired is a [guess]: Qiniu documents only "401" for an
	// expired download URL; "token out of date" is the body of its other
	// expired tokens (docs/fidelity/op.md).
	QiniuBodyExpired = `{"error":"token out of date"}`
)

// QiniuError is every error of a Qiniu private download: Body is the exact
// JSON body (one of the QiniuBody constants) and Reason a plain-English
// explanation for the X-Chatemu-Reason header, never sent in
// the body.
type QiniuError struct {
	Body   string
	Reason string
	// Expected is what would have authenticated ("expected sign …"), for
	// RevealedReason; never in the body.
	Expected string
}

// RevealedReason is the X-Chatemu-Reason for e: Reason, plus Expected only
// when reveal (see Reason).
func (e QiniuError) RevealedReason(reveal bool) string {
	return Reason(e.Reason, e.Expected, reveal)
}

// Error returns the body and the developer's reason.
func (e QiniuError) Error() string { return "qiniu " + e.Body + ": " + e.Reason }

// HTTPStatus is 401 for every Qiniu download-token error ("超时的访问将返回401错误",
// Qiniu's download-token doc).
func (e QiniuError) HTTPStatus() int { return 401 }

// QiniuSign returns URL-safe base64 ('-' and '_', '=' padding kept) of
// HMAC-SHA1(secretKey, data), the EncodedSign of a download token
// (Qiniu's download-token doc, step 4; the Go SDK's Credentials.Sign in
// github.com/qiniu/go-sdk auth/credentials.go).
func QiniuSign(secretKey, data string) string {
	mac := hmac.New(sha1.New, []byte(secretKey))
	mac.Write([]byte(data))
	return base64.URLEncoding.EncodeToString(mac.Sum(nil))
}

// QiniuURL returns the private download URL for baseURL valid until
// deadline: baseURL + "?e=<unix>" ("&e=" when baseURL already has a query,
// which is then signed too) + "&token=" + accessKey + ":" + QiniuSign(…)
// (Qiniu's download-token doc). baseURL is signed verbatim, so it must already be in
// the escaped form clients will send. A QiniuSigner signs many URLs with
// one key pair for less.
func QiniuURL(baseURL, accessKey, secretKey string, deadline time.Time) string {
	return string(appendQiniuSign([]byte(baseURL), 0, accessKey, deadline, &qiniuMAC{h: hmac.New(sha1.New, []byte(secretKey))}))
}

// qiniuMAC is an HMAC-SHA1 of a secret key and the buffer its sums go
// into, kept with it: a sum given to the hash.Hash escapes, so a buffer on
// the stack would be a new allocation each time.
type qiniuMAC struct {
	h   hash.Hash
	sum []byte
}

// appendQiniuSign makes b[start:], a base URL, QiniuURL's URL: it appends
// the deadline and the token, signing with mac, a fresh or reset
// HMAC-SHA1 of the secret key.
func appendQiniuSign(b []byte, start int, accessKey string, deadline time.Time, mac *qiniuMAC) []byte {
	if bytes.IndexByte(b[start:], '?') >= 0 {
		b = append(b, "&e="...)
	} else {
		b = append(b, "?e="...)
	}
	b = strconv.AppendInt(b, deadline.Unix(), 10)
	mac.h.Write(b[start:])
	mac.sum = mac.h.Sum(mac.sum[:0])
	b = append(b, "&token="...)
	b = append(b, accessKey...)
	b = append(b, ':')
	return base64.URLEncoding.AppendEncode(b, mac.sum)
}

// QiniuSigner makes the private download URLs of one Qiniu key pair, as
// QiniuURL does, keeping its HMACs for reuse: a page of media records signs
// one URL each. It is safe for concurrent use.
type QiniuSigner struct {
	accessKey string
	secretKey []byte
	macs      sync.Pool // *qiniuMAC: HMAC-SHA1 keyed with secretKey
}

// NewQiniuSigner returns a signer for the key pair.
func NewQiniuSigner(accessKey, secretKey string) *QiniuSigner {
	return &QiniuSigner{accessKey: accessKey, secretKey: []byte(secretKey)}
}

// AppendSigned makes b[start:], a base URL appended by the caller, the
// URL QiniuURL(b[start:], accessKey, secretKey, deadline) returns, and
// returns the extended b.
func (q *QiniuSigner) AppendSigned(b []byte, start int, deadline time.Time) []byte {
	mac, ok := q.macs.Get().(*qiniuMAC)
	if ok {
		mac.h.Reset()
	} else {
		mac = &qiniuMAC{h: hmac.New(sha1.New, q.secretKey), sum: make([]byte, 0, sha1.Size)}
	}
	b = appendQiniuSign(b, start, q.accessKey, deadline, mac)
	q.macs.Put(mac)
	return b
}

// QiniuVerify checks a private download request. fullURL is the URL as the
// client used it (scheme://host/path?query, path and query still escaped);
// the signed data is fullURL up to, not including, "&token=", and parameters
// after the token are ignored ("token 之后的参数会被忽略", Qiniu's
// download-token doc).
//
// It returns nil or a QiniuError, checking in this order:
//  1. a non-empty token parameter exists, else QiniuBodyTokenMissing;
//  2. the token is AK:sig with a known AK and the right signature, else
//     QiniuBodyAuthFailed;
//  3. e (before the token, so signed) is an integer, else QiniuBodyAuthFailed;
//  4. now is not after e (now == e is still valid), else QiniuBodyExpired.
//
// Checking authenticity before expiry is a [guess]: Qiniu does not document
// the order (OSS does the opposite: https://developer.aliyun.com/ask/210565).
func QiniuVerify(fullURL string, now time.Time, secretFor func(accessKey string) (string, bool)) error {
	qmark := strings.IndexByte(fullURL, '?')
	if qmark < 0 {
		return QiniuError{Body: QiniuBodyTokenMissing, Reason: "the URL has no query, so no token parameter"}
	}
	signed, token, found := "", "", false
	var eValue *string // first e before the token
	offset := qmark + 1
	for pair := range strings.SplitSeq(fullURL[qmark+1:], "&") {
		start := offset
		offset += len(pair) + 1
		k, v, _ := strings.Cut(pair, "=")
		if k == "token" {
			signed, token, found = fullURL[:start-1], v, true
			break
		}
		if k == "e" && eValue == nil {
			eValue = &v
		}
	}
	if !found || token == "" {
		return QiniuError{Body: QiniuBodyTokenMissing, Reason: "the URL has no token parameter (or it is empty)"}
	}
	if t, err := url.QueryUnescape(token); err == nil {
		token = t // tolerate a client that escaped the ':' or '='
	}
	ak, sig, ok := strings.Cut(token, ":")
	if !ok || ak == "" || sig == "" {
		return QiniuError{Body: QiniuBodyAuthFailed, Reason: fmt.Sprintf("token %q is not AccessKey:EncodedSign", token)}
	}
	secret, ok := secretFor(ak)
	if !ok {
		return QiniuError{Body: QiniuBodyAuthFailed, Reason: fmt.Sprintf("no Qiniu access key %q in this world (see GET /_chatemu/tenants)", ak)}
	}
	if expected := QiniuSign(secret, signed); !hmac.Equal([]byte(expected), []byte(sig)) {
		return QiniuError{Body: QiniuBodyAuthFailed,
			Reason:   fmt.Sprintf("sign mismatch: urlsafe_base64(HMAC-SHA1(secret key of %s, %q)) is not the provided %q", ak, signed, sig),
			Expected: "expected sign " + expected}
	}
	if eValue == nil {
		return QiniuError{Body: QiniuBodyAuthFailed, Reason: "no e (deadline) parameter before the token"}
	}
	deadline, err := strconv.ParseInt(*eValue, 10, 64)
	if err != nil {
		return QiniuError{Body: QiniuBodyAuthFailed, Reason: fmt.Sprintf("e=%q is not a Unix timestamp in seconds", *eValue)}
	}
	if d := time.Unix(deadline, 0); now.After(d) {
		return QiniuError{Body: QiniuBodyExpired, Reason: fmt.Sprintf("link expired at %s, clock is %s",
			d.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))}
	}
	return nil
}

// qiniuEtagBlock is the block size of Qiniu's hash.
const qiniuEtagBlock = 4 << 20

// QiniuEtag returns Qiniu's hash of data, the value its downloads send as
// ETag (https://github.com/qiniu/qetag; developer.qiniu.com/kodo/1231):
// for at most 4 MiB, urlsafe_base64(0x16 + sha1(data)); above,
// urlsafe_base64(0x96 + sha1(sha1(block 1) + sha1(block 2) + …)) over 4 MiB
// blocks.
func QiniuEtag(data []byte) string {
	if len(data) <= qiniuEtagBlock {
		sum := sha1.Sum(data)
		return base64.URLEncoding.EncodeToString(append([]byte{0x16}, sum[:]...))
	}
	h := sha1.New()
	for off := 0; off < len(data); off += qiniuEtagBlock {
		sum := sha1.Sum(data[off:min(off+qiniuEtagBlock, len(data))])
		h.Write(sum[:])
	}
	return base64.URLEncoding.EncodeToString(h.Sum([]byte{0x96}))
}
