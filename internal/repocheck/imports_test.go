package repocheck

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// module is the module path of the repository.
const module = "github.com/chatemu/chatemu"

// anything marks a package that may import any package of the module.
var anything = []string{"..."}

// mayImport is the import column of ARCHITECTURE.md: for each package of
// the module (by directory), the packages of the module it may import; a
// trailing "/..." allows a whole tree. Every package must have a row, so a
// new package gets its rules when it is added.
var mayImport = map[string][]string{
	"emulator":                       {"emulator/...", "scenarios"},
	"emulator/internal/routes":       {"emulator/journal"},
	"emulator/internal/respond":      nil,
	"emulator/internal/s3xml":        {"emulator/internal/respond"},
	"emulator/internal/javajson":     nil,
	"emulator/internal/gojson":       {"emulator/internal/javajson"},
	"emulator/internal/appendtext":   nil,
	"emulator/internal/pagecache":    nil,
	"emulator/internal/servecontent": nil,
	"emulator/internal/surfacetest":  nil,
	"emulator/easemob":               vendor,
	"emulator/yunxin":                vendor,
	"emulator/opapi":                 vendor,
	"emulator/control":               {"emulator/world", "emulator/clock", "emulator/faults", "emulator/journal", "emulator/internal/...", "scenarios"},
	"emulator/inspector":             {"emulator/faults"},
	"emulator/world":                 {"fixtures", "emulator/internal/appendtext"},
	"emulator/clock":                 nil,
	"emulator/faults":                nil,
	"emulator/journal":               nil,
	"emulator/tlscert":               nil,
	"emulator/sign":                  {"emulator/internal/s3xml"},
	"scenarios":                      {"emulator/world"},
	"fixtures":                       nil,
	"testkit":                        {"emulator", "emulator/...", "scenarios"},
	"contract":                       {"emulator/clock", "emulator/sign"},
	"contract/replay":                {"contract", "emulator", "emulator/world", "scenarios"},
	"internal/golden":                nil,
	"internal/controltest":           nil,
	"internal/servetest":             nil,
	"internal/repocheck":             nil,
	"internal/loadtest":              anything,
	"cmd/chatemu":                    anything,
	"examples":                       anything,
}

// vendor is what a vendor package may import: the vendor-neutral packages
// and the server's internal ones, never another vendor, the control API or
// the server.
var vendor = []string{"emulator/world", "emulator/clock", "emulator/sign", "emulator/faults", "emulator/journal", "emulator/internal/..."}

// TestImportRules: every package's imports (its non-test files) are among
// those its row allows.
func TestImportRules(t *testing.T) {
	imports := packageImports(t)
	for dir, imps := range imports {
		allowed, ok := mayImport[dir]
		if !ok {
			t.Errorf("package %s has no row in mayImport (and none in ARCHITECTURE.md?)", dir)
			continue
		}
		for _, imp := range imps {
			if !allows(allowed, imp) {
				t.Errorf("%s imports %s, which ARCHITECTURE.md does not allow", dir, imp)
			}
		}
	}
	for dir := range mayImport {
		if _, ok := imports[dir]; !ok {
			t.Errorf("mayImport has a row for %s, which is no package", dir)
		}
	}
}

func allows(allowed []string, imp string) bool {
	for _, a := range allowed {
		if a == "..." || a == imp || strings.HasSuffix(a, "/...") && strings.HasPrefix(imp, strings.TrimSuffix(a, "...")) {
			return true
		}
	}
	return false
}

// packageImports maps each package directory of the module (relative to
// the root, without testdata and the interop module) to the module's
// packages its non-test files import.
func packageImports(t *testing.T) map[string][]string {
	t.Helper()
	root := repoRoot(t)
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (n == "testdata" || n == "interop" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		dir := filepath.ToSlash(rel)
		if _, ok := out[dir]; !ok {
			out[dir] = nil
		}
		for _, s := range f.Imports {
			imp, _ := strconv.Unquote(s.Path.Value)
			if rest, ok := strings.CutPrefix(imp, module+"/"); ok && !slices.Contains(out[dir], rest) {
				out[dir] = append(out[dir], rest)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// repoRoot is the directory of go.mod above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module "+module+"\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod of " + module + " above the test")
		}
		dir = parent
	}
}
