package controltest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestValidatorStaysInTests: no package of the module but this one
// imports the OpenAPI validator, directly or not, so that it never reaches
// a program or library user built from the module (test files import
// controltest; go list without -test does not see them).
func TestValidatorStaysInTests(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "github.com/chatemu/chatemu/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		if pkg == "github.com/chatemu/chatemu/internal/controltest" {
			continue
		}
		checked++
		for _, d := range strings.Fields(deps) {
			if strings.HasPrefix(d, "github.com/pb33f/") || d == "github.com/chatemu/chatemu/internal/controltest" {
				t.Errorf("%s imports %s", pkg, d)
				break
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d packages listed:\n%s", checked, out)
	}
}
