// Package opapi is the legacy "Op Api" surface (vendor-notes §4): POST
// /op/v2/userMessageList, a customer backend that stores an Easemob app's
// messages and re-hosts their media on Qiniu, and the Qiniu private
// download route its getUrl links point at (GET /_qiniu/{key},
// vendor-notes §5).
//
// The vendor page (vendor-docs 000_*) is the only contract: no client and no
// other document exist, so every gap is filled by a choice listed in
// the README's fidelity notes. The records are the same messages, ids and attachments the
// Easemob surface shows for the linked app: one world, two views.
//
// It imports world, clock and sign, faults and journal (the server's fault
// presets and request journal, both vendor-neutral), and nothing of another
// vendor.
package opapi
