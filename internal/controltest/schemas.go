package controltest

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pb33f/jsonschema/v6"
)

// compileSchemas compiles every schema of the document (its components'
// and those written in place: parameters, bodies, headers) as JSON Schema
// 2020-12, the default dialect of OpenAPI 3.1, which checks each against
// the dialect's meta-schema: a misspelt type or a malformed keyword fails
// here even where the OpenAPI specification's schema, which leaves schema
// objects open, lets it pass.
func compileSchemas(doc []byte) error {
	root, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	var ptrs []string
	collectSchemas(root, "", false, &ptrs)
	if len(ptrs) == 0 {
		return errors.New("the document has no schemas")
	}
	sort.Strings(ptrs)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	const url = "urn:chatemu:control:openapi.json"
	if err := c.AddResource(url, root); err != nil {
		return err
	}
	var errs []error
	for _, p := range ptrs {
		if _, err := c.Compile(url + "#" + p); err != nil {
			errs = append(errs, fmt.Errorf("schema %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// collectSchemas appends the JSON pointers of the schemas under v: each
// value of a "schema" key and of components.schemas. Inside a schema it
// does not descend (compiling the schema compiles what it holds).
func collectSchemas(v any, at string, inSchemas bool, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, sub := range v {
			p := at + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
			switch {
			case inSchemas || k == "schema":
				*out = append(*out, p)
			case k == "schemas" && at == "/components":
				collectSchemas(sub, p, true, out)
			default:
				collectSchemas(sub, p, false, out)
			}
		}
	case []any:
		for i, sub := range v {
			collectSchemas(sub, at+"/"+strconv.Itoa(i), false, out)
		}
	}
}
