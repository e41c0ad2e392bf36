package world

import (
	"context"
	"testing"
	"time"
)

// BenchmarkColdPageContent is the world's part of a cold history page of
// 100: generating each message of a walk never asked before and the md5 of
// each attachment, as the Yunxin surface asks for them (default mix). The
// walk starts over at the newest page when it reaches the oldest, so that
// every page is full (a walk past the end would time empty pages).
func BenchmarkColdPageContent(b *testing.B) {
	w := coldPageWorld(b)
	q := RoomQuery{Tenant: YunxinTenant("yx"), Room: "100", Sender: "u1", Descending: true, Limit: 100}
	for b.Loop() {
		msgs, more, _ := w.RoomPage(context.Background(), q)
		q.After = nil // past the oldest page, start over at the newest
		if more {
			q.After = &msgs[len(msgs)-1].Key
		}
		for i := range msgs {
			if a := msgs[i].Attachment; a != nil && msgs[i].Kind != Combine {
				w.MD5(a)
			}
		}
	}
}

// BenchmarkColdPageVisit is BenchmarkColdPageContent through RoomVisit,
// as the Yunxin history reads a page: every field made, and without the
// fields it never shows (RoomQuery.Omit).
func BenchmarkColdPageVisit(b *testing.B) {
	for _, c := range []struct {
		name string
		omit Fields
	}{{"all", 0}, {"omit", OmitID | OmitSecret | OmitThumb | OmitName}} {
		b.Run(c.name, func(b *testing.B) {
			w := coldPageWorld(b)
			q := RoomQuery{Tenant: YunxinTenant("yx"), Room: "100", Sender: "u1", Descending: true, Limit: 100, Omit: c.omit}
			visit := func(m *Message) {
				if a := m.Attachment; a != nil && m.Kind != Combine {
					w.MD5(a)
				}
			}
			for b.Loop() {
				_, last, more, _ := w.RoomVisit(context.Background(), q, visit)
				q.After = nil // past the oldest page, start over at the newest
				if more {
					q.After = &last
				}
			}
		})
	}
}

// coldPageWorld is the test world with a Yunxin room busy enough for walks
// of many pages of 100: 5,000 messages an hour for four days.
func coldPageWorld(b *testing.B) *World {
	spec := testSpec()
	spec.Yunxin[0].Traffic[0].PerHour = 5000
	spec.Yunxin[0].Traffic[0].Since = 96 * time.Hour
	w, err := New(spec, anchor)
	if err != nil {
		b.Fatal(err)
	}
	return w
}
