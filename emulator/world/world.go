package world

import (
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/appendtext"
	"github.com/chatemu/chatemu/fixtures"
)

// World is the emulator's state: the tenants of a Spec, their generated
// streams, and the literal and injected messages. It is safe for concurrent
// use. Tenants are an immutable snapshot swapped whole when a tenant is added
// or removed at run time, so the hot paths read them without locking.
type World struct {
	spec   Spec
	seed   uint64
	anchor time.Time

	tenants atomic.Pointer[tenantSet]
	base    *tenantSet // the spec's tenants, restored by Reset
	tmu     sync.Mutex // serializes writers of tenants

	// version counts changes to what queries can return (injections, resets,
	// tenants added or removed), so a surface may cache rendered answers.
	version atomic.Uint64

	// mu guards literals and injected. Readers hold it only to take the
	// runs of the lists they read (index.go), never while they walk them.
	mu       sync.RWMutex
	literals map[TenantID]*literals
	injected uint64 // messages injected since the last reset
	// added counts the messages added at run time since the last reset
	// (Inject, and the messages of tenants added at run time): the total a
	// server bounds.
	added uint64

	work workCounters

	sums    *fixtures.Sums    // attachments' md5 midstates (content.go)
	content *fixtures.Content // texts and names: sharedContent
	// visitSlabs holds RoomVisit's slabs, rewound, for the next visit.
	visitSlabs sync.Pool
}

// tenantSet is one immutable generation of the world's tenants and streams.
type tenantSet struct {
	easemob   []*EasemobApp
	yunxin    []*YunxinApp
	op        []*OpClient
	byEasemob map[TenantID]*EasemobApp
	byYunxin  map[string]*YunxinApp
	byOp      map[string]*OpClient
	streams   []*stream // index src-1; streams of removed tenants stay, orphaned
	byTenant  map[TenantID][]*stream
}

// clone returns a copy that may be changed without touching ts.
func (ts *tenantSet) clone() *tenantSet {
	c := &tenantSet{
		easemob:   slices.Clone(ts.easemob),
		yunxin:    slices.Clone(ts.yunxin),
		op:        slices.Clone(ts.op),
		byEasemob: maps.Clone(ts.byEasemob),
		byYunxin:  maps.Clone(ts.byYunxin),
		byOp:      maps.Clone(ts.byOp),
		streams:   slices.Clone(ts.streams),
		byTenant:  maps.Clone(ts.byTenant),
	}
	return c
}

// New builds a world from spec. anchor is the instant traffic spans are
// measured back from: the clock's start. New costs the same whatever the
// traffic's volume: no generated message is made until it is asked for.
func New(spec Spec, anchor time.Time) (*World, error) {
	w := &World{
		spec:    spec,
		seed:    spec.Seed,
		anchor:  anchor.UTC(),
		sums:    newSums(),
		content: sharedContent(),
	}
	ts := &tenantSet{
		byEasemob: map[TenantID]*EasemobApp{},
		byYunxin:  map[string]*YunxinApp{},
		byOp:      map[string]*OpClient{},
		byTenant:  map[TenantID][]*stream{},
	}
	for i := range spec.Easemob {
		if err := ts.addEasemob(spec.Easemob[i], w.anchor, w.seed); err != nil {
			return nil, err
		}
	}
	for i := range spec.Yunxin {
		if err := ts.addYunxin(spec.Yunxin[i], w.anchor, w.seed); err != nil {
			return nil, err
		}
	}
	for i := range spec.Op {
		if err := ts.addOp(spec.Op[i]); err != nil {
			return nil, err
		}
	}
	w.base = ts
	w.tenants.Store(ts)
	if err := w.Reset(); err != nil {
		return nil, err
	}
	return w, nil
}

func (ts *tenantSet) addEasemob(a EasemobApp, anchor time.Time, seed uint64) error {
	t := a.Tenant()
	if _, dup := ts.byEasemob[t]; dup {
		return fmt.Errorf("world: duplicate Easemob app %s/%s", a.Org, a.App)
	}
	for _, tr := range a.Traffic {
		if err := ts.addStream(t, Easemob, tr, anchor, seed); err != nil {
			return err
		}
	}
	ts.easemob = append(ts.easemob, &a)
	ts.byEasemob[t] = &a
	return nil
}

func (ts *tenantSet) addYunxin(a YunxinApp, anchor time.Time, seed uint64) error {
	if _, dup := ts.byYunxin[a.AppKey]; dup {
		return fmt.Errorf("world: duplicate Yunxin app %s", a.AppKey)
	}
	for _, tr := range a.Traffic {
		if err := ts.addStream(a.Tenant(), Yunxin, tr, anchor, seed); err != nil {
			return err
		}
	}
	ts.yunxin = append(ts.yunxin, &a)
	ts.byYunxin[a.AppKey] = &a
	return nil
}

func (ts *tenantSet) addOp(c OpClient) error {
	if _, dup := ts.byOp[c.Client]; dup {
		return fmt.Errorf("world: duplicate Op client %s", c.Client)
	}
	ts.op = append(ts.op, &c)
	ts.byOp[c.Client] = &c
	return nil
}

func (ts *tenantSet) addStream(t TenantID, v Vendor, tr Traffic, anchor time.Time, seed uint64) error {
	if len(ts.streams)+1 >= literalSrcBase {
		return errors.New("world: too many traffic streams")
	}
	if tr.PerHour < 0 || int64(tr.PerHour) > hourMS {
		return fmt.Errorf("world: per_hour %d out of range 1..%d", tr.PerHour, hourMS)
	}
	s := newStream(uint32(len(ts.streams)+1), t, v, tr, anchor, seed)
	ts.streams = append(ts.streams, s)
	ts.byTenant[t] = append(slices.Clip(ts.byTenant[t]), s)
	return nil
}

// Reset drops injected messages and run-time tenants and restores the
// spec's literal messages.
func (w *World) Reset() error {
	w.tmu.Lock()
	defer w.tmu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	// The version moves after the change is in place, so that a surface
	// that reads the version before computing a page never files a page of
	// the old world under the new version.
	defer w.version.Add(1)
	w.tenants.Store(w.base)
	w.literals = map[TenantID]*literals{}
	w.injected, w.added = 0, 0
	for _, a := range w.base.easemob {
		if _, err := w.insertLocked(a.Tenant(), a.Messages); err != nil {
			return err
		}
	}
	for _, a := range w.base.yunxin {
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
	out, err := w.insertLocked(t, in)
	if err == nil {
		w.added += uint64(len(in))
		w.version.Add(1) // after the messages are in: see Reset
	}
	return out, err
}

// Added returns how many messages were added at run time since the world
// was built or last reset: injected, or in tenants added at run time (the
// spec's literal messages do not count; removing a tenant does not lower
// it).
func (w *World) Added() uint64 {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.added
}

// HasTenant reports whether t names an Easemob or Yunxin app of the world.
func (w *World) HasTenant(t TenantID) bool {
	ts := w.tenants.Load()
	if _, ok := ts.byEasemob[t]; ok {
		return true
	}
	if key, ok := strings.CutPrefix(string(t), "yunxin:"); ok {
		_, ok = ts.byYunxin[key]
		return ok
	}
	return false
}

// insertLocked stores msgs in t's lists, all or none: a duplicate id
// stores nothing. The caller holds w.mu for writing. Stored messages are
// complete before they are published and never modified afterwards.
func (w *World) insertLocked(t TenantID, msgs []Message) ([]Message, error) {
	idx := w.literals[t]
	if idx == nil {
		idx = newLiterals()
	}
	stored := make([]*Message, 0, len(msgs))
	batch := make(map[string]bool, len(msgs))
	seq := w.injected
	for _, in := range msgs {
		m := in
		m.Tenant = t
		m.At = m.At.UTC().Truncate(time.Millisecond)
		m.Key = Key{At: m.At.UnixMilli(), Src: 0, Seq: seq}
		if m.ID == "" {
			m.ID = messageID(m.Key.At, literalSrcBase|uint32(seq%literalSrcBase))
		}
		seq++
		if _, dup := idx.byID[m.ID]; dup || batch[m.ID] {
			return nil, fmt.Errorf("duplicate message id %q", m.ID)
		}
		batch[m.ID] = true
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
		r := newPRNG(seed, seed^0x5bd1e995)
		w.fill(&m, &r, seed, fileNamer{literal: true, seed: seed}, true, nil, 0)
		stored = append(stored, &m)
	}
	w.injected = seq
	w.literals[t] = idx
	idx.publish(stored)
	out := make([]Message, len(stored))
	for i, m := range stored {
		out[i] = *m
	}
	return out, nil
}

func fnv64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// Version returns a number that changes whenever a query's answer may
// change: a message injected, a reset, a tenant added or removed. Equal
// versions mean equal answers to equal queries.
func (w *World) Version() uint64 { return w.version.Load() }

// Seed returns the world's seed.
func (w *World) Seed() uint64 { return w.seed }

// Spec returns the spec the world was built from. Callers must not modify it.
func (w *World) Spec() *Spec { return &w.spec }

// EasemobApps returns the Easemob apps: the spec's in order, then those
// added at run time.
func (w *World) EasemobApps() []*EasemobApp { return w.tenants.Load().easemob }

// YunxinApps returns the Yunxin apps: the spec's, then run-time ones.
func (w *World) YunxinApps() []*YunxinApp { return w.tenants.Load().yunxin }

// OpClients returns the Op clients: the spec's, then run-time ones.
func (w *World) OpClients() []*OpClient { return w.tenants.Load().op }

// EasemobApp returns the app org/app.
func (w *World) EasemobApp(org, app string) (*EasemobApp, bool) {
	a, ok := w.tenants.Load().byEasemob[EasemobTenant(org, app)]
	return a, ok
}

// EasemobAppOf returns the app a TenantID names.
func (w *World) EasemobAppOf(t TenantID) (*EasemobApp, bool) {
	a, ok := w.tenants.Load().byEasemob[t]
	return a, ok
}

// YunxinApp returns the app with the given AppKey.
func (w *World) YunxinApp(appKey string) (*YunxinApp, bool) {
	a, ok := w.tenants.Load().byYunxin[appKey]
	return a, ok
}

// OpClient returns the Op client with the given id.
func (w *World) OpClient(client string) (*OpClient, bool) {
	c, ok := w.tenants.Load().byOp[client]
	return c, ok
}

// stream returns the live stream numbered src of tenant t.
func (w *World) stream(t TenantID, src uint32) (*stream, bool) {
	ts := w.tenants.Load()
	if src == 0 || int(src) > len(ts.streams) {
		return nil, false
	}
	s := ts.streams[src-1]
	if s.tenant != t {
		return nil, false
	}
	if !slices.Contains(ts.byTenant[t], s) { // orphaned by RemoveTenant
		return nil, false
	}
	return s, true
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
	if !ok {
		return Message{}, false
	}
	s, ok := w.stream(t, src)
	if !ok {
		return Message{}, false
	}
	i, ok := s.find(at)
	if !ok {
		return Message{}, false
	}
	return w.generate(s, i, nil), true
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
	if !ok {
		return nil, false
	}
	s, ok := w.stream(t, src)
	if !ok {
		return nil, false
	}
	i, ok := s.find(at)
	if !ok {
		return nil, false
	}
	m := w.generate(s, i, nil)
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
func (w *World) Bytes(a *Attachment) []byte { return a.bytes() }

// MD5 returns the lowercase hex md5 of an attachment's bytes. It costs
// about one padding block of hashing whatever the file's size (content.go),
// so it is computed each time rather than kept.
func (w *World) MD5(a *Attachment) string { return string(w.AppendMD5(nil, a)) }

// AppendMD5 appends the lowercase hex md5 of an attachment's bytes to b.
func (w *World) AppendMD5(b []byte, a *Attachment) []byte {
	sum := w.fileMD5(a)
	return appendtext.Hex(b, sum[:])
}
