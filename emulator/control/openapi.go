package control

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"slices"
)

// openAPIDocument is the OpenAPI 3.1 description of every control route:
// parameters, bodies, answers, errors and the control-token scheme. It lives
// beside the routes it describes; TestOpenAPIDocumentsEveryRoute ties the
// two together, and the control API's tests check their requests and answers
// against it.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the OpenAPI 3.1 document of the control API, as GET
// /_chatemu/openapi.json serves it. The caller may change the copy.
func OpenAPI() []byte { return slices.Clone(openAPIDocument) }

// openAPI serves the document. It is open like health: it describes the
// routes and holds no secret, and a client generator must read it before it
// knows about tokens.
func (a *API) openAPI(*http.Request) (response, *Error) {
	return response{status: http.StatusOK, body: json.RawMessage(openAPIDocument)}, nil
}
