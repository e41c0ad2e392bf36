package control

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/chatemu/chatemu/emulator/internal/routes"
)

// TestControlTokenGuardsEveryRoute walks the route table itself, so a route
// added later is covered without editing this test: every method of every
// route but health answers 401 without the token or with a wrong one, and
// is let through (anything but 401) with the right one.
func TestControlTokenGuardsEveryRoute(t *testing.T) {
	f := newFixture(t, "s3cret")
	param := regexp.MustCompile(`\{[^}]+\}`)
	checked := 0
	endpoints := f.api.endpoints()
	for _, route := range routes.Table() {
		rt, ok := endpoints[route.Name]
		if route.Surface != routes.Control || route.Prefix || route.Name == routes.ControlUI {
			continue // the catch-all; the inspector's pages, the server's
		}
		if !ok {
			t.Fatalf("the table's %s has no endpoint", route.Name)
		}
		path := param.ReplaceAllString(route.Path, "x")
		for method := range rt.methods {
			for _, auth := range []string{"", "Bearer wrong", "Basic s3cret", "Bearer s3cre"} {
				status, _, body := f.do(t, method, path, auth, "{}")
				if rt.open {
					if status == http.StatusUnauthorized {
						t.Errorf("%s %s (open) with %q: 401", method, path, auth)
					}
					continue
				}
				if status != http.StatusUnauthorized || body != `{"error":"control token required"}`+"\n" {
					t.Errorf("%s %s with %q: %d %s, want 401", method, path, auth, status, body)
				}
				checked++
			}
			if status, _, body := f.do(t, method, path, "Bearer s3cret", "{}"); status == http.StatusUnauthorized {
				t.Errorf("%s %s with the token: 401 %s", method, path, body)
			}
		}
	}
	if checked < 4*10 {
		t.Fatalf("only %d guarded requests checked: the route table shrank?", checked)
	}
}
