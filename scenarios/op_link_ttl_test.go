package scenarios

import (
	"strings"
	"testing"
	"time"
)

// TestOpClientLinkTTL: an Op client's link_ttl sets its getUrl lifetime;
// absent is zero (the Op surface's default), and it must be positive.
func TestOpClientLinkTTL(t *testing.T) {
	doc := func(ttl string) []byte {
		return []byte("easemob:\n  apps:\n    - {org: o, app: a, users: [u]}\nop:\n  clients:\n    - {client: c, easemob_app: o/a" + ttl + "}\n")
	}
	for ttl, want := range map[string]time.Duration{"": 0, ", link_ttl: 90m": 90 * time.Minute, ", link_ttl: 1825d": 1825 * 24 * time.Hour} {
		spec, err := Parse("op.yaml", doc(ttl))
		if err != nil {
			t.Fatalf("%q: %v", ttl, err)
		}
		if got := spec.Op[0].LinkTTL; got != want {
			t.Errorf("%q: LinkTTL %v, want %v", ttl, got, want)
		}
	}
	for _, ttl := range []string{", link_ttl: 0s", ", link_ttl: -1h", ", link_ttl: soon"} {
		_, err := Parse("op.yaml", doc(ttl))
		if err == nil || !strings.Contains(err.Error(), "op.yaml:6: op.clients[0].link_ttl: ") {
			t.Errorf("%q: %v, want an error naming op.clients[0].link_ttl", ttl, err)
		}
	}
}
