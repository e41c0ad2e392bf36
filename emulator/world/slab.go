package world

import "unsafe"

// A page of generated messages makes several small strings and an
// attachment per message (ids, a file's id and secret, an extension); one
// allocation each was a fifth of a cold page's allocations and most of its
// garbage collection. A slab hands them out of a few larger allocations
// instead, shared by the page's messages: the strings and attachments of
// one page live and die together, as the page does.

// slabChunk is the size of a slab's string chunks: about sixty messages'
// strings.
const slabChunk = 4 << 10

// slabAttachments is how many attachments a slab allocates at once.
const slabAttachments = 16

// slab hands out strings and attachments for the messages of one page. A
// nil *slab allocates each on its own. Not safe for concurrent use.
type slab struct {
	buf  []byte       // the current chunk; its bytes below len are handed out, never written again
	atts []Attachment // attachments not handed out yet
	// all is the chunk atts hands out of, for rewind.
	all []Attachment
}

// rewind hands the slab's current chunks out again from their start, the
// attachments zeroed: for a caller done with every string and attachment
// handed out so far (a visit, whose message dies before the next one is
// made). It breaks string's promise for the strings handed out before,
// which is why only RoomVisit's slab, which outlives none of them, rewinds.
func (s *slab) rewind() {
	s.buf = s.buf[:0]
	used := len(s.all) - len(s.atts)
	clear(s.all[:used])
	s.atts = s.all
}

// string returns b as a string of the slab's.
func (s *slab) string(b []byte) string {
	if s == nil || len(b) > slabChunk/4 {
		return string(b)
	}
	if len(s.buf)+len(b) > cap(s.buf) {
		s.buf = make([]byte, 0, slabChunk)
	}
	at := len(s.buf)
	s.buf = append(s.buf, b...)
	if len(b) == 0 {
		return ""
	}
	// The bytes at [at, len) are never written again: later strings are
	// appended past them, and a full chunk is replaced, not reused.
	return unsafe.String(&s.buf[at], len(b))
}

// attachment returns a new zero Attachment.
func (s *slab) attachment() *Attachment {
	if s == nil {
		return &Attachment{}
	}
	if len(s.atts) == 0 {
		s.atts = make([]Attachment, slabAttachments)
		s.all = s.atts
	}
	a := &s.atts[0]
	s.atts = s.atts[1:]
	return a
}
