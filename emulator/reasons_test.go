package emulator_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator"
	"github.com/chatemu/chatemu/emulator/easemob"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/opapi"
	"github.com/chatemu/chatemu/emulator/sign"
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/emulator/yunxin"
)

// TestReasonsRevealSecretsOnlyOnOpenLoopback: a refused credential's
// X-Chatemu-Reason (and the journal's copy of it) shows the value that
// would have authenticated (the expected OSS signature, Yunxin CheckSum,
// Qiniu sign, Op sign) only on a loopback server without a control token;
// with a token or on an exposed listener it says what failed and shows the
// public inputs, never that value. No mode ever shows a tenant's secret.
func TestReasonsRevealSecretsOnlyOnOpenLoopback(t *testing.T) {
	modes := []struct {
		name   string
		cfg    emulator.Config
		reveal bool
	}{
		{"loopback", emulator.Config{}, true},
		{"control_token", emulator.Config{ControlToken: "ctl-token-1"}, false},
		{"exposed", emulator.Config{Exposed: true}, false},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			spec := load(t, "default")
			spec.Op[0].Sign = world.SignMD5 // the default client takes any sign
			cfg := m.cfg
			cfg.Spec = spec
			l := startLive(t, cfg)
			tn := l.srv.Tenants()
			em, yx, op := tn.Easemob[0], tn.Yunxin[0], tn.Op[0]
			exp := t0.Add(time.Hour)

			// A request, and the value that would have authenticated it
			// ("" for failures that have none: only the header's other
			// rules apply).
			type row struct {
				name     string
				method   string
				path     string
				header   http.Header
				body     string
				expected string
				public   string // a public input the reason must show
			}
			object := easemob.ArchiveObject(&world.EasemobApp{Org: em.Org, App: em.App}, "2026112008")
			badOSS := sign.OSSURL(l.url+"/_oss", em.OSS.Bucket, object, em.OSS.AccessKeyID, "not-the-secret", exp)
			ossSTS := sign.OSSStringToSign("GET", exp.Unix(), em.OSS.Bucket, object)
			headSTS := sign.OSSStringToSign("HEAD", exp.Unix(), em.OSS.Bucket, object)
			goodOSS := sign.OSSURL(l.url+"/_oss", em.OSS.Bucket, object, em.OSS.AccessKeyID, em.OSS.AccessKeySecret, exp)

			qbase := l.url + "/_qiniu/nothing.png"
			badQiniu := sign.QiniuURL(qbase, op.Qiniu.AccessKey, "not-the-secret-key", exp)
			qsigned := qbase + "?e=" + strconv.FormatInt(exp.Unix(), 10)

			cur := strconv.FormatInt(l.srv.Clock().WallNow().Unix(), 10)
			yxHeader := http.Header{"AppKey": {yx.AppKey}, "Nonce": {"n0nce"}, "CurTime": {cur}, "CheckSum": {yunxin.CheckSum("not-the-secret", "n0nce", cur)}}

			opQuery := url.Values{"client": {op.Client}, "token": {op.Token}, "sign": {"0123456789abcdef0123456789abcdef"}}
			opBody := `{"userId":"alice","pageNum":1,"pageSize":1}`

			rows := []row{
				{name: "oss_signature", method: "GET", path: strings.TrimPrefix(badOSS, l.url),
					expected: sign.OSSSignature(em.OSS.AccessKeySecret, ossSTS), public: strconv.Quote(ossSTS)},
				{name: "oss_other_method", method: "HEAD", path: strings.TrimPrefix(goodOSS, l.url),
					expected: sign.OSSSignature(em.OSS.AccessKeySecret, headSTS), public: strconv.Quote(headSTS)},
				{name: "oss_no_signature", method: "GET", path: "/_oss/" + em.OSS.Bucket + "/" + object + "?Expires=1&OSSAccessKeyId=" + em.OSS.AccessKeyID},
				{name: "qiniu_sign", method: "GET", path: strings.TrimPrefix(badQiniu, l.url),
					expected: sign.QiniuSign(op.Qiniu.SecretKey, qsigned), public: strconv.Quote(qsigned)},
				{name: "qiniu_unknown_key", method: "GET", path: "/_qiniu/nothing.png?e=1&token=nobody:c2lnbg=="},
				{name: "yunxin_checksum", method: "GET", path: "/im/v2.1/chatrooms/10001/messages?sender_id=amy&limit=10", header: yxHeader,
					expected: yunxin.CheckSum(yx.AppSecret, "n0nce", cur), public: `Nonce "n0nce" + CurTime "` + cur + `"`},
				{name: "op_sign", method: "POST", path: opapi.UserMessageListPath + "?" + opQuery.Encode(), body: opBody,
					expected: opapi.SignMD5(opQuery, []byte(opBody), op.Secret), public: "client=" + op.Client},
				{name: "op_token", method: "POST", path: opapi.UserMessageListPath + "?client=" + op.Client + "&token=wrong", body: opBody},
				{name: "easemob_client_secret", method: "POST", path: "/" + em.Org + "/" + em.App + "/token",
					header: http.Header{"Content-Type": {"application/json"}},
					body:   `{"grant_type":"client_credentials","client_id":"` + em.ClientID + `","client_secret":"wrong"}`},
			}
			secrets := []string{em.ClientSecret, em.OSS.AccessKeySecret, yx.AppSecret, op.Secret, op.Qiniu.SecretKey}
			for _, r := range rows {
				t.Run(r.name, func(t *testing.T) {
					res, body := l.do(t, r.method, r.path, r.header, r.body)
					reason := res.Header.Get("X-Chatemu-Reason")
					if reason == "" {
						t.Fatalf("%d %s: no X-Chatemu-Reason", res.StatusCode, body)
					}
					entries := l.srv.Journal().Entries(journal.Filter{})
					journaled := entries[len(entries)-1].Reason
					if journaled != reason {
						t.Errorf("journal keeps %q, header says %q", journaled, reason)
					}
					for _, s := range secrets {
						if strings.Contains(reason, s) {
							t.Errorf("reason shows the secret %q: %s", s, reason)
						}
					}
					if r.expected == "" {
						return
					}
					if !strings.Contains(reason, r.public) {
						t.Errorf("reason lacks the public input %s: %s", r.public, reason)
					}
					shows := strings.Contains(reason, r.expected) || strings.Contains(reason, url.QueryEscape(r.expected))
					switch {
					case m.reveal && !shows:
						t.Errorf("a loopback server without a token hides the expected %q: %s", r.expected, reason)
					case !m.reveal && shows:
						t.Errorf("reason hands out the expected %q: %s", r.expected, reason)
					case !m.reveal && !strings.Contains(reason, sign.HiddenNote):
						t.Errorf("reason does not say the expected value is hidden: %s", reason)
					}
				})
			}
		})
	}
}
