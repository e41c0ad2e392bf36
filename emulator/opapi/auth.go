package opapi

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// checkSign applies the client's sign rule (docs/fidelity/op.md: the real
// algorithm is unknown, so the scenario picks one). The expected sign goes
// into the reason only with reveal (sign.Reason).
func checkSign(c *world.OpClient, q url.Values, body []byte, reveal bool) *Error {
	switch c.Sign {
	case "", world.SignAny:
		return nil
	case world.SignMD5:
		want := SignMD5(q, body, c.Secret)
		got := q.Get("sign")
		if !sign.Equal(strings.ToLower(got), want) { // want is lowercase hex
			return fail(CodeBadSign, MsgSignInvalid, sign.Reason(fmt.Sprintf(
				"sign mismatch: lowercase hex md5(%q + body + secret of %s) is not the provided %q", signedQuery(q), c.Client, got),
				"expected sign "+want, reveal))
		}
		return nil
	}
	return fail(CodeInternal, MsgInternal, fmt.Sprintf("client %s has sign rule %q, which chatemu does not know", c.Client, c.Sign))
}

// SignMD5 is the world.SignMD5 rule: lowercase hex MD5 of the query
// parameters other than sign, sorted by name, written k=v (decoded) and
// joined by "&", then the raw body, then the client secret, with nothing
// between the three.
func SignMD5(q url.Values, body []byte, secret string) string {
	h := md5.New()
	io.WriteString(h, signedQuery(q))
	h.Write(body)
	io.WriteString(h, secret)
	return hex.EncodeToString(h.Sum(nil))
}

func signedQuery(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		if k == "sign" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, k+"="+v)
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}
