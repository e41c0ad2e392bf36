package main

import (
	"encoding/json"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionOf(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2026-11-30T14:36:07Z"}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "ef7b5459002177dab51de56ef9336ff712ced6b9"
	for _, tc := range []struct {
		name, override string
		bi             *debug.BuildInfo
		want           string
	}{
		{"no build info", "", nil, "devel"},
		{"test binary", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
		{"go install @version", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{"checkout, pseudo-version", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.4-0.20261130143607-ef7b54590021"}, Settings: vcs(rev, "false")},
			"v1.2.4-0.20261130143607-ef7b54590021"},
		{"checkout, dirty", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.4-0.20261130143607-ef7b54590021+dirty"}, Settings: vcs(rev, "true")},
			"v1.2.4-0.20261130143607-ef7b54590021+dirty"},
		{"checkout at a tag", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs(rev, "false")}, "v1.2.3 (ef7b54590021)"},
		{"checkout, unstamped version", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, "devel (ef7b54590021, modified)"},
		{"link-time override", "v2.0.0-docker", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "v2.0.0-docker"},
	} {
		if got := versionOf(tc.override, tc.bi); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestVersionLinkTime builds the binary as the Dockerfile does (no VCS
// stamping, the version passed with -X main.buildVersion) and checks that
// `chatemu version` and health report it.
func TestVersionLinkTime(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := t.TempDir() + "/chatemu"
	cmd := exec.Command("go", "build", "-buildvcs=false", "-ldflags=-X main.buildVersion=v9.8.7-test", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || string(out) != "chatemu v9.8.7-test\n" {
		t.Fatalf("version: %q %v", out, err)
	}
	c := startChild(t, bin)
	_, body := fetch(t, "http://"+c.addr+"/_chatemu/health")
	var h struct{ Status, Version string }
	if err := json.Unmarshal([]byte(body), &h); err != nil || h.Status != "ok" || h.Version != "v9.8.7-test" {
		t.Errorf("health %s: %v", body, err)
	}
	if !strings.Contains(c.log.String(), "version=v9.8.7-test") {
		t.Errorf("the start-up line names no version:\n%s", c.log)
	}
}
