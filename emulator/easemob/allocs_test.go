package easemob

import (
	"io"
	"testing"
	"time"
)

// Allocation budgets of the archive, per message (BENCHMARKS.md):
//
//   - encoding a record into the stream's reused buffer allocates only for
//     an ext map's sorted keys (about one message in four carries one):
//     measured 0.32 per message on average;
//   - streaming an hour (world.Range generating each message, encoding,
//     gzip) costs the message's own strings and attachment: measured 12.3
//     per message (the gzip writer and buffers are per archive, not per
//     message).
const (
	budgetRecordEncode  = 0.5
	budgetArchivePerMsg = 15.0
)

func TestAllocsArchiveRecord(t *testing.T) {
	e := newEnv(t, benchSpec(2_000), testBase)
	a := e.world.EasemobApps()[0]
	enc := recordEncoder{files: testBase + "/acme/chat/chatfiles/"}
	buf := make([]byte, 0, 1<<20)
	n := 0
	var total float64
	for m := range e.world.Range(a.Tenant(), benchHour, benchHour.Add(time.Hour)) {
		total += testing.AllocsPerRun(1, func() { buf = enc.append(buf[:0], &m) })
		n++
	}
	perMsg := total / float64(n)
	t.Logf("record encode: %.2f allocations per message over %d messages (budget %.1f)", perMsg, n, budgetRecordEncode)
	if perMsg > budgetRecordEncode {
		t.Errorf("record encode: %.2f allocations per message, budget %.1f", perMsg, budgetRecordEncode)
	}

	const hour = 10_000
	e = newEnv(t, benchSpec(hour), testBase)
	a = e.world.EasemobApps()[0]
	allocs := testing.AllocsPerRun(2, func() {
		if err := e.s.WriteArchive(io.Discard, a, benchHour); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("archive stream: %.1f allocations per message (budget %.1f)", allocs/hour, budgetArchivePerMsg)
	if allocs/hour > budgetArchivePerMsg {
		t.Errorf("archive stream: %.1f allocations per message, budget %.1f", allocs/hour, budgetArchivePerMsg)
	}
}
