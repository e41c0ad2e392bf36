// Package yunxin is chatemu's NetEase Yunxin (网易云信) IM server API v2
// surface: "分页查询聊天室历史消息", GET /im/v2/chatrooms/{room_id}/messages
// and its /im/v2.1 twin, each also under the official Go SDK's /nimserver
// prefix, with the vendor's CheckSum header auth, its always-HTTP-200
// {"code","msg","data"} envelope, its codes and attachment shapes, keyset
// page tokens, and the 416 frequency control (docs/fidelity/yunxin.md names
// the public source of each). It also serves the attachment files the
// history links to, under a NOS-like path on the emulator, so every `url` in
// an item downloads real bytes whose md5 and size match the item.
//
// Handlers are thin: parse → auth → rate limit → parameters → world query →
// wire items → body. Every failure is an *Error, rendered in one place
// (renderError, through the adapter of routes.go) with the vendor's body and an
// X-Chatemu-Reason header.
//
// The package imports world, clock, faults and journal (the server's fault
// presets and request journal, both vendor-neutral), the server's internal
// respond, routes and s3xml, gorilla/mux and the standard library; it imports nothing of another vendor and holds no
// package-level mutable state. The README's fidelity notes list where the vendor is silent and what was chosen.
package yunxin
