package opapi

import (
	"context"
	"encoding/binary"
	"strconv"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// pageKey names a userMessageList answer for the surface's page cache
// (emulator/internal/pagecache): the client (its Qiniu keys sign getUrl,
// its marks and favorites fill the records; a changed client is a new world
// version), every parsed field of the body, and the clock's second, which
// foot.operationTime and each getUrl's e are written in. The world is named
// by its version, given to the cache beside the key.
func pageKey(b []byte, req *request, now time.Time) []byte {
	b = append(b, req.client.Client...)
	b = append(b, 0)
	b = append(b, req.userID...)
	b = append(b, 0)
	b = append(b, req.action...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(req.pageNum), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(req.pageSize), 10)
	b = append(b, ',')
	b = strconv.AppendBool(b, req.needMark)
	b = append(b, ',')
	b = strconv.AppendBool(b, req.needFavorite)
	b = append(b, ',')
	if !req.creatTime.IsZero() {
		b = binary.BigEndian.AppendUint64(b, uint64(req.creatTime.UnixNano()))
	}
	b = append(b, ',')
	return binary.BigEndian.AppendUint64(b, uint64(now.Unix()))
}

// cachedList renders a valid request's answer, or reuses the body rendered
// for the same key at the same world version. It fails only when ctx is
// done before the answer is computed.
func (s *Surface) cachedList(ctx context.Context, app *world.EasemobApp, req *request) ([]byte, error) {
	now := s.clock.Now()
	version := s.world.Version() // before the page is computed: see pagecache.Put
	var kb [128]byte
	key := pageKey(kb[:0], req, now)
	if b, ok := s.pages.Get(version, key); ok {
		return b, nil
	}
	rs, _ := s.recordSets.Get().(*recordSet)
	if rs == nil {
		rs = new(recordSet)
	}
	defer s.recordSets.Put(rs) // the records are rendered and copied below
	env, err := s.list(ctx, app, req, now, rs)
	if err != nil {
		return nil, err
	}
	// Rendered into a pooled buffer, then kept at its length
	// (pagecache.Buffers).
	buf := s.bufs.Get()
	*buf = appendEnvelope(*buf, &env)
	b := append([]byte(nil), *buf...)
	s.bufs.Put(buf)
	if s.pages.Admit(key) { // a page asked for once (a walk's) is not kept
		s.pages.Put(version, key, b)
	}
	return b, nil
}
