package yunxin

import (
	"net/http"
	"strconv"

	"github.com/chatemu/chatemu/emulator/internal/respond"
)

// Code is a Yunxin v2 result code, the body's "code" field. The HTTP status
// is 200 whatever the code (yunxin-server-sdk-golang src/core/base/biz_name.go).
type Code int

// The codes this surface answers with (vendor page's 错误码 table,
// the rate-limit page; docs/fidelity/yunxin.md).
const (
	CodeOK               Code = 200    // 请求成功
	CodeParameter        Code = 414    // 参数错误, also every auth failure
	CodeFrequency        Code = 416    // 频控 (the rate-limit page)
	CodeServer           Code = 500    // 服务器内部错误
	CodeAccountNotExist  Code = 102404 // 用户不存在
	CodeChatroomNotExist Code = 113404 // 聊天室不存在
	CodeChatroomClosed   Code = 113406 // 聊天室已关闭
	codeNotFound         Code = 404    // chatemu: a Yunxin path that is not emulated
	codeMethodNotAllowed Code = 405    // chatemu: a method that is not emulated
)

// The msg texts. Success, 414, 102404, 113404, 113406 and 500 are the
// vendor page's examples; appkey, checksum and CurTime is expired are the
// vendor's v1 desc strings, reused in the v2 envelope because no v2 auth
// body is documented (docs/fidelity/yunxin.md). The 416 text is unknown; "frequency control" is the vendor's status-code
// description, lower-cased like "parameter error".
const (
	MsgSuccess          = "success"
	MsgParameterError   = "parameter error"
	MsgAppKey           = "appkey"
	MsgCheckSum         = "checksum"
	MsgCurTimeExpired   = "CurTime is expired"
	MsgFrequencyControl = "frequency control"
	MsgAccountNotExist  = "account not exist"
	MsgChatroomNotExist = "chatroom not exist"
	MsgChatroomClosed   = "chatroom closed"
	MsgInternalError    = "internal server error"
	msgNotFound         = "not found"
	msgMethodNotAllowed = "method not allowed"
	contentTypeJSON     = "application/json;charset=UTF-8"
	reasonHeader        = respond.ReasonHeader
)

// Error is a failed call as the vendor reports it: Code and Msg go in the
// body, Reason (plain English, for the developer) in the X-Chatemu-Reason
// header and the log. Every failure of this surface is an *Error.
type Error struct {
	Code   Code
	Msg    string
	Reason string
	// status is the HTTP status: 200 for every vendor error; only chatemu's
	// own "not emulated" answers use another.
	status int
}

func (e *Error) Error() string {
	return "yunxin " + strconv.Itoa(int(e.Code)) + " " + e.Msg + ": " + e.Reason
}

func paramError(reason string) *Error {
	return &Error{Code: CodeParameter, Msg: MsgParameterError, Reason: reason}
}

// body renders the vendor's failure envelope: data is an empty object
// (vendor page: "请求失败则返回空对象").
func (e *Error) body() []byte {
	b := make([]byte, 0, 64)
	b = append(b, `{"code":`...)
	b = strconv.AppendInt(b, int64(e.Code), 10)
	b = append(b, `,"msg":`...)
	b = appendString(b, e.Msg)
	b = append(b, `,"data":{}}`...)
	return b
}

// renderError is the one place a failure becomes its answer: HTTP 200 and
// the envelope for every vendor error; only chatemu's own "not emulated"
// answers use another status (405 with Allow: GET, 404).
func renderError(_ *http.Request, e *Error) respond.Response {
	status := e.status
	if status == 0 {
		status = http.StatusOK
	}
	b := e.body()
	h := respond.Header("Content-Type", contentTypeJSON, "Content-Length", strconv.Itoa(len(b)))
	if status == http.StatusMethodNotAllowed {
		h.Set("Allow", http.MethodGet)
	}
	return respond.Response{Status: status, Header: h, Body: b, Reason: e.Reason}
}

// errInternal is the vendor's code 500, for a bug of chatemu.
func errInternal(reason string) *Error {
	return &Error{Code: CodeServer, Msg: MsgInternalError, Reason: reason}
}
