package easemob

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// hourLayout is the vendor's yyyyMMddHH (the Easemob history page (doc.easemob.com/document/server-side/message_historical.html)).
const hourLayout = "2006010215"

// ParseHour parses a chatmessages time, yyyyMMddHH, in zone. It refuses
// anything that does not format back to itself: other lengths, signs,
// spaces, 2018023017 (no 30 February) or hour 24.
func ParseHour(s string, zone *time.Location) (time.Time, bool) {
	if len(s) != len(hourLayout) {
		return time.Time{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
	}
	t, err := time.ParseInLocation(hourLayout, s, zone)
	if err != nil || t.Format(hourLayout) != s {
		return time.Time{}, false
	}
	return t, true
}

// HourOf names the archive hour that holds instant t for app's cluster: in
// Beijing time on cn, UTC overseas.
func HourOf(app *world.EasemobApp, t time.Time) string {
	return t.In(zone(app)).Format(hourLayout)
}

// archiveState is what the vendor knows of one hour's archive.
type archiveState int

const (
	archiveReady    archiveState = iota // generated and within retention
	archiveUnstored                     // not yet generated (hour not over, or within archive_delay)
	archiveExpired                      // older than retention
)

// hourState says whether the hour starting at start is available at now:
// generated once now ≥ end of hour + archive_delay, expired once its start
// is older than now − retention. The vendor answers both with one body
// ("maybe chat message history is expired or unstored"); the reason, which
// only the developer reads, tells them apart.
func hourState(app *world.EasemobApp, start, now time.Time) (archiveState, string) {
	ready := start.Add(time.Hour + app.ArchiveDelay)
	if now.Before(ready) {
		return archiveUnstored, fmt.Sprintf("not archived yet (archived at %s = end of hour + archive_delay %s): hour %s, clock is %s",
			ready.UTC().Format(time.RFC3339), app.ArchiveDelay, HourOf(app, start), now.UTC().Format(time.RFC3339))
	}
	if oldest := now.Add(-retention(app)); start.Before(oldest) {
		return archiveExpired, fmt.Sprintf("expired (retention %s): hour %s starts before %s, the oldest start still kept; clock is %s",
			retention(app), HourOf(app, start), oldest.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return archiveReady, ""
}

// archiveLink is the signed link to app's archive of hour that
// chatmessages answers with at now: Expires = floor(timestamp/1000) + 1800,
// as in the example of the vendor's page.
func (s *Surface) archiveLink(app *world.EasemobApp, hour string, now time.Time) string {
	expires := time.Unix(now.UnixMilli()/1000, 0).Add(linkTTL(app))
	return sign.OSSURL(s.cfg.PublicURL+ossPrefix, app.OSS.Bucket, ArchiveObject(app, hour),
		app.OSS.AccessKeyID, app.OSS.AccessKeySecret, expires)
}

// chatMessages is GET /{org}/{app}/chatmessages/{time}. Checks, in
// order: org/app, method, rate limit, token, time format, availability
// (archive_delay, retention), messages in the hour ([guess] for the order;
// docs/fidelity/easemob.md).
func (s *Surface) chatMessages(r *http.Request) (respond.Response, *Error) {
	app, e := s.enter(r, http.MethodGet, limitChatMessages)
	if e != nil {
		return respond.Response{}, e
	}
	if e := s.authorize(r, app); e != nil {
		return respond.Response{}, e
	}
	hour := mux.Vars(r)["time"]
	start, ok := ParseHour(hour, zone(app))
	if !ok {
		return respond.Response{}, errTimeFormat(app.AppKey(), hour)
	}
	now := s.cfg.Clock.Now()
	if st, why := hourState(app, start, now); st != archiveReady {
		return respond.Response{}, errUnstored(app.AppKey(), hour, why)
	}
	if s.cfg.World.Count(app.Tenant(), start, start.Add(time.Hour)) == 0 {
		return respond.Response{}, errNoHistory(app.AppKey(), hour, fmt.Sprintf("no message of %s in hour %s (%s to %s UTC)",
			app.Tenant(), hour, start.UTC().Format(time.RFC3339), start.Add(time.Hour).UTC().Format(time.RFC3339)))
	}
	nowMS := now.UnixMilli()
	link := s.archiveLink(app, hour, now)

	// Usergrid order: action, application, uri, data, timestamp, duration,
	// then the unlisted organization, applicationName (Usergrid
	// rest/ApiResponse.java; the history page's example).
	b := make([]byte, 0, 512)
	b = append(b, `{"action":"get","application":`...)
	b = appendString(b, app.UUID)
	b = append(b, `,"uri":`...)
	b = appendString(b, s.cfg.PublicURL+"/"+app.Org+"/"+app.App+"/chatmessages/"+hour)
	b = append(b, `,"data":[{"url":`...)
	b = appendString(b, link)
	b = append(b, `}],"timestamp":`...)
	b = strconv.AppendInt(b, nowMS, 10)
	b = append(b, `,"duration":0,"organization":`...)
	b = appendString(b, app.Org)
	b = append(b, `,"applicationName":`...)
	b = appendString(b, app.App)
	b = append(b, '}')
	return jsonBody(http.StatusOK, b), nil
}
