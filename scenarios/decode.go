package scenarios

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder turns a YAML node tree into the raw structs below, strictly, and
// remembers the line of every key it saw so that later checks can point at
// it. Errors are collected, not returned at once; result lists them.
type decoder struct {
	file string
	pos  map[string]int // key path -> line of the key (or of the list item)
	// expanded counts the values free-form fields (ext, data) have expanded
	// to, so that aliases cannot blow a small file up exponentially or loop.
	expanded int

	// errs holds the earliest errors by line, at most 2*MaxErrors between
	// trims; found counts every error recorded.
	errs  []*Error
	found int
	// building is set once the shape is decoded. From then on an error at
	// a key whose shape was wrong (shapeKeys) repeats that error and is
	// dropped, and one elsewhere under the mapping or list that holds such
	// a key (shapeScopes) most likely follows from it (a misspelt key
	// reads as a missing one) and is only counted in skipped.
	building    bool
	shapeKeys   map[string]bool
	shapeScopes map[string]bool
	skipped     int
	sug         *suggester
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[string]int{}, shapeKeys: map[string]bool{}, shapeScopes: map[string]bool{}, sug: newSuggester()}
}

// Bounds on free-form fields (ext, data): all of a file's may expand to at
// most maxGenericValues values, each nested at most maxGenericDepth deep.
const (
	maxGenericValues = 10_000
	maxGenericDepth  = 32
)

// fail records an error at the line of key (or of its nearest ancestor that
// has a line).
func (d *decoder) fail(key, reason string) { d.failAt(d.line(key), key, reason) }

func (d *decoder) failf(key, format string, args ...any) { d.fail(key, fmt.Sprintf(format, args...)) }

func (d *decoder) failAt(line int, key, reason string) {
	if d.building {
		if d.shapeKeys[key] {
			return
		}
		for k := key; ; k = parentPath(k) {
			if d.shapeScopes[k] {
				d.skipped++
				return
			}
			if k == "" {
				break
			}
		}
	} else {
		// The scope of a shape error is the mapping or list that holds the
		// key; a top-level key's is the key alone.
		scope := parentPath(key)
		if scope == "" {
			scope = key
		}
		d.shapeScopes[scope] = true
		d.shapeKeys[key] = true
	}
	d.found++
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Key: key, Reason: reason})
	if len(d.errs) >= 2*MaxErrors {
		d.sortErrors()
		d.errs = d.errs[:MaxErrors]
	}
}

func (d *decoder) sortErrors() {
	sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
}

// line returns the line of key or of its nearest recorded ancestor.
func (d *decoder) line(key string) int {
	for key != "" {
		if l, ok := d.pos[key]; ok {
			return l
		}
		key = parentPath(key)
	}
	return 0
}

// has reports whether key was present with a non-null value.
func (d *decoder) has(key string) bool {
	_, ok := d.pos[key]
	return ok
}

// result returns the errors recorded, earliest line first, as an
// *ErrorList; nil if there are none.
func (d *decoder) result() error {
	if d.found == 0 {
		return nil
	}
	d.sortErrors()
	n := min(len(d.errs), MaxErrors)
	return &ErrorList{Errors: d.errs[:n:n], Omitted: d.found - n, Skipped: d.skipped}
}

func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decodeDocument parses data and decodes its root mapping into v. A syntax
// error, and a document that expands past MaxValues, are returned at once;
// shape errors are collected.
func (d *decoder) decodeDocument(data []byte, v any) *Error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			return &Error{File: d.file, Line: n, Reason: "YAML: " + m[2]}
		}
		return &Error{File: d.file, Reason: strings.Replace(msg, "yaml: ", "YAML: ", 1)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil // an empty file is an empty scenario
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if err := d.countValues(root); err != nil {
		return err
	}
	d.decode(root, "", root.Line, reflect.ValueOf(v).Elem())
	return nil
}

// duration is a scenario duration: Go syntax plus a "d" suffix for days.
type duration time.Duration

// weight is one entry of a traffic stream's types mapping.
type weight struct {
	Name   string
	Weight int
	Line   int
}

// weights keeps a types mapping in the order written.
type weights []weight

var (
	timeType     = reflect.TypeOf(time.Time{})
	durationType = reflect.TypeOf(duration(0))
	weightsType  = reflect.TypeOf(weights(nil))
	extsType     = reflect.TypeOf(Exts(nil))
	anyMapType   = reflect.TypeOf(map[string]any(nil))
	roomIDType   = reflect.TypeOf(RoomID(0))
)

// decode decodes n into v. path names the value (for errors and pos) and
// line is the line of its key.
func (d *decoder) decode(n *yaml.Node, path string, line int, v reflect.Value) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if isNull(n) {
		return // absent
	}
	d.pos[path] = line
	switch v.Type() {
	case timeType:
		s, ok := d.scalarString(n, path, line, "an RFC 3339 time")
		if !ok {
			return
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			d.failAt(line, path, fmt.Sprintf("want an RFC 3339 time such as 2026-11-20T10:00:00Z, got %q", s))
			return
		}
		v.Set(reflect.ValueOf(t))
		return
	case durationType:
		s, ok := d.scalarString(n, path, line, "a duration")
		if !ok {
			return
		}
		dur, err := parseDuration(s)
		if err != nil {
			d.failAt(line, path, err.Error())
			return
		}
		v.SetInt(int64(dur))
		return
	case weightsType:
		if !d.want(n, yaml.MappingNode, path, line, "a mapping of type names to weights") {
			return
		}
		var ws weights
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			kp := join(path, k.Value)
			if d.dupKey(n, i, kp) {
				continue
			}
			d.pos[kp] = k.Line
			var w int
			d.decode(val, kp, k.Line, reflect.ValueOf(&w).Elem())
			ws = append(ws, weight{Name: k.Value, Weight: w, Line: k.Line})
		}
		v.Set(reflect.ValueOf(ws))
		return
	case extsType:
		if !d.want(n, yaml.MappingNode, path, line, "a mapping of strings to strings") {
			return
		}
		var es Exts
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			kp := join(path, k.Value)
			if d.dupKey(n, i, kp) {
				continue
			}
			var s string
			d.decode(val, kp, k.Line, reflect.ValueOf(&s).Elem())
			es = append(es, [2]string{k.Value, s})
		}
		v.Set(reflect.ValueOf(es))
		return
	case roomIDType:
		s, ok := d.scalarString(n, path, line, "a chat room number")
		if !ok {
			return
		}
		id, err := parseRoomID(s, describe(n))
		if err != nil {
			d.failAt(line, path, err.Error())
			return
		}
		v.SetInt(int64(id))
		return
	case anyMapType:
		if !d.want(n, yaml.MappingNode, path, line, "a mapping") {
			return
		}
		v.Set(reflect.ValueOf(d.generic(n, path).(map[string]any)))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, path, line, v)
	case reflect.Slice:
		if !d.want(n, yaml.SequenceNode, path, line, "a list") {
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, fmt.Sprintf("%s[%d]", path, i), item.Line, s.Index(i))
		}
		v.Set(s)
	case reflect.String:
		if s, ok := d.scalarString(n, path, line, "a string"); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.failAt(line, path, "want true or false, got "+describe(n))
			return
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			d.failAt(line, path, "want true or false, got "+describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.failAt(line, path, "want an integer, got "+describe(n))
			return
		}
		var i int64
		if err := n.Decode(&i); err != nil {
			d.failAt(line, path, "want an integer, got "+describe(n))
			return
		}
		v.SetInt(i)
	case reflect.Uint64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.failAt(line, path, "want a non-negative integer, got "+describe(n))
			return
		}
		var u uint64
		if err := n.Decode(&u); err != nil {
			d.failAt(line, path, "want a non-negative integer, got "+describe(n))
			return
		}
		v.SetUint(u)
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			d.failAt(line, path, "want a number, got "+describe(n))
			return
		}
		var f float64
		if err := n.Decode(&f); err != nil {
			d.failAt(line, path, "want a number, got "+describe(n))
			return
		}
		v.SetFloat(f)
	default:
		panic("scenarios: cannot decode into " + v.Type().String())
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, path string, line int, v reflect.Value) {
	if !d.want(n, yaml.MappingNode, path, line, "a mapping") {
		return
	}
	fields := yamlFields(v.Type())
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		kp := join(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			d.failAt(k.Line, path, "a key must be a plain string")
			continue
		}
		if d.dupKey(n, i, kp) {
			continue
		}
		idx, ok := fields[k.Value]
		if !ok {
			d.failAt(k.Line, kp, d.sug.didYouMean("unknown key", k.Value, sortedKeys(fields)))
			continue
		}
		d.decode(val, kp, k.Line, v.Field(idx))
	}
}

// dupKey reports (and records) whether the key at n.Content[i] repeats an
// earlier key of the same mapping.
func (d *decoder) dupKey(n *yaml.Node, i int, kp string) bool {
	for j := 0; j < i; j += 2 {
		if n.Content[j].Value == n.Content[i].Value {
			d.failAt(n.Content[i].Line, kp, fmt.Sprintf("key repeated (first at line %d)", n.Content[j].Line))
			return true
		}
	}
	return false
}

// yamlFields maps yaml tag names to field indexes.
func yamlFields(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		m[name] = i
	}
	return m
}

func (d *decoder) want(n *yaml.Node, kind yaml.Kind, path string, line int, what string) bool {
	if n.Kind == kind {
		return true
	}
	d.failAt(line, path, "want "+what+", got "+describe(n))
	return false
}

// scalarString accepts any non-null, non-boolean scalar as a string, written
// as it appears, so that numeric-looking ids (Easemob user 10001, Yunxin room
// 10001) need no quotes.
func (d *decoder) scalarString(n *yaml.Node, path string, line int, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" || n.Tag == "!!null" || n.Tag == "!!binary" {
		d.failAt(line, path, "want "+what+", got "+describe(n))
		return "", false
	}
	return n.Value, true
}

// generic decodes a mapping, list or scalar into plain Go values (string
// keys, int, float64, bool, string, nil).
func (d *decoder) generic(n *yaml.Node, path string) any { return d.genericAt(n, path, 0) }

func (d *decoder) genericAt(n *yaml.Node, path string, depth int) any {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if depth > maxGenericDepth {
		d.failAt(n.Line, path, fmt.Sprintf("free-form value nested deeper than %d (an alias to itself?)", maxGenericDepth))
		return nil
	}
	if d.expanded++; d.expanded > maxGenericValues {
		if d.expanded == maxGenericValues+1 {
			d.failAt(n.Line, path, fmt.Sprintf("free-form values expand past %d values (aliases?)", maxGenericValues))
		}
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			kp := join(path, k.Value)
			if k.Kind != yaml.ScalarNode {
				d.failAt(k.Line, path, "a key must be a plain string")
				continue
			}
			if d.dupKey(n, i, kp) {
				continue
			}
			m[k.Value] = d.genericAt(n.Content[i+1], kp, depth+1)
			if depth >= maxGenericDepth {
				return m // reported once, at the deepest key
			}
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, item := range n.Content {
			s[i] = d.genericAt(item, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if depth >= maxGenericDepth {
				return s
			}
		}
		return s
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str", "!!timestamp", "!!binary":
			return n.Value
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return n.Value
		}
		return v
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names what a node is, for "want X, got Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int":
			return "the integer " + n.Value
		case "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!null":
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

var daysPrefix = regexp.MustCompile(`^(\d+)d`)

// parseDuration parses Go duration syntax with an optional leading whole
// number of days: "90m", "72h", "3d", "1d12h".
func parseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("want a duration such as 90m, 72h, 3d or 1d12h, got %q", s)
	str := strings.TrimSpace(s)
	var days time.Duration
	if m := daysPrefix.FindStringSubmatch(str); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > 100000 {
			return 0, bad
		}
		days = time.Duration(n) * 24 * time.Hour
		str = str[len(m[0]):]
		if str == "" {
			return days, nil
		}
	}
	rest, err := time.ParseDuration(str)
	if err != nil || (days > 0 && strings.HasPrefix(str, "-")) {
		return 0, bad
	}
	return days + rest, nil
}
