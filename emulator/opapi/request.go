package opapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/javajson"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
)

// Action is the request's "action" (the page: INIT 首次加载初始化, MORE
// 下拉加载更多, NEW 增量更新).
type Action string

// The actions.
const (
	ActionInit Action = "INIT"
	ActionMore Action = "MORE"
	ActionNew  Action = "NEW"
)

// APIVersion is the only apiVersion the page documents ("01", 2016-03-03).
const APIVersion = "01"

// query parameters the URL may carry.
var queryParams = map[string]bool{"apiVersion": true, "client": true, "token": true, "sign": true}

// request is a parsed, validated userMessageList call.
type request struct {
	client       *world.OpClient
	userID       string
	pageNum      int
	pageSize     int
	needMark     bool
	needFavorite bool
	// creatTime bounds the action (list.go); zero when absent.
	creatTime time.Time
	action    Action
}

// parseQuery checks the URL's parameters and authenticates the client. It
// returns the parameters it read, for the sign check that needs the body.
func (s *Surface) parseQuery(r *http.Request) (*world.OpClient, url.Values, *Error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, nil, fail(CodeBadParam, MsgBadQuery, "the query string is not valid URL encoding: "+err.Error())
	}
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !queryParams[k] {
			return nil, nil, fail(CodeBadParam, MsgUnknownParam+k,
				fmt.Sprintf("query parameter %q is not one the page documents (apiVersion, client, token, sign); chatemu refuses what it does not emulate", k))
		}
		if len(q[k]) > 1 {
			return nil, nil, fail(CodeBadParam, MsgDuplicateParam+k, fmt.Sprintf("query parameter %q appears %d times", k, len(q[k])))
		}
	}
	if v, ok := q["apiVersion"]; ok && v[0] != APIVersion {
		return nil, nil, fail(CodeBadParam, MsgAPIVersion, fmt.Sprintf("apiVersion=%q; the page documents only %q", v[0], APIVersion))
	}
	id := q.Get("client")
	c, ok := s.world.OpClient(id)
	if id == "" || !ok {
		return nil, nil, fail(CodeUnauthorized, MsgClientInvalid, fmt.Sprintf("no Op client %q in this world (see GET /_chatemu/tenants)", id))
	}
	if tok := q.Get("token"); !sign.Equal(tok, c.Token) {
		return nil, nil, fail(CodeUnauthorized, MsgTokenInvalid, fmt.Sprintf("token %q is not client %s's token", tok, c.Client))
	}
	return c, q, nil
}

// readBody reads at most MaxBodyBytes.
func readBody(r *http.Request) ([]byte, *Error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, fail(CodeBadParam, MsgBodyNotJSON, "reading the body failed: "+err.Error())
	}
	if len(body) > MaxBodyBytes {
		return nil, fail(CodeBodyTooLarge, MsgBodyTooLarge, fmt.Sprintf("the body is over %d bytes", MaxBodyBytes))
	}
	return body, nil
}

// The page's input fields, as indexes of bodyValues.
const (
	fUserID = iota
	fPageNum
	fPageSize
	fNeedMark
	fNeedFavorite
	fCreatTime
	fAction
	nFields
)

// bodyFields names the page's input fields.
var bodyFields = [nFields]string{"userId", "pageNum", "pageSize", "needMark", "needFavorite", "creatTime", "action"}

// bodyField returns the index of the input field k, or -1.
func bodyField(k string) int {
	for i, f := range bodyFields {
		if f == k {
			return i
		}
	}
	return -1
}

// bodyValues are the raw JSON values of a body's fields; absent is empty.
type bodyValues [nFields]json.RawMessage

// decode reads the body with encoding/json, which words every error: a
// JSON object, nothing after it, of the page's fields only (the last of
// duplicated keys wins).
func (v *bodyValues) decode(body []byte) *Error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil || fields == nil {
		reason := "the body is not a JSON object"
		if err != nil {
			reason += ": " + err.Error()
		}
		return fail(CodeBadParam, MsgBodyNotJSON, reason)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fail(CodeBadParam, MsgBodyNotJSON, "the body has data after its JSON object")
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		i := bodyField(k)
		if i < 0 {
			return fail(CodeBadParam, MsgUnknownField+k, fmt.Sprintf(
				"body field %q is not on the page (userId, pageNum, pageSize, needMark, needFavorite, creatTime (sic), action)", k))
		}
		v[i] = fields[k]
	}
	return nil
}

// scan reads the body a client usually sends, without encoding/json's
// allocations: a JSON object of the page's fields, keys without escapes,
// each value a string without escapes or control characters, an integer,
// true, false or null, nothing but whitespace around it. It reports false,
// leaving v to decode, for anything else, valid or not, so that decode
// words every error and reads every other form. What it reads is what
// decode would: the raw bytes of each value, the last of duplicated keys.
func (v *bodyValues) scan(b []byte) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		end, ok := plainEnd(b, i+1)
		if !ok {
			return false
		}
		f := bodyField(string(b[i+1 : end])) // no allocation: compared, not kept
		if f < 0 {
			return false
		}
		i = skipSpace(b, end+1)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		vEnd, ok := scalarEnd(b, i)
		if !ok {
			return false
		}
		v[f] = b[i:vEnd]
		i = skipSpace(b, vEnd)
		switch {
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		case i < len(b) && b[i] == '}':
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// plainEnd returns the index of the quote closing a string whose content
// starts at i, and false when the string has an escape or a control
// character or does not end.
func plainEnd(b []byte, i int) (int, bool) {
	for ; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i, true
		case c == '\\' || c < 0x20:
			return 0, false
		}
	}
	return 0, false
}

// scalarEnd returns where the value starting at i ends when it is a plain
// string (plainEnd), an integer (-?(0|[1-9][0-9]*), followed by a
// delimiter), true, false or null; false for any other value.
func scalarEnd(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch c := b[i]; {
	case c == '"':
		end, ok := plainEnd(b, i+1)
		return end + 1, ok
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range [...]string{"true", "false", "null"} {
			if bytes.HasPrefix(b[i:], []byte(lit)) && delimited(b, i+len(lit)) {
				return i + len(lit), true
			}
		}
		return 0, false
	}
	j := i
	if b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && '1' <= b[j] && b[j] <= '9':
		for j < len(b) && '0' <= b[j] && b[j] <= '9' {
			j++
		}
	default:
		return 0, false
	}
	return j, delimited(b, j)
}

// delimited reports whether a literal or number ending at i ends there:
// the body ends or whitespace, a comma or a brace follows.
func delimited(b []byte, i int) bool {
	return i == len(b) || isSpace(b[i]) || b[i] == ',' || b[i] == '}'
}

// parseBody decodes the JSON body with Jackson's default leniency: numbers
// and booleans may come as strings ("1", "true"), a numeric userId is taken
// as its digits, null is absent; the last of duplicated keys wins.
func (s *Surface) parseBody(body []byte, req *request) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fail(CodeBadParam, MsgBodyMissing, "the body is empty; the page wants a JSON object with at least userId")
	}
	var fields bodyValues
	if !fields.scan(body) {
		if e := fields.decode(body); e != nil {
			return e
		}
	}

	userID, ok := jsonString(fields[fUserID], true)
	if !ok {
		return fail(CodeBadParam, MsgUserIDType, "userId must be a string (or a number, taken as its digits): got "+string(fields[fUserID]))
	}
	if userID == "" {
		return fail(CodeBadParam, MsgUserIDMissing, "userId is absent, null or empty")
	}
	req.userID = userID

	var e *Error
	if req.pageNum, e = jsonInt(fields[fPageNum], DefaultPageNum, "pageNum", MsgPageNumType); e != nil {
		return e
	}
	if req.pageNum < 1 {
		return fail(CodeBadParam, MsgPageNumRange, fmt.Sprintf("pageNum is %d; pages count from 1", req.pageNum))
	}
	if req.pageSize, e = jsonInt(fields[fPageSize], DefaultPageSize, "pageSize", MsgPageSizeType); e != nil {
		return e
	}
	if req.pageSize < MinPageSize || req.pageSize > MaxPageSize {
		return fail(CodeBadParam, MsgPageSizeRange, fmt.Sprintf(
			"pageSize is %d; the page states no maximum, chatemu serves %d..%d records a page so that one answer's memory stays bounded", req.pageSize, MinPageSize, MaxPageSize))
	}
	if req.needMark, ok = jsonBool(fields[fNeedMark]); !ok {
		return fail(CodeBadParam, MsgNeedMarkType, "needMark must be true, false, \"true\" or \"false\": got "+string(fields[fNeedMark]))
	}
	if req.needFavorite, ok = jsonBool(fields[fNeedFavorite]); !ok {
		return fail(CodeBadParam, MsgNeedFavoriteType, "needFavorite must be true, false, \"true\" or \"false\": got "+string(fields[fNeedFavorite]))
	}

	action, ok := jsonString(fields[fAction], false)
	if !ok {
		return fail(CodeBadParam, MsgActionInvalid, "action must be a string: got "+string(fields[fAction]))
	}
	switch Action(action) {
	case "":
		req.action = ActionInit
	case ActionInit, ActionMore, ActionNew:
		req.action = Action(action)
	default:
		return fail(CodeBadParam, MsgActionInvalid, fmt.Sprintf("action %q is not INIT, MORE or NEW (case matters)", action))
	}

	ct, ok := jsonString(fields[fCreatTime], false)
	if !ok {
		return fail(CodeBadParam, MsgCreatTimeFormat, "creatTime must be a string: got "+string(fields[fCreatTime]))
	}
	if ct != "" {
		t, err := s.parseCreatTime(ct)
		if err != nil {
			return fail(CodeBadParam, MsgCreatTimeFormat, err.Error())
		}
		req.creatTime = t
	}
	return nil
}

// creatTimeRE is yyyy-MM-dd HH:mm:ss with an optional 1-3 digit fraction.
var creatTimeRE = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$`)

// parseCreatTime reads creatTime in Beijing time. The fraction is a decimal
// fraction of a second, as java.sql.Timestamp and MySQL read it ("05.5" is
// 500 ms), not SimpleDateFormat's millisecond count.
func (s *Surface) parseCreatTime(v string) (time.Time, error) {
	m := creatTimeRE.FindStringSubmatch(v)
	if m == nil {
		return time.Time{}, fmt.Errorf("creatTime %q is not yyyy-MM-dd HH:mm:ss or yyyy-MM-dd HH:mm:ss.S (1-3 fraction digits)", v)
	}
	t, err := time.ParseInLocation(dateTime, v[:19], s.beijing)
	if err != nil {
		return time.Time{}, fmt.Errorf("creatTime %q is not a valid date and time: %v", v, err)
	}
	if f := m[7]; f != "" {
		ms, _ := strconv.Atoi((f + "00")[:3])
		t = t.Add(time.Duration(ms) * time.Millisecond)
	}
	return t.UTC(), nil
}

// jsonString reads a string field; null or absent is "". With numbers, a
// JSON number is taken as its literal text (Jackson coerces scalars to
// String).
func jsonString(raw json.RawMessage, numbers bool) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	if raw[0] == '"' {
		if plainString(raw) {
			return string(raw[1 : len(raw)-1]), true
		}
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return "", false
		}
		return v, true
	}
	if numbers && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return string(raw), true
	}
	return "", false
}

// jsonInt reads an Integer: a JSON integer or a string of decimal digits
// (Jackson's default coercion), within int32; absent or null is def.
func jsonInt(raw json.RawMessage, def int, name, badType string) (int, *Error) {
	if len(raw) == 0 || string(raw) == "null" {
		return def, nil
	}
	if n, ok := smallInt(raw); ok {
		return n, nil
	}
	text := string(raw)
	if raw[0] == '"' {
		if json.Unmarshal(raw, &text) != nil {
			return 0, fail(CodeBadParam, badType, name+" is not a valid JSON string")
		}
	}
	n, err := strconv.ParseInt(text, 10, 32)
	if err != nil {
		return 0, fail(CodeBadParam, badType, fmt.Sprintf("%s must be a 32-bit integer (or a string of one): got %s", name, raw))
	}
	return int(n), nil
}

// plainString reports whether raw is a JSON string of printable ASCII
// without escapes: its text is its bytes between the quotes, which
// json.Unmarshal would return (the usual userId, action and creatTime,
// read without reflection).
func plainString(raw []byte) bool {
	return len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && javajson.Plain(raw[1:len(raw)-1])
}

// smallInt reads raw when it is a JSON integer of at most 9 digits (so
// within int32), as strconv.ParseInt would, without a string copy; any
// other form is for jsonInt's general path.
func smallInt(raw []byte) (int, bool) {
	digits := raw
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = 10*n + int(c-'0')
	}
	if raw[0] == '-' {
		n = -n
	}
	return n, true
}

// jsonBool reads an optional Boolean: true, false, "true", "false"; null or
// absent is false.
func jsonBool(raw json.RawMessage) (bool, bool) {
	switch string(raw) {
	case "", "null", "false", `"false"`:
		return false, true
	case "true", `"true"`:
		return true, true
	}
	return false, false
}
