package control

import (
	"bytes"
	"encoding/json"
	chatemuroutes "github.com/chatemu/chatemu/emulator/internal/routes"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/mux"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/internal/controltest"
)

// checker checks every exchange of this package's HTTP tests against the
// document (fixture.do sends through it).
var checker = sync.OnceValues(func() (*controltest.Checker, error) { return controltest.New(openAPIDocument) })

// checkedClient is a client whose control exchanges are checked against the
// document, mismatches reported to t.
func checkedClient(t *testing.T, base *http.Client) *http.Client {
	t.Helper()
	c, err := checker()
	if err != nil {
		t.Fatal(err)
	}
	client := *base
	client.Transport = c.Transport(t, base.Transport)
	return &client
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	if err := controltest.ValidateDocument(openAPIDocument); err != nil {
		t.Fatalf("openapi.json is not valid OpenAPI 3.1:\n%v", err)
	}
	// The check can fail: a response without its description (required by
	// the specification's schema) and a misspelt type (caught by the JSON
	// Schema meta-schema).
	for _, tt := range []struct{ old, new string }{
		{`"description": "Removed."`, `"x-description": "Removed."`},
		{`"type": "boolean"`, `"type": "bool"`},
		{`"openapi": "3.1.0"`, `"openapi": "3.0.3"`},
	} {
		broken := bytes.Replace(openAPIDocument, []byte(tt.old), []byte(tt.new), 1)
		if bytes.Equal(broken, openAPIDocument) {
			t.Fatalf("%s is not in the document", tt.old)
		}
		if err := controltest.ValidateDocument(broken); err == nil {
			t.Errorf("%s → %s: the document still validates", tt.old, tt.new)
		}
	}
}

// docOperations lists the document's operations as "METHOD /path".
func docOperations(t *testing.T) (ops []string, slashes map[string]bool) {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name    string `json:"name"`
				In      string `json:"in"`
				Slashes bool   `json:"x-chatemu-slashes"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	slashes = map[string]bool{}
	for path, item := range doc.Paths {
		for method, op := range item {
			ops = append(ops, strings.ToUpper(method)+" "+path)
			for _, p := range op.Parameters {
				if p.In == "path" && p.Slashes {
					slashes[path+" "+p.Name] = true
				}
			}
		}
	}
	sort.Strings(ops)
	return ops, slashes
}

// TestOpenAPIDocumentsEveryRoute walks the router's routes under /_chatemu/
// and the route table's methods: every route the server has is in the
// document, and the document has no route the server lacks. A path
// parameter whose pattern takes "/" is marked x-chatemu-slashes.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	api := New(Config{})
	r := mux.NewRouter()
	api.Routes(r)
	methods := map[string][]string{} // by route name
	for name, ep := range api.endpoints() {
		for m := range ep.methods {
			methods[name] = append(methods[name], m)
		}
	}
	param := regexp.MustCompile(`\{([^}:]+)(?::([^}]*))?\}`)
	var routes []string
	slashes := map[string]bool{}
	err := r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tmpl, err := route.GetPathTemplate()
		if err != nil {
			return err
		}
		switch route.GetName() {
		case "":
			return nil // the /_chatemu subrouter that holds the routes
		case chatemuroutes.ControlUnknown, chatemuroutes.ControlUI:
			// The catch-all (404 for every other path), and the
			// inspector's HTML pages, which the server mounts.
			return nil
		}
		if !strings.HasPrefix(tmpl, Prefix) {
			t.Errorf("control route %s outside %s", tmpl, Prefix)
		}
		path := param.ReplaceAllStringFunc(tmpl, func(p string) string {
			m := param.FindStringSubmatch(p)
			if m[2] != "" && regexp.MustCompile("^(?:"+m[2]+")$").MatchString("a/b") {
				slashes[param.ReplaceAllString(tmpl, "{$1}")+" "+m[1]] = true
			}
			return "{" + m[1] + "}"
		})
		if len(methods[route.GetName()]) == 0 {
			t.Errorf("route %s (%s) has no methods in endpoints()", route.GetName(), tmpl)
		}
		for _, m := range methods[route.GetName()] {
			routes = append(routes, m+" "+path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The probes and the metrics are answered by the server before its
	// router (emulator/probes.go), and tested there.
	for _, p := range []string{"livez", "readyz", "metrics"} {
		routes = append(routes, "GET "+Prefix+p, "HEAD "+Prefix+p)
	}
	sort.Strings(routes)
	documented, docSlashes := docOperations(t)
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is served but not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("%s is in openapi.json but not served", d)
		}
	}
	if len(routes) < 15 {
		t.Errorf("only %d routes walked: %v", len(routes), routes)
	}
	for p := range slashes {
		if !docSlashes[p] {
			t.Errorf("%s takes \"/\" but openapi.json does not mark it x-chatemu-slashes", p)
		}
	}
	for p := range docSlashes {
		if !slashes[p] {
			t.Errorf("openapi.json marks %s x-chatemu-slashes but the route does not take \"/\"", p)
		}
	}
}

// TestOpenAPIEnums: the document's lists of values are the server's.
func TestOpenAPIEnums(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	enum := func(schema string, at ...string) []string {
		var v any
		if err := json.Unmarshal(doc.Components.Schemas[schema], &v); err != nil {
			t.Fatalf("schema %s: %v", schema, err)
		}
		for _, k := range append(at, "enum") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		var out []string
		for _, e := range v.([]any) {
			out = append(out, e.(string))
		}
		return out
	}
	var ops, kinds []string
	for _, o := range journal.Operations {
		ops = append(ops, string(o))
	}
	for _, k := range append(slices.Clone(faults.Presets), faults.Drop) {
		kinds = append(kinds, string(k))
	}
	for _, tt := range []struct {
		name      string
		doc, want []string
	}{
		{"Operation", enum("Operation"), ops},
		{"Vendor", enum("Vendor"), faults.Vendors},
		{"FaultRule.kind", enum("FaultRule", "properties", "kind"), kinds},
	} {
		if !slices.Equal(tt.doc, tt.want) {
			t.Errorf("%s: the document lists %v, the server %v", tt.name, tt.doc, tt.want)
		}
	}
	var injection struct {
		Properties struct {
			Messages struct {
				MaxItems int `json:"maxItems"`
			} `json:"messages"`
		} `json:"properties"`
	}
	json.Unmarshal(doc.Components.Schemas["Injection"], &injection)
	if injection.Properties.Messages.MaxItems != MaxInjectMessages {
		t.Errorf("Injection.messages.maxItems %d, want %d", injection.Properties.Messages.MaxItems, MaxInjectMessages)
	}
}

// TestOpenAPIServed: the route serves the embedded document, without a
// token even when the server has one.
func TestOpenAPIServed(t *testing.T) {
	f := newFixture(t, "s3cret")
	status, header, body := f.do(t, "GET", "/_chatemu/openapi.json", "", "")
	if status != 200 || header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("%d %s", status, header.Get("Content-Type"))
	}
	var want bytes.Buffer
	if err := json.Compact(&want, openAPIDocument); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSuffix(body, "\n") != want.String() {
		t.Error("GET openapi.json is not the embedded document")
	}
	doc := OpenAPI()
	doc[0] = 'x'
	if openAPIDocument[0] == 'x' {
		t.Error("OpenAPI returns the embedded bytes, not a copy")
	}
}
