package emulator_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/emulator/yunxin"
)

// easemobToken gets an app token for chatemu/demo.
func easemobToken(t *testing.T, l *live, org, app, id, secret string) string {
	t.Helper()
	body := `{"grant_type":"client_credentials","client_id":"` + id + `","client_secret":"` + secret + `"}`
	res, b := l.do(t, "POST", "/"+org+"/"+app+"/token", http.Header{"Content-Type": {"application/json"}}, body)
	if res.StatusCode != 200 {
		t.Fatalf("token: %d %s", res.StatusCode, b)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal([]byte(b), &tok)
	return tok.AccessToken
}

// yunxinHeaders signs a Yunxin request with the wall clock, as clients do.
func yunxinHeaders(s *emulator.Server, appKey, secret string) http.Header {
	cur := strconv.FormatInt(s.Clock().WallNow().Unix(), 10)
	return http.Header{"AppKey": {appKey}, "Nonce": {"n1"}, "CurTime": {cur}, "CheckSum": {yunxin.CheckSum(secret, "n1", cur)}}
}

// TestEasemobRateLimitClearsOnAdvance: with --rate-limits vendor the 11th
// chatmessages call in a minute is the vendor's 429, and moving the
// emulator's clock a minute on (no sleep) clears it.
func TestEasemobRateLimitClearsOnAdvance(t *testing.T) {
	l := startLive(t, emulator.Config{RateLimits: world.RateLimitsVendor})
	tok := easemobToken(t, l, "chatemu", "demo", emClientID, emClientSecret)
	h := http.Header{"Authorization": {"Bearer " + tok}}
	for i := range 10 {
		if res, b := l.do(t, "GET", "/chatemu/demo/chatmessages/2026112008", h, ""); res.StatusCode != 200 {
			t.Fatalf("call %d: %d %s", i+1, res.StatusCode, b)
		}
	}
	res, b := l.do(t, "GET", "/chatemu/demo/chatmessages/2026112008", h, "")
	if res.StatusCode != 429 || !strings.Contains(b, `"error":"reach_limit"`) {
		t.Fatalf("11th call: %d %s, want 429 reach_limit", res.StatusCode, b)
	}
	l.srv.Clock().Advance(time.Minute)
	if res, b := l.do(t, "GET", "/chatemu/demo/chatmessages/2026112008", h, ""); res.StatusCode != 200 {
		t.Fatalf("after Advance: %d %s", res.StatusCode, b)
	}
}

// TestYunxinRateLimitClearsOnAdvance: the 101st call in a second is code
// 416 and blocks the app for 10 s of the emulator's clock.
func TestYunxinRateLimitClearsOnAdvance(t *testing.T) {
	l := startLive(t, emulator.Config{RateLimits: world.RateLimitsVendor})
	h := yunxinHeaders(l.srv, yxAppKey, yxSecret)
	path := "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=10"
	code := func() string {
		_, b := l.do(t, "GET", path, h, "")
		var env struct {
			Code int `json:"code"`
		}
		json.Unmarshal([]byte(b), &env)
		return strconv.Itoa(env.Code)
	}
	for i := range 100 {
		if c := code(); c == "416" {
			t.Fatalf("call %d: 416 before the limit", i+1)
		}
	}
	if c := code(); c != "416" {
		t.Fatalf("101st call: code %s, want 416", c)
	}
	l.srv.Clock().Advance(9 * time.Second)
	if c := code(); c != "416" {
		t.Fatalf("within the block: code %s, want 416", c)
	}
	l.srv.Clock().Advance(time.Second)
	if c := code(); c == "416" {
		t.Fatalf("after the 10 s block: still 416")
	}
}

// TestRateLimitsOverride: --rate-limits forces every tenant's mode, and
// off lifts the scenario's.
func TestRateLimitsOverride(t *testing.T) {
	for _, mode := range []world.RateLimits{world.RateLimitsVendor, world.RateLimitsOff} {
		s := newServer(t, emulator.Config{Spec: load(t, "default"), RateLimits: mode})
		for _, a := range s.World().EasemobApps() {
			if a.RateLimits != mode {
				t.Errorf("%s: easemob %s has %q", mode, a.Tenant(), a.RateLimits)
			}
		}
		for _, a := range s.World().YunxinApps() {
			if a.RateLimits != mode {
				t.Errorf("%s: yunxin %s has %q", mode, a.Tenant(), a.RateLimits)
			}
		}
		out, err := s.AddTenant("yunxin", map[string]any{"rate_limits": "off"})
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := s.World().YunxinApp(out.Yunxin[0].AppKey); a.RateLimits != mode {
			t.Errorf("%s: runtime tenant has %q", mode, a.RateLimits)
		}
	}
	if _, err := emulator.New(emulator.Config{Spec: load(t, "default"), PublicURL: public, RateLimits: "sometimes"}); err == nil {
		t.Error("RateLimits sometimes accepted")
	}
}
