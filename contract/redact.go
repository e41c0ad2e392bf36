package contract

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/tidwall/gjson"
)

// Redacted replaces every secret, token and signature in a recording. A
// replay compares a Redacted value by shape only (any string matches).
const Redacted = "REDACTED"

// secretKeys are JSON keys whose string values are never recorded: app
// tokens and the credentials they are exchanged for, file share secrets
// (they download the file), Op sign/token.
var secretKeys = []string{
	"access_token", "client_secret", "client_id", "app_secret", "AppSecret", "CheckSum",
	"token", "sign", "Signature", "OSSAccessKeyId", "secret", "thumb_secret", "thumbsecret",
	"share-secret", "password", "SignatureProvided", "StringToSign", "StringToSignBytes",
}

// secretParams are query parameters whose values are never recorded:
// OSS's signature and access key id, Qiniu's download token, the Op Api's
// token and sign, an Easemob file's share-secret.
var secretParams = []string{"Signature", "OSSAccessKeyId", "token", "sign", "access_token", "security-token", "share-secret"}

// redactQuery redacts the secret parameters of a raw query, keeping the
// parameters' order and encoding.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if ok && slices.Contains(secretParams, name) {
			parts[i] = k + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

// redactHeader redacts a request header's value: the bearer token, the
// Yunxin CheckSum; Nonce and CurTime change on every run and are not kept.
func redactHeader(name, v string) string {
	switch canonical(name) {
	case "Authorization":
		if scheme, tok, ok := strings.Cut(v, " "); ok && tok != "" {
			return scheme + " " + Redacted
		}
		return v
	case "Checksum", "Appsecret":
		return Redacted
	case "Nonce", "Curtime":
		return "(varies)"
	}
	return v
}

// redactURL redacts the secret query parameters of a URL string; other
// strings come back as they are.
func redactURL(s string) string {
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return s
	}
	base, q, ok := strings.Cut(s, "?")
	if !ok {
		return s
	}
	return base + "?" + redactQuery(q)
}

// redactJSON rewrites a JSON document with secrets redacted, keeping key
// order and number text: values of secretKeys, secret parameters inside URL
// strings, and any occurrence of a known secret value. A non-JSON body
// comes back as a JSON string.
func redactJSON(b []byte, secrets []string) json.RawMessage {
	if !gjson.ValidBytes(b) {
		j, _ := json.Marshal(scrub(string(b), secrets))
		return j
	}
	var out bytes.Buffer
	jsonRewrite{str: func(key, s string) string {
		if slices.Contains(secretKeys, key) && s != "" {
			s = Redacted
		}
		return scrub(redactURL(s), secrets)
	}}.write(&out, gjson.ParseBytes(b), "", "")
	return out.Bytes()
}

// scrub replaces every known secret value inside s.
func scrub(s string, secrets []string) string {
	for _, x := range secrets {
		if len(x) >= 4 {
			s = strings.ReplaceAll(s, x, Redacted)
		}
	}
	return s
}

// jsonString encodes s as a JSON string without HTML escaping (the vendors'
// Java encoders leave < > & as they are).
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return bytes.TrimRight(b.Bytes(), "\n")
}
