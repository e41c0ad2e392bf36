package testkit_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestConsumerModule builds, vets and runs testdata/consumer as another
// module would: its own go.mod (at this module's declared go version)
// requiring chatemu through a replace, a client of its own, and a test
// that imports nothing of chatemu but testkit. The go command runs offline
// (GOPROXY=off) from this module's go.sum and the module cache.
func TestConsumerModule(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the consumer module: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if m == nil || !bytes.HasPrefix(gomod, []byte("module github.com/chatemu/chatemu\n")) {
		t.Fatalf("%s/go.mod: no module line or go directive", root)
	}

	dir := t.TempDir()
	files, err := filepath.Glob("testdata/consumer/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no consumer sources: %v", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// One import of chatemu, and it is testkit.
		imports := regexp.MustCompile(`"github.com/chatemu/chatemu/[^"]*"`).FindAll(src, -1)
		if filepath.Base(f) == "history_test.go" && (len(imports) != 1 || string(imports[0]) != `"github.com/chatemu/chatemu/testkit"`) {
			t.Errorf("%s imports %s, want testkit alone", f, imports)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mod := "module example.com/history\n\ngo " + string(m[1]) + "\n\n" +
		"require github.com/chatemu/chatemu v0.0.0\n\nreplace github.com/chatemu/chatemu => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}

	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = dir
		// -mod=mod lets go record the indirect requirements it finds in
		// chatemu's go.mod; GOFLAGS from the environment would override it.
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v in the consumer module: %v\n%s\ngo.mod:\n%s", args, err, out, mod)
		}
	}
}
