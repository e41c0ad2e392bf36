package emulator

import (
	"context"
	"time"

	"github.com/chatemu/chatemu/emulator/easemob"
	"github.com/chatemu/chatemu/emulator/opapi"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/emulator/yunxin"
)

// views is the control API's control.Views over the server's surfaces: the
// world routes show hours, records and pages in the vendors' own forms,
// and control imports no vendor package.
type views struct{ s *Server }

func (v views) easemob() *easemob.Surface { return v.s.easemob.(*easemob.Surface) }

func (views) EasemobHourAt(app *world.EasemobApp, t time.Time) time.Time {
	return easemob.HourAt(app, t)
}

func (views) EasemobHourStart(app *world.EasemobApp, name string) (time.Time, bool) {
	return easemob.HourStart(app, name)
}

func (views) EasemobHourName(app *world.EasemobApp, start time.Time) string {
	return easemob.HourOf(app, start)
}

func (views) EasemobArchive(app *world.EasemobApp, start, now time.Time) (string, time.Time, string) {
	return easemob.ArchiveStatus(app, start, now)
}

func (v views) EasemobArchiveLink(app *world.EasemobApp, hour string, now time.Time) string {
	return v.easemob().ArchiveLink(app, hour, now)
}

func (v views) AppendEasemobRecord(b []byte, app *world.EasemobApp, m *world.Message) []byte {
	return v.easemob().AppendRecord(b, app, m)
}

func (v views) YunxinHistory(ctx context.Context, app *world.YunxinApp, room, query string) (int, []byte, string) {
	return v.s.yunxin.(*yunxin.Surface).History(ctx, app, room, query)
}

func (v views) OpUserMessageList(ctx context.Context, c *world.OpClient, body []byte) (int, []byte, string) {
	return v.s.op.(*opapi.Surface).UserMessageList(ctx, c, body)
}
