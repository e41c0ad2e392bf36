package journal

// Following the journal: a reader that shows requests as they come (the
// server-sent events of GET /_chatemu/requests/stream) waits on Changed
// instead of polling, and fetches one entry's details by its sequence
// number (GET /_chatemu/requests/{seq}).

// Changed returns a channel that is closed when the next entry is added or
// the journal is cleared. A reader takes it before reading what it has
// not yet seen, so that nothing added in between is missed. Adding an entry
// costs nothing more while nobody follows.
func (j *Journal) Changed() <-chan struct{} {
	if j == nil || j.size == 0 {
		return nil // nothing is ever added: a nil channel never fires
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.changed == nil {
		j.changed = make(chan struct{})
	}
	return j.changed
}

// notifyLocked wakes the followers; the caller holds j.mu.
func (j *Journal) notifyLocked() {
	if j.changed != nil {
		close(j.changed)
		j.changed = nil
	}
}

// Entry returns the held entry with sequence number seq; false when there
// is none (never added, or gone: past the journal's size or budget, or
// cleared).
func (j *Journal) Entry(seq uint64) (Entry, bool) {
	if j == nil || j.size == 0 {
		return Entry{}, false
	}
	j.mu.Lock()
	// Held entries are in sequence order (with gaps where an entry over the
	// budget was not kept): a binary search over the ring.
	lo, hi := 0, j.count
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if j.ring[(j.head+mid)%len(j.ring)].e.Seq < seq {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < j.count {
		if e := j.ring[(j.head+lo)%len(j.ring)].e; e.Seq == seq {
			e.detach()
			j.mu.Unlock()
			e.settle()
			return e, true
		}
	}
	j.mu.Unlock()
	return Entry{}, false
}
