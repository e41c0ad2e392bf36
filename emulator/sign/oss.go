package sign

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// OSS query parameter names of a V1 signed URL, in the order the Go and Java
// SDKs write them (vendor-notes §2.1, §7).
const (
	OSSParamExpires      = "Expires"
	OSSParamAccessKeyID  = "OSSAccessKeyId"
	OSSParamSignature    = "Signature"
	ossExpiresTimeFormat = "2006-01-02T15:04:05.000Z" // <Expires>, <ServerTime> (vendor-notes §2.2)
	ossReasonTimeFormat  = time.RFC3339
)

// OSSStringToSign returns the V1 StringToSign of a query-signed request with
// no Content-MD5, no Content-Type and no x-oss- headers:
// "VERB\n\n\n{expires}\n/{bucket}/{object}". The object is the raw, unescaped
// UTF-8 key, as the Go SDK's getResource builds it (vendor-notes §2.1).
func OSSStringToSign(verb string, expires int64, bucket, object string) string {
	return verb + "\n\n\n" + strconv.FormatInt(expires, 10) + "\n/" + bucket + "/" + object
}

// OSSSignature returns base64 (standard alphabet, '=' padded) of
// HMAC-SHA1(secret, stringToSign), the V1 signature (vendor-notes §2.1). The
// same function signs header-style StringToSigns, which §2.3's vector uses.
func OSSSignature(secret, stringToSign string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// OSSURL returns a V1 query-signed GET link for /{bucket}/{object}:
// base + "/" + bucket + "/" + escaped object + "?Expires=…&OSSAccessKeyId=…&Signature=…".
//
// The query keeps the SDKs' order and escaping (url.QueryEscape with "+" as
// "%20"), so the signature's + / = travel as %2B %2F %3D (vendor-notes §2.1,
// §7). The object is escaped per path segment with url.PathEscape, keeping
// "/" between segments as the Java SDK and the Go V4 path do; a verifier must
// still accept the Go V1 SDK's %2F form (see OSSVerify). A trailing "/" on
// base is dropped so that callers may pass either form.
func OSSURL(base, bucket, object, accessKeyID, secret string, expires time.Time) string {
	exp := expires.Unix()
	sig := OSSSignature(secret, OSSStringToSign("GET", exp, bucket, object))
	segments := strings.Split(object, "/")
	for i, s := range segments {
		segments[i] = url.PathEscape(s)
	}
	return strings.TrimSuffix(base, "/") + "/" + url.PathEscape(bucket) + "/" + strings.Join(segments, "/") +
		"?" + OSSParamExpires + "=" + strconv.FormatInt(exp, 10) +
		"&" + OSSParamAccessKeyID + "=" + ossQueryEscape(accessKeyID) +
		"&" + OSSParamSignature + "=" + ossQueryEscape(sig)
}

// ossQueryEscape escapes a query value like the Go SDK's getURLParams:
// url.QueryEscape, then "+" (an escaped space) as "%20" (vendor-notes §2.1).
func ossQueryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// OSSVerify checks a GET of /{bucket}/{object} signed in the query string.
// rawQuery is the request's raw (still escaped) query; object is the decoded
// key, so a caller serving the Go V1 SDK's "a%2Fb" paths decodes them first
// (vendor-notes §2.1, §7). secretFor looks up an access key id's secret.
//
// It returns nil or an *OSSError, checking in this order:
//  1. each of Expires, OSSAccessKeyId, Signature is present and non-empty,
//     else AccessDenied naming the parameter (none of them at all is an
//     anonymous request to a private bucket);
//  2. Expires is a decimal integer, else InvalidArgument;
//  3. now is not after Expires (now == Expires is still valid), else
//     AccessDenied "Request has expired.": OSS checks expiry before the
//     signature (vendor-notes §2.1), so an expired tampered link is "expired";
//  4. the access key id is known, else InvalidAccessKeyId;
//  5. the signature matches, else SignatureDoesNotMatch.
//
// A duplicated Expires, OSSAccessKeyId or Signature: the first occurrence
// wins (vendor-notes §2.1). Other query parameters (OSS sub-resources such as
// response-content-type) are not part of the StringToSign here: chatemu does
// not emulate them, so the caller must refuse them rather than ignore them
// (DESIGN §1).
func OSSVerify(rawQuery, bucket, object string, now time.Time, secretFor func(accessKeyID string) (string, bool)) error {
	params := ossFirstParams(rawQuery)
	expiresRaw, hasExpires := params[OSSParamExpires]
	akid, hasAKID := params[OSSParamAccessKeyID]
	provided, hasSig := params[OSSParamSignature]
	switch {
	case !hasExpires && !hasAKID && !hasSig:
		return OSSAnonymous(bucket, object)
	case !hasExpires:
		return OSSMissingParam(OSSParamExpires)
	case !hasAKID:
		return OSSMissingParam(OSSParamAccessKeyID)
	case !hasSig:
		return OSSMissingParam(OSSParamSignature)
	}
	expires, ok := ossParseExpires(expiresRaw)
	if !ok {
		return OSSInvalidExpires(expiresRaw)
	}
	if exp := time.Unix(expires, 0); now.After(exp) {
		return OSSExpired(exp, now)
	}
	secret, ok := secretFor(akid)
	if !ok {
		return OSSInvalidAccessKeyID(akid)
	}
	sts := OSSStringToSign("GET", expires, bucket, object)
	expected := OSSSignature(secret, sts)
	if !hmac.Equal([]byte(expected), []byte(provided)) {
		return OSSSignatureMismatch(akid, sts, provided, expected)
	}
	return nil
}

// ossFirstParams decodes the three auth parameters of rawQuery, keeping the
// first occurrence of each (vendor-notes §2.1) and treating an empty value as
// absent (OSS has its own EC for an empty Expires, 0002-00000068). A value
// that does not unescape is kept raw, so it fails later as a bad value rather
// than disappearing.
func ossFirstParams(rawQuery string) map[string]string {
	out := make(map[string]string, 3)
	for pair := range strings.SplitSeq(rawQuery, "&") {
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		if key != OSSParamExpires && key != OSSParamAccessKeyID && key != OSSParamSignature {
			continue
		}
		if _, seen := out[key]; seen {
			continue
		}
		if val, err := url.QueryUnescape(v); err == nil {
			v = val
		}
		if v == "" {
			continue
		}
		out[key] = v
	}
	return out
}

// ossParseExpires accepts only unsigned decimal seconds: "+5", "-5", "1e9"
// and "abc" are not the Unix timestamp OSS asks for (EC 0002-00000070).
func ossParseExpires(s string) (int64, bool) {
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// OSS error codes (the <Code> element, vendor-notes §2.2).
const (
	OSSCodeAccessDenied          = "AccessDenied"
	OSSCodeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	OSSCodeInvalidAccessKeyID    = "InvalidAccessKeyId"
	OSSCodeInvalidArgument       = "InvalidArgument"
	OSSCodeNoSuchKey             = "NoSuchKey"
)

// OSS error messages (the <Message> element). The first four are quoted from
// OSS (vendor-notes §2.2). OSS's pages for a missing auth parameter and a bad
// Expires (EC 0002-00000071, -00000074, -00000070) do not state the Code or
// Message: the last two are [guess]es, modelled on S3's wording.
const (
	OSSMessageRequestExpired        = "Request has expired."
	OSSMessageSignatureDoesNotMatch = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	OSSMessageInvalidAccessKeyID    = "The OSS Access Key Id you provided does not exist in our records."
	OSSMessageNoSuchKey             = "The specified key does not exist."
	OSSMessageBucketACL             = "You have no right to access this object because of bucket acl."
	OSSMessageMissingParam          = "Query-string authentication requires the Signature, Expires and OSSAccessKeyId parameters"
	OSSMessageInvalidExpires        = "Invalid argument: Expires must be a Unix timestamp in seconds."
)

// OSSError is every error the OSS surface returns: the vendor's code and
// message, the code-specific elements of its XML body, and Reason, a
// plain-English explanation for the X-Chatemu-Reason header and the journal
// (DESIGN §1), which never enters the body.
type OSSError struct {
	Code    string
	Message string

	Expires, ServerTime time.Time // AccessDenied for an expired link

	AccessKeyID       string // SignatureDoesNotMatch, InvalidAccessKeyId
	StringToSign      string // SignatureDoesNotMatch
	SignatureProvided string // SignatureDoesNotMatch

	Key   string // NoSuchKey
	Param string // the missing or malformed query parameter, for callers and tests; not rendered

	// Reason is the plain-English explanation; it never holds a value that
	// authenticates.
	Reason string
	// Expected is what would have authenticated ("expected signature …"),
	// for RevealedReason; never rendered in the body.
	Expected string
}

// RevealedReason is the X-Chatemu-Reason for e: Reason, plus Expected only
// when reveal (see Reason).
func (e *OSSError) RevealedReason(reveal bool) string {
	return Reason(e.Reason, e.Expected, reveal)
}

// OSSExpired is the 403 for a link used after its Expires (vendor-notes §2.2).
func OSSExpired(expires, now time.Time) *OSSError {
	return &OSSError{
		Code: OSSCodeAccessDenied, Message: OSSMessageRequestExpired,
		// OSS reports whole seconds ("…T01:55:28.000Z", vendor-notes §2.2).
		Expires: expires.UTC(), ServerTime: now.UTC().Truncate(time.Second),
		Reason: fmt.Sprintf("link expired at %s, clock is %s",
			expires.UTC().Format(ossReasonTimeFormat), now.UTC().Format(ossReasonTimeFormat)),
	}
}

// OSSMissingParam is the 403 for a query-signed request without one of the
// three auth parameters. The vendor page (EC 0002-00000071 for
// OSSAccessKeyId, 0002-00000074 for Signature, 0002-00000068 for an empty
// Expires) does not state the Code or Message: AccessDenied and
// OSSMessageMissingParam are a [guess].
func OSSMissingParam(param string) *OSSError {
	return &OSSError{
		Code: OSSCodeAccessDenied, Message: OSSMessageMissingParam, Param: param,
		Reason: fmt.Sprintf("signed URL has no %s query parameter (or it is empty); a V1 link needs Expires, OSSAccessKeyId and Signature", param),
	}
}

// OSSAnonymous is the 403 for a request with no signature at all: the
// emulated buckets are private, so OSS answers with its bucket-ACL denial.
func OSSAnonymous(bucket, object string) *OSSError {
	return &OSSError{
		Code: OSSCodeAccessDenied, Message: OSSMessageBucketACL,
		Reason: fmt.Sprintf("bucket %s is private and the request for %q carries no Expires, OSSAccessKeyId or Signature", bucket, object),
	}
}

// OSSInvalidExpires is the 400 for an Expires that is not an integer
// (EC 0002-00000070; Code and Message are a [guess], see OSSMissingParam).
func OSSInvalidExpires(value string) *OSSError {
	return &OSSError{
		Code: OSSCodeInvalidArgument, Message: OSSMessageInvalidExpires, Param: OSSParamExpires,
		Reason: fmt.Sprintf("Expires=%q is not a Unix timestamp in seconds", value),
	}
}

// OSSInvalidAccessKeyID is the 403 for an access key id the world does not
// know (vendor-notes §2.2).
func OSSInvalidAccessKeyID(accessKeyID string) *OSSError {
	return &OSSError{
		Code: OSSCodeInvalidAccessKeyID, Message: OSSMessageInvalidAccessKeyID, AccessKeyID: accessKeyID,
		Reason: fmt.Sprintf("no OSS access key id %q in this world (see GET /_chatemu/tenants)", accessKeyID),
	}
}

// OSSSignatureMismatch is the 403 for a wrong signature. The body echoes the
// StringToSign OSS computed, as OSS does, so the client can diff it against
// its own; Expected holds the expected signature, which OSS never reveals
// and RevealedReason shows only where the server may.
func OSSSignatureMismatch(accessKeyID, stringToSign, provided, expected string) *OSSError {
	return &OSSError{
		Code: OSSCodeSignatureDoesNotMatch, Message: OSSMessageSignatureDoesNotMatch,
		AccessKeyID: accessKeyID, StringToSign: stringToSign, SignatureProvided: provided,
		Reason: fmt.Sprintf("signature mismatch: base64(HMAC-SHA1(secret of %s, StringToSign %q)) is not the provided %q",
			accessKeyID, stringToSign, provided),
		Expected: "expected signature " + expected,
	}
}

// OSSNoSuchKey is the 404 for a well-signed request of an object that does
// not exist (vendor-notes §2.2, standard OSS).
func OSSNoSuchKey(bucket, key string) *OSSError {
	return &OSSError{
		Code: OSSCodeNoSuchKey, Message: OSSMessageNoSuchKey, Key: key,
		Reason: fmt.Sprintf("bucket %s holds no object %q", bucket, key),
	}
}

// Error returns the code and the developer's reason.
func (e *OSSError) Error() string {
	return "oss " + e.Code + ": " + e.Reason
}

// HTTPStatus returns the status OSS sends with this error.
func (e *OSSError) HTTPStatus() int {
	switch e.Code {
	case OSSCodeInvalidArgument:
		return 400
	case OSSCodeNoSuchKey:
		return 404
	default:
		return 403
	}
}

// XML renders OSS's error body byte for byte (vendor-notes §2.2): the XML
// declaration, then Code, Message, RequestId, HostId and the code's own
// elements, two-space indented, one element a line. Element order follows
// the real 2017 capture (johnlui/AliyunOSS#20); the newer <EC> element is not
// rendered because OSS's EC for a query-string mismatch is unknown.
// StringToSignBytes is upper-case hex with a space after every byte, as in
// Aliyun's sample (help.aliyun.com/knowledge_detail/108790.html).
func (e *OSSError) XML(requestID, hostID string) []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n")
	el := func(name, text string) {
		b.WriteString("  <" + name + ">")
		b.WriteString(xmlEscape(text))
		b.WriteString("</" + name + ">\n")
	}
	el("Code", e.Code)
	el("Message", e.Message)
	el("RequestId", requestID)
	el("HostId", hostID)
	switch e.Code {
	case OSSCodeAccessDenied:
		if !e.Expires.IsZero() {
			el("Expires", e.Expires.UTC().Format(ossExpiresTimeFormat))
			el("ServerTime", e.ServerTime.UTC().Format(ossExpiresTimeFormat))
		}
	case OSSCodeSignatureDoesNotMatch:
		el("OSSAccessKeyId", e.AccessKeyID)
		el("SignatureProvided", e.SignatureProvided)
		el("StringToSign", e.StringToSign)
		var hex strings.Builder
		for i := 0; i < len(e.StringToSign); i++ {
			fmt.Fprintf(&hex, "%02X ", e.StringToSign[i])
		}
		el("StringToSignBytes", hex.String())
	case OSSCodeInvalidAccessKeyID:
		el("OSSAccessKeyId", e.AccessKeyID)
	case OSSCodeNoSuchKey:
		el("Key", e.Key)
	}
	b.WriteString("</Error>\n")
	return []byte(b.String())
}

// xmlEscape escapes element text with encoding/xml, so a key or
// StringToSign with & < > or control characters stays well-formed.
func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}
