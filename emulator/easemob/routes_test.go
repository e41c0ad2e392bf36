package easemob

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/internal/surfacetest"
	"github.com/chatemu/chatemu/emulator/sign"
)

// TestPanicIsTheVendors500: a handler that panics behind the REST adapter
// answers Easemob's 500 envelope, one behind the archive downloads' adapter
// OSS's InternalError, and the server goes on serving.
func TestPanicIsTheVendors500(t *testing.T) {
	e := newEnv(t, testSpec(), testBase)
	surfacetest.CheckPanics(t, e.router, []surfacetest.Panic{
		{Name: "rest", Status: 500, Reason: true,
			Handler: e.s.rest.Handle(func(*http.Request) (respond.Response, *Error) { panic("boom rest") }),
			Body:    []string{`{"error":"internal_server_error","timestamp":1795170600000,"duration":0,"exception":"javax.ws.rs.InternalServerErrorException","error_description":"HTTP 500 Internal Server Error"}`}},
		{Name: "oss", Status: 500, Reason: true,
			Handler: e.s.oss.Handle(func(*http.Request) (respond.Response, *sign.OSSError) { panic("boom oss") }),
			Body:    []string{"<Code>InternalError</Code>", "<Message>We encountered an internal error. Please try again.</Message>"}},
	}, func(base string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, base+"/acme/chat/token", strings.NewReader(tokenBody(app("acme", "chat", ""), "")))
		req.Header.Set("Content-Type", "application/json")
		return req
	}, 200)
}
