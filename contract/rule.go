package contract

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Kind is a JSON type a rule may ask for. Integer is a Number written
// without fraction or exponent (what a Java int/long serializes to, and what
// the vendors' SDKs decode into int fields).
type Kind int

// The JSON kinds.
const (
	String Kind = iota
	Number
	Integer
	Bool
	Object
	Array
	Null
)

func (k Kind) String() string {
	return [...]string{"string", "number", "integer", "bool", "object", "array", "null"}[k]
}

// kindOf names v's JSON kind (integer for whole numbers).
func kindOf(v gjson.Result) string {
	switch {
	case !v.Exists():
		return "absent"
	case v.Type == gjson.String:
		return "string"
	case v.Type == gjson.Number:
		if strings.ContainsAny(v.Raw, ".eE") {
			return "number"
		}
		return "integer"
	case v.Type == gjson.True || v.Type == gjson.False:
		return "bool"
	case v.Type == gjson.Null:
		return "null"
	case v.IsArray():
		return "array"
	case v.IsObject():
		return "object"
	}
	return "unknown"
}

// is reports whether v is of kind k.
func (k Kind) is(v gjson.Result) bool {
	got := kindOf(v)
	switch k {
	case Number:
		return got == "number" || got == "integer"
	default:
		return got == k.String()
	}
}

// Failure is one expectation a response did not meet: where (a gjson path
// into the checked document, or "(status)" / "(header NAME)"), what the
// contract wants, and what was observed.
type Failure struct {
	Path     string `json:"path"`
	Expected string `json:"expected"`
	Observed string `json:"observed"`
}

// Doc is what rules read: the HTTP status, the response headers and a JSON
// document (the body, or a document a multi-request probe built).
type Doc struct {
	Status int
	Header map[string]string // canonical header name → first value
	JSON   gjson.Result
}

// Rule is one expectation of the contract. Rules are values built by the
// constructors below (Status, Type, Eq, Match, Order, Each, When, …); a
// probe is a request plus a list of rules.
type Rule struct {
	// Path is the gjson path the rule reads, relative to the element an
	// enclosing Each or When is at ("" is that element itself).
	Path string
	// Want says what the contract expects, in words, for the report.
	Want string
	// Instance marks a rule that depends on this run's inputs (the org, the
	// hour asked for, the sender): it cannot hold for a vendor's published
	// example and is skipped when samples are checked.
	Instance bool
	// Waiver, when set, says why the vendor's own published examples break
	// this rule although the contract needs it (e.g. a doc example writes a
	// number as a string that the vendor's SDK cannot decode). Samples are
	// not failed on a waived rule; live responses are.
	Waiver string

	check func(ctx *checkCtx, at gjson.Result, path string) []Failure
}

// checkCtx carries what the rules need besides the element they look at.
type checkCtx struct {
	doc     Doc
	samples bool // checking a vendor's published example: skip Instance and waived rules
	checks  int
	waived  []string
}

// run applies r at element at whose absolute path is base.
func (r Rule) run(ctx *checkCtx, at gjson.Result, base string) []Failure {
	if ctx.samples {
		// A sample is a body: no status or headers, no run inputs.
		if r.Instance || strings.HasPrefix(r.Path, "(") {
			return nil
		}
		// A waived rule is run, and its waiver listed only if the sample
		// indeed breaks it.
		if r.Waiver != "" {
			if len(r.check(ctx, get(at, r.Path), join(base, r.Path))) > 0 && !slices.Contains(ctx.waived, r.Waiver) {
				ctx.waived = append(ctx.waived, r.Waiver)
			}
			return nil
		}
	}
	ctx.checks++
	return r.check(ctx, get(at, r.Path), join(base, r.Path))
}

// Check applies rules to doc and returns the failures and how many
// expectations were checked.
func Check(doc Doc, rules []Rule) (fails []Failure, checks int) {
	return check(doc, rules, false)
}

func check(doc Doc, rules []Rule, samples bool) ([]Failure, int) {
	fails, ctx := checkAll(doc, rules, samples)
	return fails, ctx.checks
}

func checkAll(doc Doc, rules []Rule, samples bool) ([]Failure, *checkCtx) {
	ctx := &checkCtx{doc: doc, samples: samples}
	var out []Failure
	for _, r := range rules {
		out = append(out, r.run(ctx, doc.JSON, "")...)
	}
	return out, ctx
}

// get reads path under v; "" is v itself.
func get(v gjson.Result, path string) gjson.Result {
	if path == "" || strings.HasPrefix(path, "(") {
		return v
	}
	return v.Get(path)
}

// join makes the absolute path of a sub-path for reports.
func join(base, path string) string {
	switch {
	case strings.HasPrefix(path, "("):
		return path
	case base == "":
		return path
	case path == "":
		return base
	}
	return base + "." + path
}

// show renders an observed value for a report: its kind and, for scalars,
// its JSON text (cut at 120 bytes).
func show(v gjson.Result) string {
	k := kindOf(v)
	switch k {
	case "absent", "null":
		return k
	case "object", "array":
		raw := v.Raw
		if len(raw) > 80 {
			raw = raw[:77] + "..."
		}
		return k + " " + raw
	}
	return k + " " + v.Raw
}

// fold keeps the first of failures that differ only in array indexes and
// say how many more there were, so one drifting field of 800 messages is
// one line.
func fold(fs []Failure) []Failure {
	type key struct{ path, want string }
	idx := map[key]int{}
	more := map[int]int{}
	var out []Failure
	for _, f := range fs {
		k := key{pattern(strings.TrimPrefix(f.Path, "(page ")), f.Expected}
		if strings.HasPrefix(f.Path, "(page ") {
			_, rest, _ := strings.Cut(f.Path, ") ")
			k.path = pattern(rest)
		}
		if i, ok := idx[k]; ok {
			more[i]++
			continue
		}
		idx[k] = len(out)
		out = append(out, f)
	}
	for i, n := range more {
		out[i].Observed += fmt.Sprintf(" (and %d more like it)", n)
	}
	return out
}

func fail(path, want string, got gjson.Result) []Failure {
	return []Failure{{Path: path, Expected: want, Observed: show(got)}}
}

func kinds(ks []Kind) string {
	var s []string
	for _, k := range ks {
		s = append(s, k.String())
	}
	return strings.Join(s, " or ")
}

func isAny(v gjson.Result, ks []Kind) bool {
	for _, k := range ks {
		if k.is(v) {
			return true
		}
	}
	return false
}

// Status wants the HTTP status code.
func Status(code int) Rule {
	want := fmt.Sprintf("HTTP %d", code)
	return Rule{Path: "(status)", Want: want, check: func(ctx *checkCtx, _ gjson.Result, path string) []Failure {
		if ctx.doc.Status != code {
			return []Failure{{Path: path, Expected: want, Observed: fmt.Sprintf("HTTP %d", ctx.doc.Status)}}
		}
		return nil
	}}
}

// Header wants a response header whose value matches the regexp re.
func Header(name, re string) Rule {
	rx := regexp.MustCompile(re)
	path := "(header " + name + ")"
	want := "matches /" + re + "/"
	return Rule{Path: path, Want: want, check: func(ctx *checkCtx, _ gjson.Result, path string) []Failure {
		v, ok := ctx.doc.Header[canonical(name)]
		if !ok {
			return []Failure{{Path: path, Expected: want, Observed: "absent"}}
		}
		if !rx.MatchString(v) {
			return []Failure{{Path: path, Expected: want, Observed: strconv.Quote(v)}}
		}
		return nil
	}}
}

// Type wants path to exist with one of the kinds.
func Type(path string, ks ...Kind) Rule {
	want := kinds(ks)
	return Rule{Path: path, Want: want, check: func(_ *checkCtx, v gjson.Result, p string) []Failure {
		if !isAny(v, ks) {
			return fail(p, want, v)
		}
		return nil
	}}
}

// Opt wants path to be absent or of one of the kinds.
func Opt(path string, ks ...Kind) Rule {
	want := "absent or " + kinds(ks)
	return Rule{Path: path, Want: want, check: func(_ *checkCtx, v gjson.Result, p string) []Failure {
		if v.Exists() && !isAny(v, ks) {
			return fail(p, want, v)
		}
		return nil
	}}
}

// Absent wants path not to exist.
func Absent(path string) Rule {
	return Rule{Path: path, Want: "absent", check: func(_ *checkCtx, v gjson.Result, p string) []Failure {
		if v.Exists() {
			return fail(p, "absent", v)
		}
		return nil
	}}
}

// Eq wants path to hold exactly the JSON value v (a string, a bool, an int
// or a float64; nil for null). A number compares by value, so the kind (a
// string "32" is not the number 32) is part of the check.
func Eq(path string, v any) Rule {
	want := "= " + jsonText(v)
	return Rule{Path: path, Want: want, check: func(_ *checkCtx, got gjson.Result, p string) []Failure {
		if !equal(got, v) {
			return fail(p, want, got)
		}
		return nil
	}}
}

// OneOf wants path to hold one of the JSON values.
func OneOf(path string, vs ...any) Rule {
	var s []string
	for _, v := range vs {
		s = append(s, jsonText(v))
	}
	want := "one of " + strings.Join(s, ", ")
	return Rule{Path: path, Want: want, check: func(_ *checkCtx, got gjson.Result, p string) []Failure {
		for _, v := range vs {
			if equal(got, v) {
				return nil
			}
		}
		return fail(p, want, got)
	}}
}

func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}

func equal(got gjson.Result, v any) bool {
	switch x := v.(type) {
	case nil:
		return got.Type == gjson.Null
	case string:
		return got.Type == gjson.String && got.Str == x
	case bool:
		return (got.Type == gjson.True && x) || (got.Type == gjson.False && !x)
	case int:
		return got.Type == gjson.Number && got.Num == float64(x)
	case int64:
		return got.Type == gjson.Number && got.Num == float64(x)
	case float64:
		return got.Type == gjson.Number && got.Num == x
	}
	return false
}

// Match wants path to be a string matching the regexp re.
func Match(path, re string) Rule {
	rx := regexp.MustCompile(re)
	want := "string matching /" + re + "/"
	return Rule{Path: path, Want: want, check: func(_ *checkCtx, v gjson.Result, p string) []Failure {
		if v.Type != gjson.String || !rx.MatchString(v.Str) {
			return fail(p, want, v)
		}
		return nil
	}}
}

// Order wants the object at path to hold, among its keys, the listed ones in
// this relative order (keys not listed may sit anywhere; listed keys may be
// absent: presence is Type's business).
func Order(path string, keys ...string) Rule {
	want := "keys in order " + strings.Join(keys, ", ")
	return Rule{Path: path, Want: want, check: func(_ *checkCtx, v gjson.Result, p string) []Failure {
		if !v.IsObject() {
			return fail(p, "object with "+want, v)
		}
		var seen []string
		v.ForEach(func(k, _ gjson.Result) bool {
			if slices.Contains(keys, k.Str) {
				seen = append(seen, k.Str)
			}
			return true
		})
		last := -1
		for _, k := range seen {
			i := slices.Index(keys, k)
			if i < last {
				return []Failure{{Path: p, Expected: want, Observed: "keys in order " + strings.Join(seen, ", ")}}
			}
			last = i
		}
		return nil
	}}
}

// Only wants the object at path to have no keys but the listed ones.
func Only(path string, keys ...string) Rule {
	want := "no keys but " + strings.Join(keys, ", ")
	return Rule{Path: path, Want: want, check: func(_ *checkCtx, v gjson.Result, p string) []Failure {
		if !v.IsObject() {
			return fail(p, "object", v)
		}
		var extra []string
		v.ForEach(func(k, _ gjson.Result) bool {
			if !slices.Contains(keys, k.Str) {
				extra = append(extra, k.Str)
			}
			return true
		})
		if len(extra) > 0 {
			return []Failure{{Path: p, Expected: want, Observed: "unexpected key(s) " + strings.Join(extra, ", ")}}
		}
		return nil
	}}
}

// Len wants the array at path to have between lo and hi elements (hi < 0:
// no upper bound).
func Len(path string, lo, hi int) Rule {
	want := fmt.Sprintf("array of %d..%d elements", lo, hi)
	if hi < 0 {
		want = fmt.Sprintf("array of at least %d elements", lo)
	}
	return Rule{Path: path, Want: want, check: func(_ *checkCtx, v gjson.Result, p string) []Failure {
		if !v.IsArray() {
			return fail(p, want, v)
		}
		n := len(v.Array())
		if n < lo || (hi >= 0 && n > hi) {
			return []Failure{{Path: p, Expected: want, Observed: fmt.Sprintf("%d elements", n)}}
		}
		return nil
	}}
}

// Each applies rules to every element of the array at path (a missing or
// non-array value fails).
func Each(path string, rules ...Rule) Rule {
	return Rule{Path: path, Want: "array", check: func(ctx *checkCtx, v gjson.Result, p string) []Failure {
		if !v.IsArray() {
			return fail(p, "array", v)
		}
		var out []Failure
		for i, el := range v.Array() {
			for _, r := range rules {
				out = append(out, r.run(ctx, el, join(p, strconv.Itoa(i)))...)
			}
		}
		return out
	}}
}

// When applies rules, at the current element, only if path holds the JSON
// value v.
func When(path string, v any, rules ...Rule) Rule {
	return Rule{Path: "", Want: "", check: func(ctx *checkCtx, at gjson.Result, p string) []Failure {
		ctx.checks-- // a condition is not an expectation
		if !equal(get(at, path), v) {
			return nil
		}
		var out []Failure
		for _, r := range rules {
			out = append(out, r.run(ctx, at, p)...)
		}
		return out
	}}
}

// Func is a rule in Go for what the constructors cannot say (arithmetic
// between fields, order across an array): fn returns what it observed and
// whether that meets want.
func Func(path, want string, fn func(v gjson.Result) (observed string, ok bool)) Rule {
	return Rule{Path: path, Want: want, check: func(_ *checkCtx, v gjson.Result, p string) []Failure {
		if got, ok := fn(v); !ok {
			return []Failure{{Path: p, Expected: want, Observed: got}}
		}
		return nil
	}}
}

// instance marks rules as depending on this run's inputs.
func instance(rs ...Rule) []Rule {
	for i := range rs {
		rs[i].Instance = true
	}
	return rs
}

// waived marks r as broken by the vendor's own examples, for the reason why.
func waived(r Rule, why string) Rule {
	r.Waiver = why
	return r
}

// canonical is the canonical form of a header name.
func canonical(name string) string {
	parts := strings.Split(strings.ToLower(name), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}
