package opapi

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// injectLoad injects n messages alice sees (chats with bob and carol,
// group g1), in batches of 1000 as the control API takes them, half at the
// clock's now and half spread over the last hours, and returns their ids.
func injectLoad(t testing.TB, e *env, n int) {
	t.Helper()
	for b := 0; b*1000 < n; b++ {
		batch := make([]world.Message, min(1000, n-b*1000))
		for i := range batch {
			m := world.Message{From: "bob", To: "alice", ChatType: world.Chat, Kind: world.Text, Text: fmt.Sprint("load ", b, "-", i)}
			switch i % 3 {
			case 1:
				m.From, m.To = "alice", "carol"
			case 2:
				m.ChatType, m.To, m.Kind = world.GroupChat, "g1", world.Image
			}
			if b%2 == 1 {
				m.At = t0.Add(-time.Duration(i) * time.Second)
			}
			batch[i] = m
		}
		if _, err := e.world.Inject(tenant, batch, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

func heap() runtime.MemStats {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// TestInjectedLoadPagesAreBounded: after 156,000 injections, six
// concurrent pages (first, deep, MORE, NEW) allocate what six pages take,
// not six copies of the injected messages (which was 906 MiB at peak), and
// each page generates exactly the records it returns.
func TestInjectedLoadPagesAreBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("156,000 injections: skipped with -short")
	}
	e := newEnv(t)
	empty := heap()
	injectLoad(t, e, 156_000)
	loaded := heap()
	perMsg := float64(loaded.HeapAlloc-empty.HeapAlloc) / 156_000
	t.Logf("store of 156,000 injected messages: %.1f MiB on the heap after GC (%.0f B a message)", float64(loaded.HeapAlloc-empty.HeapAlloc)/(1<<20), perMsg)

	creat := beijingTime(t0.Add(-10 * time.Minute))
	bodies := []string{
		`{"userId":"alice","pageNum":1,"pageSize":20}`,
		`{"userId":"alice","pageNum":5000,"pageSize":20}`,
		`{"userId":"alice","pageNum":2,"pageSize":20,"action":"MORE","creatTime":"` + creat + `"}`,
		`{"userId":"alice","pageNum":3,"pageSize":20,"action":"NEW","creatTime":"` + creat + `"}`,
		`{"userId":"bob","pageNum":77,"pageSize":20}`,
		`{"userId":"carol","pageNum":1000,"pageSize":20}`,
	}
	work := e.world.Work()
	before := heap()
	var wg sync.WaitGroup
	for _, body := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if env := decode(t, e.list(t, listQuery, body)); env.Code != 200 || len(env.Data) != 20 {
				t.Errorf("%s: code %d, %d records", body, env.Code, len(env.Data))
			}
		}()
	}
	wg.Wait()
	after := heap()
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("six concurrent pages allocated %.2f MiB; heap after GC moved by %+.2f MiB", float64(alloc)/(1<<20), (float64(after.HeapAlloc)-float64(before.HeapAlloc))/(1<<20))
	if alloc > 8<<20 {
		t.Errorf("six pages allocated %d bytes: more than six pages' worth", alloc)
	}
	if after.HeapAlloc > before.HeapAlloc+4<<20 {
		t.Errorf("heap grew from %d to %d bytes across six pages", before.HeapAlloc, after.HeapAlloc)
	}
	if w := e.world.Work(); w.Generated-work.Generated != 6*20 {
		t.Errorf("six pages of 20 generated %d messages", w.Generated-work.Generated)
	}
}
