package sign

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for both signature verifiers. Invariants: no
// panic; every error is the verifier's own type, renders in the vendor's
// format (OSS XML that parses, one of Qiniu's JSON bodies) with the status
// the vendor sends; and a link the signer made verifies until it expires.

const (
	fuzzAKID   = "LTAI5tFuzzKey"
	fuzzSecret = "fuzz-secret"
	fuzzQiniuA = "QiniuFuzzAK"
	fuzzQiniuS = "QiniuFuzzSK"
)

func fuzzOSSSecret(id string) (string, bool) { return fuzzSecret, id == fuzzAKID }

func fuzzQiniuSecret(ak string) (string, bool) { return fuzzQiniuS, ak == fuzzQiniuA }

// FuzzOSSVerify verifies arbitrary query strings and keys.
func FuzzOSSVerify(f *testing.F) {
	now := int64(1795168800)
	link := OSSURL("http://h/_oss", "b", "history/a/b/2026112016.gz", fuzzAKID, fuzzSecret, time.Unix(now+1800, 0))
	_, q, _ := strings.Cut(link, "?")
	f.Add(q, "b", "history/a/b/2026112016.gz", now)
	f.Add(q+"&Expires=1", "b", "history/a/b/2026112016.gz", now+1801)
	f.Add("Expires=abc&OSSAccessKeyId=x&Signature=y", "b", "k", now)
	f.Add("Expires=9223372036854775808&OSSAccessKeyId="+fuzzAKID+"&Signature=%zz", "b", "\xff", now)
	f.Add("", "b", "k", now)
	f.Add("Signature=a+b%3D&Signature=c", "", "", int64(-1))
	f.Fuzz(func(t *testing.T, rawQuery, bucket, object string, nowUnix int64) {
		err := OSSVerify(rawQuery, bucket, object, time.Unix(nowUnix, 0), fuzzOSSSecret)
		if err != nil {
			var oe *OSSError
			if !errors.As(err, &oe) {
				t.Fatalf("error %T %v, want *OSSError", err, err)
			}
			switch s := oe.HTTPStatus(); {
			case oe.Code == OSSCodeInvalidArgument && s == 400, oe.Code == OSSCodeNoSuchKey && s == 404, s == 403:
			default:
				t.Fatalf("code %s with status %d", oe.Code, s)
			}
			body := oe.XML("RID", "host")
			var parsed struct {
				XMLName xml.Name `xml:"Error"`
				Code    string   `xml:"Code"`
				Message string   `xml:"Message"`
			}
			if xerr := xml.Unmarshal(body, &parsed); xerr != nil || parsed.Code != oe.Code || parsed.Message != oe.Message {
				t.Fatalf("XML does not parse back (%v): %s", xerr, body)
			}
		}
		// A link signed for (bucket, object) verifies at or before Expires.
		exp := time.Unix(1795170600, 0)
		l := OSSURL("http://h/_oss", bucket, object, fuzzAKID, fuzzSecret, exp)
		_, lq, _ := strings.Cut(l, "?")
		if err := OSSVerify(lq, bucket, object, exp, fuzzOSSSecret); err != nil {
			t.Fatalf("own link %s refused: %v", l, err)
		}
	})
}

// FuzzQiniuVerify verifies arbitrary download URLs.
func FuzzQiniuVerify(f *testing.F) {
	now := int64(1795168800)
	f.Add(QiniuURL("http://h/_qiniu/a.jpg", fuzzQiniuA, fuzzQiniuS, time.Unix(now+3600, 0)), now)
	f.Add(QiniuURL("http://h/_qiniu/a.jpg?x=1", fuzzQiniuA, fuzzQiniuS, time.Unix(now, 0)), now+1)
	f.Add("http://h/_qiniu/a.jpg?e=abc&token="+fuzzQiniuA+":sig", now)
	f.Add("http://h/_qiniu/a.jpg?e=1&token=nocolon", now)
	f.Add("http://h/_qiniu/a.jpg?token=%zz&e=1", now)
	f.Add("http://h/_qiniu/a.jpg", now)
	f.Add("?&&token=:", int64(0))
	f.Fuzz(func(t *testing.T, fullURL string, nowUnix int64) {
		err := QiniuVerify(fullURL, time.Unix(nowUnix, 0), fuzzQiniuSecret)
		if err != nil {
			var qe QiniuError
			if !errors.As(err, &qe) {
				t.Fatalf("error %T %v, want QiniuError", err, err)
			}
			switch qe.Body {
			case QiniuBodyTokenMissing, QiniuBodyAuthFailed, QiniuBodyExpired:
			default:
				t.Fatalf("body %q is not one of Qiniu's", qe.Body)
			}
			if qe.HTTPStatus() != 401 {
				t.Fatalf("status %d", qe.HTTPStatus())
			}
		}
		// A URL signed here verifies until its deadline, whatever it is,
		// unless it holds a token already (only the part before it is
		// signed) or an e of its own (the first e is the deadline).
		if strings.Contains(fullURL, "token=") || strings.Contains(fullURL, "#") {
			return
		}
		if _, q, ok := strings.Cut(fullURL, "?"); ok {
			for pair := range strings.SplitSeq(q, "&") {
				if k, _, _ := strings.Cut(pair, "="); k == "e" || k == "token" {
					return
				}
			}
		}
		d := time.Unix(1795172400, 0)
		signed := QiniuURL(fullURL, fuzzQiniuA, fuzzQiniuS, d)
		if err := QiniuVerify(signed, d, fuzzQiniuSecret); err != nil {
			t.Fatalf("own URL %s refused: %v", signed, err)
		}
	})
}
