package contract

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/chatemu/chatemu/emulator/clock"
)

// sampleRules maps a published example (a path in fixtures.Samples) to the
// rules it must pass: the probe's rules it illustrates, without status,
// headers, run-dependent (Instance) and waived rules.
func sampleRules(name string) ([]Rule, bool) {
	s := &session{cfg: &Config{}, inputs: map[string]string{}, state: map[string]string{}, now: clock.Wall().WallNow}
	switch {
	case name == "vendor/easemob/chatmessages_response.json":
		return easemobHourRules(s), true
	case name == "vendor/easemob/token_response.json":
		return easemobTokenRules(s), true
	case name == "vendor/easemob/error_401_corrupt.json":
		return badTokenRules(), true
	case name == "vendor/easemob/error_400_duplicate_unique_property.json":
		// Usergrid-served: the same envelope and order as chatmessages errors.
		return append([]Rule{Order("", "error", "timestamp", "duration", "exception", "error_description")}, easemobErrorTypes()...), true
	case name == "vendor/easemob/error_404_service_resource_not_found.json":
		// A newer service: same fields, another key order
		// (docs/fidelity/easemob.md), so only the fields are checked.
		return easemobErrorTypes(), true
	case strings.HasPrefix(name, "vendor/easemob/body_"):
		return []Rule{Len("bodies", 1, -1), Each("bodies", bodyRules()...)}, true
	case name == "vendor/yunxin/chatroom_messages_response.json":
		return yunxinPageRules(), true
	case name == "vendor/op/userMessageList_response.json":
		return opPageRules(), true
	}
	return nil, false
}

// CheckSamples runs the contract's rules over the vendors' published
// examples in fsys (fixtures.Samples): the checker must accept what the
// vendors themselves publish. A result's Reason lists the waived rules
// (rules the examples are known to break, with why). A .json sample with
// no rules is an error: every published example must be covered.
func CheckSamples(fsys fs.FS) ([]Result, error) {
	var names []string
	err := fs.WalkDir(fsys, "vendor", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Result
	for _, n := range names {
		rules, ok := sampleRules(n)
		if !ok {
			return nil, fmt.Errorf("contract: no rules for the vendor sample %s", n)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		vendor := strings.Split(n, "/")[1]
		res := Result{Vendor: vendor, Probe: path.Base(n), About: "published example " + n, Verdict: Pass}
		if !gjson.ValidBytes(b) {
			res.Verdict, res.Reason = Error, "not JSON"
			out = append(out, res)
			continue
		}
		fails, ctx := checkAll(Doc{JSON: gjson.ParseBytes(b)}, rules, true)
		res.Failures, res.Checks = fails, ctx.checks
		if len(fails) > 0 {
			res.Verdict = Fail
		}
		if len(ctx.waived) > 0 {
			res.Reason = "waived: " + strings.Join(ctx.waived, "; ")
		}
		out = append(out, res)
	}
	return out, nil
}
