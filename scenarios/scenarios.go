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

	err error // the cause, when the file could not be read
}

// Unwrap returns the cause of an error reading the file (fs.ErrNotExist,
// …), nil for an error in the file's content.
func (e *Error) Unwrap() error { return e.err }

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
// *Error.
func Load(nameOrPath string) (*world.Spec, error) {
	if spec, err := loadBuiltin(nameOrPath); spec != nil || err != nil {
		return spec, err
	}
	spec, err := LoadFile(nameOrPath)
	var se *Error
	if errors.As(err, &se) && se.Line == 0 && errors.Is(err, fs.ErrNotExist) {
		se.Reason = fmt.Sprintf("no such file, and not a built-in scenario (built-ins: %s)", strings.Join(Names(), ", "))
	}
	return spec, err
}

// LoadFile returns the spec of the scenario file at path, even if path is
// also the name of an embedded scenario. It reads at most MaxFileBytes.
// Every error is an *Error naming the file.
func LoadFile(path string) (*world.Spec, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

func readFile(path string) ([]byte, *Error) {
	fail := func(err error) *Error {
		reason := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error()
		}
		return &Error{File: path, Reason: reason, err: err}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail(err)
	}
	defer f.Close()
	data, ok, err := readBounded(f)
	if err != nil {
		return nil, fail(err)
	}
	if !ok {
		return nil, &Error{File: path, Reason: tooLarge}
	}
	return data, nil
}

// loadBuiltin returns nil, nil when name is not a built-in scenario.
func loadBuiltin(name string) (*world.Spec, error) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, nil
	}
	file := path.Join("builtin", name+".yaml")
	data, err := builtin.ReadFile(file)
	if err != nil {
		return nil, nil
	}
	return Parse(file, data)
}

// Parse parses scenario YAML; filename is used only in error messages (and
// for the spec's name when the file gives none). Every error is an *Error.
//
// Parse reports one error: the first by line among the errors of the first
// kind found, where shape errors (YAML syntax, unknown or duplicate keys,
// wrong YAML types, unparsable durations and times) come before meaning
// errors (enums, ranges, references, duplicate ids), so that a typo does not
// surface as a confusing reference error elsewhere.
func Parse(filename string, data []byte) (*world.Spec, error) {
	if len(data) > MaxFileBytes {
		return nil, &Error{File: filename, Reason: tooLarge}
	}
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
