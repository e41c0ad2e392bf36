package contract

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

func TestRules(t *testing.T) {
	const body = `{"code":200,"msg":"ok","n":1.5,"flag":true,"nil":null,"obj":{"a":1,"b":"x"},"arr":[{"t":"a","v":1},{"t":"b","v":"2"}]}`
	doc := Doc{Status: 200, Header: map[string]string{"Content-Type": "application/json"}, JSON: gjson.Parse(body)}
	cases := []struct {
		name string
		rule Rule
		path string // "" when the rule holds
		obs  string
	}{
		{"status ok", Status(200), "", ""},
		{"status bad", Status(404), "(status)", "HTTP 200"},
		{"header ok", Header("content-type", `^application/json$`), "", ""},
		{"header absent", Header("Server", `.`), "(header Server)", "absent"},
		{"integer", Type("code", Integer), "", ""},
		{"number not integer", Type("n", Integer), "n", "number 1.5"},
		{"number", Type("n", Number), "", ""},
		{"missing", Type("nope", String), "nope", "absent"},
		{"string or null", Type("nil", String, Null), "", ""},
		{"opt absent", Opt("nope", String), "", ""},
		{"opt wrong", Opt("flag", String), "flag", "bool true"},
		{"absent", Absent("msg"), "msg", `string "ok"`},
		{"eq", Eq("code", 200), "", ""},
		{"eq kind", Eq("arr.1.v", 2), "arr.1.v", `string "2"`},
		{"one of", OneOf("msg", "ok", "fine"), "", ""},
		{"match", Match("obj.b", `^x$`), "", ""},
		{"match non-string", Match("code", `200`), "code", "integer 200"},
		{"order ok", Order("", "code", "msg", "arr"), "", ""},
		{"order bad", Order("obj", "b", "a"), "obj", "keys in order a, b"},
		{"only", Only("obj", "a"), "obj", "unexpected key(s) b"},
		{"len", Len("arr", 3, -1), "arr", "2 elements"},
		{"each", Each("arr", Type("v", Integer)), "arr.1.v", `string "2"`},
		{"when", Each("arr", When("t", "b", Type("v", Integer))), "arr.1.v", `string "2"`},
		{"when not taken", Each("arr", When("t", "c", Type("v", Bool))), "", ""},
		{"func", Func("code", "even", func(v gjson.Result) (string, bool) { return v.Raw, v.Int()%2 == 0 }), "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fails, n := Check(doc, []Rule{tc.rule})
			if n == 0 {
				t.Error("no check counted")
			}
			if tc.path == "" {
				if len(fails) > 0 {
					t.Errorf("failed: %+v", fails)
				}
				return
			}
			if len(fails) != 1 || fails[0].Path != tc.path || !strings.Contains(fails[0].Observed, tc.obs) {
				t.Errorf("got %+v, want one failure at %q observing %q", fails, tc.path, tc.obs)
			}
		})
	}
}

func TestFoldGroupsRepeatedFailures(t *testing.T) {
	fs := fold([]Failure{
		{Path: "items.0.x", Expected: "integer", Observed: "string"},
		{Path: "items.1.x", Expected: "integer", Observed: "string"},
		{Path: "(page 2) items.0.x", Expected: "integer", Observed: "string"},
		{Path: "items.1.y", Expected: "integer", Observed: "string"},
	})
	if len(fs) != 2 || !strings.HasSuffix(fs[0].Observed, "(and 2 more like it)") {
		t.Errorf("%+v", fs)
	}
}

func TestRedact(t *testing.T) {
	in := `{"access_token":"YWMtabc","url":"http://h/x?Expires=1&OSSAccessKeyId=AK&Signature=s%3D","g":"http://q/k?e=1&token=AK:sig=","note":"the secret is hunter22","n":1.50}`
	got := string(redactJSON([]byte(in), []string{"hunter22"}))
	want := `{"access_token":"REDACTED","url":"http://h/x?Expires=1&OSSAccessKeyId=REDACTED&Signature=REDACTED","g":"http://q/k?e=1&token=REDACTED","note":"the secret is REDACTED","n":1.50}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if q := redactQuery("apiVersion=01&client=c&token=t&sign=s"); q != "apiVersion=01&client=c&token=REDACTED&sign=REDACTED" {
		t.Errorf("query %s", q)
	}
	if h := redactHeader("authorization", "Bearer YWMt"); h != "Bearer REDACTED" {
		t.Errorf("header %s", h)
	}
}
