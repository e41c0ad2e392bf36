package easemob

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for the Easemob surface's inputs: the archive
// hour, the token call's body and Content-Type, and the bearer token.
// Invariants: no panic, no 5xx (the vendor's 500s need a wrong method or an
// unknown API, which these targets do not send), and every error is the
// Usergrid envelope.

// FuzzParseHour: an hour that parses formats back to itself, in both
// clusters' zones.
func FuzzParseHour(f *testing.F) {
	for _, s := range []string{"2026112016", "2018023017", "2026112024", "9223372036854775808", "+026112016", "２０２６１１２０１６", "0000010100", "", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, z := range []*time.Location{beijing, time.UTC} {
			h, ok := ParseHour(s, z)
			if !ok {
				continue
			}
			if len(s) != 10 || h.In(z).Format(hourLayout) != s || h.Minute() != 0 || h.Second() != 0 || h.Nanosecond() != 0 {
				t.Fatalf("ParseHour(%q) = %v: not the hour it names", s, h)
			}
		}
	})
}

// usergridError is the vendor's error envelope.
type usergridError struct {
	Error       *string `json:"error"`
	Timestamp   *int64  `json:"timestamp"`
	Duration    *int    `json:"duration"`
	Exception   *string `json:"exception"`
	Description *string `json:"error_description"`
}

func checkUsergrid(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if rec.Code == 200 {
		return
	}
	var e usergridError
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == nil || e.Timestamp == nil || e.Duration == nil || e.Exception == nil || e.Description == nil ||
		!strings.HasPrefix(rec.Body.String(), `{"error":`) || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, body not the Usergrid envelope (%v): %s", rec.Code, err, rec.Body)
	}
	if rec.Header().Get("X-Chatemu-Reason") == "" {
		t.Fatalf("status %d without X-Chatemu-Reason", rec.Code)
	}
}

// FuzzTokenRequest posts arbitrary bodies and Content-Types to the token
// endpoint.
func FuzzTokenRequest(f *testing.F) {
	e := newEnv(f, testSpec(), testBase)
	a, _ := e.world.EasemobApp("acme", "chat")
	for _, seed := range []struct{ ct, body string }{
		{"application/json", tokenBody(*a, "")},
		{"application/json;charset=UTF-8", tokenBody(*a, `"3600"`)},
		{"application/json", tokenBody(*a, "1e300")},
		{"application/json", tokenBody(*a, "-1")},
		{"application/json", tokenBody(*a, `{}`)},
		{"", `{"grant_type":"password","username":"u","password":"p"}`},
		{"text/plain", `{}`},
		{"application/json; charset", `{}`},
		{"application/json", `{"grant_type":`},
		{"application/json", `null`},
		{"application/json", "{\"grant_type\":\"client_credentials\",\"client_id\":\"\xff\"}"},
		{"application/json", `{"grant_type":1}`},
	} {
		f.Add(seed.ct, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, testBase+"/acme/chat/token", strings.NewReader(string(body)))
		if ct != "" {
			req.Header["Content-Type"] = []string{ct}
		}
		rec := e.do(req)
		switch rec.Code {
		case 200, 400, 415:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		checkUsergrid(t, rec)
		if rec.Code == 200 {
			var ok struct {
				AccessToken string `json:"access_token"`
				ExpiresIn   *int64 `json:"expires_in"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &ok) != nil || !wellFormed(ok.AccessToken) || ok.ExpiresIn == nil || *ok.ExpiresIn < 0 {
				t.Fatalf("200 without a well-formed token: %s", rec.Body)
			}
		}
	})
}

// FuzzAuthorization sends arbitrary Authorization headers to chatmessages.
func FuzzAuthorization(f *testing.F) {
	e := newEnv(f, testSpec(), testBase)
	tok := e.token("acme", "chat", "")
	for _, h := range []string{"Bearer " + tok, "bearer " + tok, "Bearer  " + tok + " ", "Bearer " + tok[:len(tok)-1] + "A", "Basic YTpi", "Bearer ", "", "Bearer YWMt\xff", "Bearer " + strings.Repeat("A", 4096)} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		req := httptest.NewRequest(http.MethodGet, testBase+"/acme/chat/chatmessages/2026112009", nil)
		if h != "" {
			req.Header["Authorization"] = []string{h}
		}
		rec := e.do(req)
		checkUsergrid(t, rec)
		switch rec.Code {
		case 401:
			var eu usergridError
			_ = json.Unmarshal(rec.Body.Bytes(), &eu)
			switch *eu.Description {
			case descExpiredToken, descCorruptToken, descUnknownToken:
			default:
				t.Fatalf("401 %q", *eu.Description)
			}
		case 200, 400, 404:
			// Authorized: the hour's own answer. Only our token gets here.
			_, token, _ := strings.Cut(h, " ")
			if strings.TrimSpace(token) != tok {
				t.Fatalf("authorized with %q", h)
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}
