package emulator_test

import (
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// demo holds the tenants of the default scenario
// (scenarios/builtin/default.yaml), which most of these tests serve: their
// credentials are read from the scenario rather than written again here,
// so that an edit to it breaks only the tests of what the edit changes.
var demo = loadDemo()

// demoTenants are the default scenario's first Easemob app (chatemu/demo),
// Yunxin app and Op client.
type demoTenants struct {
	easemob world.EasemobApp
	yunxin  world.YunxinApp
	op      world.OpClient
}

func loadDemo() demoTenants {
	spec, err := scenarios.Load("default")
	if err != nil {
		panic("the default scenario does not load: " + err.Error())
	}
	return demoTenants{easemob: spec.Easemob[0], yunxin: spec.Yunxin[0], op: spec.Op[0]}
}

// The default scenario's credentials, as the tests send them.
var (
	emClientID     = demo.easemob.ClientID
	emClientSecret = demo.easemob.ClientSecret
	emBucket       = demo.easemob.OSS.Bucket
	emOSSKeyID     = demo.easemob.OSS.AccessKeyID
	emOSSSecret    = demo.easemob.OSS.AccessKeySecret
	yxAppKey       = demo.yunxin.AppKey
	yxSecret       = demo.yunxin.AppSecret
	opClient       = demo.op.Client
	opToken        = demo.op.Token
	opQuery        = "apiVersion=01&client=" + opClient + "&token=" + opToken + "&sign=x"
	qnAccessKey    = demo.op.Qiniu.AccessKey
	qnSecretKey    = demo.op.Qiniu.SecretKey
	emTokenBody    = `{"grant_type":"client_credentials","client_id":"` + emClientID + `","client_secret":"` + emClientSecret + `"}`
)
