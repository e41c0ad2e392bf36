package sign

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/s3xml"
)

// OSS query parameter names of a V1 signed URL, in the order the Go and Java
// SDKs write them (aliyun-oss-go-sdk oss/conn.go getURLParams).
const (
	OSSParamExpires      = "Expires"
	OSSParamAccessKeyID  = "OSSAccessKeyId"
	OSSParamSignature    = "Signature"
	ossExpiresTimeFormat = "2006-01-02T15:04:05.000Z" // <Expires>, <ServerTime> (github.com/johnlui/AliyunOSS/issues/20)
	ossReasonTimeFormat  = time.RFC3339
)

// OSSStringToSign returns the V1 StringToSign of a query-signed request with
// no Content-MD5, no Content-Type and no x-oss- headers:
// "VERB\n\n\n{expires}\n/{bucket}/{object}". The object is the raw, unescaped
// UTF-8 key, as the Go SDK's getResource builds it (aliyun-oss-go-sdk
// oss/conn.go).
func OSSStringToSign(verb string, expires int64, bucket, object string) string {
	return verb + "\n\n\n" + strconv.FormatInt(expires, 10) + "\n/" + bucket + "/" + object
}

// OSSSignature returns base64 (standard alphabet, '=' padded) of
// HMAC-SHA1(secret, stringToSign), the V1 signature (the OSS URL-signing
// doc, https://www.alibabacloud.com/help/en/doc-detail/31952.html). The same
// function signs header-style StringToSigns, which Aliyun's example
// (developer.aliyun.com/ask/9293) uses.
func OSSSignature(secret, stringToSign string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// OSSURL returns a V1 query-signed GET link for /{bucket}/{object}:
// base + "/" + bucket + "/" + escaped object + "?Expires=…&OSSAccessKeyId=…&Signature=…",
// the link Easemob hands out (no sub-resource). See OSSPresign.
func OSSURL(base, bucket, object, accessKeyID, secret string, expires time.Time) string {
	return OSSPresign(http.MethodGet, base, bucket, object, accessKeyID, secret, expires, nil)
}

// OSSPresign returns a V1 query-signed link for method on /{bucket}/{object}
// with the sub-resources in sub (e.g. response-content-type), signed into
// the CanonicalizedResource as OSSCanonicalResource builds it.
//
// The query lists every parameter sorted by name, escaped like the Go SDK's
// getURLParams (url.QueryEscape, then "+" as "%20"), so the signature's
// + / = travel as %2B %2F %3D and a link without sub-resources keeps the
// order Expires, OSSAccessKeyId, Signature of the Java SDK and of the link
// in Easemob's example (aliyun-oss-go-sdk oss/conn.go getURLParams;
// https://doc.easemob.com/document/server-side/message_historical.html). The object is escaped per path segment
// with url.PathEscape, keeping "/" between segments as the Java SDK and the
// Go V4 path do; a verifier must still accept the Go V1 SDK's %2F form (see
// OSSVerifyRequest). A trailing "/" on base is dropped so that callers may
// pass either form.
func OSSPresign(method, base, bucket, object, accessKeyID, secret string, expires time.Time, sub url.Values) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	sts := method + "\n\n\n" + exp + "\n" + OSSCanonicalResource(bucket, object, sub)
	params := map[string]string{
		OSSParamExpires:     exp,
		OSSParamAccessKeyID: accessKeyID,
		OSSParamSignature:   OSSSignature(secret, sts),
	}
	for k, v := range sub {
		if _, auth := params[k]; !auth && len(v) > 0 {
			params[k] = v[0]
		}
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var q strings.Builder
	for i, k := range keys {
		if i > 0 {
			q.WriteByte('&')
		}
		q.WriteString(ossQueryEscape(k))
		if params[k] != "" {
			q.WriteString("=" + ossQueryEscape(params[k]))
		}
	}
	segments := strings.Split(object, "/")
	for i, s := range segments {
		segments[i] = url.PathEscape(s)
	}
	return strings.TrimSuffix(base, "/") + "/" + url.PathEscape(bucket) + "/" + strings.Join(segments, "/") + "?" + q.String()
}

// ossQueryEscape escapes a query value like the Go SDK's getURLParams:
// url.QueryEscape, then "+" (an escaped space) as "%20" (aliyun-oss-go-sdk
// oss/conn.go getURLParams).
func ossQueryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// ossSubResources are the query parameters OSS signs into the
// CanonicalizedResource of a V1 signature: the list Aliyun publishes ("OSS
// 目前支持的子资源", https://developer.aliyun.com/ask/2588) completed by
// the Go V1 SDK's signKeyList (aliyun-oss-go-sdk oss/conn.go) and the V2
// SDK's requiredSignedParametersMap (alibabacloud-oss-go-sdk-v2
// oss/signer/v1.go). Sorted, for binary search.
var ossSubResources = []string{
	"acl", "append", "asyncFetch", "bucketInfo", "callback", "callback-var", "cloudboxes", "cname", "comp",
	"continuation-token", "cors", "delete", "encryption", "endTime", "img", "inventory", "inventoryId",
	"lifecycle", "live", "location", "logging", "metaQuery", "objectMeta", "partNumber", "policy", "position",
	"qos", "qosInfo", "referer", "regionList", "replication", "replicationLocation", "replicationProgress",
	"requestPayment", "resourceGroup", "response-cache-control", "response-content-disposition",
	"response-content-encoding", "response-content-language", "response-content-type", "response-expires",
	"responseHeader", "restore", "rtc", "security-token", "sequential", "startTime", "stat", "status", "style",
	"styleName", "symlink", "tagging", "transferAcceleration", "udf", "udfApplication", "udfApplicationLog",
	"udfId", "udfImage", "udfImageDesc", "udfName", "uploadId", "uploads", "versionId", "versioning",
	"versions", "vod", "website", "withHashContext", "worm", "wormExtend", "wormId",
}

// OSSIsSubResource reports whether query parameter key is signed into the
// CanonicalizedResource: a listed sub-resource, or any "x-oss-" parameter,
// as the V2 SDK signs them (alibabacloud-oss-go-sdk-v2 oss/signer/v1.go;
// the V1 SDK's list names the x-oss- parameters of its day one by one).
func OSSIsSubResource(key string) bool {
	_, found := slices.BinarySearch(ossSubResources, key)
	return found || strings.HasPrefix(key, "x-oss-")
}

// OSSCanonicalResource returns "/{bucket}/{object}", then, when query holds
// sub-resources (OSSIsSubResource), "?" and each of them sorted by name and
// joined by "&": "name=value" with the value decoded, or "name" alone when
// the value is empty (https://developer.aliyun.com/ask/2588; the SDKs'
// getSubResource / calcStringToSign). object is the raw, unescaped key.
// Only a parameter's first value counts.
func OSSCanonicalResource(bucket, object string, query url.Values) string {
	var subs []string
	for k, v := range query {
		if !OSSIsSubResource(k) {
			continue
		}
		if len(v) > 0 && v[0] != "" {
			subs = append(subs, k+"="+v[0])
		} else {
			subs = append(subs, k)
		}
	}
	res := "/" + bucket + "/" + object
	if len(subs) == 0 {
		return res
	}
	sort.Strings(subs)
	return res + "?" + strings.Join(subs, "&")
}

// OSSRequest is what a V1 query signature covers: the method, the bucket
// and the decoded object key, the raw query (auth parameters and
// sub-resources) and the headers that enter the StringToSign
// (Content-MD5, Content-Type and every x-oss- header).
type OSSRequest struct {
	Method   string
	Bucket   string
	Object   string
	RawQuery string
	Header   http.Header
}

// StringToSign returns the request's V1 StringToSign for the Expires value
// expires (as sent): VERB, Content-MD5, Content-Type, Expires, one line
// each, then the CanonicalizedOSSHeaders (x-oss- headers lower-cased,
// sorted, "name:value\n" with the value trimmed) and the
// CanonicalizedResource (https://developer.aliyun.com/ask/2588, /2589).
func (r OSSRequest) StringToSign(expires string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" + expires + "\n")
	var names []string
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-oss-") {
			names = append(names, lk)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString(n + ":" + strings.TrimSpace(r.Header.Get(n)) + "\n")
	}
	b.WriteString(OSSCanonicalResource(r.Bucket, r.Object, r.Query()))
	return b.String()
}

// Query decodes the request's query, keeping each parameter's first value
// (the first occurrence wins, https://developer.aliyun.com/ask/210565) and a value that does not
// unescape as it was sent, so it fails later as a bad value rather than
// disappearing; a name that does not unescape is dropped.
func (r OSSRequest) Query() url.Values {
	out := url.Values{}
	for pair := range strings.SplitSeq(r.RawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		if _, seen := out[key]; seen {
			continue
		}
		if val, err := url.QueryUnescape(v); err == nil {
			v = val
		}
		out[key] = []string{v}
	}
	return out
}

// OSSVerify checks a GET of /{bucket}/{object} signed in the query string,
// with no signed headers; see OSSVerifyRequest.
func OSSVerify(rawQuery, bucket, object string, now time.Time, secretFor func(accessKeyID string) (string, bool)) error {
	return OSSVerifyRequest(OSSRequest{Method: http.MethodGet, Bucket: bucket, Object: object, RawQuery: rawQuery}, now, secretFor)
}

// OSSVerifyRequest checks a request signed in the query string (V1).
// req.Object is the decoded key, so a caller serving the Go V1 SDK's
// "a%2Fb" paths (aliyun-oss-go-sdk oss/conn.go buildURL) decodes them
// first. secretFor looks up an access key id's secret.
//
// It returns nil or an *OSSError, checking in this order:
//  1. each of Expires, OSSAccessKeyId, Signature is present and non-empty,
//     else AccessDenied naming the parameter (none of them at all is an
//     anonymous request to a private bucket);
//  2. Expires is a decimal integer, else InvalidArgument;
//  3. now is not after Expires (now == Expires is still valid), else
//     AccessDenied "Request has expired.": OSS checks expiry before the
//     signature (https://developer.aliyun.com/ask/210565), so an expired
//     tampered link is "expired";
//  4. the access key id is known, else InvalidAccessKeyId;
//  5. the signature matches req.StringToSign, else SignatureDoesNotMatch:
//     the method, the signed headers and every sub-resource count, so a
//     link signed for GET does not serve a HEAD, and one signed without
//     response-content-type does not serve it with one.
//
// A duplicated parameter: the first occurrence wins; an empty Expires,
// OSSAccessKeyId or Signature counts as absent (OSS has its own EC for an
// empty Expires, 0002-00000068).
func OSSVerifyRequest(req OSSRequest, now time.Time, secretFor func(accessKeyID string) (string, bool)) error {
	params := req.Query()
	expiresRaw, akid, provided := params.Get(OSSParamExpires), params.Get(OSSParamAccessKeyID), params.Get(OSSParamSignature)
	switch {
	case expiresRaw == "" && akid == "" && provided == "":
		return OSSAnonymous(req.Bucket, req.Object)
	case expiresRaw == "":
		return OSSMissingParam(OSSParamExpires)
	case akid == "":
		return OSSMissingParam(OSSParamAccessKeyID)
	case provided == "":
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
	sts := req.StringToSign(expiresRaw)
	expected := OSSSignature(secret, sts)
	if !hmac.Equal([]byte(expected), []byte(provided)) {
		return OSSSignatureMismatch(akid, sts, provided, expected)
	}
	return nil
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

// OSS error codes (the <Code> element; docs/fidelity/easemob.md names each
// one's source).
const (
	OSSCodeAccessDenied          = "AccessDenied"
	OSSCodeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	OSSCodeInvalidAccessKeyID    = "InvalidAccessKeyId"
	OSSCodeInvalidArgument       = "InvalidArgument"
	OSSCodeNoSuchKey             = "NoSuchKey"
	OSSCodeNotImplemented        = "NotImplemented"
	OSSCodeMethodNotAllowed      = "MethodNotAllowed"
	OSSCodeInvalidRange          = "InvalidRange"
	OSSCodePreconditionFailed    = "PreconditionFailed"
)

// OSS error codes of the <EC> element and x-oss-ec header, where known. Each
// names the Aliyun page https://help.aliyun.com/zh/oss/user-guide/{EC} that
// describes it; the ones marked [guess] are the nearest page, not a capture
// of this very case.
const (
	// ECExpired: "URL签名已过期", a V1 or V2 URL past its Expires.
	ECExpired = "0002-00000069"
	// ECInvalidExpires: "URL签名中的过期时间无效", Expires=abc.
	ECInvalidExpires = "0002-00000070"
	// ECEmptyExpires: "The signed URL does not include an expiration
	// time", Expires= blank; for an absent Expires a [guess].
	ECEmptyExpires = "0002-00000068"
	// ECMissingAccessKeyID: "The OSSAccessKeyId field is missing from a
	// signed URL request".
	ECMissingAccessKeyID = "0002-00000071"
	// ECMissingSignature: a signed URL without Signature
	// (https://www.alibabacloud.com/help/en/oss/support/0002-00000074).
	ECMissingSignature = "0002-00000074"
	// ECUnknownAccessKeyID: "the AccessKeyId field in the Authorization
	// header or signed URL is missing or unrecognized" [guess: the page's
	// example is a header].
	ECUnknownAccessKeyID = "0002-00000902"
	// ECSignatureMismatch: the SignatureDoesNotMatch page's own capture
	// (https://help.aliyun.com/zh/oss/support/0002-00000040) [guess for a
	// V1 URL: its example is header-signed; V4 and S3-compatible URLs have
	// codes of their own].
	ECSignatureMismatch = "0002-00000040"
	// ECNoSuchKey: NoSuchKey in alibabacloud-oss-go-sdk-v2's test vectors of
	// a real answer (oss/client_mock_object_basic_test.go, x-oss-ec and the
	// body's <EC>).
	ECNoSuchKey = "0026-00000001"
	// ECPreconditionFailed: "A condition in the request is not met", an
	// If-Match or If-Unmodified-Since that does not hold
	// (https://www.alibabacloud.com/help/en/oss/user-guide/0017-00001001).
	ECPreconditionFailed = "0017-00001001"
)

// OSSPreconditionFailed is OSS's 412 for a conditional GET or HEAD whose
// header (If-Match or If-Unmodified-Since) does not hold
// (https://help.aliyun.com/en/oss/user-guide/http-status-code-412).
func OSSPreconditionFailed(header string) *OSSError {
	return &OSSError{Code: OSSCodePreconditionFailed, Message: "At least one of the pre-conditions you specified did not hold",
		EC: ECPreconditionFailed, Reason: header + " does not hold for the archive"}
}

// OSS error messages (the <Message> element). The first four are quoted from
// OSS (docs/fidelity/easemob.md). OSS's pages for a missing auth parameter and a bad
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
	// The next three are S3's texts for the same codes (OSS keeps S3's
	// codes); chatemu sends them only for what it does not emulate.
	OSSMessageNotImplemented   = "A header you provided implies functionality that is not implemented."
	OSSMessageMethodNotAllowed = "The specified method is not allowed against this resource."
	OSSMessageInvalidRange     = "The requested range is not satisfiable"
)

// OSSError is every error the OSS surface returns: the vendor's code and
// message, the code-specific elements of its XML body, and Reason, a
// plain-English explanation for the X-Chatemu-Reason header and the journal
// (the body stays OSS's), which never enters the body.
type OSSError struct {
	Code    string
	Message string

	Expires, ServerTime time.Time // AccessDenied for an expired link

	AccessKeyID       string // SignatureDoesNotMatch, InvalidAccessKeyId
	StringToSign      string // SignatureDoesNotMatch
	SignatureProvided string // SignatureDoesNotMatch

	Key   string // NoSuchKey
	Param string // the missing or malformed query parameter, for callers and tests; not rendered

	// EC is the error's <EC> and x-oss-ec (the EC constants); empty where
	// the vendor's EC for the case is unknown, and then not sent.
	EC string

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

// OSSExpired is the 403 for a link used after its Expires
// (https://github.com/johnlui/AliyunOSS/issues/20).
func OSSExpired(expires, now time.Time) *OSSError {
	return &OSSError{
		Code: OSSCodeAccessDenied, Message: OSSMessageRequestExpired, EC: ECExpired,
		// OSS reports whole seconds ("…T01:55:28.000Z", the capture above).
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
	ec := map[string]string{OSSParamExpires: ECEmptyExpires, OSSParamAccessKeyID: ECMissingAccessKeyID, OSSParamSignature: ECMissingSignature}[param]
	return &OSSError{
		Code: OSSCodeAccessDenied, Message: OSSMessageMissingParam, Param: param, EC: ec,
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
		Code: OSSCodeInvalidArgument, Message: OSSMessageInvalidExpires, Param: OSSParamExpires, EC: ECInvalidExpires,
		Reason: fmt.Sprintf("Expires=%q is not a Unix timestamp in seconds", value),
	}
}

// OSSInvalidAccessKeyID is the 403 for an access key id the world does not
// know (docs/fidelity/easemob.md).
func OSSInvalidAccessKeyID(accessKeyID string) *OSSError {
	return &OSSError{
		Code: OSSCodeInvalidAccessKeyID, Message: OSSMessageInvalidAccessKeyID, AccessKeyID: accessKeyID, EC: ECUnknownAccessKeyID,
		Reason: fmt.Sprintf("no OSS access key id %q in this world (see GET /_chatemu/tenants)", accessKeyID),
	}
}

// OSSSignatureMismatch is the 403 for a wrong signature. The body echoes the
// StringToSign OSS computed, as OSS does, so the client can diff it against
// its own; Expected holds the expected signature, which OSS never reveals
// and RevealedReason shows only where the server may.
func OSSSignatureMismatch(accessKeyID, stringToSign, provided, expected string) *OSSError {
	return &OSSError{
		Code: OSSCodeSignatureDoesNotMatch, Message: OSSMessageSignatureDoesNotMatch, EC: ECSignatureMismatch,
		AccessKeyID: accessKeyID, StringToSign: stringToSign, SignatureProvided: provided,
		Reason: fmt.Sprintf("signature mismatch: base64(HMAC-SHA1(secret of %s, StringToSign %q)) is not the provided %q",
			accessKeyID, stringToSign, provided),
		Expected: "expected signature " + expected,
	}
}

// OSSNoSuchKey is the 404 for a well-signed request of an object that does
// not exist (standard OSS; docs/fidelity/easemob.md).
func OSSNoSuchKey(bucket, key string) *OSSError {
	return &OSSError{
		Code: OSSCodeNoSuchKey, Message: OSSMessageNoSuchKey, Key: key, EC: ECNoSuchKey,
		Reason: fmt.Sprintf("bucket %s holds no object %q", bucket, key),
	}
}

// OSSNotImplemented is chatemu's answer to a well-signed request for an
// OSS feature it does not emulate (a sub-resource other than the response-*
// overrides: acl, x-oss-process, versionId, …): 501 NotImplemented, S3's
// code and text, rather than a plain download that would ignore it. [choice]
func OSSNotImplemented(what string) *OSSError {
	return &OSSError{Code: OSSCodeNotImplemented, Message: OSSMessageNotImplemented,
		Reason: what + " is not emulated: chatemu's OSS serves GetObject and HeadObject, with the response-* overrides"}
}

// OSSMethodNotAllowed is chatemu's answer to a well-signed request with a
// method other than GET or HEAD: the emulated buckets are read-only (S3's
// 405 MethodNotAllowed). [choice]
func OSSMethodNotAllowed(method string) *OSSError {
	return &OSSError{Code: OSSCodeMethodNotAllowed, Message: OSSMessageMethodNotAllowed,
		Reason: method + " is not emulated: chatemu's buckets are read-only (GET, HEAD)"}
}

// OSSInvalidRange is the 416 for a Range no byte of the object satisfies
// (OSS answers S3's InvalidRange; the EC is unknown).
func OSSInvalidRange(rangeHeader string, size int64) *OSSError {
	return &OSSError{Code: OSSCodeInvalidRange, Message: OSSMessageInvalidRange,
		Reason: fmt.Sprintf("Range %q is not satisfiable: the object is %d bytes", rangeHeader, size)}
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
	case OSSCodeMethodNotAllowed:
		return 405
	case OSSCodeInvalidRange:
		return 416
	case OSSCodePreconditionFailed:
		return 412
	case OSSCodeNotImplemented:
		return 501
	case s3xml.CodeInternalError:
		return 500
	case s3xml.CodeSlowDown:
		return 503
	default:
		return 403
	}
}

// XML renders OSS's error body byte for byte: the XML
// declaration, then Code, Message, RequestId, HostId and the code's own
// elements, two-space indented, one element a line, in the order of the real
// 2017 capture (johnlui/AliyunOSS#20); then, where the EC is known, <EC> and
// <RecommendDoc>, as today's OSS ends its errors (the NoSuchKey answer in
// alibabacloud-oss-go-sdk-v2's test vectors; the SignatureDoesNotMatch
// capture on https://help.aliyun.com/zh/oss/support/0002-00000040 shows
// <EC> last).
// StringToSignBytes is upper-case hex with a space after every byte, as in
// Aliyun's sample (help.aliyun.com/knowledge_detail/108790.html).
func (e *OSSError) XML(requestID, hostID string) []byte {
	el := []s3xml.Element{{Name: "Code", Text: e.Code}, {Name: "Message", Text: e.Message},
		{Name: "RequestId", Text: requestID}, {Name: "HostId", Text: hostID}}
	switch e.Code {
	case OSSCodeAccessDenied:
		if !e.Expires.IsZero() {
			el = append(el, s3xml.Element{Name: "Expires", Text: e.Expires.UTC().Format(ossExpiresTimeFormat)},
				s3xml.Element{Name: "ServerTime", Text: e.ServerTime.UTC().Format(ossExpiresTimeFormat)})
		}
	case OSSCodeSignatureDoesNotMatch:
		var hex strings.Builder
		for i := 0; i < len(e.StringToSign); i++ {
			fmt.Fprintf(&hex, "%02X ", e.StringToSign[i])
		}
		el = append(el, s3xml.Element{Name: "OSSAccessKeyId", Text: e.AccessKeyID},
			s3xml.Element{Name: "SignatureProvided", Text: e.SignatureProvided},
			s3xml.Element{Name: "StringToSign", Text: e.StringToSign},
			s3xml.Element{Name: "StringToSignBytes", Text: hex.String()})
	case OSSCodeInvalidAccessKeyID:
		el = append(el, s3xml.Element{Name: "OSSAccessKeyId", Text: e.AccessKeyID})
	case OSSCodeNoSuchKey:
		el = append(el, s3xml.Element{Name: "Key", Text: e.Key})
	}
	if e.EC != "" {
		el = append(el, s3xml.Element{Name: "EC", Text: e.EC},
			s3xml.Element{Name: "RecommendDoc", Text: "https://api.aliyun.com/troubleshoot?q=" + e.EC})
	}
	return s3xml.Document(true, el...)
}
