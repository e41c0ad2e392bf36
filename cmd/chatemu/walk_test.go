package main

import (
	"context"
	"strings"
	"testing"
)

// TestWalkToTheEnd walks each vendor's history of the default scenario to
// its end: halving the page size doubles the pages (give or take the last
// one), so the walk really reached the last page; the figures are filled.
func TestWalkToTheEnd(t *testing.T) {
	for _, vendor := range []string{"yunxin", "op"} {
		t.Run(vendor, func(t *testing.T) {
			c := walkConfig{Vendor: vendor, Scenario: "default", Limit: 40}
			big, err := runWalk(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			c.Limit = 20
			small, err := runWalk(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if big.Pages < 2 || small.Pages < 2*big.Pages-1 || small.Pages > 2*big.Pages {
				t.Errorf("%d pages of 40, %d pages of 20: the walks did not both reach the end", big.Pages, small.Pages)
			}
			checkWalkFigures(t, small)
		})
	}
	t.Run("easemob", func(t *testing.T) {
		res, err := runWalk(context.Background(), walkConfig{Vendor: "easemob", Scenario: "default", Limit: 20, Hours: 6})
		if err != nil {
			t.Fatal(err)
		}
		if res.Pages < 6 || res.Pages > 12 {
			t.Errorf("%d requests for 6 hours: want a chatmessages call each and at most one archive each", res.Pages)
		}
		checkWalkFigures(t, res)
	})
}

func checkWalkFigures(t *testing.T, r walkResult) {
	t.Helper()
	if !(r.P50 > 0 && r.P50 <= r.P99 && r.P99 <= r.Max) || r.Bytes == 0 || !r.InProcess || r.PeakRSS == 0 {
		t.Errorf("figures %+v", r)
	}
}

// TestBenchWalkToEndFlag runs the command line's --walk-to-end.
func TestBenchWalkToEndFlag(t *testing.T) {
	code, out, errOut := runCmd(t, nil, "bench", "--vendor", "op", "--walk-to-end", "--limit", "50")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "op walk to the end, page size 50") || !strings.Contains(out, "p99") {
		t.Errorf("output: %s", out)
	}
}
