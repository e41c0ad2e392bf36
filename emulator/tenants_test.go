package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/control"
	"github.com/chatemu/chatemu/scenarios"
)

func TestRuntimeTenants(t *testing.T) {
	l := startLive(t, emulator.Config{})
	var em control.Tenants
	l.control(t, "POST", "tenants", `{"vendor":"easemob","users":["ann","ben"],"traffic":[{"from":"ann","to":"ben","per_hour":3,"since":"5h"}]}`, 201, &em)
	if len(em.Easemob) != 1 || em.Easemob[0].Org != control.RuntimeOrg || em.Easemob[0].App != "t1" ||
		!strings.HasPrefix(em.Easemob[0].ClientID, "YXA6") || em.Easemob[0].BaseURL != l.url || len(em.Yunxin)+len(em.Op) != 0 {
		t.Fatalf("created %+v", em)
	}
	app := em.Easemob[0]
	tok := easemobToken(t, l, app.Org, app.App, app.ClientID, app.ClientSecret)
	// Traffic counts back from the clock's now: 3 messages in 08:00 UTC
	// (16 Beijing time), archived at 10:00.
	res, b := l.do(t, "GET", "/"+app.Org+"/"+app.App+"/chatmessages/2026112016", http.Header{"Authorization": {"Bearer " + tok}}, "")
	if res.StatusCode != 200 {
		t.Errorf("runtime app's archive link: %d %s", res.StatusCode, b)
	}
	ids, err := l.srv.Inject("easemob:"+"chatemu-rt/t1", scenarios.LiteralMessage{From: "ann", To: "ben", Msg: "hi"})
	if err != nil || len(ids) != 1 {
		t.Errorf("inject into a runtime app: %v %v", ids, err)
	}

	var yx struct {
		Yunxin []struct {
			AppKey    string `json:"appkey"`
			AppSecret string `json:"app_secret"`
			Chatrooms []struct {
				ID int `json:"id"`
			} `json:"chatrooms"`
		} `json:"yunxin"`
	}
	var op control.Tenants
	l.control(t, "POST", "tenants", `{"vendor":"yunxin","accounts":["amy"],"chatrooms":[{"id":1}]}`, 201, &yx)
	if len(yx.Yunxin) != 1 || len(yx.Yunxin[0].AppKey) != 32 || yx.Yunxin[0].Chatrooms[0].ID != 1 {
		t.Fatalf("yunxin %+v", yx)
	}
	res, b = l.do(t, "GET", "/im/v2/chatrooms/1/messages?sender_id=amy&limit=10", yunxinHeaders(l.srv, yx.Yunxin[0].AppKey, yx.Yunxin[0].AppSecret), "")
	if !strings.Contains(b, `"code":200`) {
		t.Errorf("runtime yunxin app: %s", b)
	}
	l.control(t, "POST", "tenants", `{"vendor":"op","users":["zed"],"messages":[{"id":"m1","from":"zed","to":"zed","msg":"self","at":"2026-11-20T09:00:00Z"}],"favorites":[{"user":"zed","message":"m1"}]}`, 201, &op)
	if len(op.Op) != 1 || len(op.Easemob) != 1 || op.Op[0].EasemobApp != "chatemu-rt/t4" || op.Op[0].Client != "chatemu-rt-op-3" {
		t.Fatalf("op %+v", op)
	}
	_, b = l.do(t, "POST", "/op/v2/userMessageList?client="+op.Op[0].Client+"&token="+op.Op[0].Token, nil, `{"userId":"zed","pageNum":1,"pageSize":10}`)
	if !strings.Contains(b, `"total":1`) || !strings.Contains(b, "self") {
		t.Errorf("runtime op client: %s", b)
	}
	var op2 control.Tenants
	l.control(t, "POST", "tenants", `{"vendor":"op","easemob_app":"chatemu/demo","client":"mine"}`, 201, &op2)
	if len(op2.Op) != 1 || len(op2.Easemob) != 0 || op2.Op[0].EasemobApp != "chatemu/demo" {
		t.Errorf("op on an existing app %+v", op2)
	}

	var all struct{ Easemob, Yunxin, Op []any }
	l.control(t, "GET", "tenants", "", 200, &all)
	if len(all.Easemob) != 4 || len(all.Yunxin) != 2 || len(all.Op) != 3 {
		t.Errorf("GET tenants: %d easemob, %d yunxin, %d op", len(all.Easemob), len(all.Yunxin), len(all.Op))
	}

	for _, tt := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "tenants", `{"vendor":"wechat"}`, 400, `vendor: want \"easemob\", \"yunxin\" or \"op\", got \"wechat\"`},
		{"POST", "tenants", `{"vendor":"easemob","users":["a"],"traffic":[{"from":"a","to":"nobody","per_hour":1,"since":"1h"}]}`, 400, `{"error":"traffic[0].to:`},
		{"POST", "tenants", `{"vendor":"easemob","colour":"red"}`, 400, `colour`},
		{"POST", "tenants", `{"vendor":"easemob","org":"chatemu","app":"demo"}`, 409, `Easemob app chatemu/demo exists`},
		{"POST", "tenants", `{"vendor":"op","easemob_app":"no/such"}`, 404, `unknown Easemob app`},
		{"POST", "tenants", `{"vendor":"op","easemob_app":"chatemu/demo","users":["x"]}`, 400, `users: unknown key`},
		{"DELETE", "tenants/easemob:chatemu/demo", "", 409, `belongs to the scenario`},
		{"DELETE", "tenants/yunxin:nope", "", 404, `unknown tenant`},
		{"DELETE", "tenants/wechat:x", "", 400, `want \"easemob:ORG/APP\"`},
	} {
		if got := l.control(t, tt.method, tt.path, tt.body, tt.status, nil); !strings.Contains(got, tt.want) {
			t.Errorf("%s %s %s: %s, want %s", tt.method, tt.path, tt.body, got, tt.want)
		}
	}

	// Removing the Op client's app removes the client too.
	l.control(t, "DELETE", "tenants/easemob:chatemu-rt/t4", "", 204, nil)
	l.control(t, "DELETE", "tenants/op:"+op.Op[0].Client, "", 404, nil)
	l.control(t, "DELETE", "tenants/yunxin:"+yx.Yunxin[0].AppKey, "", 204, nil)
	if _, b := l.do(t, "GET", "/im/v2/chatrooms/1/messages?sender_id=amy&limit=10", yunxinHeaders(l.srv, yx.Yunxin[0].AppKey, yx.Yunxin[0].AppSecret), ""); !strings.Contains(b, `"msg":"appkey"`) {
		t.Errorf("removed yunxin app still answers: %s", b)
	}

	// Reset removes runtime tenants and restarts the names.
	l.srv.Reset()
	l.control(t, "GET", "tenants", "", 200, &all)
	if len(all.Easemob) != 2 || len(all.Yunxin) != 1 || len(all.Op) != 1 {
		t.Errorf("after Reset: %d easemob, %d yunxin, %d op", len(all.Easemob), len(all.Yunxin), len(all.Op))
	}
	var again control.Tenants
	l.control(t, "POST", "tenants", `{"vendor":"easemob","users":["ann","ben"]}`, 201, &again)
	if again.Easemob[0].App != "t1" || again.Easemob[0].ClientID != app.ClientID {
		t.Errorf("after Reset the first runtime app is %+v, want t1 with the same credentials", again.Easemob[0])
	}
}
