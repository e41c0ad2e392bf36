package opapi

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/internal/golden"
)

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestErrors has a row per error of userMessageList: each is HTTP 200 with
// the envelope, a non-200 code, a Chinese message, data and page null, and
// an X-Chatemu-Reason, pinned by a golden file.
func TestErrors(t *testing.T) {
	e := newEnv(t)
	const ok = `{"userId":"alice","pageNum":1,"pageSize":20}`
	md5q := "apiVersion=01&client=" + md5Client + "&token=" + md5Token + "&sign="
	tests := []struct {
		name, method, query, body string
		code                      Code
		message                   string
	}{
		{"method_get", http.MethodGet, listQuery, "", CodeBadMethod, MsgMethodNotAllowed},
		{"client_missing", "", "apiVersion=01&token=" + clientTok + "&sign=x", ok, CodeUnauthorized, MsgClientInvalid},
		{"client_unknown", "", "apiVersion=01&client=nobody&token=" + clientTok + "&sign=x", ok, CodeUnauthorized, MsgClientInvalid},
		{"token_missing", "", "apiVersion=01&client=" + clientID + "&sign=x", ok, CodeUnauthorized, MsgTokenInvalid},
		{"token_wrong", "", "apiVersion=01&client=" + clientID + "&token=" + md5Token + "&sign=x", ok, CodeUnauthorized, MsgTokenInvalid},
		{"sign_wrong", "", md5q + md5hex("wrong"), ok, CodeBadSign, MsgSignInvalid},
		{"sign_missing", "", "apiVersion=01&client=" + md5Client + "&token=" + md5Token, ok, CodeBadSign, MsgSignInvalid},
		{"api_version", "", "apiVersion=02&client=" + clientID + "&token=" + clientTok + "&sign=x", ok, CodeBadParam, MsgAPIVersion},
		{"query_unknown", "", listQuery + "&timestamp=1", ok, CodeBadParam, MsgUnknownParam + "timestamp"},
		{"query_duplicate", "", listQuery + "&client=" + clientID, ok, CodeBadParam, MsgDuplicateParam + "client"},
		{"query_encoding", "", listQuery + "&x=%zz", ok, CodeBadParam, MsgBadQuery},
		{"body_empty", "", listQuery, "", CodeBadParam, MsgBodyMissing},
		{"body_not_json", "", listQuery, "userId=alice&pageNum=1", CodeBadParam, MsgBodyNotJSON},
		{"body_array", "", listQuery, `[` + ok + `]`, CodeBadParam, MsgBodyNotJSON},
		{"body_null", "", listQuery, `null`, CodeBadParam, MsgBodyNotJSON},
		{"body_trailing", "", listQuery, ok + `{}`, CodeBadParam, MsgBodyNotJSON},
		{"body_too_large", "", listQuery, `{"userId":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, CodeBodyTooLarge, MsgBodyTooLarge},
		{"field_unknown", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":20,"createTime":"2026-03-08 17:00:00.0","action":"MORE"}`, CodeBadParam, MsgUnknownField + "createTime"},
		{"user_missing", "", listQuery, `{"pageNum":1,"pageSize":20}`, CodeBadParam, MsgUserIDMissing},
		{"user_empty", "", listQuery, `{"userId":"","pageNum":1,"pageSize":20}`, CodeBadParam, MsgUserIDMissing},
		{"user_type", "", listQuery, `{"userId":["alice"],"pageNum":1,"pageSize":20}`, CodeBadParam, MsgUserIDType},

		{"page_num_type", "", listQuery, `{"userId":"alice","pageNum":"one","pageSize":20}`, CodeBadParam, MsgPageNumType},
		{"page_num_fraction", "", listQuery, `{"userId":"alice","pageNum":1.5,"pageSize":20}`, CodeBadParam, MsgPageNumType},
		{"page_num_overflow", "", listQuery, `{"userId":"alice","pageNum":2147483648,"pageSize":20}`, CodeBadParam, MsgPageNumType},
		{"page_num_zero", "", listQuery, `{"userId":"alice","pageNum":0,"pageSize":20}`, CodeBadParam, MsgPageNumRange},

		{"page_size_type", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":true}`, CodeBadParam, MsgPageSizeType},
		{"page_size_zero", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":0}`, CodeBadParam, MsgPageSizeRange},
		{"page_size_over", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":1001}`, CodeBadParam, MsgPageSizeRange},
		{"page_size_negative", "", listQuery, `{"userId":"alice","pageSize":-20}`, CodeBadParam, MsgPageSizeRange},
		{"page_num_negative", "", listQuery, `{"userId":"alice","pageNum":-1}`, CodeBadParam, MsgPageNumRange},
		{"need_mark_type", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":20,"needMark":1}`, CodeBadParam, MsgNeedMarkType},
		{"need_favorite_type", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":20,"needFavorite":"yes"}`, CodeBadParam, MsgNeedFavoriteType},
		{"creat_time_format", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":20,"creatTime":"2026-03-08T17:00:00","action":"MORE"}`, CodeBadParam, MsgCreatTimeFormat},
		{"creat_time_invalid", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":20,"creatTime":"2026-02-30 17:00:00.0","action":"MORE"}`, CodeBadParam, MsgCreatTimeFormat},
		{"creat_time_type", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":20,"creatTime":1772960400000,"action":"MORE"}`, CodeBadParam, MsgCreatTimeFormat},
		{"action_unknown", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":20,"action":"REFRESH"}`, CodeBadParam, MsgActionInvalid},
		{"action_lower_case", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":20,"action":"init"}`, CodeBadParam, MsgActionInvalid},
		{"action_type", "", listQuery, `{"userId":"alice","pageNum":1,"pageSize":20,"action":1}`, CodeBadParam, MsgActionInvalid},
		{"user_unknown", "", listQuery, `{"userId":"mallory","pageNum":1,"pageSize":20}`, CodeUnknownUser, MsgUserNotFound},
		{"client_unlinked", "", "apiVersion=01&client=" + orphanID + "&token=" + orphanTok + "&sign=x", ok, CodeInternal, MsgInternal},
	}
	if !strings.Contains(MsgPageSizeRange, strconv.Itoa(MinPageSize)+"到"+strconv.Itoa(MaxPageSize)) {
		t.Errorf("%q does not name the range %d..%d", MsgPageSizeRange, MinPageSize, MaxPageSize)
	}
	if len(tests) < 12 {
		t.Fatal("the issue asks for at least 12 error rows")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			r := e.do(t, method, publicURL+UserMessageListPath+"?"+tt.query, tt.body)
			if r.Status != http.StatusOK || r.Header.Get("Content-Type") != contentType {
				t.Errorf("HTTP %d %q, want 200 %q", r.Status, r.Header.Get("Content-Type"), contentType)
			}
			env := decode(t, r)
			if env.Code != int(tt.code) || env.Message != tt.message {
				t.Errorf("got %d %q, want %d %q (reason %q)", env.Code, env.Message, tt.code, tt.message, r.Header.Get("X-Chatemu-Reason"))
			}
			if env.Data != nil || env.Page != nil || env.Foot == nil || env.Foot.OperationTime != "2026-03-08 17:29:17" {
				t.Errorf("envelope %+v: want data and page null, foot filled", env)
			}
			if r.Header.Get("X-Chatemu-Reason") == "" {
				t.Error("no X-Chatemu-Reason")
			}
			if !strings.HasPrefix(string(r.Body), `{"code":`+strconv.Itoa(int(tt.code))+`,"message":`) || !strings.Contains(string(r.Body), `"data":null,"page":null,"foot":{`) {
				t.Errorf("body %s", r.Body)
			}
			golden.Check(t, filepath.Join("testdata", "errors/"+tt.name+".json"), r.Body)
		})
	}
}
