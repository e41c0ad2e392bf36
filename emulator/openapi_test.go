package emulator_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/internal/controltest"
)

// openAPIChecker checks the control exchanges of the tests that drive a
// live server (startLive) against the control API's OpenAPI document.
var openAPIChecker = sync.OnceValues(func() (*controltest.Checker, error) { return controltest.New(control.OpenAPI()) })

// checkControl wraps next so that every control exchange through it is
// checked against the document, a mismatch failing t; vendor requests pass
// through untouched.
func checkControl(t *testing.T, next http.RoundTripper) http.RoundTripper {
	t.Helper()
	c, err := openAPIChecker()
	if err != nil {
		t.Fatal(err)
	}
	return c.Transport(t, next)
}
