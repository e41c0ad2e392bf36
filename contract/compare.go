package contract

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// compareSpec says how a replay compares a probe's document with its
// recording beyond the rule that every path, key order, JSON type and
// value must agree.
type compareSpec struct {
	// volatile are paths (array indexes written #) whose values change from
	// run to run or from tenant to tenant: compared by JSON type only.
	volatile []string
	// content maps an array of messages to the path, inside an element, of
	// its kind (message type). A recording of the real vendor holds its
	// messages, not chatemu's, so these arrays are compared by shape: for
	// every kind both sides have, the first element of that kind must have
	// the same keys, key order and JSON types. Recordings keep only the
	// first element of each kind.
	content map[string]string
}

// volatileParams are URL query parameters whose values are compared by
// presence only: deadlines and signatures (they follow the clock and the
// keys), access key ids, and tokens.
var volatileParams = []string{"Expires", "OSSAccessKeyId", "Signature", "e", "token", "sign", "page_token"}

// comparer walks a recorded and an observed document side by side.
type comparer struct {
	spec  compareSpec
	fails []Failure
	n     int
}

// compareDocs compares an observed document with a recorded one.
func compareDocs(spec compareSpec, rec, obs gjson.Result) ([]Failure, int) {
	c := &comparer{spec: spec}
	c.value("", rec, obs, false)
	return c.fails, c.n
}

func (c *comparer) fail(path, expected, observed string) {
	if path == "" {
		path = "(body)"
	}
	c.fails = append(c.fails, Failure{Path: path, Expected: expected, Observed: observed})
}

// pattern writes path's array indexes as #.
func pattern(path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if _, err := strconv.Atoi(p); err == nil {
			parts[i] = "#"
		}
	}
	return strings.Join(parts, ".")
}

func (c *comparer) volatile(path string) bool {
	return slices.Contains(c.spec.volatile, pattern(path))
}

func (c *comparer) value(path string, rec, obs gjson.Result, shape bool) {
	c.n++
	if rec.Type == gjson.String && rec.Str == Redacted {
		if obs.Type != gjson.String {
			c.fail(path, "as recorded: a string (redacted)", show(obs))
		}
		return
	}
	rk, ok := kindOf(rec), kindOf(obs)
	if rk != ok {
		c.fail(path, "as recorded: "+show(rec), show(obs))
		return
	}
	switch rk {
	case "object":
		c.object(path, rec, obs, shape)
	case "array":
		if kind, isContent := c.spec.content[pattern(path)]; isContent {
			c.content(path, kind, rec, obs)
			return
		}
		ra, oa := rec.Array(), obs.Array()
		if shape || c.volatile(path) {
			if len(ra) > 0 && len(oa) > 0 {
				c.value(join(path, "0"), ra[0], oa[0], true)
			}
			return
		}
		if len(ra) != len(oa) {
			c.fail(path, fmt.Sprintf("as recorded: %d elements", len(ra)), fmt.Sprintf("%d elements", len(oa)))
		}
		for i := range min(len(ra), len(oa)) {
			c.value(join(path, strconv.Itoa(i)), ra[i], oa[i], false)
		}
	default:
		if shape || c.volatile(path) {
			return
		}
		if rk == "string" && isURL(rec.Str) && isURL(obs.Str) {
			c.url(path, rec.Str, obs.Str)
			return
		}
		if !sameScalar(rec, obs) {
			c.fail(path, "as recorded: "+show(rec), show(obs))
		}
	}
}

func sameScalar(a, b gjson.Result) bool {
	switch a.Type {
	case gjson.String:
		return a.Str == b.Str
	case gjson.Number:
		return a.Num == b.Num
	}
	return a.Type == b.Type
}

func keysOf(v gjson.Result) []string {
	var ks []string
	v.ForEach(func(k, _ gjson.Result) bool {
		ks = append(ks, k.Str)
		return true
	})
	return ks
}

func (c *comparer) object(path string, rec, obs gjson.Result, shape bool) {
	rks, oks := keysOf(rec), keysOf(obs)
	var common []string
	for _, k := range rks {
		if !slices.Contains(oks, k) {
			c.fail(join(path, gjson.Escape(k)), "as recorded: present ("+show(rec.Get(gjson.Escape(k)))+")", "absent")
			continue
		}
		common = append(common, k)
	}
	var order []string
	for _, k := range oks {
		if !slices.Contains(rks, k) {
			c.fail(join(path, gjson.Escape(k)), "as recorded: absent", show(obs.Get(gjson.Escape(k))))
			continue
		}
		order = append(order, k)
	}
	if !slices.Equal(common, order) {
		c.fail(path, "as recorded: keys in order "+strings.Join(common, ", "), "keys in order "+strings.Join(order, ", "))
	}
	for _, k := range common {
		c.value(join(path, gjson.Escape(k)), rec.Get(gjson.Escape(k)), obs.Get(gjson.Escape(k)), shape)
	}
}

// content compares the first element of every kind both arrays hold.
func (c *comparer) content(path, kindPath string, rec, obs gjson.Result) {
	firsts := func(a []gjson.Result) (map[string]int, []string) {
		m, order := map[string]int{}, []string(nil)
		for i, el := range a {
			k := el.Get(kindPath).Raw
			if _, ok := m[k]; !ok {
				m[k] = i
				order = append(order, k)
			}
		}
		return m, order
	}
	ra, oa := rec.Array(), obs.Array()
	rm, rorder := firsts(ra)
	om, _ := firsts(oa)
	for _, k := range rorder {
		oi, ok := om[k]
		if !ok {
			continue // the observed data has no message of this kind: data, not contract
		}
		c.value(join(path, strconv.Itoa(oi)), ra[rm[k]], oa[oi], true)
	}
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// url compares two links: the host is volatile (the recording was made
// against another server), the path must agree, and the query must have
// the same parameters in the same order with the same values, except the
// volatile ones (deadlines, signatures, keys, tokens).
func (c *comparer) url(path, rec, obs string) {
	ru, err1 := url.Parse(rec)
	ou, err2 := url.Parse(obs)
	if err1 != nil || err2 != nil {
		if rec != obs {
			c.fail(path, "as recorded: "+strconv.Quote(rec), strconv.Quote(obs))
		}
		return
	}
	if ru.Scheme != ou.Scheme || ru.EscapedPath() != ou.EscapedPath() {
		c.fail(path, "as recorded: link path "+ru.EscapedPath(), "link path "+ou.EscapedPath())
	}
	rq, oq := splitQuery(ru.RawQuery), splitQuery(ou.RawQuery)
	var rk, ok []string
	for _, p := range rq {
		rk = append(rk, p[0])
	}
	for _, p := range oq {
		ok = append(ok, p[0])
	}
	if !slices.Equal(rk, ok) {
		c.fail(path, "as recorded: link query "+strings.Join(rk, "&"), "link query "+strings.Join(ok, "&"))
		return
	}
	for i, p := range rq {
		if slices.Contains(volatileParams, p[0]) || p[1] == Redacted {
			continue
		}
		if p[1] != oq[i][1] {
			c.fail(path, "as recorded: link "+p[0]+"="+p[1], p[0]+"="+oq[i][1])
		}
	}
}

func splitQuery(raw string) [][2]string {
	var out [][2]string
	if raw == "" {
		return nil
	}
	for _, p := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(p, "=")
		out = append(out, [2]string{k, v})
	}
	return out
}
