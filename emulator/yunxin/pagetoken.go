package yunxin

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"strings"
	"sync"

	"github.com/chatemu/chatemu/emulator/world"
)

// pageScope is what a page token is bound to: the query it continues. A
// token presented with another app, room, sender, type filter or direction
// is foreign and refused.
type pageScope struct {
	appKey, appSecret string
	room, sender      string
	types             uint64 // bit i set: message_type code i filtered (bit 63 for 100); 0 = all
	descending        bool
}

// Token layout, before standard base64 (padded, like the vendor page's
// "xs9oS5VowsDoSrQcSR=="): version, the last item's world.Key (At, Src,
// Seq, big-endian) and a truncated HMAC-SHA256 over the scope and the key.
// The key in it is the keyset cursor, so a walk stays exact while messages
// are injected (the "paging is keyset, not offset"). Tokens carry
// no time and never expire (the vendor's lifetime is unknown,
// docs/fidelity/yunxin.md).
const (
	tokenVersion = 1
	tokenMAC     = 13
	tokenLen     = 1 + 8 + 4 + 8 + tokenMAC // 34 bytes: 48 base64 characters ending in "=="
)

// tokenKey derives the HMAC key from the world's seed and the app's
// secret: the same scenario gives the same tokens on every run, and one
// app's tokens are meaningless to another.
func tokenKey(seed uint64, appSecret string) []byte {
	h := sha256.New()
	h.Write([]byte("chatemu/yunxin/page_token\x00"))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(appSecret))
	return h.Sum(nil)
}

func (s *Surface) tokenMAC(sc pageScope, body []byte) [tokenMAC]byte {
	pool := s.macs.pool(s.cfg.World.Seed(), sc.appSecret)
	m, ok := pool.Get().(*macState)
	if ok {
		m.h.Reset()
	} else {
		m = &macState{h: hmac.New(sha256.New, tokenKey(s.cfg.World.Seed(), sc.appSecret))}
	}
	defer pool.Put(m)
	// One Write of the whole input, from a buffer the state keeps: a slice
	// handed to the hash.Hash interface escapes, so each piece written on
	// its own was an allocation.
	b := append(m.in[:0], body...)
	for _, f := range []string{sc.appKey, sc.room, sc.sender} {
		b = append(append(b, f...), 0)
	}
	b = binary.BigEndian.AppendUint64(b, sc.types)
	if sc.descending {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	m.h.Write(b)
	m.in = b[:0]
	m.sum = m.h.Sum(m.sum[:0])
	return [tokenMAC]byte(m.sum)
}

// macState is a keyed page-token HMAC and the buffers it works in.
type macState struct {
	h   hash.Hash
	in  []byte
	sum []byte
}

// tokenMACs keeps, per app secret, the page-token HMACs keyed with it, so
// that a page does not derive the key and key an HMAC twice (a hash.Hash is
// not safe for concurrent use: a pool of them). Secrets come from the
// world's apps, which the control API can add and change: past
// maxTokenKeys the map starts over.
type tokenMACs struct {
	mu sync.Mutex
	m  map[tokenMACKey]*sync.Pool
}

type tokenMACKey struct {
	seed   uint64
	secret string
}

const maxTokenKeys = 64

func (t *tokenMACs) pool(seed uint64, secret string) *sync.Pool {
	k := tokenMACKey{seed, secret}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p, ok := t.m[k]; ok {
		return p
	}
	if t.m == nil || len(t.m) >= maxTokenKeys {
		t.m = map[tokenMACKey]*sync.Pool{}
	}
	p := &sync.Pool{}
	t.m[k] = p
	return p
}

// encodeToken makes the next_token that continues sc after key k.
func (s *Surface) encodeToken(sc pageScope, k world.Key) string {
	b := make([]byte, tokenLen)
	b[0] = tokenVersion
	binary.BigEndian.PutUint64(b[1:9], uint64(k.At))
	binary.BigEndian.PutUint32(b[9:13], k.Src)
	binary.BigEndian.PutUint64(b[13:21], k.Seq)
	mac := s.tokenMAC(sc, b[:21])
	copy(b[21:], mac[:])
	return base64.StdEncoding.EncodeToString(b)
}

// decodeToken returns the key a page_token continues after, or the 414
// that a bad or foreign token gets (the vendor's answer is unknown,
// docs/fidelity/yunxin.md: [guess] 414).
func (s *Surface) decodeToken(sc pageScope, tok string) (world.Key, *Error) {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(b) != tokenLen || b[0] != tokenVersion {
		reason := "page_token " + quoteShort(tok) + " is not a token this emulator issued (pass next_token back unchanged)"
		if strings.Contains(tok, " ") {
			reason += "; it contains a space: a '+' was not URL-encoded"
		}
		return world.Key{}, paramError(reason)
	}
	if mac := s.tokenMAC(sc, b[:21]); !hmac.Equal(b[21:], mac[:]) {
		return world.Key{}, paramError("page_token " + quoteShort(tok) + " was issued for another query (app, room, sender_id, message_type or descending differ) or was altered")
	}
	return world.Key{
		At:  int64(binary.BigEndian.Uint64(b[1:9])),
		Src: binary.BigEndian.Uint32(b[9:13]),
		Seq: binary.BigEndian.Uint64(b[13:21]),
	}, nil
}

func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "\"" + s + "\""
}
