package emulator_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/chatemu/chatemu/emulator"
)

// scrape reads /_chatemu/metrics over HTTP and parses the exposition with
// the Prometheus text parser into "name{label="value",…}" → value, labels
// in name order; a histogram gives name_count and name_sum.
func scrape(t *testing.T, l *live, header http.Header) map[string]float64 {
	t.Helper()
	res, body := l.do(t, "GET", "/_chatemu/metrics", header, "")
	if res.StatusCode != 200 {
		t.Fatalf("metrics: %d %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("metrics Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse the exposition: %v\n%s", err, body)
	}
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			labels := m.GetLabel()
			sort.Slice(labels, func(i, j int) bool { return labels[i].GetName() < labels[j].GetName() })
			var ls []string
			for _, l := range labels {
				ls = append(ls, l.GetName()+"="+`"`+l.GetValue()+`"`)
			}
			key := name
			if len(ls) > 0 {
				key += "{" + strings.Join(ls, ",") + "}"
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[key] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[key] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				out[strings.Replace(key, name, name+"_count", 1)] = float64(h.GetSampleCount())
				out[strings.Replace(key, name, name+"_sum", 1)] = h.GetSampleSum()
			default:
				out[key] = m.GetUntyped().GetValue()
			}
		}
	}
	return out
}

// moved returns the series whose value differs between two scrapes (a
// series absent before counts from 0), without the Go runtime's and the
// process's, which move on their own.
func moved(before, after map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range after {
		if !strings.HasPrefix(k, "chatemu_") || strings.HasPrefix(k, "chatemu_http_request_duration_seconds_sum") {
			continue
		}
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// TestMetricsCountWhatATestDid: between two scrapes every chatemu counter
// moves by exactly what the test did: requests by vendor, operation and
// status (the first scrape among them), latency observations, body bytes
// as the client read them, archive records as the archive holds them,
// faults by kind, injected messages; the journal's gauges read what the
// journal holds. A second server in the same process counts nothing of it.
func TestMetricsCountWhatATestDid(t *testing.T) {
	l := startLive(t, emulator.Config{})
	other := startLive(t, emulator.Config{})
	otherBefore := scrape(t, other, nil)
	before := scrape(t, l, nil)

	bytes := map[string]int{}
	do := func(method, path string, h http.Header, body string, op string) string {
		t.Helper()
		_, b := l.do(t, method, path, h, body)
		bytes[op] += len(b)
		return b
	}
	jsonType := http.Header{"Content-Type": {"application/json"}}
	tokenBody := `{"grant_type":"client_credentials","client_id":"YXA6ChatemuDemoClientId001","client_secret":"YXA6ChatemuDemoClientSecret0001"}`
	do("POST", "/chatemu/demo/token", jsonType, tokenBody, "easemob.token")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(do("POST", "/chatemu/demo/token", jsonType, tokenBody, "easemob.token")), &tok); err != nil {
		t.Fatal(err)
	}
	page := do("GET", "/chatemu/demo/chatmessages/2026112016", http.Header{"Authorization": {"Bearer " + tok.AccessToken}}, "", "easemob.chatmessages")
	archive := do("GET", linkIn(t, l, page, "/_oss/"), nil, "", "easemob.archive_download")
	records, err := gunzip([]byte(archive))
	if err != nil || len(records) == 0 {
		t.Fatalf("archive: %d records, %v", len(records), err)
	}
	do("GET", "/chatemu/demo/chatmessages/2026112016", http.Header{"Authorization": {"Bearer nope"}}, "", "easemob.chatmessages")
	do("GET", "/im/v2/chatrooms/10001/messages?sender_id=amy&limit=2", yunxinHeaders(l.srv, "chatemu-yunxin-demo", "c0ffee123456"), "", "yunxin.chatroom_history")
	l.control(t, "POST", "faults", `{"vendor":"op","status":503,"body":"busy","times":1}`, 201, nil)
	l.control(t, "POST", "faults", `{"vendor":"yunxin","kind":"drop","times":1}`, 201, nil)
	do("POST", "/op/v2/userMessageList?client=chatemu-op", jsonType, `{"userId":"bob"}`, "op.user_message_list")
	if _, _, err := l.try("GET", "/im/v2/chatrooms/10001/messages?sender_id=amy", nil, ""); err == nil {
		t.Fatal("the dropped request got an answer")
	}
	l.control(t, "POST", "messages", `{"tenant":"easemob:chatemu/demo","messages":[{"from":"alice","to":"bob","type":"txt","msg":"a"},{"from":"bob","to":"alice","type":"txt","msg":"b"},{"from":"alice","to":"bob","type":"txt","msg":"c"}]}`, 201, nil)
	l.do(t, "GET", "/livez", nil, "")
	l.do(t, "GET", "/_chatemu/nothing", nil, "")

	after := scrape(t, l, nil)
	got := moved(before, after)
	want := map[string]float64{
		`chatemu_http_requests_total{operation="easemob.token",status="200",vendor="easemob"}`:               2,
		`chatemu_http_requests_total{operation="easemob.chatmessages",status="200",vendor="easemob"}`:        1,
		`chatemu_http_requests_total{operation="easemob.chatmessages",status="401",vendor="easemob"}`:        1,
		`chatemu_http_requests_total{operation="easemob.archive_download",status="200",vendor="easemob"}`:    1,
		`chatemu_http_requests_total{operation="yunxin.chatroom_history",status="200",vendor="yunxin"}`:      1,
		`chatemu_http_requests_total{operation="yunxin.chatroom_history",status="0",vendor="yunxin"}`:        1,
		`chatemu_http_requests_total{operation="op.user_message_list",status="503",vendor="op"}`:             1,
		`chatemu_http_requests_total{operation="control.metrics",status="200",vendor="control"}`:             1,
		`chatemu_http_requests_total{operation="control.faults",status="201",vendor="control"}`:              2,
		`chatemu_http_requests_total{operation="control.messages",status="201",vendor="control"}`:            1,
		`chatemu_http_requests_total{operation="control.livez",status="200",vendor="control"}`:               1,
		`chatemu_http_requests_total{operation="control.unknown",status="404",vendor="control"}`:             1,
		`chatemu_http_request_duration_seconds_count{operation="easemob.token",vendor="easemob"}`:            2,
		`chatemu_http_response_bytes_total{operation="easemob.token",vendor="easemob"}`:                      float64(bytes["easemob.token"]),
		`chatemu_http_request_duration_seconds_count{operation="easemob.chatmessages",vendor="easemob"}`:     2,
		`chatemu_http_request_duration_seconds_count{operation="easemob.archive_download",vendor="easemob"}`: 1,
		`chatemu_http_request_duration_seconds_count{operation="yunxin.chatroom_history",vendor="yunxin"}`:   2,
		`chatemu_http_request_duration_seconds_count{operation="op.user_message_list",vendor="op"}`:          1,
		`chatemu_http_request_duration_seconds_count{operation="control.metrics",vendor="control"}`:          1,
		`chatemu_http_request_duration_seconds_count{operation="control.faults",vendor="control"}`:           2,
		`chatemu_http_request_duration_seconds_count{operation="control.messages",vendor="control"}`:         1,
		`chatemu_http_request_duration_seconds_count{operation="control.livez",vendor="control"}`:            1,
		`chatemu_http_request_duration_seconds_count{operation="control.unknown",vendor="control"}`:          1,
		`chatemu_http_response_bytes_total{operation="easemob.chatmessages",vendor="easemob"}`:               float64(bytes["easemob.chatmessages"]),
		`chatemu_http_response_bytes_total{operation="easemob.archive_download",vendor="easemob"}`:           float64(bytes["easemob.archive_download"]),
		`chatemu_http_response_bytes_total{operation="yunxin.chatroom_history",vendor="yunxin"}`:             float64(bytes["yunxin.chatroom_history"]),
		`chatemu_http_response_bytes_total{operation="op.user_message_list",vendor="op"}`:                    float64(bytes["op.user_message_list"]),
		`chatemu_easemob_archive_records_total`:                                                              float64(len(records)),
		`chatemu_faults_fired_total{kind="status",vendor="op"}`:                                              1,
		`chatemu_faults_fired_total{kind="drop",vendor="yunxin"}`:                                            1,
		`chatemu_injected_messages_total`: 3,
		`chatemu_journal_entries`:         8,
		`chatemu_journal_bytes`:           float64(l.srv.Journal().Bytes()),
	}
	// Control answers' bytes: whatever they were, counted; checked for
	// presence, not size, which the control API owns.
	for k := range got {
		if strings.HasPrefix(k, `chatemu_http_response_bytes_total{operation="control.`) {
			delete(got, k)
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s moved by %v, want %v", k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && !strings.HasPrefix(k, "chatemu_http_request_duration_seconds_bucket") {
			t.Errorf("%s moved by %v unasked", k, g)
		}
	}
	// The journal's limits and the build are gauges that do not move.
	for _, k := range []string{`chatemu_journal_max_entries`, `chatemu_journal_max_bytes`, `chatemu_build_info{version="devel"}`} {
		if after[k] == 0 {
			t.Errorf("%s = 0", k)
		}
	}
	// The runtime and process collectors are there.
	for _, k := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes"} {
		if _, ok := after[k]; !ok {
			t.Errorf("no %s", k)
		}
	}

	// The other server counted only its own first scrape.
	if m := moved(otherBefore, scrape(t, other, nil)); len(m) != 3 ||
		m[`chatemu_http_requests_total{operation="control.metrics",status="200",vendor="control"}`] != 1 ||
		m[`chatemu_http_request_duration_seconds_count{operation="control.metrics",vendor="control"}`] != 1 ||
		m[`chatemu_http_response_bytes_total{operation="control.metrics",vendor="control"}`] <= 0 {
		t.Errorf("the other server's counters moved: %v", m)
	}
}

// TestMetricsGuardedByControlToken: with a control token the scrape needs
// it as a Bearer token, as every control route but health and the probes;
// without one it is open. The exposition is gzip-compressed when the
// scraper asks, as Prometheus does.
func TestMetricsGuardedByControlToken(t *testing.T) {
	l := startLive(t, emulator.Config{ControlToken: "scrape-token"})
	for _, tt := range []struct {
		header http.Header
		status int
	}{
		{nil, 401},
		{http.Header{"Authorization": {"Bearer wrong"}}, 401},
		{http.Header{"Authorization": {"Bearer scrape-token"}}, 200},
	} {
		res, body := l.do(t, "GET", "/_chatemu/metrics", tt.header, "")
		if res.StatusCode != tt.status {
			t.Errorf("%v: %d, want %d", tt.header, res.StatusCode, tt.status)
		}
		if tt.status == 401 && (body != `{"error":"control token required"}`+"\n" || res.Header.Get("WWW-Authenticate") != `Bearer realm="chatemu"`) {
			t.Errorf("401: %q %v", body, res.Header)
		}
	}
	for _, path := range []string{"/livez", "/readyz", "/_chatemu/livez", "/_chatemu/readyz", "/_chatemu/health"} {
		if res, _ := l.do(t, "GET", path, nil, ""); res.StatusCode != 200 {
			t.Errorf("%s without the token: %d", path, res.StatusCode)
		}
	}
	if res, body := l.do(t, "POST", "/_chatemu/metrics", http.Header{"Authorization": {"Bearer scrape-token"}}, ""); res.StatusCode != 405 ||
		res.Header.Get("Allow") != "GET, HEAD" || body != `{"error":"method not allowed"}`+"\n" {
		t.Errorf("POST metrics: %d %v %q", res.StatusCode, res.Header, body)
	}
	res, body := l.do(t, "GET", "/_chatemu/metrics", http.Header{"Authorization": {"Bearer scrape-token"}, "Accept-Encoding": {"gzip"}}, "")
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !strings.Contains(string(plain), "chatemu_http_requests_total{") {
		t.Errorf("gzip exposition: %.300s", plain)
	}
}
