package yunxin

import (
	"net/http"
	"testing"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/internal/surfacetest"
	"github.com/chatemu/chatemu/emulator/world"
)

// TestPanicIsTheVendors500: a handler that panics behind the history API's
// adapter answers Yunxin's code 500 in an HTTP 200 envelope, one behind the
// attachment files' adapter NOS's InternalError, and the server goes on
// serving.
func TestPanicIsTheVendors500(t *testing.T) {
	w, err := world.New(testSpec(), t0)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.Start(t0, true)
	s := New(Config{World: w, Clock: clk, PublicURL: "http://chatemu.test"})
	r := mux.NewRouter()
	s.Routes(r)
	surfacetest.CheckPanics(t, r, []surfacetest.Panic{
		{Name: "api", Status: 200, Reason: true,
			Handler: s.api.Handle(func(*http.Request) (respond.Response, *Error) { panic("boom api") }),
			Body:    []string{`{"code":500,"msg":"internal server error","data":{}}`}},
		{Name: "nos", Status: 500, Reason: true,
			Handler: s.nos.Handle(func(*http.Request) (respond.Response, *nosError) { panic("boom nos") }),
			Body:    []string{"<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>"}},
	}, func(base string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, base+"/im/v2/chatrooms/100/messages", nil)
		sign(&env{clk: clk}, req, appMain, "n0nce")
		return req
	}, 200)
}
