package scenarios

import (
	"errors"
	"io/fs"
	"testing"
	"time"

	"github.com/chatemu/chatemu/emulator/world"
)

// FuzzParse loads arbitrary scenario files. Invariants: no
// panic; every error is an *Error with a reason; a spec that loads builds a
// world (the loader's checks are the world's preconditions).
func FuzzParse(f *testing.F) {
	files, _ := fs.Glob(builtin, "builtin/*.yaml")
	for _, name := range files {
		data, err := builtin.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"name: x\neasemob:\n  apps:\n    - {org: a, app: b, users: [u], traffic: [{from: u, to: u, per_hour: 1, since: 2h}]}\n",
		"yunxin:\n  apps:\n    - {appkey: k, app_secret: s, accounts: [a], chatrooms: [{id: 1}], traffic: [{sender: a, room: 1, per_hour: 3, since: 1h, types: {text: 1, 100: 2}}]}\n",
		"easemob:\n  apps:\n    - {org: a, app: b, users: [u], messages: [{id: m, from: u, to: u, at: 2026-11-20T08:00:00Z, type: img, filename: x.jpg, width: -1}]}\n",
		"seed: -1\n", "clock: {start: yesterday}\n", "easemob: {apps: [{org: a, app: b, retention: 9223372036854775807h}]}\n",
		"easemob:\n  apps:\n    - {org: a, app: b, users: [u], traffic: [{from: u, to: u, per_hour: 9223372036854775807, since: 1h}]}\n",
		"a: &a [*a]\n", "\xff\xfe", "{", "--- !!binary AAAA\n", "op: {clients: [{client: c, easemob_app: nope/nope}]}\n",
	} {
		f.Add([]byte(s))
	}
	anchor := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		spec, err := Parse("fuzz.yaml", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason == "" {
				t.Fatalf("error %T %q, want *Error with a reason", err, err)
			}
			return
		}
		if _, err := world.New(*spec, anchor); err != nil {
			t.Fatalf("loaded, but the world refuses it: %v\n%s", err, data)
		}
	})
}
