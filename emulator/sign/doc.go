// Package sign holds the signed-link schemes the emulated vendors hand out:
// Aliyun OSS V1 query-string signatures (the Easemob archive download links;
// https://www.alibabacloud.com/help/en/doc-detail/31952.html) and Qiniu
// private download tokens (the Op Api getUrl links;
// https://developer.qiniu.com/kodo/manual/1202). It builds links, verifies requests against them,
// and renders each vendor's exact error body.
//
// Everything here is a pure function or a value: there is no package-level
// mutable state and no wall clock, so callers pass the emulator's time as
// now. The package imports the standard library and, of chatemu, only
// emulator/internal/s3xml (the object-storage XML errors it shares with
// Yunxin's NOS), so every vendor package may depend on it.
package sign
