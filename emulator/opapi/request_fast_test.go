package opapi

import (
	"encoding/json"
	"strconv"
	"testing"
)

// TestFastPathsReadAsJSONDoes: the body's strings and integers read
// without reflection (plainString, smallInt) give what json.Unmarshal and
// strconv.ParseInt give, and every other form falls to them.
func TestFastPathsReadAsJSONDoes(t *testing.T) {
	for _, raw := range []string{
		`"alice"`, `""`, `"a b"`, `"\u0061"`, `"a\"b"`, `"é"`, `"\t"`, `"2026-11-20 10:00:00.0"`, `"a\\b"`,
	} {
		var want string
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if got, ok := jsonString(json.RawMessage(raw), false); !ok || got != want {
			t.Errorf("jsonString(%s) = %q, %v; want %q", raw, got, ok, want)
		}
	}
	for _, raw := range []string{
		`0`, `-0`, `7`, `20`, `-5`, `999999999`, `-999999999`, `1000000000`, `2147483647`, `2147483648`, `-2147483648`,
		`-2147483649`, `1.0`, `1e3`, `"12"`, `"-3"`, `"01"`, `" 1"`, `99999999999999999999`,
	} {
		text := raw
		if raw[0] == '"' {
			json.Unmarshal([]byte(raw), &text)
		}
		n, err := strconv.ParseInt(text, 10, 32)
		got, e := jsonInt(json.RawMessage(raw), 20, "pageSize", MsgPageSizeType)
		if (err != nil) != (e != nil) || err == nil && got != int(n) {
			t.Errorf("jsonInt(%s) = %d, %v; ParseInt gives %d, %v", raw, got, e, n, err)
		}
	}
}
