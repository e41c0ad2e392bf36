package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// groupsBomb is a small file whose aliases multiply: users U (n users)
// and groups groups, each with members: *U. 5,000 × 1,000 is 244 KB on
// disk and five million values expanded.
func groupsBomb(groups, users int) []byte {
	var b bytes.Buffer
	b.WriteString("easemob:\n  apps:\n    - org: a\n      app: b\n      users: &U [")
	for i := range users {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "u%d", i)
	}
	b.WriteString("]\n      groups:\n")
	for i := range groups {
		fmt.Fprintf(&b, "        - {id: grp%d, owner: u0, members: *U}\n", i)
	}
	return b.Bytes()
}

// allocated returns the bytes f allocates (runtime.MemStats.TotalAlloc):
// the loader's work, whatever the machine's speed.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestAliasExpansionBounded: a 244 KB file whose groups each alias a list
// of 1,000 users expands to five million values; it is refused where it
// crosses MaxValues, having cost a few MiB (the loader used to allocate
// gigabytes building it).
func TestAliasExpansionBounded(t *testing.T) {
	data := groupsBomb(5000, 1000)
	if len(data) > 250_000 {
		t.Fatalf("bomb is %d bytes, want a small file", len(data))
	}
	var err error
	alloc := allocated(func() { _, err = Parse("bomb.yaml", data) })
	// The app's 1,014 values (U's list counts 1,001) and 197 groups of
	// 1,007 values (the mapping, its keys and values, *U counting 1,001)
	// fit under the bound; group 197's alias passes it.
	want := "bomb.yaml:204: easemob.apps[0].groups[197].members: the document expands past 200000 values at alias *U " +
		"(1001 values each time it is used); write the values out or use fewer aliases"
	if err == nil || err.Error() != want {
		t.Errorf("Parse(bomb) = %v\nwant %s", err, want)
	}
	const limit = 32 << 20
	if alloc > limit {
		t.Errorf("refusing the bomb allocated %d MiB, want at most %d MiB", alloc>>20, limit>>20)
	}

	// The same shape under the bound loads, and its groups hold the users.
	small := groupsBomb(50, 1000)
	spec, err := Parse("small.yaml", small)
	if err != nil {
		t.Fatal(err)
	}
	if g := spec.Easemob[0].Groups; len(g) != 50 || len(g[49].Members) != 1000 {
		t.Errorf("%d groups, last with %d members", len(g), len(g[len(g)-1].Members))
	}
}

// TestDocumentBounds: the other ways a document can pass its bounds.
func TestDocumentBounds(t *testing.T) {
	flat := func(n int) []byte { // n users named "a": the count is refused before the duplicates
		return []byte("easemob:\n  apps:\n    - {org: o, app: a, users: [" + strings.Repeat("a,", n-1) + "a]}\n")
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"values without aliases", flat(MaxValues), "x.yaml:3: easemob.apps[0].users[199988]: the document has more than 200000 values"},
		{"nested aliases", []byte("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
			"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"),
			"x.yaml:6: f[0]: the document expands past 200000 values at alias *e (111111 values each time it is used)"},
		// 2^72 values if expanded: refused where the definitions pass the
		// bound, long before the sizes could overflow.
		{"doubling aliases", []byte("a: &a [x, x]\n" + nest(70) + "z: [*a70]\n"),
			"x.yaml:16: a15[1]: the document expands past 200000 values at alias *a14 (65535 values each time it is used)"},
		{"loop through a list", []byte("users: &u [a, [b, *u]]\n"), "x.yaml:1: users[1][1]: alias *u refers to a value that contains it (a loop)"},
		{"too large", append([]byte("name: x\n#"), bytes.Repeat([]byte("."), MaxFileBytes)...),
			"x.yaml: larger than 1048576 bytes (1 MiB), the most a scenario file may be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", tt.data)
			var se *Error
			if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Parse = %v\nwant prefix %s", err, tt.want)
			}
		})
	}
}

// nest writes a1: &a1 [*a, *a] … an: &an [*a(n-1), *a(n-1)]: 2^n values.
func nest(n int) string {
	var b strings.Builder
	prev := "a"
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("a%d", i)
		fmt.Fprintf(&b, "%s: &%s [*%s, *%s]\n", name, name, prev, prev)
		prev = name
	}
	return b.String()
}

// TestLoadReadsAtMostMaxFileBytes: Load refuses a larger file without
// reading it all.
func TestLoadReadsAtMostMaxFileBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// 64 MiB, sparse: cheap to make, expensive to read whole.
	if err := f.Truncate(64 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var lerr error
	alloc := allocated(func() { _, lerr = Load(path) })
	if want := path + ": larger than 1048576 bytes (1 MiB), the most a scenario file may be"; lerr == nil || lerr.Error() != want {
		t.Errorf("Load = %v\nwant %s", lerr, want)
	}
	if alloc > 16<<20 {
		t.Errorf("refusing a 64 MiB file allocated %d MiB", alloc>>20)
	}
	// A file of exactly MaxFileBytes is read.
	exact := append([]byte("name: edge\n"), bytes.Repeat([]byte("#"), MaxFileBytes-len("name: edge\n"))...)
	if err := os.WriteFile(path, exact, 0o644); err != nil {
		t.Fatal(err)
	}
	if spec, err := Load(path); err != nil || spec.Name != "edge" {
		t.Errorf("Load(%d bytes) = %+v, %v", len(exact), spec, err)
	}
}
