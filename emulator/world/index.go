package world

import (
	"slices"
	"sort"
)

// The literal store: a tenant's literal and injected messages, kept in one
// list per view a query reads, so that a query reads the lists of its view
// and nothing else:
//
//   - viewAll: the whole tenant (archives, hour counts);
//   - viewUser: the one-to-one messages a user sent or received;
//   - viewGroup: the messages of one group;
//   - viewRoom: one sender's messages in one room, and viewRoomKind the
//     same for one kind (a room page asks for some kinds only).
//
// A list is a few sorted runs that are never changed once published (a
// log-structured merge): a batch of new messages becomes a run, and a run
// at least half as long as the run before it, or a short one, is merged
// into it. An insertion costs amortized O(log n) pointer copies; a reader
// takes the runs under a brief read lock and then walks them with no lock
// held, while writers publish new runs beside them. Readers copy out only
// the messages they return.

// view names a kind of list.
type view uint8

const (
	viewAll      view = iota
	viewUser          // a: a user; Chat messages from or to a
	viewGroup         // a: a group; GroupChat messages to a
	viewRoom          // a: a room, b: a sender; ChatRoom messages
	viewRoomKind      // a, b as viewRoom, of one kind only
)

// listKey names one list of a tenant.
type listKey struct {
	view view
	kind Kind
	a, b string
}

// listKeys returns the lists m belongs to.
func listKeys(m *Message) []listKey {
	keys := make([]listKey, 1, 3)
	keys[0] = listKey{view: viewAll}
	switch m.ChatType {
	case Chat:
		keys = append(keys, listKey{view: viewUser, a: m.From})
		if m.To != m.From {
			keys = append(keys, listKey{view: viewUser, a: m.To})
		}
	case GroupChat:
		keys = append(keys, listKey{view: viewGroup, a: m.To})
	case ChatRoom:
		keys = append(keys, listKey{view: viewRoom, a: m.To, b: m.From},
			listKey{view: viewRoomKind, a: m.To, b: m.From, kind: m.Kind})
	}
	return keys
}

// run is a slice of messages sorted by Key. A published run is never
// modified.
type run []*Message

// before counts the run's messages whose key sorts before k.
func (r run) before(k Key) int64 {
	return int64(sort.Search(len(r), func(i int) bool { return !r[i].Key.Less(k) }))
}

// list is one view's messages as runs, longest first. A published list is
// never modified; adding makes a new one.
type list struct {
	runs []run
	// kinds is the set of kinds the list holds (a bit per kind; never the
	// "any kind" zero of a filter once a message is in).
	kinds kindSet
}

// mergeBelow is the run length under which runs are always merged: short
// runs cost little to copy, and fewer runs make every read cheaper.
const mergeBelow = 256

// add returns l with batch (sorted by Key) added; l may be nil.
func (l *list) add(batch run) *list {
	n := &list{}
	if l != nil {
		n.runs = make([]run, 0, len(l.runs)+1)
		n.runs = append(n.runs, l.runs...)
		n.kinds = l.kinds
	}
	for _, m := range batch {
		n.kinds |= 1 << uint(m.Kind)
	}
	n.runs = append(n.runs, batch)
	for k := len(n.runs); k >= 2; k = len(n.runs) {
		a, b := n.runs[k-2], n.runs[k-1]
		if len(b)*2 < len(a) && len(a) >= mergeBelow {
			break
		}
		n.runs = append(n.runs[:k-2], mergeRuns(a, b))
	}
	return n
}

// mergeRuns merges two sorted runs into a new one.
func mergeRuns(a, b run) run {
	out := make(run, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if b[0].Key.Less(a[0].Key) {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	out = append(out, a...)
	return append(out, b...)
}

// literals is one tenant's literal and injected messages.
type literals struct {
	byID   map[string]*Message
	byFile map[string]*Attachment
	lists  map[listKey]*list
}

func newLiterals() *literals {
	return &literals{byID: map[string]*Message{}, byFile: map[string]*Attachment{}, lists: map[listKey]*list{}}
}

// publish adds stored messages (complete, never to be modified) to their
// lists. The caller holds the world's write lock.
func (l *literals) publish(msgs []*Message) {
	batches := map[listKey]run{}
	for _, m := range msgs {
		l.byID[m.ID] = m
		if a := m.Attachment; a != nil {
			l.byFile[a.FileID] = a
			if a.Thumb != nil {
				l.byFile[a.Thumb.FileID] = a.Thumb
			}
		}
		for _, k := range listKeys(m) {
			batches[k] = append(batches[k], m)
		}
	}
	for k, b := range batches {
		slices.SortFunc(b, func(x, y *Message) int { return compareKeys(x.Key, y.Key) })
		l.lists[k] = l.lists[k].add(b)
	}
}

// compareKeys orders keys for slices.SortFunc.
func compareKeys(a, b Key) int {
	switch {
	case a.Less(b):
		return -1
	case b.Less(a):
		return 1
	}
	return 0
}
