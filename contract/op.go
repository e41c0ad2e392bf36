package contract

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/tidwall/gjson"
)

// Op Api probe constants (the Op page and Qiniu's download-token doc,
// docs/fidelity/op.md).
const (
	opPageSize = 20
	opBadToken = "chatemu-contract-bad-token"
	opTimeRE   = `^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`
	// qiniuLinkRE is a Qiniu private download URL: ?e=deadline&token=AK:sig,
	// the signature URL-safe base64 with padding kept
	// (https://developer.qiniu.com/kodo/manual/1202).
	qiniuLinkRE = `^https?://[^?#]+\?(?:[^#]*&)?e=\d+&token=[^:&]+:[A-Za-z0-9_-]+=*$`
)

// opExampleOrder is the key order of a record in the page's example.
var opExampleOrder = []string{"to", "createTime", "form", "file_length", "lng", "addr", "type", "msg", "ext", "url",
	"getUrl", "thumbsecret", "length", "filename", "secret", "userMessageId", "thumb", "lat"}

func (s *session) opProbes(tenants gjson.Result) ([]probe, error) {
	in := &s.cfg.Op
	if s.chatemu {
		fillOp(in, tenants)
	}
	if in.Client == "" || in.Token == "" || in.User == "" {
		return nil, errors.New("contract: op needs --client, --token and --user (read from /_chatemu/tenants only when the target is chatemu)")
	}
	s.secret(in.Token)
	s.inputs["client"], s.inputs["user"] = in.Client, in.User
	if s.chatemu {
		if now, err := s.chatemuNow(context.Background()); err == nil {
			s.inputs["now"] = now.UTC().Format(timeLayoutNano)
		}
	}
	page := compareSpec{volatile: []string{"foot.operationTime", "page.total", "page.next", "page.count"}, content: map[string]string{"data": "type"}}
	return []probe{
		{name: "first-page", about: "POST /op/v2/userMessageList action INIT pageNum 1 pageSize 20",
			do: func(ctx context.Context, s *session) (*observed, string, error) {
				obs, err := s.opList(ctx, s.cfg.Op.Token, map[string]any{"userId": s.cfg.Op.User, "pageNum": 1, "pageSize": opPageSize, "action": "INIT"})
				if err == nil {
					if recs := obs.doc.JSON.Get("data").Array(); len(recs) > 0 {
						s.state["oldest"] = recs[len(recs)-1].Get("createTime").Str
					}
				}
				return obs, "", err
			},
			rules: func(*session) []Rule {
				return append(opPageRules(), instance(Eq("page.page", 1), Eq("page.pageSize", opPageSize))...)
			},
			compare: page},
		{name: "more", about: "action MORE from the first page's oldest createTime: older records, newest first",
			do: func(ctx context.Context, s *session) (*observed, string, error) {
				if s.state["oldest"] == "" {
					return nil, "", errors.New("no record on the first page to page back from")
				}
				return wrap(s.opList(ctx, s.cfg.Op.Token, map[string]any{"userId": s.cfg.Op.User, "pageNum": 1, "pageSize": opPageSize,
					"action": "MORE", "creatTime": s.state["oldest"] + ".0"}))
			},
			rules: func(s *session) []Rule {
				cursor := s.state["oldest"]
				return append(opPageRules(), instance(Eq("page.page", 1),
					Each("data", Func("createTime", "not after the cursor "+cursor, func(v gjson.Result) (string, bool) {
						return v.Raw, v.Str <= cursor
					})))...)
			},
			compare: page},
		{name: "bad-token", about: "a token that is not the client's: an error in the page's envelope",
			do: func(ctx context.Context, s *session) (*observed, string, error) {
				return wrap(s.opList(ctx, opBadToken, map[string]any{"userId": s.cfg.Op.User, "pageNum": 1, "pageSize": opPageSize}))
			},
			rules: func(*session) []Rule { return opErrorRules() }, compare: compareSpec{volatile: []string{"foot.operationTime"}}},
	}, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func mustMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

func wrap(o *observed, err error) (*observed, string, error) { return o, "", err }

func fillOp(in *OpInputs, tenants gjson.Result) {
	var t gjson.Result
	for _, c := range tenants.Get("op").Array() {
		if in.Client == "" || c.Get("client").Str == in.Client {
			t = c
			break
		}
	}
	if !t.Exists() {
		return
	}
	in.Client = t.Get("client").Str
	if in.Token == "" {
		in.Token = t.Get("token").Str
	}
	if in.User == "" {
		for _, a := range tenants.Get("easemob").Array() {
			if a.Get("org").Str+"/"+a.Get("app").Str == t.Get("easemob_app").Str {
				in.User = a.Get("users.0").Str
			}
		}
	}
}

// opList POSTs userMessageList with the client and token in the query, as
// the page's example does.
func (s *session) opList(ctx context.Context, token string, body map[string]any) (*observed, error) {
	b, _ := json.Marshal(body)
	q := "apiVersion=01&client=" + url.QueryEscape(s.cfg.Op.Client) + "&token=" + url.QueryEscape(token)
	return s.exchange(ctx, call{method: http.MethodPost, url: "/op/v2/userMessageList?" + q,
		header: map[string]string{"Content-Type": "application/json"}, body: b})
}

// opPageRules are a successful page: the example's envelope and record
// fields (the Op page, docs/fidelity/op.md).
func opPageRules() []Rule {
	return []Rule{
		Status(200),
		Header("Content-Type", `^application/json`),
		Order("", "code", "message", "data", "page", "foot"),
		Eq("code", 200),
		Eq("message", "成功"),
		Type("data", Array),
		Type("page", Object),
		Order("page", "total", "page", "pageSize", "count", "next", "startIndex"),
		Type("page.total", Integer),
		Type("page.page", Integer),
		Type("page.pageSize", Integer),
		Type("page.count", Integer),
		countMatches(),
		Type("page.next", Bool),
		Type("page.startIndex", Integer, Null),
		Type("foot", Object),
		Order("foot", "operationTime", "servicePhone", "host"),
		Match("foot.operationTime", opTimeRE),
		Type("foot.servicePhone", String),
		Type("foot.host", String),
		Each("data", opRecordRules()...),
	}
}

// countMatches wants page.count to be len(data). The page's example elides
// records ("... ..."), so it shows count 2 beside one record.
func countMatches() Rule {
	return waived(Rule{Path: "page.count", Want: "the number of records in data", check: func(ctx *checkCtx, v gjson.Result, p string) []Failure {
		n := len(ctx.doc.JSON.Get("data").Array())
		if v.Int() != int64(n) {
			return []Failure{{Path: p, Expected: "= len(data) = " + itoa(n), Observed: show(v)}}
		}
		return nil
	}}, `the page's example elides records ("... ..."): count 2 beside one record`)
}

func opRecordRules() []Rule {
	strOrNull := []Kind{String, Null}
	return []Rule{
		Order("", opExampleOrder...),
		Type("userMessageId", String),
		Opt("hxMsgId", String),
		Type("form", String),
		Type("to", String),
		Type("type", String),
		Match("createTime", opTimeRE),
		Type("msg", strOrNull...),
		Type("url", strOrNull...),
		Type("getUrl", strOrNull...),
		Func("getUrl", "null or a Qiniu private link ?e=…&token=AK:sig", func(v gjson.Result) (string, bool) {
			return show(v), v.Type == gjson.Null || mustMatch(qiniuLinkRE, v.Str)
		}),
		Type("filename", strOrNull...),
		Type("secret", strOrNull...),
		Type("thumb", strOrNull...),
		Type("thumbsecret", strOrNull...),
		Type("length", Integer, Null),
		Type("file_length", Integer, Null),
		Type("addr", strOrNull...),
		Type("lat", Number, Null),
		Type("lng", Number, Null),
		Type("ext", Object, Null),
		Opt("favorite", Bool),
		Opt("mark", Array, Null),
	}
}

// opErrorRules: the page documents no error, so only what any answer in
// its envelope must hold is checked (the exact code and text are left to
// --record/--replay).
func opErrorRules() []Rule {
	return []Rule{
		Order("", "code", "message", "data", "page", "foot"),
		Func("code", "a number other than 200", func(v gjson.Result) (string, bool) {
			return show(v), v.Type == gjson.Number && v.Int() != 200
		}),
		Type("message", String),
		Func("data", "no records (null or [])", func(v gjson.Result) (string, bool) {
			return show(v), !v.Exists() || v.Type == gjson.Null || (v.IsArray() && len(v.Array()) == 0)
		}),
		Type("foot", Object),
	}
}
