// Package contract checks that an endpoint speaks the vendors' contracts:
// the real Easemob, Yunxin or Op server, a staging copy, or chatemu itself.
// It is `chatemu contract`.
//
// A run sends a fixed, read-only probe set per vendor (the happy path and
// the deliberate bad inputs each vendor documents) and checks each answer
// against rules written from the vendors' documentation (docs/fidelity/
// names each source), not from chatemu's output: status,
// envelope, field names, JSON types, key order where the vendor fixes it,
// error codes and texts, and the shape of signed links, each addressed by a
// gjson path. A failed rule is reported with the probe, the path, what the
// contract expects and what was observed.
//
// Runs can be recorded (WriteRecordings: one redacted JSON file per probe
// under {dir}/{vendor}/) and replayed (package contract/replay: chatemu
// started in process answers the same probes and CompareRecording compares
// it with the recording field by field), so drift found once against a live
// vendor stays caught offline.
// CheckSamples runs the same rules over the vendors' published examples
// (fixtures.Samples).
//
// contract talks HTTP only: it imports clock, sign (the link schemes its
// probes check) and gjson, and no package of
// the server it checks (the replay, which starts one, is contract/replay).
// No package of the server imports it.
package contract
