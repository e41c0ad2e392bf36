package main

import (
	"runtime/debug"
	"strings"
)

// buildVersion, when set at link time, is the version chatemu reports:
//
//	go build -ldflags "-X main.buildVersion=v1.2.3" ./cmd/chatemu
//
// The Docker image is built without VCS stamping (its context has no .git),
// so its Dockerfile passes the VERSION build argument here. It is never
// written at run time.
var buildVersion string

// version is what `chatemu version` prints and health reports.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return versionOf(buildVersion, bi)
}

// versionOf is the version from a link-time override, else from the build
// info: the module version of `go install …@v1.2.3`; for a build from a
// checkout, the version the go command stamped (a pseudo-version such as
// v0.0.0-20261130143607-ef7b54590021, "+dirty" when files were modified)
// with the VCS revision added when it does not show it; "devel" when
// nothing is known.
func versionOf(override string, bi *debug.BuildInfo) string {
	if override != "" {
		return override
	}
	if bi == nil {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case rev != "" && !strings.Contains(v, rev):
		note := rev
		if modified {
			note += ", modified"
		}
		v += " (" + note + ")"
	case modified && !strings.HasSuffix(v, "+dirty"):
		v += "+dirty"
	}
	return v
}
