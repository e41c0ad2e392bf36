package main

import (
	"github.com/chatemu/chatemu/emulator/world"
	"github.com/chatemu/chatemu/scenarios"
)

// demo is the default scenario, which the binary serves unless told
// otherwise: the tests take its credentials from it rather than write them
// again, so that an edit to scenarios/builtin/default.yaml breaks only the
// tests of what the edit changes.
var demo = func() *world.Spec {
	spec, err := scenarios.Load("default")
	if err != nil {
		panic("the default scenario does not load: " + err.Error())
	}
	return spec
}()
