// Command chatemu serves the chatemu emulator: the Easemob, Yunxin and Op
// chat-history APIs over one generated world, plus the /_chatemu/ control
// API, on one port (DESIGN.md §3).
//
//	chatemu [serve] [flags]            serve (the default command)
//	chatemu scenarios                  list the embedded scenarios
//	chatemu scenarios validate FILE    check a scenario file (exit 2 if invalid)
//	chatemu health [--addr ADDR]       exit 0 if the server at ADDR answers
//	chatemu contract [flags]           check an endpoint against the vendors' contracts
//	chatemu bench [flags]              load one vendor operation (requests/s, p50/p99, memory)
//	chatemu version                    print the version
//
// Every serve flag has an environment twin CHATEMU_<NAME>; a flag given on
// the command line wins over its twin.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // a run-time failure: cannot listen, server unhealthy, a forced shutdown
	exitUsage = 2 // bad flags, arguments or scenario
)

func main() {
	// The first SIGINT/SIGTERM ends ctx: serve shuts down gracefully. The
	// second closes force: serve cuts what is still running and exits.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	force := make(chan struct{})
	go func() {
		<-sigs
		cancel()
		<-sigs
		close(force)
	}()
	os.Exit(runWith(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, &hooks{force: force}))
}

// run is the whole command, testable in process: args without the program
// name, env looks up environment variables, and ctx ends serve.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	return runWith(ctx, args, env, stdout, stderr, nil)
}

// hooks let a test in process see serve's progress; nil fields are not
// called.
type hooks struct {
	// ready is called with the bound address once serve accepts
	// connections (tests use --addr 127.0.0.1:0).
	ready func(addr string)
	// draining is called once shutdown has begun and the listener is
	// closed: no new connection is accepted from then on.
	draining func()
	// force, once closed, ends a graceful shutdown at once (main closes
	// it on a second signal).
	force <-chan struct{}
}

// runWith is run with hooks (nil for none).
func runWith(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer, h *hooks) int {
	if h == nil {
		h = &hooks{}
	}
	cmd, rest := "serve", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, env, stdout, stderr, h)
	case "scenarios":
		return scenariosCmd(rest, stdout, stderr)
	case "health":
		return health(ctx, rest, env, stdout, stderr)
	case "contract":
		return contractCmd(ctx, rest, env, stdout, stderr)
	case "bench":
		return benchCmd(ctx, rest, stdout, stderr)
	case "version":
		if len(rest) > 0 {
			fmt.Fprintf(stderr, "chatemu version: unexpected arguments %q\n", rest)
			return exitUsage
		}
		fmt.Fprintln(stdout, "chatemu", version())
		return exitOK
	case "help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "chatemu: unknown command %q\n\n", cmd)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `chatemu emulates the Easemob, Yunxin and Op chat-history APIs offline.

Usage:
  chatemu [serve] [flags]           serve the emulator (the default command)
  chatemu scenarios                 list the embedded scenarios
  chatemu scenarios validate FILE   check a scenario file; exit 2 if it is invalid
  chatemu health [--addr ADDR]      exit 0 if the server at ADDR answers /_chatemu/health
  chatemu contract [flags]          check an endpoint against the vendors' contracts (--help)
  chatemu bench [flags]             load one vendor operation, print requests/s, p50/p99, memory (--help)
  chatemu version                   print the version
  chatemu help                      this text

Run "chatemu serve --help" for the serve flags and their CHATEMU_* environment twins.
`)
}
