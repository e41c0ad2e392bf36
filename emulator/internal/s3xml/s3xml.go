// Package s3xml writes the XML error documents of S3-compatible object
// storage, the one place they become bytes for the three download schemes
// that answer with them: Aliyun OSS (Easemob's archives, through package
// sign), NetEase NOS (Yunxin's attachment files) and the fault presets of
// both. The codes and messages S3 defines
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html),
// which OSS and NOS reuse, are here too.
//
// s3xml imports respond and the standard library.
package s3xml

import (
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/chatemu/chatemu/emulator/internal/respond"
)

// The S3 errors the emulated object stores answer with besides their own:
// the fault presets' throttling and internal errors, and NOS's denial.
const (
	CodeSlowDown         = "SlowDown"
	MessageSlowDown      = "Please reduce your request rate."
	CodeInternalError    = "InternalError"
	MessageInternalError = "We encountered an internal error. Please try again."
	CodeAccessDenied     = "AccessDenied"
	MessageAccessDenied  = "Access Denied"
)

// Element is one child element of <Error>.
type Element struct {
	Name, Text string
}

// Document renders an error document: the XML declaration on its own line,
// then <Error> with elems in order, their text escaped. Indented is OSS's
// layout (one element a line, indented two spaces, a final newline);
// otherwise the document is S3's one line after the declaration.
func Document(indented bool, elems ...Element) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error>")
	indent, eol := "", ""
	if indented {
		indent, eol = "  ", "\n"
	}
	b.WriteString(eol)
	for _, e := range elems {
		b.WriteString(indent + "<" + e.Name + ">")
		b.WriteString(Escape(e.Text))
		b.WriteString("</" + e.Name + ">" + eol)
	}
	b.WriteString("</Error>" + eol)
	return []byte(b.String())
}

// Escape escapes element text with encoding/xml, which also replaces
// invalid UTF-8 and characters XML forbids with U+FFFD: a key such as "%FF"
// or a StringToSign with control characters must not make the body
// ill-formed XML.
func Escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

// Response is an error document as an answer: status, Content-Type
// application/xml and Content-Length (a HEAD gets them without the body).
func Response(status int, doc []byte) respond.Response {
	h := respond.Header("Content-Type", "application/xml", "Content-Length", strconv.Itoa(len(doc)))
	return respond.Response{Status: status, Header: h, Body: doc}
}
