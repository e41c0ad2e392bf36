package journal

import "strings"

// Operation names a vendor API as the journal records it: the name of the
// route that served the request, "VENDOR.unknown" for a path no route of
// the vendor serves. The route table (emulator/internal/routes) names the
// vendor routes with these constants; a test in package emulator checks
// that every vendor route's name is one of Operations.
type Operation string

// The operations, by vendor.
const (
	// EasemobToken is POST /{org}/{app}/token.
	EasemobToken Operation = "easemob.token"
	// EasemobChatMessages is GET /{org}/{app}/chatmessages/{hour}.
	EasemobChatMessages Operation = "easemob.chatmessages"
	// EasemobChatFiles is GET /{org}/{app}/chatfiles/{uuid}.
	EasemobChatFiles Operation = "easemob.chatfiles"
	// EasemobArchiveDownload is an archive's signed OSS link.
	EasemobArchiveDownload Operation = "easemob.archive_download"
	// EasemobUnknown is any other path (Easemob is the fallback vendor).
	EasemobUnknown Operation = "easemob.unknown"

	// YunxinChatroomHistory is GET /im/v2/chatrooms/{id}/messages (and its
	// v2.1 and /nimserver forms).
	YunxinChatroomHistory Operation = "yunxin.chatroom_history"
	// YunxinDownload is an attachment under /_nos/.
	YunxinDownload Operation = "yunxin.download"
	// YunxinUnknown is any other path under /im/ or /nimserver/.
	YunxinUnknown Operation = "yunxin.unknown"

	// OpUserMessageList is POST /op/v2/userMessageList.
	OpUserMessageList Operation = "op.user_message_list"
	// OpQiniuDownload is a getUrl link under /_qiniu/.
	OpQiniuDownload Operation = "op.qiniu_download"
	// OpUnknown is any other path under /op/.
	OpUnknown Operation = "op.unknown"
)

// Operations lists every operation, by vendor.
var Operations = []Operation{
	EasemobToken, EasemobChatMessages, EasemobChatFiles, EasemobArchiveDownload, EasemobUnknown,
	YunxinChatroomHistory, YunxinDownload, YunxinUnknown,
	OpUserMessageList, OpQiniuDownload, OpUnknown,
}

// Known reports whether o is one of Operations.
func (o Operation) Known() bool {
	for _, k := range Operations {
		if o == k {
			return true
		}
	}
	return false
}

// Vendor returns the vendor of o: "easemob", "yunxin" or "op".
func (o Operation) Vendor() string {
	v, _, _ := strings.Cut(string(o), ".")
	return v
}

// Unmatched reports whether o is a vendor's "unknown": no emulated API
// took the request.
func (o Operation) Unmatched() bool {
	return strings.HasSuffix(string(o), ".unknown")
}

// UnknownOperation is vendor's operation for a path none of its routes
// serves.
func UnknownOperation(vendor string) Operation { return Operation(vendor + ".unknown") }
