// Package controltest checks control API traffic against the control API's
// OpenAPI 3.1 document, for tests. Only test files import it, so its
// validator (pb33f/libopenapi-validator) never reaches a program built from
// this module; TestValidatorStaysInTests holds that line.
//
// The rules a Checker applies to each exchange under /_chatemu/:
//   - a path the document lacks is answered 404 with the error body;
//   - a method the document lacks for a path is answered 405, with an Allow
//     header naming exactly the document's methods, and the error body;
//   - otherwise the answer's status must be one the document lists for the
//     operation, with its headers and body schema;
//   - a request the document refuses (parameters, body) must be refused: a
//     4xx status.
//
// A path parameter whose document entry has "x-chatemu-slashes": true may
// hold "/" (an Easemob tenant, easemob:ORG/APP): sent raw or as %2F, it is
// checked as %2F, the form OpenAPI can describe.
package controltest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// Prefix is the path prefix of the control API.
const Prefix = "/_chatemu/"

// inspectorPath is where the inspector's HTML pages are served: beside the
// control API, not part of it (no JSON, no document entry).
const inspectorPath = Prefix + "ui"

// isInspector reports whether an escaped path is one of the inspector's.
func isInspector(path string) bool {
	rest, ok := strings.CutPrefix(path, inspectorPath)
	return ok && (rest == "" || rest[0] == '/')
}

// methods are the HTTP methods in the order the control API's Allow header
// lists them, with the document's key for each.
var methods = []struct{ http, doc string }{
	{http.MethodGet, "get"}, {http.MethodHead, "head"}, {http.MethodPost, "post"}, {http.MethodPut, "put"},
	{http.MethodPatch, "patch"}, {http.MethodDelete, "delete"}, {http.MethodOptions, "options"}, {http.MethodTrace, "trace"},
}

// Checker checks exchanges against one document. It is safe for concurrent
// use.
type Checker struct {
	mu    sync.Mutex // the validator's caches are not documented as safe
	v     validator.Validator
	paths []pathItem
}

// pathItem is one path of the document.
type pathItem struct {
	template string
	segments []string
	// slashes is the index of the parameter segment that may hold "/", or
	// -1.
	slashes int
	methods []string // HTTP methods, in Allow order
}

// rawDoc is the part of the document the matcher reads itself.
type rawDoc struct {
	Paths map[string]map[string]json.RawMessage `json:"paths"`
}

type rawOperation struct {
	Parameters []struct {
		Name    string `json:"name"`
		In      string `json:"in"`
		Slashes bool   `json:"x-chatemu-slashes"`
	} `json:"parameters"`
}

// New returns a Checker for the OpenAPI document doc.
func New(doc []byte) (*Checker, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("controltest: %w", err)
	}
	v, errs := validator.NewValidator(d, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("controltest: %w", errors.Join(errs...))
	}
	var raw rawDoc
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, fmt.Errorf("controltest: %w", err)
	}
	c := &Checker{v: v}
	for template, item := range raw.Paths {
		p := pathItem{template: template, segments: strings.Split(template, "/"), slashes: -1}
		for _, m := range methods {
			opData, ok := item[m.doc]
			if !ok {
				continue
			}
			p.methods = append(p.methods, m.http)
			var o rawOperation
			if err := json.Unmarshal(opData, &o); err != nil {
				return nil, fmt.Errorf("controltest: %s %s: %w", m.http, template, err)
			}
			for _, prm := range o.Parameters {
				if prm.In == "path" && prm.Slashes {
					p.slashes = slices.Index(p.segments, "{"+prm.Name+"}")
				}
			}
		}
		c.paths = append(c.paths, p)
	}
	return c, nil
}

// ValidateDocument reports whether doc is a valid OpenAPI 3.1 document: it
// passes the OpenAPI 3.1 specification's own schema, and every schema of
// its components is a valid JSON Schema 2020-12 schema.
func ValidateDocument(doc []byte) error {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return err
	}
	if v := d.GetVersion(); v != "3.1.0" && !strings.HasPrefix(v, "3.1.") {
		return fmt.Errorf("openapi %q, want 3.1.x", v)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return joinValidation(verrs)
	}
	return compileSchemas(doc)
}

// Check checks one exchange: the request with its body, and the answer with
// its body. Requests outside /_chatemu/ pass unchecked.
func (c *Checker) Check(req *http.Request, reqBody []byte, res *http.Response, resBody []byte) error {
	path := req.URL.EscapedPath()
	if !strings.HasPrefix(path, Prefix) {
		return nil
	}
	what := req.Method + " " + req.URL.RequestURI()
	item, canonical, ok := c.match(path)
	if !ok {
		if res.StatusCode != http.StatusNotFound {
			return fmt.Errorf("%s: the document has no such path, so the answer must be 404; got %d", what, res.StatusCode)
		}
		return errorBody(what, req, res, resBody)
	}
	if !slices.Contains(item.methods, req.Method) {
		if res.StatusCode != http.StatusMethodNotAllowed {
			return fmt.Errorf("%s: the document has no %s for %s, so the answer must be 405; got %d", what, req.Method, item.template, res.StatusCode)
		}
		if allow, want := res.Header.Get("Allow"), strings.Join(item.methods, ", "); allow != want {
			return fmt.Errorf("%s: 405 with Allow %q; the document's methods are %q", what, allow, want)
		}
		return errorBody(what, req, res, resBody)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	reqOK, reqErrs := c.v.ValidateHttpRequestSync(rebuild(req, canonical, reqBody))
	answer := *res
	answer.Body = io.NopCloser(bytes.NewReader(resBody))
	var problems []error
	if resOK, resErrs := c.v.ValidateHttpResponse(rebuild(req, canonical, reqBody), &answer); !resOK {
		problems = append(problems, fmt.Errorf("the answer %d does not match the document: %w", res.StatusCode, joinValidation(resErrs)))
	}
	if !reqOK && (res.StatusCode < 400 || res.StatusCode > 499) {
		problems = append(problems, fmt.Errorf("the document refuses the request (%w) but the server answered %d", joinValidation(reqErrs), res.StatusCode))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %w", what, errors.Join(problems...))
	}
	return nil
}

// match finds the document's path for an escaped request path, and returns
// the path with a slash-holding parameter's "/" escaped.
func (c *Checker) match(path string) (pathItem, string, bool) {
	segs := strings.Split(path, "/")
	for _, p := range c.paths {
		got := segs
		if p.slashes >= 0 && len(segs) > len(p.segments) {
			// The parameter takes the segments the rest of the template
			// does not.
			tail := len(p.segments) - 1 - p.slashes
			end := len(segs) - tail
			joined := strings.Join(segs[p.slashes:end], "%2F")
			got = append(append(slices.Clone(segs[:p.slashes]), joined), segs[end:]...)
		}
		if len(got) != len(p.segments) {
			continue
		}
		ok := true
		for i, s := range p.segments {
			param := strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}")
			if param && got[i] == "" || !param && got[i] != s {
				ok = false
				break
			}
		}
		if ok {
			return p, strings.Join(got, "/"), true
		}
	}
	return pathItem{}, "", false
}

// rebuild returns a fresh copy of req with the escaped path and the body,
// for the validator, which reads the body. The control API reads every
// body as JSON whatever its Content-Type says (curl -d sends a form type),
// as the document's description says; the copy says JSON.
func rebuild(req *http.Request, escapedPath string, body []byte) *http.Request {
	r := req.Clone(req.Context())
	if len(body) > 0 {
		r.Header.Set("Content-Type", "application/json")
	}
	u := *req.URL
	u.RawPath = escapedPath
	if p, err := url.PathUnescape(escapedPath); err == nil {
		u.Path = p
	}
	r.URL = &u
	r.Body = io.NopCloser(bytes.NewReader(body))
	return r
}

// errorBody checks an answer the document does not describe (404 and 405
// outside its paths and methods): the control API's error body, as JSON.
func errorBody(what string, req *http.Request, res *http.Response, body []byte) error {
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		return fmt.Errorf("%s: %d with Content-Type %q, want JSON", what, res.StatusCode, ct)
	}
	if req.Method == http.MethodHead {
		return nil
	}
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		return fmt.Errorf("%s: %d body %q is not JSON: %v", what, res.StatusCode, body, err)
	}
	if msg, ok := e["error"].(string); !ok || msg == "" || len(e) != 1 {
		return fmt.Errorf(`%s: %d body %s, want {"error": "…"}`, what, res.StatusCode, body)
	}
	return nil
}

// joinValidation words the validator's errors, one a line.
func joinValidation(errs []*verrors.ValidationError) error {
	var out []error
	for _, e := range errs {
		msg := e.Message
		if e.Reason != "" && e.Reason != e.Message {
			msg += ": " + e.Reason
		}
		for _, s := range e.SchemaValidationErrors {
			at := s.FieldPath
			if at == "" {
				at = s.KeywordLocation
			}
			msg += fmt.Sprintf("; %s at %s", s.Reason, at)
		}
		out = append(out, errors.New(msg))
	}
	return errors.Join(out...)
}

// Reporter is the part of testing.TB a Transport reports to.
type Reporter interface {
	Errorf(format string, args ...any)
}

// Transport returns a RoundTripper that sends through next (nil:
// http.DefaultTransport) and checks every control exchange, reporting a
// mismatch to t. The bodies are buffered (test traffic is small); an
// event stream is passed through unchecked.
func (c *Checker) Transport(t Reporter, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{c: c, t: t, next: next}
}

type transport struct {
	c    *Checker
	t    Reporter
	next http.RoundTripper
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if p := req.URL.EscapedPath(); !strings.HasPrefix(p, Prefix) || isInspector(p) {
		return tr.next.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
	}
	res, err := tr.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		return res, nil
	}
	resBody, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	if err := tr.c.Check(req, reqBody, res, resBody); err != nil {
		tr.t.Errorf("controltest: %v", err)
	}
	return res, nil
}
