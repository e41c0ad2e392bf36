package opapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/clock"
	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/internal/surfacetest"
	"github.com/chatemu/chatemu/emulator/world"
)

// TestPanicIsTheVendors500: a handler that panics behind userMessageList's
// adapter answers the envelope's code 500 (HTTP 200), one behind the Qiniu
// downloads' adapter Qiniu's 599, and the server goes on serving.
func TestPanicIsTheVendors500(t *testing.T) {
	w, err := world.New(testSpec(t), t0)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{World: w, Clock: clock.Start(t0, true), PublicURL: publicURL})
	r := mux.NewRouter()
	s.Routes(r)
	surfacetest.CheckPanics(t, r, []surfacetest.Panic{
		{Name: "api", Status: 200, Reason: true,
			Handler: s.api.Handle(func(*http.Request) (respond.Response, *Error) { panic("boom api") }),
			Body:    []string{`{"code":500,"message":"系统错误","data":null,"page":null,"foot":{"operationTime":"2026-03-08 17:29:17"`}},
		{Name: "qiniu", Status: 599, Reason: true,
			Handler: s.qiniu.Handle(func(*http.Request) (respond.Response, *qiniuError) { panic("boom qiniu") }),
			Body:    []string{`{"error":"server operation failed"}`}},
	}, func(base string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, base+UserMessageListPath+"?"+listQuery, strings.NewReader(`{"userId":"alice"}`))
		return req
	}, 200)
}
