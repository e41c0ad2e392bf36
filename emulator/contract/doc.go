// Package contract checks that an endpoint speaks the vendors' contracts:
// the real Easemob, Yunxin or Op server, a staging copy, or chatemu itself.
// It is `chatemu contract` (issue #7).
//
// A run sends a fixed, read-only probe set per vendor (the happy path and
// the deliberate bad inputs each vendor documents) and checks each answer
// against rules written from the vendors' documentation and
// /work/shared/vendor-notes.md, not from chatemu's output: status,
// envelope, field names, JSON types, key order where the vendor fixes it,
// error codes and texts, and the shape of signed links, each addressed by a
// gjson path. A failed rule is reported with the probe, the path, what the
// contract expects and what was observed.
//
// Runs can be recorded (WriteRecordings: one redacted JSON file per probe
// under {dir}/{vendor}/) and replayed (Replay: chatemu started in process
// answers the same probes and is compared with the recording field by
// field), so drift found once against a live vendor stays caught offline.
// CheckSamples runs the same rules over the vendors' published examples
// (fixtures.Samples).
//
// contract imports emulator (to serve a replay in process), scenarios and
// clock; no vendor package imports it.
package contract
