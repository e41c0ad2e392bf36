package history_test

import (
	"testing"
	"time"

	"github.com/chatemu/chatemu/testkit"

	"example.com/history"
)

func TestHour(t *testing.T) {
	emu := testkit.Start(t, testkit.Frozen(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)))
	app := emu.NewEasemobApp(t, testkit.EasemobAppSpec{Users: []string{"ann", "ben"}})
	sent := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC) // archived by 10:00
	emu.Inject(t, app.Tenant(), testkit.LiteralMessage{ID: "m1", From: "ann", To: "ben", Msg: "hi", At: sent})

	c := &history.Client{BaseURL: app.BaseURL, Org: app.Org, App: app.App, ClientID: app.ClientID, ClientSecret: app.ClientSecret}
	ids, err := c.Hour(app.Hour(sent)) // "2026112016": Beijing time on cluster cn
	if err != nil || len(ids) != 1 || ids[0] != "m1" {
		t.Fatalf("Hour(%s) = %v, %v", app.Hour(sent), ids, err)
	}
	emu.AssertCalled(t, "easemob.archive_download", 1)
}
