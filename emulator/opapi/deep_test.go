package opapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// deepSpec gives alice 3 × 10^11 records: three streams at the highest rate
// (a message a millisecond) for three years, so that pageNum 2^31-1 of 20
// records exists.
func deepSpec() world.Spec {
	spec := baseSpec()
	const span = 3 * 365 * 24 * time.Hour
	spec.Easemob[0].Traffic = []world.Traffic{
		{From: "alice", To: "bob", ChatType: world.Chat, PerHour: 3_600_000, Since: span},
		{From: "bob", To: "alice", ChatType: world.Chat, PerHour: 3_600_000, Since: span},
		{From: "bob", To: "g1", ChatType: world.GroupChat, PerHour: 3_600_000, Since: span},
	}
	return spec
}

// workDone returns the world's work since w0.
func workDone(e *env, w0 world.Work) world.Work {
	w := e.world.Work()
	return world.Work{Generated: w.Generated - w0.Generated, Examined: w.Examined - w0.Examined, Probes: w.Probes - w0.Probes}
}

// TestDeepPagesCostWhatTheFirstCosts asks INIT, MORE and NEW pages of 20 at
// pageNum 1, 10^3, 10^6 and 2^31-1 and asserts each page's work: exactly
// the 20 records generated, a few more keys examined, and probes (the
// seek's binary searches) that do not grow with depth. Before, pageNum N
// walked N × pageSize messages (10^6 took 5.8 s).
func TestDeepPagesCostWhatTheFirstCosts(t *testing.T) {
	e := newEnvOf(t, deepSpec())
	creat := map[Action]string{
		ActionInit: "",
		ActionMore: beijingTime(t0.Add(-24 * time.Hour)),
		ActionNew:  beijingTime(t0.Add(-3 * 360 * 24 * time.Hour)),
	}
	var firstProbes int64
	for _, action := range []Action{ActionInit, ActionMore, ActionNew} {
		var prevLast string
		for _, pageNum := range []int{1, 1_000, 1_000_000, 1_000_001, 1<<31 - 1} {
			body := fmt.Sprintf(`{"userId":"alice","pageNum":%d,"pageSize":20,"action":%q,"creatTime":%q}`, pageNum, action, creat[action])
			w0 := e.world.Work()
			env := decode(t, e.list(t, listQuery, body))
			work := workDone(e, w0)
			t.Logf("%s pageNum %d: %+v", action, pageNum, work)
			if env.Code != 200 || len(env.Data) != 20 || !env.Page.Next || env.Page.Total < int64(pageNum)*20 {
				t.Fatalf("%s pageNum %d: code %d, %d records, page %+v", action, pageNum, env.Code, len(env.Data), env.Page)
			}
			if work.Generated != 20 || work.Examined > 20+3+64 {
				t.Errorf("%s pageNum %d: %+v for a page of 20", action, pageNum, work)
			}
			if pageNum == 1 && action == ActionInit {
				firstProbes = work.Probes
			}
			if work.Probes > firstProbes+3*64*3 {
				t.Errorf("%s pageNum %d: %d probes; the first page took %d", action, pageNum, work.Probes, firstProbes)
			}
			// Pages 10^6 and 10^6+1 meet: the first's last record comes
			// right before the second's first in the walk.
			if pageNum == 1_000_001 {
				prev, _ := e.world.Message(tenant, prevLast)
				next, _ := e.world.Message(tenant, env.Data[0].HxMsgID)
				older := next.Key.Less(prev.Key)
				if older != (action != ActionNew) || prev.ID == next.ID {
					t.Errorf("%s: page 1000001 does not follow page 1000000 (%s then %s)", action, prev.ID, next.ID)
				}
			}
			prevLast = env.Data[19].HxMsgID
		}
	}
}

// TestGoneClientStopsThePage: a request whose context is done before the
// query generates nothing, answers nothing and caches nothing.
func TestGoneClientStopsThePage(t *testing.T) {
	e := newEnvOf(t, deepSpec())
	h := e.srv.Config.Handler
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodPost, publicURL+UserMessageListPath+"?"+listQuery,
		strings.NewReader(`{"userId":"alice","pageNum":1000000,"pageSize":20}`)).WithContext(ctx)
	rec := httptest.NewRecorder()
	w0 := e.world.Work()
	h.ServeHTTP(rec, req)
	if work := workDone(e, w0); work.Generated != 0 || work.Examined != 0 {
		t.Errorf("a gone client's page did %+v", work)
	}
	if rec.Body.Len() != 0 {
		t.Errorf("a gone client got %d bytes", rec.Body.Len())
	}
}
