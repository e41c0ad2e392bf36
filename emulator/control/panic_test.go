package control

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/internal/surfacetest"
	"github.com/chatemu/chatemu/emulator/world"
)

// TestPanicIsA500: a panic inside a control handler (here the server's
// reset, which POST /_chatemu/reset calls) is a JSON 500, not a dropped
// connection, and the API goes on serving.
func TestPanicIsA500(t *testing.T) {
	w, err := world.New(testSpec(), t0)
	if err != nil {
		t.Fatal(err)
	}
	api := New(Config{World: w, Clock: clock.Start(t0, true), Reset: func() { panic("boom control") }, PublicURL: publicURL})
	r := mux.NewRouter()
	api.Routes(r)
	srv := httptest.NewServer(r)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+Prefix+"reset", nil)
	res := surfacetest.Do(t, srv.Client(), req)
	if res.Status != 500 || string(res.Body) != `{"error":"chatemu bug: panic: boom control"}`+"\n" ||
		res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("reset: HTTP %d %s %q", res.Status, res.Body, res.Header.Get("Content-Type"))
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL+Prefix+"health", nil)
	if res := surfacetest.Do(t, srv.Client(), req); res.Status != 200 {
		t.Errorf("health after the panic: HTTP %d %s", res.Status, res.Body)
	}
}
