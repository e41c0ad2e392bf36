package repocheck

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// outside matches a reference to something a clone of the repository does
// not hold: the notes and vendor pages the project was written from, its
// design notes, the directory beside the repository, and issue numbers of
// a tracker. A comment or a document cites a file of the repository
// (docs/fidelity/easemob.md) or the public source (a URL, an SDK's file)
// instead.
var outside = regexp.MustCompile(`(?i)vendor-notes|vendor-docs|DESIGN\.md|DESIGN §|\.\./shared|/work/shared|\bissue #?[0-9]+|§ ?[0-9]`)

// checked says whether a file is one the test reads: Go, Markdown, YAML,
// shell, Dockerfiles, the examples' sources, and scripts with a #! line.
func checked(path string, head []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".go", ".md", ".yaml", ".yml", ".sh", ".py", ".js", ".mjs", ".java":
		return true
	}
	return strings.HasPrefix(filepath.Base(path), "Dockerfile") || bytes.HasPrefix(head, []byte("#!"))
}

// TestNoReferenceOutsideTheRepository: no file refers to anything outside
// the repository (this file, which holds the pattern, aside).
func TestNoReferenceOutsideTheRepository(t *testing.T) {
	root := repoRoot(t)
	self, err := filepath.Abs("references_test.go")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if p == self || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !checked(p, b[:min(len(b), 2)]) {
			return nil
		}
		files++
		rel, _ := filepath.Rel(root, p)
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			if m := outside.FindString(sc.Text()); m != "" {
				t.Errorf("%s:%d refers outside the repository (%q): %s", rel, n, m, strings.TrimSpace(sc.Text()))
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("only %d files read: the walk missed the repository?", files)
	}
}

// TestOutsidePattern: the pattern catches the references it is for and
// lets the public sources through.
func TestOutsidePattern(t *testing.T) {
	for _, tt := range []struct {
		line string
		bad  bool
	}{
		{"// the 401 texts (vendor-notes §1.5)", true},
		{"kept in /work/shared/vendor-docs/", true},
		{"// in the fake-gcs-server model (DESIGN.md §4)", true},
		{"// Defaults (DESIGN §3).", true},
		{"see ../shared/notes", true},
		{"// Fuzz targets (issue #9)", true},
		{"What Issue 8 asks", true},
		{"// the example (§7)", true},
		{"// https://github.com/johnlui/AliyunOSS/issues/20", false},
		{"// RFC 9110, section 15.3.5", false},
		{"// docs/fidelity/easemob.md", false},
		{"// an issue with the clock", false},
	} {
		if got := outside.MatchString(tt.line); got != tt.bad {
			t.Errorf("%q: matched %v, want %v", tt.line, got, tt.bad)
		}
	}
}
