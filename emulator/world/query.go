package world

import (
	"context"
	"iter"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Work counts what the world's queries did, so that tests and benchmarks
// can assert what a page costs by the work it does, never by time.
type Work struct {
	// Generated counts messages made for an answer: generated from a
	// traffic stream or copied out of the literal store.
	Generated int64
	// Examined counts message keys a walk looked at: those it returned,
	// those it passed over (another kind, an offset walked rather than
	// sought) and the one that tells whether more follow.
	Examined int64
	// Probes counts the times a source (a stream, or a run of literal
	// messages) was asked how many of its messages sort before a key: the
	// work of totals and of seeking to a page's offset. A stream answers in
	// O(1), a run by binary search.
	Probes int64
}

// workCounters accumulates Work across queries.
type workCounters struct {
	generated, examined, probes atomic.Int64
}

// Work returns the work the world's queries have done since it was built.
func (w *World) Work() Work {
	return Work{Generated: w.work.generated.Load(), Examined: w.work.examined.Load(), Probes: w.work.probes.Load()}
}

// query is one query's context and the work it does, added to the world's
// counters when it ends.
type query struct {
	w    *World
	ctx  context.Context
	work Work
	err  error // the context's error, once seen
	tick int   // keys examined since the context was last checked
	// litSeq bounds the sequence numbers of the literal messages the
	// query's sources hold (the store's count when they were taken).
	litSeq uint64
	// slab holds the strings and attachments of the messages the query
	// generates, which live as long as its page does.
	slab slab
	// buf is where page puts its messages when it has room (UserQuery.Buf).
	buf []Message
	// omit names the fields a visit's generated messages go without
	// (RoomQuery.Omit).
	omit Fields
}

// checkEvery is how many keys a walk examines between checks of its
// context: a walk that skips many messages (a rare kind) stops soon after
// its client has gone.
const checkEvery = 1024

func (w *World) query(ctx context.Context) *query {
	if ctx == nil {
		ctx = context.Background()
	}
	q := &query{w: w, ctx: ctx}
	q.err = ctx.Err()
	return q
}

// done adds the query's work to the world's counters.
func (q *query) done() {
	q.w.work.generated.Add(q.work.Generated)
	q.w.work.examined.Add(q.work.Examined)
	q.w.work.probes.Add(q.work.Probes)
}

// alive counts one examined key and reports whether the query may go on.
func (q *query) alive() bool {
	if q.err != nil {
		return false
	}
	q.work.Examined++
	if q.tick++; q.tick >= checkEvery {
		q.tick = 0
		q.err = q.ctx.Err()
	}
	return q.err == nil
}

// cursor walks one source of messages in key order, up or down: the
// indices of a traffic stream, or a run of literal messages. Its bounds
// [lo, hi) are positions in the source.
type cursor struct {
	q   *query
	s   *stream // nil for a literal run
	run run
	// kinds is the filter the source needs: zero when every message of
	// the source is selected.
	kinds     kindSet
	desc      bool
	i, lo, hi int64
	key       Key  // message i's key, when ready
	ready     bool // i is a selected message and key is its key
}

func (c *cursor) len() int64 {
	if c.s != nil {
		return c.s.len()
	}
	return int64(len(c.run))
}

func (c *cursor) keyAt(i int64) Key {
	if c.s != nil {
		return c.s.key(i)
	}
	return c.run[i].Key
}

// before counts the source's messages whose key sorts before k, whatever
// their kind.
func (c *cursor) before(k Key) int64 {
	c.q.work.Probes++
	if c.s != nil {
		return c.s.beforeKey(k)
	}
	return c.run.before(k)
}

// bound limits the cursor to keys in [lo, hi), placed at the first one in
// its direction.
func (c *cursor) bound(lo, hi Key) {
	c.lo, c.hi = c.before(lo), c.before(hi)
	c.i = c.lo
	if c.desc {
		c.i = c.hi - 1
	}
	c.ready = false
}

// peek returns the current message's key, passing over messages of other
// kinds; false when the cursor is exhausted or the query was cancelled.
func (c *cursor) peek() (Key, bool) {
	if c.ready {
		return c.key, true
	}
	for c.i >= c.lo && c.i < c.hi {
		if !c.q.alive() {
			return Key{}, false
		}
		if c.kinds == 0 || c.kinds.has(c.kind(c.i)) {
			c.key, c.ready = c.keyAt(c.i), true
			return c.key, true
		}
		c.step()
	}
	return Key{}, false
}

func (c *cursor) kind(i int64) Kind {
	if c.s != nil {
		return c.s.kind(i)
	}
	return c.run[i].Kind
}

func (c *cursor) step() {
	if c.desc {
		c.i--
	} else {
		c.i++
	}
	c.ready = false
}

// takeInto is take for a visit: it writes the current message in *m,
// generating it in the query's slab rewound, and moves on.
func (c *cursor) takeInto(m *Message) {
	c.q.work.Generated++
	if c.s != nil {
		c.q.slab.rewind()
		at := c.key.At // the head's key, which peek made ready
		if !c.ready {
			at = c.s.at(c.i)
		}
		c.q.w.generateInto(m, c.s, c.i, at, &c.q.slab, c.q.omit)
	} else {
		*m = *c.run[c.i]
	}
	c.step()
}

// take returns the current message and moves on.
func (c *cursor) take() Message {
	c.q.work.Generated++
	var m Message
	if c.s != nil {
		m = c.q.w.generate(c.s, c.i, &c.q.slab)
	} else {
		m = *c.run[c.i]
	}
	c.step()
	return m
}

// selection says which messages a query wants.
type selection struct {
	tenant TenantID
	// stream decides statically whether a stream's messages belong.
	stream func(*stream) bool
	// lists are the literal lists whose messages belong.
	lists []listKey
	kinds kindSet
	// lo and hi bound the keys: lo <= key < hi.
	lo, hi Key
}

var (
	minKey = Key{At: math.MinInt64}
	maxKey = Key{At: math.MaxInt64}
)

// next is the smallest key after k.
func (k Key) next() Key { return Key{At: k.At, Src: k.Src, Seq: k.Seq + 1} }

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

// sources opens a cursor per contributing stream and per run of the
// selection's literal lists, unbounded. The runs are taken under the read
// lock and walked without it: published runs never change.
func (q *query) sources(sel selection, desc bool) []*cursor {
	streams := q.w.tenants.Load().byTenant[sel.tenant]
	all := make([]cursor, 0, len(streams)+4) // one allocation for the usual few runs
	for _, s := range streams {
		if s.len() == 0 || !s.hasKind(sel.kinds) || (sel.stream != nil && !sel.stream(s)) {
			continue
		}
		c := cursor{q: q, s: s, desc: desc}
		if !s.onlyKinds(sel.kinds) {
			c.kinds = sel.kinds
		}
		all = append(all, c)
	}
	addRuns := func(l *list, kinds kindSet) {
		for _, r := range l.runs {
			all = append(all, cursor{q: q, run: r, kinds: kinds, desc: desc})
		}
	}
	q.w.mu.RLock()
	q.litSeq = q.w.injected
	if lits := q.w.literals[sel.tenant]; lits != nil {
		addLists(lits, sel, addRuns)
	}
	q.w.mu.RUnlock()
	cs := make([]*cursor, len(all))
	for i := range all {
		cs[i] = &all[i]
	}
	return cs
}

// addLists hands sel's literal lists to add, with the kind filter each
// needs. The caller holds the read lock.
func addLists(lits *literals, sel selection, add func(*list, kindSet)) {
	for _, k := range sel.lists {
		l := lits.lists[k]
		switch {
		case l == nil:
		case sel.kinds == 0 || l.kinds&^sel.kinds == 0:
			add(l, 0) // every message of the list is of a kind asked for
		case k.view == viewRoom:
			// A room's lists by kind hold exactly the kinds asked for.
			for _, kind := range Kinds {
				if sel.kinds&l.kinds&(1<<uint(kind)) != 0 {
					add(lits.lists[listKey{view: viewRoomKind, kind: kind, a: k.a, b: k.b}], 0)
				}
			}
		default:
			add(l, sel.kinds)
		}
	}
}

// countBefore counts the messages of the sources whose key sorts before k,
// whatever their kind.
func (q *query) countBefore(cs []*cursor, k Key) int64 {
	var n int64
	for _, c := range cs {
		n += c.before(k)
	}
	return n
}

// walker merges cursors in key order, ascending or descending.
type walker struct {
	cs   []*cursor
	desc bool
}

// walk bounds the cursors to [lo, hi) in direction desc and merges them.
func walk(cs []*cursor, lo, hi Key, desc bool) walker {
	live := cs[:0:0]
	for _, c := range cs {
		c.desc = desc
		c.bound(lo, hi)
		if c.lo < c.hi {
			live = append(live, c)
		}
	}
	return walker{cs: live, desc: desc}
}

// head returns the cursor holding the next message, or nil at the end.
func (m *walker) head() *cursor {
	var best *cursor
	var bk Key
	for _, c := range m.cs {
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

// walkWithin is how many messages sharing one millisecond a seek steps
// over one by one before it searches by source and sequence instead.
const walkWithin = 64

// keyAt returns the key of the message with exactly r messages of the
// sources before it; that message must exist, with a key in [lo, hi), and
// every source must count exactly (no kind filter). It costs O(log) probes
// of each source whatever r is: a binary search for the millisecond, then
// for the source and the sequence when many messages share it.
func (q *query) keyAt(cs []*cursor, r int64, lo, hi Key) Key {
	a, b := lo.At, hi.At
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	for _, c := range cs {
		if n := c.len(); n > 0 {
			first, last = min(first, c.keyAt(0).At), max(last, c.keyAt(n-1).At)
		}
	}
	a, b = max(a, first), min(b, last)
	// Invariant: countBefore({a}) <= r, and the message is before {b+1}.
	for a < b {
		mid := a + (b-a+1)/2
		if q.countBefore(cs, Key{At: mid}) <= r {
			a = mid
		} else {
			b = mid - 1
		}
	}
	start := Key{At: a}
	if start.Less(lo) {
		start = lo
	}
	if d := r - q.countBefore(cs, start); d <= walkWithin {
		m := walk(cs, start, hi, false)
		for c := m.head(); c != nil; c = m.head() {
			if d == 0 {
				return c.key
			}
			c.step()
			d--
		}
		return start // cancelled: the caller sees the query's error
	}
	// Many messages share millisecond a (injected with one time): literal
	// messages (source 0) come first, then the streams by number. The
	// searches run over the sources' numbers and sequences only.
	srcHi, seqHi := uint64(0), q.litSeq
	for _, c := range cs {
		if c.s != nil {
			srcHi = max(srcHi, uint64(c.s.src))
		}
	}
	src := uint64(start.Src)
	for hi := srcHi; src < hi; {
		mid := src + (hi-src+1)/2
		if q.countBefore(cs, Key{At: a, Src: uint32(mid)}) <= r {
			src = mid
		} else {
			hi = mid - 1
		}
	}
	seq := uint64(0)
	if uint32(src) == start.Src {
		seq = start.Seq
	}
	for _, c := range cs {
		if c.s != nil && uint64(c.s.src) == src {
			seqHi = uint64(c.s.len())
		}
	}
	for hi := seqHi; seq < hi; {
		mid := seq + (hi-seq+1)/2
		if q.countBefore(cs, Key{At: a, Src: uint32(src), Seq: mid}) <= r {
			seq = mid
		} else {
			hi = mid - 1
		}
	}
	return Key{At: a, Src: uint32(src), Seq: seq}
}

// page collects up to limit messages of sel after skipping offset, whether
// more follow, and, with count, how many sel holds. Sources that count
// exactly (every selected message of a stream is of a kind asked for) are
// sought, not walked: a deep page costs what the first one costs.
// Messages skipped and the one that proves "more" are never generated.
func (q *query) page(sel selection, desc bool, offset int64, limit int, count bool) (msgs []Message, more bool, total int64) {
	cs := q.sources(sel, desc)
	exact := true
	for _, c := range cs {
		exact = exact && c.kinds == 0
	}
	lo, hi := sel.lo, sel.hi
	if exact && (count || offset > 0) {
		nLo, nHi := q.countBefore(cs, lo), q.countBefore(cs, hi)
		total = max(nHi-nLo, 0)
		if offset >= total {
			return nil, false, total
		}
		if offset > 0 {
			r := nLo + offset
			if desc {
				r = nHi - 1 - offset
			}
			k := q.keyAt(cs, r, lo, hi)
			if desc {
				hi = k.next()
			} else {
				lo = k
			}
			offset = 0
		}
	}
	m := walk(cs, lo, hi, desc)
	for ; offset > 0; offset-- { // only with a kind filter, which no offset query uses
		c := m.head()
		if c == nil {
			return nil, false, total
		}
		c.step()
	}
	if limit > 0 && cap(q.buf) >= limit {
		msgs = q.buf[:0]
	} else {
		msgs = make([]Message, 0, min(max(limit, 0), 128))
	}
	for len(msgs) < limit {
		c := m.head()
		if c == nil {
			return msgs, false, total
		}
		msgs = append(msgs, c.take())
	}
	return msgs, m.head() != nil, total
}

// visit is page for a caller that takes each message as it comes: it
// calls each with up to limit messages of sel, all made in one Message and
// the query's slab rewound, and returns how many, the last one's key and
// whether more follow.
func (q *query) visit(sel selection, desc bool, limit int, each func(*Message)) (n int, last Key, more bool) {
	m := walk(q.sources(sel, desc), sel.lo, sel.hi, desc)
	var msg Message
	for ; n < limit; n++ {
		c := m.head()
		if c == nil {
			return n, last, false
		}
		c.takeInto(&msg)
		last = msg.Key
		each(&msg)
	}
	return n, last, m.head() != nil
}

// Range yields a tenant's messages with At in [from, to), oldest first.
// It holds a position per source, never the range, and its consumer ends
// it: the archive writer stops when a write to a gone client fails.
func (w *World) Range(t TenantID, from, to time.Time) iter.Seq[Message] {
	lo, hi := timeBounds(from, to)
	return func(yield func(Message) bool) {
		q := w.query(context.Background())
		defer q.done()
		m := walk(q.sources(selection{tenant: t, lists: []listKey{{view: viewAll}}}, false), lo, hi, false)
		for c := m.head(); c != nil; c = m.head() {
			if !yield(c.take()) {
				return
			}
		}
	}
}

// Count returns how many messages Range(t, from, to) yields, with O(log)
// probes of each source, whatever the number of messages, and no
// allocation (archive and chatmessages requests ask it every time).
func (w *World) Count(t TenantID, from, to time.Time) int {
	lo, hi := timeBounds(from, to)
	var n, probes int64
	for _, s := range w.tenants.Load().byTenant[t] {
		n += s.beforeKey(hi) - s.beforeKey(lo)
		probes += 2
	}
	w.mu.RLock()
	if lits := w.literals[t]; lits != nil {
		if l := lits.lists[listKey{view: viewAll}]; l != nil {
			for _, r := range l.runs {
				n += r.before(hi) - r.before(lo)
				probes += 2
			}
		}
	}
	w.mu.RUnlock()
	w.work.probes.Add(probes)
	return int(max(n, 0))
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
	// Omit names fields RoomVisit's reader never reads: generated
	// messages go without them, which saves making them. RoomPage makes
	// every field.
	Omit Fields
}

// RoomPage returns up to q.Limit messages and whether more follow. Paging is
// keyset, so a walk stays exact while messages are injected during it. It
// stops early with ctx's error when ctx is done.
func (w *World) RoomPage(ctx context.Context, rq RoomQuery) (msgs []Message, more bool, err error) {
	q := w.query(ctx)
	defer q.done()
	msgs, more, _ = q.page(rq.selection(), rq.Descending, 0, rq.Limit, false)
	if q.err != nil {
		return nil, false, q.err
	}
	return msgs, more, nil
}

// RoomVisit is RoomPage for a caller that renders each message as it
// comes: it calls visit with the page's messages in order and returns how
// many it visited, the last one's key and whether more follow. The message visit gets, and every string and attachment it
// points to, are valid only during the call: the next message is made in
// the same memory. So a page allocates nothing per message, and each
// message is rendered while it is still in the processor's cache. It stops
// early with ctx's error when ctx is done.
func (w *World) RoomVisit(ctx context.Context, rq RoomQuery, visit func(*Message)) (n int, last Key, more bool, err error) {
	q := w.query(ctx)
	defer q.done()
	// The slab's chunks go from visit to visit: what one handed out is
	// dead once it returns.
	sl, _ := w.visitSlabs.Get().(*slab)
	if sl == nil {
		sl = new(slab)
	}
	q.slab = *sl
	defer func() {
		*sl = q.slab
		sl.rewind()
		w.visitSlabs.Put(sl)
	}()
	q.omit = rq.Omit
	n, last, more = q.visit(rq.selection(), rq.Descending, rq.Limit, visit)
	if q.err != nil {
		return 0, Key{}, false, q.err
	}
	return n, last, more, nil
}

// selection is the room page's selection: rq's sender in rq's room, past
// rq.After.
func (rq *RoomQuery) selection() selection {
	sel := selection{
		tenant: rq.Tenant,
		stream: func(s *stream) bool {
			return s.chat == ChatRoom && s.to == rq.Room && s.from == rq.Sender
		},
		lists: []listKey{{view: viewRoom, a: rq.Room, b: rq.Sender}},
		kinds: newKindSet(rq.Kinds),
		lo:    minKey, hi: maxKey,
	}
	if rq.After != nil {
		if rq.Descending {
			sel.hi = *rq.After
		} else {
			sel.lo = rq.After.next()
		}
	}
	return sel
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
	// Offset skips that many messages: sought, not walked, so any offset
	// costs what offset 0 costs.
	Offset int64
	Limit  int
	// Buf, when it has room for Limit messages, holds the page instead of
	// a new slice: a caller done with a page before it asks the next one
	// passes the last page's slice back (its messages are overwritten).
	Buf []Message
}

// UserPage returns one page of a user's messages and the total that match.
// It stops early with ctx's error when ctx is done.
func (w *World) UserPage(ctx context.Context, uq UserQuery) (msgs []Message, total int64, err error) {
	app, ok := w.EasemobAppOf(uq.Tenant)
	if !ok {
		return nil, 0, nil
	}
	groups := map[string]bool{}
	lists := []listKey{{view: viewUser, a: uq.User}}
	for _, g := range app.Groups {
		if (g.Owner == uq.User || contains(g.Members, uq.User)) && !groups[g.ID] {
			groups[g.ID] = true
			lists = append(lists, listKey{view: viewGroup, a: g.ID})
		}
	}
	sel := selection{
		tenant: uq.Tenant,
		stream: func(s *stream) bool {
			switch s.chat {
			case Chat:
				return s.from == uq.User || s.to == uq.User
			case GroupChat:
				return groups[s.to]
			}
			return false
		},
		lists: lists,
		lo:    minKey, hi: maxKey,
	}
	if !uq.After.IsZero() {
		sel.lo = Key{At: uq.After.UnixMilli() + 1}
	}
	if !uq.Before.IsZero() {
		sel.hi = Key{At: uq.Before.UnixMilli()}
	}
	q := w.query(ctx)
	defer q.done()
	q.buf = uq.Buf
	msgs, _, total = q.page(sel, uq.Descending, max(uq.Offset, 0), uq.Limit, true)
	if q.err != nil {
		return nil, 0, q.err
	}
	return msgs, total, nil
}

// Pages recycles the slices pages are made in (UserQuery.Buf) among the
// pages a surface serves: a cold page of 100 messages is otherwise a new
// 27 KB slice for the garbage collector. Safe for concurrent use; the zero
// value is ready.
type Pages struct{ pool sync.Pool }

// maxPooledPage bounds the slices Pages keeps, in messages: a larger page
// (an Op pageSize of 1000) is left to the garbage collector.
const maxPooledPage = 128

// Get returns a slice to pass as Buf, empty, and the box to give back with
// Put.
func (p *Pages) Get() *[]Message {
	if b, ok := p.pool.Get().(*[]Message); ok {
		return b
	}
	return new([]Message)
}

// Put keeps msgs, a page made in box's slice that nothing uses any more,
// for a later page: its messages are cleared, so that it holds nothing.
func (p *Pages) Put(box *[]Message, msgs []Message) {
	if cap(msgs) > maxPooledPage {
		return
	}
	clear(msgs)
	*box = msgs[:0]
	p.pool.Put(box)
}
