package emulator

import (
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
)

// TestRouteNamesAreOperations: the route table names the vendor routes, and
// the journal records those names as operations; every vendor route's name
// is one of journal.Operations, and every operation is some route's name,
// so the typed constants and the routes cannot drift. (The control API's
// routes are named control.…; the journal does not record them.)
func TestRouteNamesAreOperations(t *testing.T) {
	s, err := New(Config{Spec: &world.Spec{Name: "empty", Seed: 1}, PublicURL: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	named := map[journal.Operation]bool{}
	err = s.router.get().Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if name := route.GetName(); name != "" && !strings.HasPrefix(name, "control.") {
			op := journal.Operation(name)
			if !op.Known() {
				t.Errorf("route %q is not a journal.Operation", name)
			}
			named[op] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range journal.Operations {
		if !named[op] && op != journal.UnknownOperation(op.Vendor()) {
			t.Errorf("operation %s names no route", op)
		}
	}
	if len(named) < len(journal.Operations)-1 {
		t.Errorf("%d named routes for %d operations", len(named), len(journal.Operations))
	}
}
