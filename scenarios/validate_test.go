package scenarios

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/internal/golden"
)

// TestValidateListsEveryError: a file with many mistakes gets them all in
// one run, earliest line first, each file:line: key: reason, misspelt
// keys, users, rooms, types and enum values with a suggestion; the error
// that only follows from a misspelt key (a group whose members key is
// misspelt has no members) is not listed.
func TestValidateListsEveryError(t *testing.T) {
	_, err := Load("testdata/validate/mistakes.yaml")
	var list *ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Load = %v (%T), want an *ErrorList", err, err)
	}
	if len(list.Errors) < 10 || list.Omitted != 0 {
		t.Errorf("%d errors listed, %d omitted", len(list.Errors), list.Omitted)
	}
	for i, e := range list.Errors {
		if e.File == "" || e.Line == 0 || e.Key == "" || (i > 0 && e.Line < list.Errors[i-1].Line) {
			t.Errorf("error %d: %+v", i, e)
		}
	}
	var first *Error
	if !errors.As(err, &first) || first != list.Errors[0] {
		t.Errorf("errors.As found %v, want the first error", first)
	}
	golden.Check(t, filepath.Join("testdata", "validate/mistakes.golden"), []byte(err.Error()+"\n"))
}

// TestErrorListCap: past MaxErrors the list says how many more there are.
func TestErrorListCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("easemob:\n  apps:\n    - org: o\n      app: a\n      users: [u]\n      groups:\n")
	const n = MaxErrors + 20
	for i := range n {
		fmt.Fprintf(&b, "        - {id: g%d, owner: nobody%d}\n", i, i)
	}
	_, err := Parse("many.yaml", []byte(b.String()))
	var list *ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse = %v", err)
	}
	if len(list.Errors) != MaxErrors || list.Omitted != 20 || list.Skipped != 0 {
		t.Errorf("%d listed, %d omitted, %d skipped; want %d, 20, 0", len(list.Errors), list.Omitted, list.Skipped, MaxErrors)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxErrors+1 {
		t.Fatalf("%d lines, want %d", len(lines), MaxErrors+1)
	}
	if want := `many.yaml:7: easemob.apps[0].groups[0].owner: unknown user "nobody0"`; lines[0] != want {
		t.Errorf("first line %q\nwant %q", lines[0], want)
	}
	if want := fmt.Sprintf(`many.yaml:%d: easemob.apps[0].groups[%d].owner: unknown user "nobody%d"`, 6+MaxErrors, MaxErrors-1, MaxErrors-1); lines[MaxErrors-1] != want {
		t.Errorf("last listed %q\nwant %q", lines[MaxErrors-1], want)
	}
	if want := "many.yaml: 20 more errors not listed (at most 50 are)"; lines[MaxErrors] != want {
		t.Errorf("last line %q\nwant %q", lines[MaxErrors], want)
	}
}

// TestSkippedErrorsCounted: errors under a misspelt key are counted, not
// listed, and the list says so.
func TestSkippedErrorsCounted(t *testing.T) {
	data := "easemob:\n  apps:\n    - org: o\n      app: a\n      user: [alice]\n      traffic: [{from: alice, to: alice, per_hour: 1, since: 1h}]\n"
	_, err := Parse("typo.yaml", []byte(data))
	want := `typo.yaml:5: easemob.apps[0].user: unknown key (did you mean "users"?)` + "\n" +
		"typo.yaml: 2 more errors under the keys above, which may follow from them: fix those and run again"
	if err == nil || err.Error() != want {
		t.Errorf("Parse = %v\nwant %s", err, want)
	}
}

func TestSuggestions(t *testing.T) {
	tests := []struct {
		word       string
		candidates []string
		want       string
	}{
		{"bbo", []string{"alice", "bob"}, "bob"},           // swapped neighbours
		{"alcie", []string{"alice", "bob"}, "alice"},       // swapped, long word
		{"Alice", []string{"alice"}, "alice"},              // case
		{"memebers", []string{"id", "members"}, "members"}, // one extra letter
		{"10010", []string{"10001", "10002"}, "10001"},     // ties go to the first
		{"zed", []string{"alice", "bob"}, ""},              // nothing near
		{"bx", []string{"bob"}, ""},                        // two edits in a short word
		{"carl", []string{"carol", "carl2"}, "carol"},
		{"", []string{"a"}, ""},
	}
	for _, tt := range tests {
		if got := newSuggester().closest(tt.word, tt.candidates); got != tt.want {
			t.Errorf("closest(%q, %v) = %q, want %q", tt.word, tt.candidates, got, tt.want)
		}
	}
	// The work is bounded: past the budget, no more suggestions.
	s := &suggester{budget: 99}
	if got := s.closest("abcdefghij", []string{"abcdefghix", "abcdefghiy"}); got != "" {
		// 10×10 per comparison: the first comparison passes the budget.
		t.Errorf("spent budget still suggests %q", got)
	}
}
