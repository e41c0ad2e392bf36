// Package scenarios holds the scenario format, the strict loader and
// validator, and the built-in scenarios.
//
// A scenario file (YAML, docs/scenarios.md) describes tenants, their users, groups
// and rooms, traffic streams and literal messages; Load and Parse turn it into
// a world.Spec. The loader is strict: an unknown key, a value of the wrong
// YAML type, a bad duration, time or enum, and a reference to something that
// does not exist are all errors that name the file, the line and the key,
// reported all at once (an *ErrorList), with a suggestion for a misspelt
// key, name or type. Its input is bounded: MaxFileBytes, and MaxValues as
// aliases expand.
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

// MaxErrors is how many errors an *ErrorList lists; it counts the rest.
const MaxErrors = 50

// ErrorList is every error found in a scenario file, earliest line first:
// its text is one "file:line: key: reason" a line. errors.As finds its
// first *Error.
type ErrorList struct {
	// Errors are the first MaxErrors errors by line.
	Errors []*Error
	// Omitted counts the errors found past MaxErrors.
	Omitted int
	// Skipped counts the errors found under keys whose shape was wrong
	// (a misspelt key, a value of the wrong type), which most likely
	// follow from those and are not listed.
	Skipped int
}

// Error writes the errors one a line, then how many more were found and
// not listed.
func (l *ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l.Errors {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	file := ""
	if len(l.Errors) > 0 && l.Errors[0].File != "" {
		file = l.Errors[0].File + ": "
	}
	if l.Omitted > 0 {
		fmt.Fprintf(&b, "\n%s%s not listed (at most %d are)", file, plural(l.Omitted, "more error"), MaxErrors)
	}
	if l.Skipped > 0 {
		fmt.Fprintf(&b, "\n%s%s under the keys above, which may follow from them: fix those and run again", file, plural(l.Skipped, "more error"))
	}
	return b.String()
}

// Unwrap returns the listed errors, for errors.As and errors.Is.
func (l *ErrorList) Unwrap() []error {
	out := make([]error, len(l.Errors))
	for i, e := range l.Errors {
		out[i] = e
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Error is a scenario load error. Its text is "file:line: key: reason"; the
// key is a path such as easemob.apps[0].traffic[1].to. Parts that are unknown
// are left out: a file that cannot be read has no line, a YAML syntax error
// has no key, and an error from ToWorld has neither file nor line. Load
// and Parse return them in an *ErrorList.
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
// "busy") or, if name is not one, of the file at that path. Its error is an
// *ErrorList, as Parse's. An embedded scenario is parsed once per process
// and each Load returns its own copy (world.Spec.Clone).
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
// Its error is an *ErrorList, as Parse's.
func LoadFile(path string) (*world.Spec, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, &ErrorList{Errors: []*Error{err}}
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
	parse, ok := builtinSpecs[name]
	if !ok {
		return nil, nil
	}
	spec, err := parse()
	if err != nil {
		return nil, err
	}
	// A copy that shares no slice: callers (tests above all) may change
	// their spec without changing the cached one.
	return spec.Clone(), nil
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
// for the spec's name when the file gives none).
//
// Parse reports every error it finds at once, as an *ErrorList, earliest
// line first (at most MaxErrors of them; errors.As finds the first
// *Error). The exceptions stop it at the first: YAML syntax, input over
// MaxFileBytes, and a document that expands past MaxValues. An error under
// a key whose shape is wrong (an unknown or misspelt key, a value of the
// wrong YAML type) is counted but not listed, since it most likely follows
// from that one.
func Parse(filename string, data []byte) (*world.Spec, error) {
	if len(data) > MaxFileBytes {
		return nil, &ErrorList{Errors: []*Error{{File: filename, Reason: tooLarge}}}
	}
	d := newDecoder(filename)
	var raw rawFile
	if err := d.decodeDocument(data, &raw); err != nil {
		return nil, &ErrorList{Errors: []*Error{err}}
	}
	d.building = true
	spec := d.build(&raw)
	if err := d.result(); err != nil {
		return nil, err
	}
	if spec.Name == "" {
		base := filepath.Base(filename)
		spec.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	return spec, nil
}
