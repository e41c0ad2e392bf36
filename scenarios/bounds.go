package scenarios

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds on a scenario document, so that no file can make the loader (or
// the world it builds) grow without bound.
const (
	// MaxFileBytes is the largest scenario file Load reads and Parse
	// accepts. The built-ins are a few KB; a file describes traffic, not
	// rows.
	MaxFileBytes = 1 << 20
	// MaxValues bounds the values (mapping keys, values and list items) of
	// the whole document counted as its aliases expand: `members: *U` in
	// 5,000 groups counts U's list 5,000 times. A small file whose aliases
	// multiply (or loop) is refused before anything is built from it.
	MaxValues = 200_000
)

// readBounded reads r up to MaxFileBytes; a longer input is an error, and
// no more than MaxFileBytes+1 bytes are ever held.
func readBounded(r io.Reader) ([]byte, bool, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, false, err
	}
	if len(data) > MaxFileBytes {
		return nil, false, nil
	}
	return data, true, nil
}

// tooLarge is the reason for a file over MaxFileBytes.
var tooLarge = fmt.Sprintf("larger than %d bytes (%d MiB), the most a scenario file may be", MaxFileBytes, MaxFileBytes>>20)

// expansion counts the values of a node tree as its aliases expand,
// without expanding them: the size of an anchored node is computed once
// and reused at every alias to it, so the count costs a walk of the tree
// as written, however far the aliases would multiply it.
type expansion struct {
	limit    int
	total    int
	sizes    map[*yaml.Node]int  // anchored node -> expanded size, capped at limit+1
	visiting map[*yaml.Node]bool // anchored nodes whose size is being computed
	path     []string            // the walk's key path, for the error
}

// countValues walks root in document order and returns the first place
// where the document's expanded size passes MaxValues, or where an alias
// refers to a value that contains it; nil if neither.
func (d *decoder) countValues(root *yaml.Node) *Error {
	x := &expansion{limit: MaxValues, sizes: map[*yaml.Node]int{}, visiting: map[*yaml.Node]bool{}}
	return x.walk(d, root)
}

func (x *expansion) walk(d *decoder, n *yaml.Node) *Error {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil
		}
		size, loop := x.size(n.Alias)
		if loop {
			return &Error{File: d.file, Line: n.Line, Key: x.key(), Reason: fmt.Sprintf("alias *%s refers to a value that contains it (a loop)", n.Value)}
		}
		if x.total+size > x.limit {
			return &Error{File: d.file, Line: n.Line, Key: x.key(), Reason: fmt.Sprintf(
				"the document expands past %d values at alias *%s (%d values each time it is used); write the values out or use fewer aliases",
				x.limit, n.Value, size)}
		}
		x.total += size
		return nil
	}
	if x.total++; x.total > x.limit {
		return &Error{File: d.file, Line: n.Line, Key: x.key(), Reason: fmt.Sprintf("the document has more than %d values", x.limit)}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if err := x.walk(d, c); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			x.path = append(x.path, "."+k.Value)
			err := x.walk(d, k)
			if err == nil {
				err = x.walk(d, v)
			}
			x.path = x.path[:len(x.path)-1]
			if err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			x.path = append(x.path, "["+strconv.Itoa(i)+"]")
			err := x.walk(d, c)
			x.path = x.path[:len(x.path)-1]
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// size returns n's expanded size capped at limit+1, and whether n contains
// an alias to itself or to a node that contains it.
func (x *expansion) size(n *yaml.Node) (int, bool) {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return 0, false
		}
		n = n.Alias
	}
	if s, ok := x.sizes[n]; ok {
		return s, false
	}
	if x.visiting[n] {
		return 0, true
	}
	if n.Anchor != "" {
		x.visiting[n] = true
		defer delete(x.visiting, n)
	}
	total := 1
	for _, c := range n.Content {
		s, loop := x.size(c)
		if loop {
			return 0, true
		}
		if total += s; total > x.limit {
			total = x.limit + 1
		}
	}
	if n.Anchor != "" {
		x.sizes[n] = total
	}
	return total, false
}

// key is the walk's current key path as the decoder names keys:
// easemob.apps[0].groups[3].members.
func (x *expansion) key() string {
	return strings.TrimPrefix(strings.Join(x.path, ""), ".")
}
