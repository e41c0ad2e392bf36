package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDockerfile: every base image of the repository's Dockerfile is pinned
// by digest, and its build links the VERSION build argument into
// main.buildVersion (TestVersionLinkTime builds the same way).
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	from := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(from) != 2 {
		t.Fatalf("%d FROM lines, want the build and the runtime stage", len(from))
	}
	pinned := regexp.MustCompile(`^[a-z0-9./-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$`)
	for _, f := range from {
		if !pinned.MatchString(f[1]) {
			t.Errorf("FROM %s: want image:tag@sha256:digest", f[1])
		}
	}
	if strings.Contains(df, "# syntax=") {
		t.Error("a syntax directive pulls an unpinned frontend image")
	}
	if !strings.Contains(df, "ARG VERSION") || !strings.Contains(df, "-X main.buildVersion=${VERSION}") {
		t.Error("the build does not link VERSION into main.buildVersion")
	}
}
