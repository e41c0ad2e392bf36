package main

import (
	"log/slog"
	"time"

	"github.com/chatemu/chatemu/emulator"
)

// drain begins serve's shutdown: srv's /readyz answers 503 from now on,
// and the server keeps serving everything else for delay (--drain-delay),
// so that a load balancer or an orchestrator that probes /readyz stops
// sending new requests before the listener closes. A second signal (force
// closed) ends the wait at once. With no delay readyz still fails for the
// requests that arrive on open connections during the graceful shutdown.
func drain(srv *emulator.Server, delay time.Duration, force <-chan struct{}, log *slog.Logger) {
	srv.Drain()
	if delay <= 0 {
		return
	}
	log.Info("draining: /readyz answers 503 until the shutdown begins", "drain_delay", delay.String())
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-force:
	}
}
