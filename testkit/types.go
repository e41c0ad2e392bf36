package testkit

import (
	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// The types a test names, re-exported so that a test needs one import:
// testkit. Each is the same type as the original (an alias), so values
// pass freely between the two.
type (
	// LiteralMessage is a message for Inject, or in a runtime tenant's
	// Messages: the scenario file's literal-message form.
	LiteralMessage = scenarios.LiteralMessage
	// Exts are a custom message's properties in order.
	Exts = scenarios.Exts
	// RoomID is a chat room's number (LiteralMessage.Room, Traffic.Room,
	// YunxinRoom.ID): Room: 10001.
	RoomID = scenarios.RoomID
	// TenantID names a tenant: "easemob:ORG/APP", "yunxin:APPKEY",
	// "op:CLIENT". EasemobApp.Tenant and friends return it.
	TenantID = world.TenantID
	// Cluster says which zone an Easemob app's archive hours are named in.
	Cluster = world.Cluster
	// RateLimitMode is a tenant's rate-limit mode, for the RateLimits
	// option and runtime tenants.
	RateLimitMode = world.RateLimits
	// OSSKeys sign an Easemob app's archive links.
	OSSKeys = world.OSSKeys
	// QiniuKeys sign an Op client's getUrl links.
	QiniuKeys = world.QiniuKeys
	// Group is an Easemob group: ID, Owner, Members.
	Group = world.Group
	// RoomStatus is a Yunxin chat room's state.
	RoomStatus = world.RoomStatus
	// SignRule is how an Op client's sign parameter is checked.
	SignRule = world.SignRule
	// Mark is an Op user's mark on a literal message: User, MessageID,
	// Marks.
	Mark = world.Mark
	// Favorite is a literal message an Op user favorited: User, MessageID.
	Favorite = world.Favorite
	// FaultKind is a fault preset (RateLimit, ServerError, Unauthorized)
	// or Drop.
	FaultKind = faults.Kind
	// OperationName names a vendor API as the journal records it, for
	// AssertCalled, AssertOrder and the Operation request filter; the
	// constants below (EasemobChatMessages, …) are every one of them.
	OperationName = journal.Operation
)

// The operations the journal records (OperationName), by vendor.
const (
	EasemobToken           = journal.EasemobToken
	EasemobChatMessages    = journal.EasemobChatMessages
	EasemobChatFiles       = journal.EasemobChatFiles
	EasemobArchiveDownload = journal.EasemobArchiveDownload
	EasemobUnknown         = journal.EasemobUnknown
	YunxinChatroomHistory  = journal.YunxinChatroomHistory
	YunxinDownload         = journal.YunxinDownload
	YunxinUnknown          = journal.YunxinUnknown
	OpUserMessageList      = journal.OpUserMessageList
	OpQiniuDownload        = journal.OpQiniuDownload
	OpUnknown              = journal.OpUnknown
)

// The values of the re-exported types.
const (
	// ClusterCN names archive hours in Beijing time (UTC+8), the default.
	ClusterCN = world.ClusterCN
	// ClusterOverseas names archive hours in UTC.
	ClusterOverseas = world.ClusterOverseas

	// RateLimitsVendor enforces the vendors' documented rate limits on the
	// emulator's clock.
	RateLimitsVendor = world.RateLimitsVendor
	// RateLimitsOff lifts them (the scenario default).
	RateLimitsOff = world.RateLimitsOff

	// RoomOpen and RoomClosed are a Yunxin room's states.
	RoomOpen   = world.RoomOpen
	RoomClosed = world.RoomClosed

	// SignAny accepts any Op sign; SignMD5 checks it.
	SignAny = world.SignAny
	SignMD5 = world.SignMD5
)

// EasemobTenant is the tenant of the Easemob app org/app, for Inject and
// the Tenant request filter.
func EasemobTenant(org, app string) TenantID { return world.EasemobTenant(org, app) }

// YunxinTenant is the tenant of the Yunxin app appKey.
func YunxinTenant(appKey string) TenantID { return world.YunxinTenant(appKey) }

// OpTenant is the tenant of the Op client, for the Tenant request filter
// and RemoveTenant.
func OpTenant(client string) TenantID { return TenantID("op:" + client) }
