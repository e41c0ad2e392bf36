package yunxin

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chatemu/chatemu/emulator/world"
)

// maxLimit is the vendor's page size bound: "最大为 100 ... 小于等于 0，或者大于
// 100，会报 414 错误" (vendor page).
const maxLimit = 100

// knownParams are the query parameters of the chatroom history: the vendor
// page's five, plus message_types, the official Go SDK's spelling of
// message_type (yunxin-server-sdk-golang chatroom_message_v2_service_impl.go). Anything else is refused: chatemu
// cannot tell a parameter the vendor ignores from one it honours and we do
// not emulate, never ignored.
var knownParams = [...]string{"sender_id", "page_token", "limit", "descending", "message_type", "message_types"}

// params are the values of the known parameters a query gives, each given
// once: val[i] and has[i] for knownParams[i].
type params struct {
	val [len(knownParams)]string
	has [len(knownParams)]bool
}

// get returns the value of the known parameter name and whether the query
// gives it.
func (p *params) get(name string) (string, bool) {
	for i, n := range knownParams {
		if n == name {
			return p.val[i], p.has[i]
		}
	}
	return "", false
}

// historyParams reads the query string's parameters, refusing a malformed
// query, an unknown parameter and a repeated one, in that order (unknown
// and repeated ones by name order).
func historyParams(rawQuery string) (params, *Error) {
	if p, ok := plainParams(rawQuery); ok {
		return p, nil
	}
	return parsedParams(rawQuery)
}

// parsedParams is historyParams for any query, through url.ParseQuery.
func parsedParams(rawQuery string) (params, *Error) {
	var p params
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		return p, paramError(fmt.Sprintf("the query string is malformed: %v", err))
	}
	names := make([]string, 0, len(vals))
	for name := range vals {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		i := slices.Index(knownParams[:], name)
		if i < 0 {
			return p, paramError(fmt.Sprintf("query parameter %q is not one of the chatroom history's (%s); chatemu refuses what it does not emulate", name, strings.Join(knownParams[:], ", ")))
		}
		if len(vals[name]) > 1 {
			return p, paramError(fmt.Sprintf("query parameter %q is given %d times", name, len(vals[name])))
		}
		p.val[i], p.has[i] = vals[name][0], true
	}
	return p, nil
}

// plainParams is historyParams for the query every client sends, without
// url.ParseQuery's map: each part a known name, given once, with a value
// that unescapes, and no ';'. It reports false for any other query, which
// historyParams then reads in full; what it returns for the rest is what
// url.ParseQuery would give.
func plainParams(rawQuery string) (p params, ok bool) {
	if strings.IndexByte(rawQuery, ';') >= 0 {
		return p, false
	}
	for rest := rawQuery; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "&")
		if part == "" {
			continue
		}
		name, raw, _ := strings.Cut(part, "=")
		i := slices.Index(knownParams[:], name)
		if i < 0 || p.has[i] {
			return p, false
		}
		v, err := url.QueryUnescape(raw)
		if err != nil {
			return p, false
		}
		p.val[i], p.has[i] = v, true
	}
	return p, true
}

// historyQuery is a parsed, validated chatroom-history request.
type historyQuery struct {
	room       string // canonical decimal room id
	sender     string
	limit      int
	descending bool
	kinds      []world.Kind // nil: all of Yunxin's kinds
	typeMask   uint64
	pageToken  string
}

// parseRoomID reads the path's room_id, a Long on the vendor page. A
// non-numeric id is a parameter error; leading zeros and a plus sign are
// read as Java's Long.parseLong reads them.
func parseRoomID(raw string) (string, *Error) {
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return "", paramError(fmt.Sprintf("room_id %q in the path is not a Long (the vendor page's \":{room_id}\" is a doc artifact: send the bare number)", raw))
	}
	return strconv.FormatInt(n, 10), nil
}

// parseHistoryQuery checks the query string in the order: unknown and
// repeated parameters, limit, sender_id, message_type(s), descending. The
// page_token is checked later, against the scope it must belong to.
func parseHistoryQuery(rawQuery string, descendingDefault bool) (historyQuery, *Error) {
	var q historyQuery
	vals, e := historyParams(rawQuery)
	if e != nil {
		return q, e
	}
	_, hasType := vals.get("message_type")
	_, hasTypes := vals.get("message_types")
	if hasType && hasTypes {
		return q, paramError("both message_type and message_types are given; send one (message_types is the Go SDK's spelling)")
	}

	rawLimit, _ := vals.get("limit")
	if rawLimit == "" {
		return q, paramError("limit is required (1..100)")
	}
	limit, err := strconv.Atoi(rawLimit)
	if err != nil {
		return q, paramError(fmt.Sprintf("limit %q is not an integer", rawLimit))
	}
	if limit <= 0 || limit > maxLimit {
		return q, paramError(fmt.Sprintf("limit %d is outside 1..%d", limit, maxLimit))
	}
	q.limit = limit

	q.sender, _ = vals.get("sender_id")
	if q.sender == "" {
		return q, paramError("sender_id is required")
	}

	rawTypes, _ := vals.get("message_type")
	name := "message_type"
	if hasTypes {
		rawTypes, _ = vals.get("message_types")
		name = "message_types"
	}
	// An empty list means no filter: "不设置该参数则查询全部类型".
	if rawTypes != "" {
		for _, part := range strings.Split(rawTypes, ",") {
			code, err := strconv.Atoi(part)
			kind, known := kindOfCode(code)
			if err != nil || !known {
				return q, paramError(fmt.Sprintf("%s %q: %q is not a message type (0,1,2,3,4,5,6,10,11,100)", name, rawTypes, part))
			}
			bit := uint64(1) << uint(code)
			if code == 100 {
				bit = 1 << 63
			}
			if q.typeMask&bit == 0 {
				q.kinds = append(q.kinds, kind)
			}
			q.typeMask |= bit
		}
	}

	q.descending = descendingDefault
	if raw, ok := vals.get("descending"); ok {
		switch raw {
		case "true":
			q.descending = true
		case "false":
			q.descending = false
		default:
			return q, paramError(fmt.Sprintf("descending %q is not true or false", raw))
		}
	}

	q.pageToken, _ = vals.get("page_token")
	return q, nil
}
