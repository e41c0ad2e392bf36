package emulator_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// opDeepSpec gives alice of acme/chat 38.4 million records (two streams of
// 200,000 an hour for 96 hours, the default kind mix), enough for cold
// pages of 20 beyond pageNum 10^6, and an Op client over them.
func opDeepSpec() *world.Spec {
	a := world.EasemobApp{Org: "acme", App: "chat", Cluster: world.ClusterCN, Users: []string{"alice", "bob"},
		Traffic: []world.Traffic{
			{From: "alice", To: "bob", ChatType: world.Chat, PerHour: 200_000, Since: 96 * time.Hour},
			{From: "bob", To: "alice", ChatType: world.Chat, PerHour: 200_000, Since: 96 * time.Hour},
		}}
	c := world.OpClient{Client: "bench-op", Token: "bench-op-token", Sign: world.SignAny, EasemobApp: a.Tenant(),
		Qiniu: world.QiniuKeys{AccessKey: "bench-ak", SecretKey: "bench-sk"}}
	return &world.Spec{Name: "op-deep", Seed: 42, Start: t0, Frozen: true, Easemob: []world.EasemobApp{a}, Op: []world.OpClient{c}}
}

// BenchmarkE2EOpPage20Deep: cold Op pages of 20 at depth pageNum 1, 10^3
// and 10^6, every request a page never served before (pageNum D+i for
// INIT; for MORE, pageNum D under a cursor a second older each time),
// beside a static handler serving the same bytes in the same run. A page
// is sought, not walked, so the ratio should not fall with depth (goal:
// ≥ 0.5 x_static at every depth).
func BenchmarkE2EOpPage20Deep(b *testing.B) {
	e := newBenchServer(b, opDeepSpec())
	const client, token = "bench-op", "bench-op-token"
	beijing := time.FixedZone("CST", 8*60*60)
	for _, mode := range []string{"init", "more"} {
		for _, depth := range []int64{1, 1_000, 1_000_000} {
			body := func(i int64) []byte {
				if mode == "init" {
					return []byte(`{"userId":"alice","pageNum":` + strconv.FormatInt(depth+i%100_000, 10) + `,"pageSize":20,"action":"INIT"}`)
				}
				at := t0.Add(-time.Duration(i%100_000) * time.Second).In(beijing).Format("2006-01-02 15:04:05")
				return []byte(`{"userId":"alice","pageNum":` + strconv.FormatInt(depth, 10) + `,"pageSize":20,"action":"MORE","creatTime":"` + at + `.0"}`)
			}
			b.Run(fmt.Sprintf("%s/pageNum=%d", mode, depth), func(b *testing.B) { compareOpPages(b, e, client, token, body) })
		}
	}
}

// compareOpPages records the emulator's answer to body(0), a page of 20,
// and compares the emulator answering body(i) with a static handler
// serving that answer's bytes.
func compareOpPages(b *testing.B, e *benchServer, client, token string, body func(int64) []byte) {
	a := record(b, e.hc, opRequest(e.http.URL, client, token, body(0)))
	if n := bytes.Count(a.body, []byte(`"hxMsgId"`)); n != 20 {
		b.Fatalf("%d records: %s", n, a.body)
	}
	st := staticServer(b, a)
	compare(b, e.hc,
		func(i int64) *http.Request { return opRequest(st.URL, client, token, body(i)) },
		func(i int64) *http.Request { return opRequest(e.http.URL, client, token, body(i)) }, len(a.body))
}
