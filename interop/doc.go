// Package interop holds differential tests of chatemu against the vendors'
// official SDKs that the Go module proxy serves: Aliyun's OSS Go SDKs v1
// (github.com/aliyun/aliyun-oss-go-sdk) and v2
// (github.com/aliyun/alibabacloud-oss-go-sdk-v2), and Qiniu's Go SDK
// (github.com/qiniu/go-sdk/v7). Links the SDKs sign verify against chatemu,
// their integrity checks (CRC-64, ETag) pass on its downloads, and their
// ranged reads get the right bytes.
//
// It is a module of its own, so that chatemu's module requires none of
// these SDKs; go.mod replaces chatemu with the parent directory. Run it
// with (cd interop && go test ./...). Each test starts chatemu in process
// (testkit) on loopback.
package interop
