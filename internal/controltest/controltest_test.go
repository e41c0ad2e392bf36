package controltest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/internal/controltest"
)

// recorder collects what a Transport reports.
type recorder struct{ errs []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestCheckerCatches runs exchanges against a fake server that answers what
// each row says: a server that keeps to the document passes, one that
// breaks it in any of the ways the rules name is reported.
func TestCheckerCatches(t *testing.T) {
	c, err := controltest.New(control.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		header                   map[string]string
		answer                   string
		want                     string // "" passes; else a part of the report
	}{
		{"clock", "GET", "/_chatemu/clock", "", 200, nil, `{"now":"2026-11-20T10:00:00.000Z","frozen":true}`, ""},
		{"clock with an extra key", "GET", "/_chatemu/clock", "", 200, nil, `{"now":"2026-11-20T10:00:00.000Z","frozen":true,"tz":"UTC"}`, "does not match the document"},
		{"clock frozen as a string", "GET", "/_chatemu/clock", "", 200, nil, `{"now":"2026-11-20T10:00:00.000Z","frozen":"yes"}`, "does not match the document"},
		{"undocumented status", "GET", "/_chatemu/clock", "", 418, nil, `{"error":"teapot"}`, "does not match the document"},
		{"error body of another shape", "POST", "/_chatemu/clock", `{"advance":"1d"}`, 400, nil, `{"message":"bad"}`, "does not match the document"},
		{"refused request refused", "POST", "/_chatemu/clock", `{"advance":"1d"}`, 400, nil, `{"error":"advance: …"}`, ""},
		{"refused request taken", "POST", "/_chatemu/clock", `{"advance":"1d"}`, 200, nil, `{"now":"2026-11-20T10:00:00.000Z","frozen":true}`, "the document refuses the request"},
		{"two changes taken", "POST", "/_chatemu/clock", `{"advance":"1h","frozen":true}`, 200, nil, `{"now":"2026-11-20T10:00:00.000Z","frozen":true}`, "the document refuses the request"},
		{"unknown path answered", "GET", "/_chatemu/clocks", "", 200, nil, `{}`, "must be 404"},
		{"unknown path 404", "GET", "/_chatemu/clocks", "", 404, nil, `{"error":"no control route /_chatemu/clocks"}`, ""},
		{"unknown path, bare 404", "GET", "/_chatemu/clocks", "", 404, nil, `404 page not found`, "want JSON"},
		{"wrong method 405", "PUT", "/_chatemu/clock", "", 405, map[string]string{"Allow": "GET, POST"}, `{"error":"method not allowed"}`, ""},
		{"wrong method, Allow short", "PUT", "/_chatemu/clock", "", 405, map[string]string{"Allow": "GET"}, `{"error":"method not allowed"}`, "the document's methods are"},
		{"wrong method served", "PUT", "/_chatemu/clock", "", 200, nil, `{}`, "must be 405"},
		{"tenant with a raw slash", "DELETE", "/_chatemu/tenants/easemob:o/a", "", 204, nil, "", ""},
		{"tenant with %2F", "DELETE", "/_chatemu/tenants/easemob:o%2Fa", "", 204, nil, "", ""},
		{"fault id with a slash", "DELETE", "/_chatemu/faults/f/1", "", 204, nil, "", "must be 404"},
		{"bad query refused", "GET", "/_chatemu/requests?limit=0", "", 400, nil, `{"error":"limit: …"}`, ""},
		{"bad query taken", "GET", "/_chatemu/requests?vendor=wechat", "", 200, nil, `{"requests":[],"size":1,"max_bytes":1,"bytes":0,"last_seq":0}`, "the document refuses the request"},
		{"vendor routes unchecked", "GET", "/chatemu/demo/chatmessages/2026112010", "", 200, nil, `anything`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.answer != "" && !strings.HasPrefix(tt.answer, "404 ") {
					w.Header().Set("Content-Type", "application/json; charset=utf-8")
				}
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				if tt.status == 200 || tt.status == 201 {
					w.Header().Set("Cache-Control", "no-store")
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.answer))
			}))
			defer srv.Close()
			rec := &recorder{}
			client := &http.Client{Transport: c.Transport(rec, srv.Client().Transport)}
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			got := strings.Join(rec.errs, "\n")
			switch {
			case tt.want == "" && got != "":
				t.Errorf("reported %s", got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("report %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
