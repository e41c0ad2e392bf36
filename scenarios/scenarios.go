// Package scenarios holds the scenario format, the strict loader and
// validator, and the built-in scenarios.
//
// A scenario file (YAML, DESIGN.md §3) describes tenants, their users, groups
// and rooms, traffic streams and literal messages; Load and Parse turn it into
// a world.Spec. The loader is strict: an unknown key, a value of the wrong
// YAML type, a bad duration, time or enum, and a reference to something that
// does not exist are all errors that name the file, the line and the key.
//
// It imports world but no vendor package.
package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/chatemu/chatemu/emulator/world"
)

//go:embed builtin/*.yaml
var builtin embed.FS

// Error is a scenario load error. Its text is "file:line: key: reason"; the
// key is a path such as easemob.apps[0].traffic[1].to. Parts that are unknown
// are left out: a file that cannot be read has no line, a YAML syntax error
// has no key, and an error from ToWorld has neither file nor line.
type Error struct {
	File   string
	Line   int
	Key    string
	Reason string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Names lists the embedded scenarios, sorted.
func Names() []string {
	entries, err := fs.ReadDir(builtin, "builtin")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Describe returns the description of the embedded scenario name.
func Describe(name string) (string, bool) {
	spec, err := loadBuiltin(name)
	if err != nil || spec == nil {
		return "", false
	}
	return spec.Description, true
}

// Load returns the spec of an embedded scenario by name ("default", "empty",
// "busy") or, if name is not one, of the file at that path. Every error is an
// *Error. An embedded scenario is parsed once per process: its spec's
// slices are shared by every Load of it, so treat them as read-only (the
// emulator and the world do).
func Load(nameOrPath string) (*world.Spec, error) {
	if spec, err := loadBuiltin(nameOrPath); spec != nil || err != nil {
		return spec, err
	}
	data, err := os.ReadFile(nameOrPath)
	if err != nil {
		reason := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error()
		}
		if errors.Is(err, fs.ErrNotExist) {
			reason = fmt.Sprintf("no such file, and not a built-in scenario (built-ins: %s)", strings.Join(Names(), ", "))
		}
		return nil, &Error{File: nameOrPath, Reason: reason}
	}
	return Parse(nameOrPath, data)
}

// loadBuiltin returns nil, nil when name is not a built-in scenario.
func loadBuiltin(name string) (*world.Spec, error) {
	parse, ok := builtinSpecs[name]
	if !ok {
		return nil, nil
	}
	spec, err := parse()
	if err != nil {
		return nil, err
	}
	cp := *spec
	return &cp, nil
}

// builtinSpecs parses each embedded scenario on its first load and keeps
// the result: the files never change, and parsing one costs more than the
// rest of a testkit.Start. Made once at init and never changed.
var builtinSpecs = func() map[string]func() (*world.Spec, error) {
	m := map[string]func() (*world.Spec, error){}
	for _, name := range Names() {
		file := path.Join("builtin", name+".yaml")
		m[name] = sync.OnceValues(func() (*world.Spec, error) {
			data, err := builtin.ReadFile(file)
			if err != nil {
				return nil, err
			}
			return Parse(file, data)
		})
	}
	return m
}()

// Parse parses scenario YAML; filename is used only in error messages (and
// for the spec's name when the file gives none). Every error is an *Error.
//
// Parse reports one error: the first by line among the errors of the first
// kind found, where shape errors (YAML syntax, unknown or duplicate keys,
// wrong YAML types, unparsable durations and times) come before meaning
// errors (enums, ranges, references, duplicate ids), so that a typo does not
// surface as a confusing reference error elsewhere.
func Parse(filename string, data []byte) (*world.Spec, error) {
	d := &decoder{file: filename, pos: map[string]int{}}
	var raw rawFile
	if err := d.decodeDocument(data, &raw); err != nil {
		return nil, err
	}
	if err := d.first(); err != nil {
		return nil, err
	}
	spec := d.build(&raw)
	if err := d.first(); err != nil {
		return nil, err
	}
	if spec.Name == "" {
		base := filepath.Base(filename)
		spec.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	return spec, nil
}
