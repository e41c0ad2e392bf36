package world

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/chatemu/chatemu/fixtures"
)

// World is the emulator's state: the tenants of a Spec, their generated
// streams, and the literal and injected messages. It is safe for concurrent
// use. Tenants are read-only after New; only messages change (Inject, Reset).
type World struct {
	spec   Spec
	seed   uint64
	anchor time.Time

	easemob []*EasemobApp
	yunxin  []*YunxinApp
	op      []*OpClient

	streams  []*stream // index src-1
	byTenant map[TenantID][]*stream

	mu       sync.RWMutex
	literals map[TenantID]*literalIndex
	injected uint64 // messages injected since the last reset

	md5mu    sync.Mutex
	md5cache map[string]string
}

// literalIndex holds one tenant's literal and injected messages in key order.
type literalIndex struct {
	msgs   []*Message
	byID   map[string]*Message
	byFile map[string]*Attachment
}

// maxMD5Cache bounds the checksum cache; past it the cache starts over.
const maxMD5Cache = 1 << 14

// New builds a world from spec. anchor is the instant traffic spans are
// measured back from: the clock's start. New costs the same whatever the
// traffic's volume: no generated message is made until it is asked for.
func New(spec Spec, anchor time.Time) (*World, error) {
	w := &World{
		spec:     spec,
		seed:     spec.Seed,
		anchor:   anchor.UTC(),
		byTenant: map[TenantID][]*stream{},
		md5cache: map[string]string{},
	}
	for i := range spec.Easemob {
		a := spec.Easemob[i]
		w.easemob = append(w.easemob, &a)
		for _, tr := range a.Traffic {
			if err := w.addStream(a.Tenant(), Easemob, tr); err != nil {
				return nil, err
			}
		}
	}
	for i := range spec.Yunxin {
		a := spec.Yunxin[i]
		w.yunxin = append(w.yunxin, &a)
		for _, tr := range a.Traffic {
			if err := w.addStream(a.Tenant(), Yunxin, tr); err != nil {
				return nil, err
			}
		}
	}
	for i := range spec.Op {
		c := spec.Op[i]
		w.op = append(w.op, &c)
	}
	if err := w.Reset(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *World) addStream(t TenantID, v Vendor, tr Traffic) error {
	if len(w.streams)+1 >= literalSrcBase {
		return errors.New("world: too many traffic streams")
	}
	if tr.PerHour < 0 || int64(tr.PerHour) > hourMS {
		return fmt.Errorf("world: per_hour %d out of range 1..%d", tr.PerHour, hourMS)
	}
	s := newStream(uint32(len(w.streams)+1), t, v, tr, w.anchor, w.seed)
	w.streams = append(w.streams, s)
	w.byTenant[t] = append(w.byTenant[t], s)
	return nil
}

// Reset drops injected messages and restores the spec's literal ones.
func (w *World) Reset() error {
	lits := map[TenantID]*literalIndex{}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.literals = lits
	w.injected = 0
	for _, a := range w.easemob {
		if _, err := w.insertLocked(a.Tenant(), a.Messages); err != nil {
			return err
		}
	}
	for _, a := range w.yunxin {
		if _, err := w.insertLocked(a.Tenant(), a.Messages); err != nil {
			return err
		}
	}
	return nil
}

// Inject adds messages to a tenant and returns them as stored, with ids,
// keys and attachments filled in. A message without a time gets now.
func (w *World) Inject(t TenantID, msgs []Message, now time.Time) ([]Message, error) {
	if !w.HasTenant(t) {
		return nil, fmt.Errorf("unknown tenant %q", t)
	}
	in := make([]Message, len(msgs))
	copy(in, msgs)
	for i := range in {
		if in[i].At.IsZero() {
			in[i].At = now
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.insertLocked(t, in)
}

// HasTenant reports whether t names an Easemob or Yunxin app of the world.
func (w *World) HasTenant(t TenantID) bool {
	for _, a := range w.easemob {
		if a.Tenant() == t {
			return true
		}
	}
	for _, a := range w.yunxin {
		if a.Tenant() == t {
			return true
		}
	}
	return false
}

func (w *World) insertLocked(t TenantID, msgs []Message) ([]Message, error) {
	idx := w.literals[t]
	if idx == nil {
		idx = &literalIndex{byID: map[string]*Message{}, byFile: map[string]*Attachment{}}
		w.literals[t] = idx
	}
	out := make([]Message, 0, len(msgs))
	for _, in := range msgs {
		m := in
		m.Tenant = t
		m.At = m.At.UTC().Truncate(time.Millisecond)
		seq := w.injected
		w.injected++
		m.Key = Key{At: m.At.UnixMilli(), Src: 0, Seq: seq}
		if m.ID == "" {
			m.ID = messageID(m.Key.At, literalSrcBase|uint32(seq%literalSrcBase))
		}
		if _, dup := idx.byID[m.ID]; dup {
			return out, fmt.Errorf("duplicate message id %q", m.ID)
		}
		seed := hash(w.seed, fnv64(string(t)+"\x00"+m.ID))
		if m.ClientID == "" {
			m.ClientID = uuid4(hash(seed, 10), hash(seed, 11))
		}
		if m.ClientType == 0 {
			m.ClientType = 32 // sent through the REST API
		}
		if m.Attachment != nil {
			a := *m.Attachment
			m.Attachment = &a
		}
		r := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
		w.fill(&m, r, seed, func(part int) string { return uuid4(hash(seed, 100, uint64(part)), hash(seed, 101, uint64(part))) }, true)
		p := &m
		pos := sort.Search(len(idx.msgs), func(k int) bool { return p.Key.Less(idx.msgs[k].Key) })
		idx.msgs = append(idx.msgs, nil)
		copy(idx.msgs[pos+1:], idx.msgs[pos:])
		idx.msgs[pos] = p
		idx.byID[m.ID] = p
		if a := m.Attachment; a != nil {
			idx.byFile[a.FileID] = a
			if a.Thumb != nil {
				idx.byFile[a.Thumb.FileID] = a.Thumb
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func fnv64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// Seed returns the world's seed.
func (w *World) Seed() uint64 { return w.seed }

// Spec returns the spec the world was built from. Callers must not modify it.
func (w *World) Spec() *Spec { return &w.spec }

// EasemobApps returns the Easemob apps in spec order.
func (w *World) EasemobApps() []*EasemobApp { return w.easemob }

// YunxinApps returns the Yunxin apps in spec order.
func (w *World) YunxinApps() []*YunxinApp { return w.yunxin }

// OpClients returns the Op clients in spec order.
func (w *World) OpClients() []*OpClient { return w.op }

// EasemobApp returns the app org/app.
func (w *World) EasemobApp(org, app string) (*EasemobApp, bool) {
	for _, a := range w.easemob {
		if a.Org == org && a.App == app {
			return a, true
		}
	}
	return nil, false
}

// EasemobAppOf returns the app a TenantID names.
func (w *World) EasemobAppOf(t TenantID) (*EasemobApp, bool) {
	for _, a := range w.easemob {
		if a.Tenant() == t {
			return a, true
		}
	}
	return nil, false
}

// YunxinApp returns the app with the given AppKey.
func (w *World) YunxinApp(appKey string) (*YunxinApp, bool) {
	for _, a := range w.yunxin {
		if a.AppKey == appKey {
			return a, true
		}
	}
	return nil, false
}

// OpClient returns the Op client with the given id.
func (w *World) OpClient(client string) (*OpClient, bool) {
	for _, c := range w.op {
		if c.Client == client {
			return c, true
		}
	}
	return nil, false
}

// Message returns a tenant's message by server id.
func (w *World) Message(t TenantID, id string) (Message, bool) {
	w.mu.RLock()
	if idx := w.literals[t]; idx != nil {
		if m, ok := idx.byID[id]; ok {
			w.mu.RUnlock()
			return *m, true
		}
	}
	w.mu.RUnlock()
	at, src, ok := parseMessageID(id)
	if !ok || src == 0 || int(src) > len(w.streams) {
		return Message{}, false
	}
	s := w.streams[src-1]
	if s.tenant != t {
		return Message{}, false
	}
	i, ok := s.find(at)
	if !ok {
		return Message{}, false
	}
	return w.generate(s, i), true
}

// Attachment returns a tenant's attachment (or video thumbnail) by file id.
func (w *World) Attachment(t TenantID, fileID string) (*Attachment, bool) {
	w.mu.RLock()
	if idx := w.literals[t]; idx != nil {
		if a, ok := idx.byFile[fileID]; ok {
			w.mu.RUnlock()
			return a, true
		}
	}
	w.mu.RUnlock()
	at, src, part, ok := parseFileID(w.seed, fileID)
	if !ok || src == 0 || int(src) > len(w.streams) {
		return nil, false
	}
	s := w.streams[src-1]
	if s.tenant != t {
		return nil, false
	}
	i, ok := s.find(at)
	if !ok {
		return nil, false
	}
	m := w.generate(s, i)
	a := m.Attachment
	if a == nil {
		return nil, false
	}
	if part == 1 {
		a = a.Thumb
	}
	if a == nil || a.FileID != fileID {
		return nil, false
	}
	return a, true
}

// Bytes returns an attachment's file: real bytes of its type, exactly Size
// long.
func (w *World) Bytes(a *Attachment) []byte {
	switch a.kind {
	case Image:
		return fixtures.Fit(fixtures.Image(a.seed, a.Ext, a.Width, a.Height), a.Ext, int(a.Size))
	case Audio:
		return fixtures.Fit(fixtures.Audio(a.seed, a.Ext, a.Duration), a.Ext, int(a.Size))
	case Video:
		return fixtures.Fit(fixtures.Video(a.seed, a.Ext, a.Duration, a.Width, a.Height), a.Ext, int(a.Size))
	case Combine:
		return combineBytes(a.seed)
	default:
		return fixtures.Fit(fixtures.Document(a.seed, a.Ext), a.Ext, int(a.Size))
	}
}

// MD5 returns the lowercase hex md5 of an attachment's bytes, cached.
func (w *World) MD5(a *Attachment) string {
	w.md5mu.Lock()
	sum, ok := w.md5cache[a.FileID]
	w.md5mu.Unlock()
	if ok {
		return sum
	}
	h := md5.Sum(w.Bytes(a))
	sum = hex.EncodeToString(h[:])
	w.md5mu.Lock()
	if len(w.md5cache) >= maxMD5Cache {
		clear(w.md5cache)
	}
	w.md5cache[a.FileID] = sum
	w.md5mu.Unlock()
	return sum
}
