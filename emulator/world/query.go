package world

import (
	"iter"
	"math"
	"sort"
	"time"
)

// source walks one ordered run of messages (a stream or the literal index)
// in one direction, skipping those its filter refuses.
type source interface {
	// peek returns the key of the current message; false when exhausted.
	peek() (Key, bool)
	// take returns the current message and moves on.
	take() Message
	// drop moves on without making the current message.
	drop()
}

// streamCursor walks stream indices [lo, hi) up or down.
type streamCursor struct {
	w     *World
	s     *stream
	i     int64 // current index
	lo    int64
	hi    int64
	desc  bool
	kinds kindSet
}

func (c *streamCursor) valid() bool { return c.i >= c.lo && c.i < c.hi }

func (c *streamCursor) skip() {
	for c.valid() && !c.kinds.has(c.s.kind(c.i)) {
		c.step()
	}
}

func (c *streamCursor) step() {
	if c.desc {
		c.i--
	} else {
		c.i++
	}
}

func (c *streamCursor) peek() (Key, bool) {
	c.skip()
	if !c.valid() {
		return Key{}, false
	}
	return c.s.key(c.i), true
}

func (c *streamCursor) take() Message {
	m := c.w.generate(c.s, c.i)
	c.step()
	return m
}

func (c *streamCursor) drop() { c.step() }

// sliceCursor walks a snapshot of literal messages up or down.
type sliceCursor struct {
	msgs []Message
	i    int
	desc bool
}

func (c *sliceCursor) peek() (Key, bool) {
	if c.i < 0 || c.i >= len(c.msgs) {
		return Key{}, false
	}
	return c.msgs[c.i].Key, true
}

func (c *sliceCursor) take() Message {
	m := c.msgs[c.i]
	c.drop()
	return m
}

func (c *sliceCursor) drop() {
	if c.desc {
		c.i--
	} else {
		c.i++
	}
}

// selection says which messages a query wants.
type selection struct {
	tenant TenantID
	// stream decides statically whether a stream's messages belong.
	stream func(*stream) bool
	// message decides for one literal message.
	message func(*Message) bool
	kinds   kindSet
	// lo and hi bound the keys: lo <= key < hi.
	lo, hi Key
}

var (
	minKey = Key{At: math.MinInt64}
	maxKey = Key{At: math.MaxInt64}
)

// timeBounds turns [from, to) into keys; zero times are unbounded.
func timeBounds(from, to time.Time) (Key, Key) {
	lo, hi := minKey, maxKey
	if !from.IsZero() {
		lo = Key{At: from.UnixMilli()}
	}
	if !to.IsZero() {
		hi = Key{At: to.UnixMilli()}
	}
	return lo, hi
}

// cursors opens one source per contributing stream plus one for the literal
// messages, positioned at the first message in direction desc.
func (w *World) cursors(sel selection, desc bool) []source {
	var out []source
	for _, s := range w.tenants.Load().byTenant[sel.tenant] {
		if s.len() == 0 || !s.hasKind(sel.kinds) || (sel.stream != nil && !sel.stream(s)) {
			continue
		}
		c := &streamCursor{w: w, s: s, desc: desc, kinds: sel.kinds}
		c.lo, c.hi = s.beforeKey(sel.lo), s.beforeKey(sel.hi)
		if c.lo >= c.hi {
			continue
		}
		c.i = c.lo
		if desc {
			c.i = c.hi - 1
		}
		out = append(out, c)
	}
	w.mu.RLock()
	var lits []Message
	if idx := w.literals[sel.tenant]; idx != nil {
		from := sort.Search(len(idx.msgs), func(k int) bool { return !idx.msgs[k].Key.Less(sel.lo) })
		for _, m := range idx.msgs[from:] {
			if !m.Key.Less(sel.hi) {
				break
			}
			if sel.kinds.has(m.Kind) && (sel.message == nil || sel.message(m)) {
				lits = append(lits, *m)
			}
		}
	}
	w.mu.RUnlock()
	if len(lits) > 0 {
		c := &sliceCursor{msgs: lits, desc: desc}
		if desc {
			c.i = len(lits) - 1
		}
		out = append(out, c)
	}
	return out
}

// walker merges sources in key order, ascending or descending.
type walker struct {
	srcs []source
	desc bool
}

// head returns the source holding the next message, or nil at the end.
func (m *walker) head() source {
	var best source
	var bk Key
	for _, c := range m.srcs {
		k, ok := c.peek()
		if !ok {
			continue
		}
		if best == nil || (!m.desc && k.Less(bk)) || (m.desc && bk.Less(k)) {
			best, bk = c, k
		}
	}
	return best
}

// merge yields the selected messages in key order, ascending or descending.
func (w *World) merge(sel selection, desc bool) iter.Seq[Message] {
	return func(yield func(Message) bool) {
		m := walker{srcs: w.cursors(sel, desc), desc: desc}
		for c := m.head(); c != nil; c = m.head() {
			if !yield(c.take()) {
				return
			}
		}
	}
}

// Range yields a tenant's messages with At in [from, to), oldest first.
// It holds one message per stream at a time, never the whole range.
func (w *World) Range(t TenantID, from, to time.Time) iter.Seq[Message] {
	lo, hi := timeBounds(from, to)
	return w.merge(selection{tenant: t, lo: lo, hi: hi}, false)
}

// Count returns how many messages Range(t, from, to) yields, in time
// proportional to the number of streams, not of messages.
func (w *World) Count(t TenantID, from, to time.Time) int {
	lo, hi := timeBounds(from, to)
	return w.count(selection{tenant: t, lo: lo, hi: hi})
}

// count counts a selection without a kind filter by arithmetic.
func (w *World) count(sel selection) int {
	n := 0
	for _, s := range w.tenants.Load().byTenant[sel.tenant] {
		if sel.stream != nil && !sel.stream(s) {
			continue
		}
		if d := s.beforeKey(sel.hi) - s.beforeKey(sel.lo); d > 0 {
			n += int(d)
		}
	}
	w.mu.RLock()
	if idx := w.literals[sel.tenant]; idx != nil {
		for _, m := range idx.msgs {
			if !m.Key.Less(sel.lo) && m.Key.Less(sel.hi) && (sel.message == nil || sel.message(m)) {
				n++
			}
		}
	}
	w.mu.RUnlock()
	return n
}

// RoomQuery asks for one sender's messages in a chat room, a page at a time.
type RoomQuery struct {
	Tenant TenantID
	Room   string
	Sender string
	// Kinds restricts the kinds; nil means all.
	Kinds      []Kind
	Descending bool
	// After is the key of the last message of the previous page; the page
	// starts just past it in the walk's direction. Nil starts at the end
	// the direction starts from.
	After *Key
	Limit int
}

// RoomPage returns up to q.Limit messages and whether more follow. Paging is
// keyset, so a walk stays exact while messages are injected during it.
func (w *World) RoomPage(q RoomQuery) (msgs []Message, more bool) {
	sel := selection{
		tenant: q.Tenant,
		stream: func(s *stream) bool {
			return s.chat == ChatRoom && s.to == q.Room && s.from == q.Sender
		},
		message: func(m *Message) bool {
			return m.ChatType == ChatRoom && m.To == q.Room && m.From == q.Sender
		},
		kinds: newKindSet(q.Kinds),
		lo:    minKey, hi: maxKey,
	}
	if q.After != nil {
		if q.Descending {
			sel.hi = *q.After
		} else {
			sel.lo = Key{At: q.After.At, Src: q.After.Src, Seq: q.After.Seq + 1}
		}
	}
	return w.page(sel, q.Descending, 0, q.Limit)
}

// page collects up to limit messages after skipping offset, and whether
// more follow. Skipped messages and the one that proves "more" are never
// generated, only their keys computed.
func (w *World) page(sel selection, desc bool, offset, limit int) (msgs []Message, more bool) {
	m := walker{srcs: w.cursors(sel, desc), desc: desc}
	for n := 0; n < offset; n++ {
		c := m.head()
		if c == nil {
			return nil, false
		}
		c.drop()
	}
	msgs = make([]Message, 0, min(limit, 128))
	for len(msgs) < limit {
		c := m.head()
		if c == nil {
			return msgs, false
		}
		msgs = append(msgs, c.take())
	}
	return msgs, m.head() != nil
}

// UserQuery asks for the messages an Easemob user can see, a page at a time:
// those the user sent or received one-to-one, and those of the groups the
// user belongs to.
type UserQuery struct {
	Tenant TenantID
	User   string
	// After and Before bound the times, exclusive; zero is unbounded.
	After, Before time.Time
	Descending    bool
	Offset, Limit int
}

// UserPage returns one page of a user's messages and the total that match.
func (w *World) UserPage(q UserQuery) (msgs []Message, total int) {
	app, ok := w.EasemobAppOf(q.Tenant)
	if !ok {
		return nil, 0
	}
	groups := map[string]bool{}
	for _, g := range app.Groups {
		if g.Owner == q.User || contains(g.Members, q.User) {
			groups[g.ID] = true
		}
	}
	sees := func(chat ChatType, from, to string) bool {
		switch chat {
		case Chat:
			return from == q.User || to == q.User
		case GroupChat:
			return groups[to]
		}
		return false
	}
	sel := selection{
		tenant:  q.Tenant,
		stream:  func(s *stream) bool { return sees(s.chat, s.from, s.to) },
		message: func(m *Message) bool { return sees(m.ChatType, m.From, m.To) },
		lo:      minKey, hi: maxKey,
	}
	if !q.After.IsZero() {
		sel.lo = Key{At: q.After.UnixMilli() + 1}
	}
	if !q.Before.IsZero() {
		sel.hi = Key{At: q.Before.UnixMilli()}
	}
	total = w.count(sel)
	msgs, _ = w.page(sel, q.Descending, q.Offset, q.Limit)
	return msgs, total
}
