package opapi

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// TestEncoderMatchesJSON checks the hand-written encoder against
// encoding/json (no HTML escaping) on tricky values.
func TestEncoderMatchesJSON(t *testing.T) {
	e := newEnv(t)
	s := New(Config{World: e.world, Clock: e.clock, PublicURL: publicURL})
	app, _ := e.world.EasemobAppOf(tenant)
	c, _ := e.world.OpClient(clientID)
	full, err := s.list(context.Background(), app, &request{client: c, userID: "alice", pageNum: 1, pageSize: 100, action: ActionInit}, e.clock.Now(), new(recordSet))
	if err != nil {
		t.Fatal(err)
	}
	odd := []string{"", "plain", "<b>&amp;</b>", "quote\" back\\slash", "ctl\x00\x01\x1f\n\r\t\b\f", "中文😀", "bad\xff\xfeutf8",
		"line\u2028sep\u2029", "\x7f"}
	floats := []float64{0, -0.0, 39.9042, 116.407396, 1e-7, -1e-7, 1e21, 123456789.125, 5e-324}
	var recs []*record
	for i, str := range odd {
		f := floats[i%len(floats)]
		n := int64(i)
		recs = append(recs, &record{To: str, Form: str, Msg: some(str), Addr: some(str), Lat: some(f), Lng: some(floats[(i+1)%len(floats)]),
			Length: some(n), Ext: map[string]any{"k" + str: str, "n": 1.5, "list": []any{true, nil}}, Mark: []string{str, ""}},
			&record{To: str, URL: some(""), FileLength: some(-n), Ext: map[string]any{}},
			&record{Form: str, Ext: map[string]any{"b" + str: str, "a": "<&>", "": "\u2028", str + "z": "x"}})
	}
	for _, env := range []envelope{
		full,
		{Code: CodeOK, Message: MsgOK, Data: recs, Page: &page{Total: 3, Page: 2, PageSize: 1, Count: 1, Next: true}, Foot: s.foot()},
		{Code: CodeBadParam, Message: MsgCreatTimeFormat, Foot: s.foot()},
		{Code: CodeOK, Message: MsgOK, Data: []*record{}, Page: &page{}, Foot: s.foot()},
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(env); err != nil {
			t.Fatal(err)
		}
		got := appendEnvelope(nil, &env)
		if !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("encoders differ\n got %s\nwant %s", got, want.Bytes())
		}
	}
}
