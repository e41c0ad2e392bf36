package world

import (
	"context"
	"slices"
	"time"
)

// Queries for browsing a world (the control API's world routes and the
// inspector): pages and counts, each costing what its page costs whatever
// the world's size or the page's depth.

// TenantPage returns up to limit of tenant t's messages with At in
// [from, to) (zero times are unbounded), oldest first, after skipping
// offset of them, and how many [from, to) holds. The offset is sought, not
// walked: any page costs what the first one costs. It stops early with
// ctx's error when ctx is done.
func (w *World) TenantPage(ctx context.Context, t TenantID, from, to time.Time, offset int64, limit int) (msgs []Message, total int64, err error) {
	sel := selection{tenant: t, lists: []listKey{{view: viewAll}}}
	sel.lo, sel.hi = timeBounds(from, to)
	q := w.query(ctx)
	defer q.done()
	msgs, _, total = q.page(sel, false, max(offset, 0), max(limit, 0), true)
	if q.err != nil {
		return nil, 0, q.err
	}
	return msgs, total, nil
}

// SenderCount is how many messages one sender has in a chat room.
type SenderCount struct {
	Sender   string
	Messages int64
}

// RoomSenders lists the senders of tenant t's chat room with how many
// messages each has there (generated, literal and injected): the senders of
// traffic streams first, in stream order, then the others by name. It
// costs a step per stream and per literal list of the tenant, never a
// message.
func (w *World) RoomSenders(t TenantID, room string) []SenderCount {
	var out []SenderCount
	index := map[string]int{}
	add := func(sender string, n int64) {
		if n == 0 {
			return
		}
		i, ok := index[sender]
		if !ok {
			i = len(out)
			index[sender] = i
			out = append(out, SenderCount{Sender: sender})
		}
		out[i].Messages += n
	}
	for _, s := range w.tenants.Load().byTenant[t] {
		if s.chat == ChatRoom && s.to == room {
			add(s.from, s.len())
		}
	}
	streams := len(out)
	w.mu.RLock()
	if lits := w.literals[t]; lits != nil {
		for k, l := range lits.lists {
			if k.view != viewRoom || k.a != room {
				continue
			}
			var n int64
			for _, r := range l.runs {
				n += int64(len(r))
			}
			add(k.b, n)
		}
	}
	w.mu.RUnlock()
	// Map order is random: the senders only literal messages name are
	// sorted, so that the list is the same on every call.
	slices.SortFunc(out[streams:], func(a, b SenderCount) int {
		switch {
		case a.Sender < b.Sender:
			return -1
		case a.Sender > b.Sender:
			return 1
		}
		return 0
	})
	return out
}
