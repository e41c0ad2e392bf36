package scenarios

import (
	"fmt"
	"sort"
	"strings"
)

// suggester finds the name a misspelt one was probably meant to be, for
// "did you mean …" in errors. Its work is bounded: each comparison costs
// the product of the two lengths, and a file with thousands of unknown
// names among thousands of candidates stops getting suggestions once the
// budget is spent rather than taking quadratic time.
type suggester struct {
	budget int // character comparisons left
}

// suggestBudget is the work one load may spend on suggestions: enough for
// every listed error against tens of thousands of candidates.
const suggestBudget = 50_000_000

func newSuggester() *suggester { return &suggester{budget: suggestBudget} }

// closest returns the candidate nearest to word, or "" if none is near
// enough to be a likely typo: a different case, or at most one edit
// (two for words of more than four characters), where swapping two
// neighbours is one edit. Ties go to the first candidate in the order
// given.
func (s *suggester) closest(word string, candidates []string) string {
	if s == nil || word == "" {
		return ""
	}
	maxDist := 1
	if len([]rune(word)) > 4 {
		maxDist = 2
	}
	best, bestDist := "", maxDist+1
	for _, c := range candidates {
		if c == word {
			continue
		}
		if strings.EqualFold(c, word) {
			return c
		}
		if abs(len(c)-len(word)) > maxDist {
			continue
		}
		if s.budget -= len(c) * len(word); s.budget < 0 {
			return best
		}
		if d := editDistance(word, c, bestDist); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// didYouMean is reason with " (did you mean "c"?)" when a candidate c is
// near word.
func (s *suggester) didYouMean(reason, word string, candidates []string) string {
	return reason + suggestion(s.closest(word, candidates))
}

// suggestion writes " (did you mean "c"?)", or nothing for no c.
func suggestion(c string) string {
	if c == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", c)
}

// editDistance is the optimal-string-alignment distance between a and b
// (insertions, deletions, substitutions and swaps of neighbours), or
// limit when it is at least limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// sortedKeys lists a set's members in order, so that suggestions do not
// depend on map order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
