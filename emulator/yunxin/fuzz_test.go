package yunxin

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/world"
)

// Fuzz targets for the Yunxin surface's inputs: the page-token
// decoder and the query-string parser. Invariants: no panic; every refusal
// is 414 "parameter error"; an accepted token is one this surface issued
// for that very scope, and re-encodes to a token that decodes to the same
// cursor.

func fuzzSurface(f *testing.F) *Surface {
	w, err := world.New(testSpec(), t0)
	if err != nil {
		f.Fatal(err)
	}
	return New(Config{World: w, Clock: clock.Start(t0, true), PublicURL: "http://chatemu.test"})
}

// FuzzPageToken decodes arbitrary page_token values against a scope.
func FuzzPageToken(f *testing.F) {
	s := fuzzSurface(f)
	sc := pageScope{appKey: appMain, appSecret: secretMain, room: "100", sender: "u1", descending: true}
	tok := s.encodeToken(sc, world.Key{At: 1795168631493, Src: 8, Seq: 767})
	for _, seed := range []string{tok, strings.ReplaceAll(tok, "+", " "), tok[:len(tok)-2], "xs9oS5VowsDoSrQcSR==", "", "%FF", "AQ==", strings.Repeat("A", 48)} {
		f.Add(seed, "100", "u1", uint64(0), true)
	}
	f.Add(tok, "100", "u2", uint64(0), true)
	f.Add(tok, "100", "u1", uint64(1), false)
	f.Fuzz(func(t *testing.T, token, room, sender string, types uint64, desc bool) {
		scope := pageScope{appKey: appMain, appSecret: secretMain, room: room, sender: sender, types: types, descending: desc}
		k, e := s.decodeToken(scope, token)
		if e != nil {
			if e.Code != CodeParameter || e.Msg != MsgParameterError || e.status != 0 {
				t.Fatalf("refusal %d %q (HTTP %d), want 414 parameter error", e.Code, e.Msg, e.status)
			}
			return
		}
		// Only a token issued for exactly this scope decodes: the MAC covers
		// the scope, so the original's scope must be this one.
		again := s.encodeToken(scope, k)
		k2, e2 := s.decodeToken(scope, again)
		if e2 != nil || k2 != k {
			t.Fatalf("re-encoded token %s decodes to %v, %v; want %v", again, k2, e2, k)
		}
		if raw, err := base64.StdEncoding.DecodeString(token); err != nil || len(raw) != tokenLen {
			t.Fatalf("accepted %q, which is not a %d-byte token", token, tokenLen)
		}
	})
}

// FuzzHistoryQuery parses arbitrary query strings.
func FuzzHistoryQuery(f *testing.F) {
	for _, q := range []string{
		"sender_id=u1&limit=10",
		"sender_id=u1&limit=100&descending=false&message_type=0,1,100&page_token=AQAAAaH4Y3rFAAAACAAAAAAAAAL%2FNPgPBWobI4NAqJwuZQ%3D%3D",
		"limit=10&sender_id=%E7%94%A8%E6%88%B7+%E5%9B%9B&message_types=1,1",
		"sender_id=u1&limit=-1", "sender_id=u1&limit=9223372036854775808", "sender_id=u1&limit=1&limit=2",
		"sender_id=u1&limit=1&message_type=0,,1", "sender_id=u1&limit=1&message_type=64", "sender_id=u1&limit=1&descending=TRUE",
		"sender_id=%zz&limit=1", "sender_id=u1&limit=1;x=y", "", "&&&=", "sender_id=u1&limit=1&message_type=",
		"limit=1&&sender_id=u1&", "sender_id=a+b%2Bc&limit=1&page_token=x%3D", "lim%69t=1&sender_id=u1", "sender_id=u1&limit",
		"sender_id=u1&limit=1&sender_id=u2", "sender_id=u1&limit=1&x", "descending&limit=1&sender_id=u1",
	} {
		f.Add(q, true)
	}
	f.Fuzz(func(t *testing.T, raw string, descDefault bool) {
		// The shortcut for plain queries reads what url.ParseQuery reads.
		if plain, ok := plainParams(raw); ok {
			if parsed, e := parsedParams(raw); e != nil || parsed != plain {
				t.Fatalf("plainParams(%q) = %+v; url.ParseQuery gives %+v, %v", raw, plain, parsed, e)
			}
		}
		q, e := parseHistoryQuery(raw, descDefault)
		if e != nil {
			if e.Code != CodeParameter || e.Msg != MsgParameterError {
				t.Fatalf("refusal %d %q, want 414 parameter error", e.Code, e.Msg)
			}
			return
		}
		if q.limit < 1 || q.limit > maxLimit || q.sender == "" {
			t.Fatalf("accepted %q as limit %d sender %q", raw, q.limit, q.sender)
		}
		if (q.kinds == nil) != (q.typeMask == 0) {
			t.Fatalf("kinds %v with mask %x", q.kinds, q.typeMask)
		}
		for _, k := range q.kinds {
			if _, ok := MessageType(k); !ok {
				t.Fatalf("kind %v has no Yunxin code", k)
			}
		}
	})
}
