package opapi

import (
	"net/http"
	"strconv"

	"github.com/chatemu/chatemu/emulator/internal/respond"
)

// Code is the envelope's "code". 200 is success; the vendor page lists no
// error codes, so every other value here is chatemu's
// choice, documented in the README's fidelity notes.
type Code int

// The envelope codes. Every error is answered with HTTP 200 and one of
// these in the body, as legacy Java backends built on a ResultVO envelope do
// (and as Yunxin does); see docs/fidelity/op.md.
const (
	CodeOK           Code = 200 // 成功
	CodeBadParam     Code = 400 // a missing, ill-typed, out-of-range or unknown parameter
	CodeUnauthorized Code = 401 // unknown client or wrong token
	CodeBadSign      Code = 403 // sign does not follow the client's rule
	CodeUnknownUser  Code = 404 // userId is not a user of the linked Easemob app
	CodeBadMethod    Code = 405 // not POST
	CodeBodyTooLarge Code = 413 // body over MaxBodyBytes
	CodeInternal     Code = 500 // the scenario links the client to no Easemob app
)

// The envelope messages, in Chinese like the page's "成功". Parameter
// errors share code 400 and say which parameter is at fault.
const (
	MsgOK               = "成功"
	MsgClientInvalid    = "client无效"
	MsgTokenInvalid     = "token无效"
	MsgSignInvalid      = "签名错误"
	MsgUserNotFound     = "用户不存在"
	MsgMethodNotAllowed = "不支持的请求方法"
	MsgBodyTooLarge     = "请求体过大"
	MsgInternal         = "系统错误"
	MsgBodyMissing      = "参数错误: 请求体不能为空"
	MsgBodyNotJSON      = "参数错误: 请求体不是合法的JSON对象"
	MsgBadQuery         = "参数错误: 查询参数编码错误"
	MsgAPIVersion       = "参数错误: apiVersion不支持"
	MsgUserIDMissing    = "参数错误: userId不能为空"
	MsgUserIDType       = "参数错误: userId类型错误"
	MsgPageNumType      = "参数错误: pageNum类型错误"
	MsgPageNumRange     = "参数错误: pageNum必须大于等于1"
	MsgPageSizeType     = "参数错误: pageSize类型错误"
	MsgPageSizeRange    = "参数错误: pageSize必须在1到1000之间"
	MsgNeedMarkType     = "参数错误: needMark类型错误"
	MsgNeedFavoriteType = "参数错误: needFavorite类型错误"
	MsgCreatTimeFormat  = "参数错误: creatTime格式错误，应为yyyy-MM-dd HH:mm:ss.S"
	MsgActionInvalid    = "参数错误: action取值错误，应为INIT、MORE或NEW"
	// MsgUnknownField, MsgUnknownParam and MsgDuplicateParam are followed
	// by the name at fault.
	MsgUnknownField   = "参数错误: 不支持的字段 "
	MsgUnknownParam   = "参数错误: 不支持的参数 "
	MsgDuplicateParam = "参数错误: 参数重复 "
)

// Paging defaults and limits. The page's own test request sends only userId
// and its example answer shows page 1 and pageSize 20: those are the
// defaults of an absent (or null) pageNum and pageSize. The page states no
// maximum; MaxPageSize is chatemu's safety cap, so that one answer's memory
// stays bounded (about 1.2 MB of JSON), refused in the envelope.
const (
	DefaultPageNum  = 1
	DefaultPageSize = 20
	MinPageSize     = 1
	MaxPageSize     = 1000
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes = 1 << 20
)

// Error is every error of userMessageList: it renders as HTTP 200 with
// {"code","message","data":null,"page":null,"foot"} (the success envelope
// with nulls, as the Jackson serializer that writes the example's nulls
// would). Reason is plain English for the X-Chatemu-Reason header and the
// log, never in the body.
type Error struct {
	Code    Code
	Message string
	Reason  string
}

// Error returns the code, message and reason.
func (e *Error) Error() string {
	return "op api " + strconv.Itoa(int(e.Code)) + " " + e.Message + ": " + e.Reason
}

// HTTPStatus is the HTTP status of every envelope error: 200.
func (e *Error) HTTPStatus() int { return http.StatusOK }

func fail(code Code, msg, reason string) *Error {
	return &Error{Code: code, Message: msg, Reason: reason}
}

// renderError is the one place the Op error envelope is built: HTTP 200,
// the envelope with nulls, and the reason.
func (s *Surface) renderError(_ *http.Request, e *Error) respond.Response {
	res := envelopeResponse(e.HTTPStatus(), s.errorBody(e))
	res.Reason = e.Reason
	return res
}

// errInternal is the envelope's code 500, for a bug of chatemu.
func errInternal(reason string) *Error { return fail(CodeInternal, MsgInternal, reason) }

// errorBody renders e: the one place the Op error envelope is built (also
// for the control API's world routes, opapi/inspect.go).
func (s *Surface) errorBody(e *Error) []byte {
	return appendEnvelope(make([]byte, 0, 1024), &envelope{Code: e.Code, Message: e.Message, Foot: s.foot()})
}
