package opapi

import (
	"strconv"

	"github.com/chatemu/chatemu/emulator/internal/respond"
)

// envelope is the response body, in the page's key order.
type envelope struct {
	Code    Code      `json:"code"`
	Message string    `json:"message"`
	Data    []*record `json:"data"`
	Page    *page     `json:"page"`
	Foot    foot      `json:"foot"`
}

type page struct {
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"pageSize"`
	Count    int   `json:"count"`
	Next     bool  `json:"next"`
	// StartIndex is always null, as in the page's only example.
	StartIndex *int `json:"startIndex"`
}

type foot struct {
	OperationTime string `json:"operationTime"`
	ServicePhone  string `json:"servicePhone"`
	Host          string `json:"host"`
}

// contentType is what Spring MVC writes for a JSON body [guess].
const contentType = "application/json;charset=UTF-8"

// envelopeResponse is an envelope's rendered bytes as an answer.
func envelopeResponse(status int, b []byte) respond.Response {
	h := respond.Header("Content-Type", contentType, "Content-Length", strconv.Itoa(len(b)))
	return respond.Response{Status: status, Header: h, Body: b}
}
