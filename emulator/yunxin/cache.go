package yunxin

import (
	"encoding/binary"
	"strconv"

	"github.com/chatemu/chatemu/emulator/world"
)

// pageKey names a history page for the surface's page cache
// (emulator/internal/pagecache): every parsed parameter the body depends
// on, canonical (the room as a decimal, the type filter as its mask, the
// page token as the key it continues after), so the same page asked with
// its parameters in another order or spelling is the same entry. The app
// secret is in it because next_token is signed with it; the app's
// descending default is already resolved into descending. PublicURL (in
// attachment urls) is fixed for a surface, and the world is named by its
// version, given to the cache beside the key.
func pageKey(b []byte, sc pageScope, after *world.Key, limit int) []byte {
	b = append(b, sc.appKey...)
	b = append(b, 0)
	b = append(b, sc.appSecret...)
	b = append(b, 0)
	b = append(b, sc.room...)
	b = append(b, 0)
	b = append(b, sc.sender...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint64(b, sc.types)
	if sc.descending {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	if after != nil {
		b = append(b, 1)
		b = binary.BigEndian.AppendUint64(b, uint64(after.At))
		b = binary.BigEndian.AppendUint32(b, after.Src)
		b = binary.BigEndian.AppendUint64(b, after.Seq)
	} else {
		b = append(b, 0)
	}
	return strconv.AppendInt(b, int64(limit), 10)
}
