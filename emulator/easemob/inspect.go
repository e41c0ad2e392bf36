package easemob

import (
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// What the control API's world routes show of an app's archive hours, on
// the emulated clock, as chatmessages and the archive see them.

// The states of an archive hour.
const (
	// HourPending: the archive is not written yet (the hour is not over, or
	// archive_delay has not passed); chatmessages answers "expired or
	// unstored".
	HourPending = "pending"
	// HourArchived: chatmessages answers with the archive's link (or "no
	// history" when the hour holds no message).
	HourArchived = "archived"
	// HourExpired: older than retention; chatmessages answers "expired or
	// unstored".
	HourExpired = "expired"
)

// HourStart returns the start of app's archive hour named hour, yyyyMMddHH
// in the app's cluster zone as chatmessages takes it.
func HourStart(app *world.EasemobApp, hour string) (time.Time, bool) {
	return ParseHour(hour, zone(app))
}

// HourAt returns the start of app's archive hour that holds t.
func HourAt(app *world.EasemobApp, t time.Time) time.Time {
	start, _ := ParseHour(HourOf(app, t), zone(app))
	return start
}

// ArchiveStatus says what Easemob knows at now of app's hour starting at
// start: its state (HourPending, HourArchived, HourExpired), when its
// archive is written (end of the hour + archive_delay), and why it is not
// served, in the words of chatmessages' X-Chatemu-Reason.
func ArchiveStatus(app *world.EasemobApp, start, now time.Time) (state string, archivedAt time.Time, reason string) {
	archivedAt = start.Add(time.Hour + app.ArchiveDelay)
	switch st, why := hourState(app, start, now); st {
	case archiveUnstored:
		return HourPending, archivedAt, why
	case archiveExpired:
		return HourExpired, archivedAt, why
	}
	return HourArchived, archivedAt, ""
}

// ArchiveLink returns the signed link chatmessages answers with at now for
// app's hour (yyyyMMddHH): it serves the archive while the hour is archived
// and holds messages, until the link expires.
func (s *Surface) ArchiveLink(app *world.EasemobApp, hour string, now time.Time) string {
	return s.archiveLink(app, hour, now)
}

// AppendRecord appends m's record as app's archive holds it: one line of
// the archive's NDJSON, without its newline.
func (s *Surface) AppendRecord(b []byte, app *world.EasemobApp, m *world.Message) []byte {
	enc := s.recordEncoder(app)
	b = enc.append(b, m)
	return b[:len(b)-1]
}
