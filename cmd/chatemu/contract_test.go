package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/scenarios"
	"github.com/chatemu/chatemu/testkit"
)

// frozenChatemu serves the default scenario with its clock frozen at its
// start.
func frozenChatemu(t *testing.T) *testkit.Emulator {
	t.Helper()
	spec, err := scenarios.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	spec.Frozen = true
	return testkit.Start(t, testkit.Spec(*spec))
}

func TestContractAgainstChatemu(t *testing.T) {
	emu := frozenChatemu(t)
	code, out, errOut := runCmd(t, nil, "contract", "--vendor", "all", "--base-url", emu.URL)
	if code != exitOK || !strings.Contains(out, "no drift") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, p := range []string{"easemob/archive-expiry", "yunxin/paging-to-end", "op/more"} {
		if !strings.Contains(out, p) {
			t.Errorf("no %s in\n%s", p, out)
		}
	}
}

func TestContractEnvTwinsAndJSON(t *testing.T) {
	emu := frozenChatemu(t)
	y := emu.Yunxin()
	env := map[string]string{
		"CHATEMU_CONTRACT_VENDOR": "yunxin", "CHATEMU_CONTRACT_BASE_URL": emu.URL,
		"CHATEMU_CONTRACT_APPKEY": y.AppKey, "CHATEMU_CONTRACT_APP_SECRET": y.AppSecret,
		"CHATEMU_CONTRACT_ROOM": "10002", "CHATEMU_CONTRACT_SENDER": "cleo", "CHATEMU_CONTRACT_JSON": "true",
	}
	code, out, errOut := runCmd(t, env, "contract")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var rep struct {
		Passed  bool `json:"passed"`
		Results []struct {
			Vendor, Probe, Verdict string
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !rep.Passed || len(rep.Results) != 7 || rep.Results[0].Vendor != "yunxin" {
		t.Errorf("report %+v", rep)
	}
}

func TestContractDriftExitsNonZero(t *testing.T) {
	emu := frozenChatemu(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		emu.Server().ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		body := rec.Body.String()
		if strings.HasPrefix(r.URL.Path, "/op/") {
			body = strings.ReplaceAll(body, `"form":`, `"from":`)
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	code, out, errOut := runCmd(t, nil, "contract", "--vendor", "op", "--base-url", srv.URL)
	if code != exitError {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitError, out, errOut)
	}
	for _, want := range []string{"op/first-page", "data.0.form: string", "absent", "FAIL", "DRIFT"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

func TestContractRecordReplay(t *testing.T) {
	emu := frozenChatemu(t)
	dir := t.TempDir()
	code, out, errOut := runCmd(t, nil, "contract", "--vendor", "easemob,op", "--base-url", emu.URL, "--record", dir)
	// As many answers as the committed recordings of those vendors hold.
	easemobRecs, _ := filepath.Glob("../../fixtures/recorded/easemob/*.json")
	opRecs, _ := filepath.Glob("../../fixtures/recorded/op/*.json")
	if code != exitOK || !strings.Contains(errOut, fmt.Sprintf("recorded %d answer(s)", len(easemobRecs)+len(opRecs))) {
		t.Fatalf("record: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCmd(t, nil, "contract", "--replay", dir)
	if code != exitOK || !strings.Contains(out, "no drift") || !strings.Contains(out, "(replay, chatemu)") {
		t.Fatalf("replay: exit %d\n%s\n%s", code, out, errOut)
	}
	// The committed recordings replay too.
	code, out, errOut = runCmd(t, nil, "contract", "--replay", "../../fixtures/recorded")
	if code != exitOK {
		t.Fatalf("replay fixtures: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestContractUsage(t *testing.T) {
	for _, args := range [][]string{
		{"contract"},
		{"contract", "--base-url", "http://127.0.0.1:1"},
		{"contract", "--vendor", "wechat", "--base-url", "http://127.0.0.1:1"},
		{"contract", "--vendor", "op", "--base-url", "ftp://x"},
		{"contract", "--replay", "x", "--base-url", "http://127.0.0.1:1"},
		{"contract", "--json", "maybe"},
		{"contract", "stray"},
	} {
		if code, _, _ := runCmd(t, nil, args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, out, _ := runCmd(t, nil, "contract", "--help"); code != exitOK || !strings.Contains(out, "CHATEMU_CONTRACT_CLIENT_SECRET") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}
