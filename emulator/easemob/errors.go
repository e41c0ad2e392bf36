package easemob

import (
	"fmt"
	"net/http"
	"strconv"
)

// Error codes (the "error" field) the surface sends, each from the history
// page or easemob-doc docs/document/server-side/error.md unless marked
// [guess].
const (
	CodeIllegalArgument       = "illegal_argument"
	CodeInvalidGrant          = "invalid_grant"
	CodeUnsupportedGrantType  = "unsupported_grant_type" // [guess] OAuth 2.0's name (RFC 6749, section 5.2)
	CodeOrgAppNotFound        = "organization_application_not_found"
	CodeUnauthorized          = "unauthorized"
	CodeBadAccessToken        = "auth_bad_access_token"
	CodeStorageObjectNotFound = "storage_object_not_found"
	CodeWebApplication        = "web_application"
	CodeUnsupportedOperation  = "unsupported_service_operation"
	CodeReachLimit            = "reach_limit"
	CodeJSONParse             = "json_parse"       // [guess] Usergrid's class-name rule applied to JsonParseException
	CodeEntityNotFound        = "entity_not_found" // chatfiles, message_download_file.md
)

// Exception class names (the "exception" field). Usergrid derives the
// "error" code from the exception's class name (IllegalArgumentException →
// illegal_argument), which is how the names below were chosen where no
// capture shows one.
const (
	// SecurityException is sourced: the 401 example in message_download.md.
	excSecurity = "org.apache.usergrid.rest.exceptions.SecurityException"
	// OrganizationApplicationNotFoundException is sourced: Usergrid JS SDK
	// example (with Easemob's org.apache. prefix).
	excOrgAppNotFound = "org.apache.usergrid.rest.exceptions.OrganizationApplicationNotFoundException"
	// [guess] the JDK class whose name gives illegal_argument.
	excIllegalArgument = "java.lang.IllegalArgumentException"
	// [guess] Apache Oltu, the OAuth library Usergrid uses for token grants.
	excOAuthProblem = "org.apache.oltu.oauth2.common.exception.OAuthProblemException"
	// [guess] Usergrid's services exception of that name.
	excUnsupportedOperation = "org.apache.usergrid.services.exceptions.UnsupportedServiceOperationException"
	// The JAX-RS class whose name gives web_application; the documented
	// unknown-API description is this very class name (easemob-doc error.md).
	excWebApplication = "javax.ws.rs.WebApplicationException"
	// [guess] Easemob's storage service, named by the code it gives.
	excStorageObjectNotFound = "org.apache.usergrid.services.exceptions.StorageObjectNotFoundException"
	// [guess] named by the code it gives.
	excReachLimit = "org.apache.usergrid.rest.exceptions.ReachLimitException"
	// [guess] Jackson 2's parse error.
	excJSONParse = "com.fasterxml.jackson.core.JsonParseException"
	// [guess] Usergrid's persistence exception of that name.
	excEntityNotFound = "org.apache.usergrid.persistence.exceptions.EntityNotFoundException"
)

// Error descriptions with the vendor's exact punctuation (easemob-doc
// docs/product/easemob_app_token.md and docs/document/server-side/error.md).
const (
	descClientIDMissing     = "client_id must be provided."
	descClientSecretMissing = "client_secret must be provided"
	descClientIDMismatch    = "client_id does not match"
	descClientSecretMism    = "client_secret does not match"
	descExpiredToken        = "Unable to authenticate due to expired access token"
	descCorruptToken        = "Unable to authenticate due to corrupt access token"
	descUnknownToken        = "Unable to authenticate"
	descUnsupportedMedia    = "Unsupported Media Type"
	descUnsupportedOp       = "Service operation not supported"
	descUnknownAPI          = "javax.ws.rs.WebApplicationException"
	descReachLimit          = "This request has reached api limit"
	descFileNotFound        = "file may not exists"
	descJSONParse           = "Unexpected character in request body: not valid JSON" // [guess]
	descGrantTypeMissing    = "grant_type must be provided"                          // [guess]
)

// Error is every error the Easemob surface returns. It renders the vendor's
// status and Usergrid envelope in one place (write); Reason is the plain
// words for the X-Chatemu-Reason header and never enters the body.
type Error struct {
	Status      int
	Code        string // the "error" field
	Exception   string
	Description string // the "error_description" field
	Reason      string
}

// Error returns the code and the developer's reason.
func (e *Error) Error() string { return "easemob " + e.Code + ": " + e.Reason }

// body renders the Usergrid error envelope in Usergrid order: error,
// timestamp, duration, exception, error_description (Usergrid
// rest/ApiResponse.java).
// duration is always the integer 0: the Go SDK decodes it into an int.
func (e *Error) body(nowMS int64) []byte {
	b := make([]byte, 0, 256)
	b = append(b, `{"error":`...)
	b = appendString(b, e.Code)
	b = append(b, `,"timestamp":`...)
	b = strconv.AppendInt(b, nowMS, 10)
	b = append(b, `,"duration":0,"exception":`...)
	b = appendString(b, e.Exception)
	b = append(b, `,"error_description":`...)
	b = appendString(b, e.Description)
	b = append(b, '}')
	return b
}

// Easemob's 500, for the server_error fault preset and a bug of chatemu (a
// panic). [guess] No generic Easemob 500 is documented; JAX-RS's
// InternalServerErrorException gives internal_server_error by Usergrid's
// class-name rule, and its default message.
const (
	codeInternalServerError = "internal_server_error"
	excInternalServerError  = "javax.ws.rs.InternalServerErrorException"
	descInternalServerError = "HTTP 500 Internal Server Error"
)

func errInternal(reason string) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: codeInternalServerError, Exception: excInternalServerError,
		Description: descInternalServerError, Reason: reason}
}

func errOrgAppNotFound(org, app, path string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeOrgAppNotFound, Exception: excOrgAppNotFound,
		Description: "Could not find application for " + org + "/" + app + " from URI: " + path,
		Reason:      fmt.Sprintf("no Easemob app %s/%s in this world (see GET /_chatemu/tenants)", org, app)}
}

func errUnsupportedOperation(method, path string) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: CodeUnsupportedOperation, Exception: excUnsupportedOperation,
		Description: descUnsupportedOp, Reason: fmt.Sprintf("%s is not a method of /%s", method, path)}
}

func errUnknownAPI(path string) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: CodeWebApplication, Exception: excWebApplication,
		Description: descUnknownAPI,
		Reason:      fmt.Sprintf("/%s is not an API chatemu emulates (token, chatmessages/{time}, chatfiles/{uuid})", path)}
}

func errUnsupportedMediaType(ct string) *Error {
	return &Error{Status: http.StatusUnsupportedMediaType, Code: CodeWebApplication, Exception: excWebApplication,
		Description: descUnsupportedMedia,
		Reason:      fmt.Sprintf("Content-Type %q: the token endpoint takes application/json", ct)}
}

func errJSONParse(reason string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeJSONParse, Exception: excJSONParse,
		Description: descJSONParse, Reason: "request body is not a JSON object: " + reason}
}

func errIllegalArgument(desc, reason string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeIllegalArgument, Exception: excIllegalArgument,
		Description: desc, Reason: reason}
}

func errInvalidGrant(desc, reason string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidGrant, Exception: excOAuthProblem,
		Description: desc, Reason: reason}
}

func errUnsupportedGrant(grant string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeUnsupportedGrantType, Exception: excOAuthProblem,
		Description: "unsupported grant_type: " + grant, // [guess]
		Reason:      fmt.Sprintf("grant_type %q: chatemu emulates only client_credentials (app tokens)", grant)}
}

func errTokenExpired(reason string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Exception: excSecurity,
		Description: descExpiredToken, Reason: reason}
}

func errTokenCorrupt(reason string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeBadAccessToken, Exception: excSecurity,
		Description: descCorruptToken, Reason: reason}
}

func errTokenUnknown(reason string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeBadAccessToken, Exception: excSecurity,
		Description: descUnknownToken, Reason: reason}
}

func errTimeFormat(appKey, tm string) *Error {
	return errIllegalArgument("illegal arguments: appkey: "+appKey+", time: "+tm,
		fmt.Sprintf("time %q is not yyyyMMddHH (10 digits, a real date and hour)", tm))
}

func errUnstored(appKey, tm, reason string) *Error {
	return errIllegalArgument("illegal arguments: appkey: "+appKey+", time: "+tm+", maybe chat message history is expired or unstored", reason)
}

func errNoHistory(appKey, tm, reason string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeStorageObjectNotFound, Exception: excStorageObjectNotFound,
		Description: "Failed to find chat message history download url for appkey: " + appKey + ", time: " + tm,
		Reason:      reason}
}

func errReachLimit(reason string) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: CodeReachLimit, Exception: excReachLimit,
		Description: descReachLimit, Reason: reason}
}

func errFileNotFound(uuid string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeEntityNotFound, Exception: excEntityNotFound,
		Description: descFileNotFound, Reason: fmt.Sprintf("no attachment %s in this app", uuid)}
}
