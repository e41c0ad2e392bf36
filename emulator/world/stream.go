package world

import (
	"sort"
	"time"
)

const hourMS = int64(time.Hour / time.Millisecond)

// mix is splitmix64's finalizer: a bijection on uint64 that spreads bits, so
// seeds derived from (seed, stream, index) look independent.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hash folds values into one well-mixed seed.
func hash(vals ...uint64) uint64 {
	h := uint64(0x6a09e667f3bcc908)
	for _, v := range vals {
		h = mix(h ^ v)
	}
	return h
}

// stream is one traffic entry made into a function from index to message.
// Message i lies in hour i/perHour, in slot i%perHour of that hour, at a
// seeded jitter inside the slot: times strictly increase with i, so both
// "message i" and "first message at or after t" cost O(1).
type stream struct {
	src     uint32
	tenant  TenantID
	vendor  Vendor
	from    string
	to      string
	chat    ChatType
	perHour int64
	first   int64 // ms of the first hour's start
	hours   int64
	slot    int64 // ms per slot: hourMS / perHour
	seed    uint64
	kinds   []Kind
	cum     []uint64 // cumulative weights, parallel to kinds
}

func newStream(src uint32, tenant TenantID, vendor Vendor, tr Traffic, anchor time.Time, seed uint64) *stream {
	start := anchor.Add(-tr.Since).Truncate(time.Hour).UnixMilli()
	end := anchor.Add(-tr.Until).Truncate(time.Hour).UnixMilli()
	s := &stream{
		src: src, tenant: tenant, vendor: vendor,
		from: tr.From, to: tr.To, chat: tr.ChatType,
		perHour: int64(tr.PerHour), first: start,
		seed: hash(seed, uint64(src)),
	}
	if end > start && s.perHour > 0 {
		s.hours = (end - start) / hourMS
		s.slot = hourMS / s.perHour
	}
	weights := tr.Types
	if len(weights) == 0 {
		weights = DefaultMix(vendor)
	}
	var total uint64
	for _, w := range weights {
		if w.Weight <= 0 {
			continue
		}
		total += uint64(w.Weight)
		s.kinds = append(s.kinds, w.Kind)
		s.cum = append(s.cum, total)
	}
	return s
}

// DefaultMix is the kind mix of a stream whose traffic names no types:
// mostly text, some of everything the vendor carries.
func DefaultMix(v Vendor) []KindWeight {
	if v == Yunxin {
		return []KindWeight{{Text, 60}, {Image, 10}, {Audio, 7}, {Video, 4}, {Location, 4},
			{Notification, 3}, {File, 4}, {Tip, 3}, {Robot, 2}, {Custom, 3}}
	}
	return []KindWeight{{Text, 60}, {Image, 10}, {Audio, 7}, {Video, 4}, {File, 4},
		{Location, 4}, {Command, 3}, {Custom, 4}, {Combine, 4}}
}

func (s *stream) len() int64 { return s.hours * s.perHour }

// at returns message i's time in ms.
func (s *stream) at(i int64) int64 {
	h, j := i/s.perHour, i%s.perHour
	return s.first + h*hourMS + j*s.slot + int64(hash(s.seed, uint64(i))%uint64(s.slot))
}

func (s *stream) key(i int64) Key { return Key{At: s.at(i), Src: s.src, Seq: uint64(i)} }

// kind returns message i's kind.
func (s *stream) kind(i int64) Kind {
	r := hash(s.seed, uint64(i), 1) % s.cum[len(s.cum)-1]
	n := sort.Search(len(s.cum), func(k int) bool { return s.cum[k] > r })
	return s.kinds[n]
}

// before counts the messages earlier than t (ms).
func (s *stream) before(t int64) int64 {
	n := s.len()
	if n == 0 || t <= s.first {
		return 0
	}
	// Past the stream's end before subtracting: t may be the open bound
	// math.MaxInt64, and t - first overflows when first is before 1970.
	if t >= s.first+s.hours*hourMS {
		return n
	}
	h := (t - s.first) / hourMS
	if h >= s.hours {
		return n
	}
	j := (t - s.first - h*hourMS) / s.slot
	if j >= s.perHour {
		return (h + 1) * s.perHour
	}
	i := h*s.perHour + j
	if s.at(i) < t {
		return i + 1
	}
	return i
}

// beforeKey counts the messages whose key sorts before k. At most one message
// of a stream has a given ms, so only that one needs the full comparison.
func (s *stream) beforeKey(k Key) int64 {
	i := s.before(k.At)
	if i < s.len() && s.at(i) == k.At && s.key(i).Less(k) {
		i++
	}
	return i
}

// find returns the index of the message at ms, if there is one.
func (s *stream) find(at int64) (int64, bool) {
	i := s.before(at)
	if i < s.len() && s.at(i) == at {
		return i, true
	}
	return 0, false
}

// hasKind reports whether the stream can produce a kind in set (nil = all).
func (s *stream) hasKind(set kindSet) bool {
	if set == 0 {
		return len(s.kinds) > 0
	}
	for _, k := range s.kinds {
		if set.has(k) {
			return true
		}
	}
	return false
}

// kindSet is a set of kinds as a bitmask; the zero set means "any kind".
type kindSet uint32

func newKindSet(kinds []Kind) kindSet {
	var s kindSet
	for _, k := range kinds {
		s |= 1 << uint(k)
	}
	return s
}

func (s kindSet) has(k Kind) bool { return s == 0 || s&(1<<uint(k)) != 0 }

// onlyKinds reports whether every kind the stream makes is in set (nil =
// all), so that its messages need no filter.
func (s *stream) onlyKinds(set kindSet) bool {
	if set == 0 {
		return true
	}
	for _, k := range s.kinds {
		if !set.has(k) {
			return false
		}
	}
	return true
}
