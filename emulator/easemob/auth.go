package easemob

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// Tokens are opaque to clients but shaped like Easemob's app tokens
// ("YWMt…": base64 of "ac-" then the token's bytes, base64url without
// padding). The 30 bytes after the prefix are a 16-byte id, the expiry (ms
// since the epoch, 0 for a permanent token) and a 6-byte tag over both,
// keyed with a constant. The tag is what tells a corrupt token (not our
// shape) from a well-formed one this surface never issued or issued to
// another app, the two 401s of easemob-doc error.md. Ids come from an
// HMAC of the app's secret, the world's seed, the issue count and time, so
// one scenario gives the same tokens run after run.
const (
	tokenPrefix  = "YWMt"
	tokenIDLen   = 16
	tokenTagLen  = 6
	tokenRawLen  = tokenIDLen + 8 + tokenTagLen
	tokenTextLen = len(tokenPrefix) + tokenRawLen/3*4
	tokenTagKey  = "chatemu easemob app token"
)

// tokenEntry is an issued token: whose it is and when it stops working.
type tokenEntry struct {
	tenant  world.TenantID
	expires time.Time // zero: permanent (ttl 0)
}

// tokenRequest is the token call's body (easemob-doc
// docs/product/easemob_app_token.md). ttl stays raw: the official Go SDK
// sends "ttl":"" (easemob-go-sdk client.go), others a number.
type tokenRequest struct {
	GrantType    *string         `json:"grant_type"`
	ClientID     *string         `json:"client_id"`
	ClientSecret *string         `json:"client_secret"`
	TTL          json.RawMessage `json:"ttl"`
}

// maxTokenBody bounds the token call's body.
const maxTokenBody = 64 << 10

// token is POST /{org}/{app}/token: the client_credentials grant.
// Checks, in order: org/app, method, rate limit, media type, JSON, grant
// type, client_id present, client_secret present, ttl, client_id match,
// client_secret match. A stray "Authorization: Bearer " header (the Go SDK's)
// is ignored.
func (s *Surface) token(r *http.Request) (respond.Response, *Error) {
	app, e := s.enter(r, http.MethodPost, limitToken)
	if e != nil {
		return respond.Response{}, e
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return respond.Response{}, errUnsupportedMediaType(ct)
		}
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxTokenBody+1))
	if err != nil {
		return respond.Response{}, errJSONParse("reading the body failed")
	}
	if len(raw) > maxTokenBody {
		return respond.Response{}, errJSONParse(fmt.Sprintf("body over %d bytes", maxTokenBody))
	}
	var req tokenRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&req); err != nil {
		return respond.Response{}, errJSONParse(err.Error())
	}
	if dec.More() {
		return respond.Response{}, errJSONParse("trailing data after the JSON object")
	}
	switch {
	case req.GrantType == nil || *req.GrantType == "":
		return respond.Response{}, errIllegalArgument(descGrantTypeMissing, "the body has no grant_type; app tokens use \"grant_type\":\"client_credentials\"")
	case *req.GrantType != "client_credentials":
		return respond.Response{}, errUnsupportedGrant(*req.GrantType)
	case req.ClientID == nil || *req.ClientID == "":
		return respond.Response{}, errIllegalArgument(descClientIDMissing, "the body has no client_id")
	case req.ClientSecret == nil || *req.ClientSecret == "":
		return respond.Response{}, errIllegalArgument(descClientSecretMissing, "the body has no client_secret")
	}
	ttl, terr := parseTTL(req.TTL, s.cfg.TokenTTL)
	if terr != nil {
		return respond.Response{}, terr
	}
	if *req.ClientID != app.ClientID {
		return respond.Response{}, errInvalidGrant(descClientIDMismatch, fmt.Sprintf("client_id %q is not %s/%s's (see GET /_chatemu/tenants)", *req.ClientID, app.Org, app.App))
	}
	if !sign.Equal(*req.ClientSecret, app.ClientSecret) {
		return respond.Response{}, errInvalidGrant(descClientSecretMism, fmt.Sprintf("client_secret is not %s/%s's", app.Org, app.App))
	}
	token, expiresIn := s.issue(app, ttl)
	b := make([]byte, 0, 160)
	b = append(b, `{"access_token":`...)
	b = appendString(b, token)
	b = append(b, `,"expires_in":`...)
	b = strconv.AppendInt(b, expiresIn, 10)
	b = append(b, `,"application":`...)
	b = appendString(b, app.UUID)
	b = append(b, '}')
	return jsonBody(http.StatusOK, b), nil
}

// parseTTL reads ttl: absent, null or "" mean the default; a number or a
// numeric string is seconds; 0 is permanent (easemob_app_token.md). The VIP5
// cluster's milliseconds are not emulated.
func parseTTL(raw json.RawMessage, def time.Duration) (time.Duration, *Error) {
	bad := func(why string) *Error {
		return errIllegalArgument("ttl must be a non-negative number of seconds", // [guess]
			"ttl "+string(raw)+": "+why)
	}
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" || s == `""` {
		return def, nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return 0, bad("not a string")
		}
		s = strings.TrimSpace(str)
		if s == "" {
			return def, nil
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 || n != math.Trunc(n) || math.IsInf(n, 0) {
		return 0, bad("want a whole number of seconds ≥ 0")
	}
	if n == 0 {
		return 0, nil
	}
	const maxSecs = float64(100 * 365 * 24 * 3600)
	return time.Duration(min(n, maxSecs)) * time.Second, nil
}

// issue makes and records a token for app valid for ttl (0: permanent) and
// returns it with its expires_in in seconds.
func (s *Surface) issue(app *world.EasemobApp, ttl time.Duration) (string, int64) {
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.issued
	s.issued++
	var expires time.Time
	if ttl > 0 {
		expires = now.Add(ttl)
	}
	mac := hmac.New(sha256.New, []byte(app.ClientSecret))
	var buf [8 * 3]byte
	binary.BigEndian.PutUint64(buf[0:], s.cfg.World.Seed())
	binary.BigEndian.PutUint64(buf[8:], n)
	binary.BigEndian.PutUint64(buf[16:], uint64(now.UnixMilli()))
	mac.Write([]byte(app.Tenant()))
	mac.Write(buf[:])
	var raw [tokenRawLen]byte
	copy(raw[:tokenIDLen], mac.Sum(nil))
	if !expires.IsZero() {
		binary.BigEndian.PutUint64(raw[tokenIDLen:], uint64(expires.UnixMilli()))
	}
	copy(raw[tokenIDLen+8:], tokenTag(raw[:tokenIDLen+8]))
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])

	if len(s.tokens) >= maxTokens {
		s.evictLocked(now)
	}
	if _, dup := s.tokens[token]; !dup {
		s.order = append(s.order, token)
	}
	s.tokens[token] = tokenEntry{tenant: app.Tenant(), expires: expires}
	return token, int64(ttl / time.Second)
}

func tokenTag(b []byte) []byte {
	mac := hmac.New(sha256.New, []byte(tokenTagKey))
	mac.Write(b)
	return mac.Sum(nil)[:tokenTagLen]
}

// evictLocked sweeps expired tokens, then drops the oldest until a quarter
// of the table is free.
func (s *Surface) evictLocked(now time.Time) {
	kept := s.order[:0]
	for _, t := range s.order {
		e, ok := s.tokens[t]
		if !ok {
			continue
		}
		if !e.expires.IsZero() && !now.Before(e.expires) {
			delete(s.tokens, t)
			continue
		}
		kept = append(kept, t)
	}
	for len(kept) > maxTokens*3/4 {
		delete(s.tokens, kept[0])
		kept = kept[1:]
	}
	s.order = append([]string(nil), kept...)
}

// wellFormed reports whether token has the shape this surface issues.
func wellFormed(token string) bool {
	if len(token) != tokenTextLen || !strings.HasPrefix(token, tokenPrefix) {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(token[len(tokenPrefix):])
	if err != nil || len(raw) != tokenRawLen {
		return false
	}
	return hmac.Equal(raw[tokenIDLen+8:], tokenTag(raw[:tokenIDLen+8]))
}

// authorize checks the request's app token for app (easemob-doc error.md):
// missing or expired → unauthorized; not our shape → corrupt; our shape but
// not issued here for this app → "Unable to authenticate".
func (s *Surface) authorize(r *http.Request, app *world.EasemobApp) *Error {
	h := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if h == "" || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return errTokenExpired("no app token: send Authorization: Bearer <access_token from POST /" + app.Org + "/" + app.App + "/token>")
	}
	if !wellFormed(token) {
		return errTokenCorrupt("the bearer token is not one Easemob could have issued (malformed)")
	}
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	e, ok := s.tokens[token]
	s.mu.Unlock()
	switch {
	case !ok:
		return errTokenUnknown("the token is well-formed but was not issued by this emulator since its last reset")
	case e.tenant != app.Tenant():
		return errTokenUnknown("the token was issued to " + string(e.tenant) + ", not to " + string(app.Tenant()))
	case !e.expires.IsZero() && !now.Before(e.expires):
		return errTokenExpired("token expired at " + e.expires.Format(time.RFC3339) + ", clock is " + now.Format(time.RFC3339))
	}
	return nil
}
