// Package opapi is the legacy "Op Api" surface: POST
// /op/v2/userMessageList, a customer backend that stores an Easemob app's
// messages and re-hosts their media on Qiniu, and the Qiniu private
// download route its getUrl links point at (GET /_qiniu/{key}; Qiniu's
// download-token doc, https://developer.qiniu.com/kodo/manual/1202).
//
// The vendor page ("Op Api接口文档 › 2.32.1 获取用户的所有聊天记录", not
// published anywhere public) is the only contract: no client and no other
// document exist, so every gap is filled by a choice listed in
// docs/fidelity/op.md. The records are the same messages, ids and
// attachments the Easemob surface shows for the linked app: one world, two
// views.
//
// Handlers return values (emulator/internal/respond); routes.go turns the
// route table's Op rows (emulator/internal/routes) into handlers and holds
// the two adapters, userMessageList's and the Qiniu downloads'.
//
// It imports world, clock and sign, faults and journal (the server's fault
// presets and request journal, both vendor-neutral), the server's internal
// respond and routes, and nothing of another vendor.
package opapi
