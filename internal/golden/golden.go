// Package golden is the one golden-file helper of chatemu's tests, and
// their one -update flag: `go test ./emulator/yunxin -update` rewrites the
// golden files of the package (wire formats, error bodies, validation
// output, the contract recordings) instead of comparing against them. Only
// the test binaries that import golden know the flag. Review the diff
// before committing it: a golden file is the contract.
//
// It is imported only by tests, and imports only the standard library.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update is the -update flag, registered once for every test binary that
// imports the package.
var update = flag.Bool("update", false, "rewrite the golden files (and the contract recordings) instead of comparing against them")

// Update reports whether the tests run with -update.
func Update() bool { return *update }

// Check compares got with the golden file at path (relative to the test's
// package directory, usually under testdata/), or writes got there, its
// directory created, when the tests run with -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
