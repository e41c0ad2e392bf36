// Command chatemu serves the chatemu emulator: the Easemob, Yunxin and Op
// chat-history APIs over one generated world, plus the /_chatemu/ control
// API, on one port.
//
//	chatemu [serve] [flags]            serve (the default command)
//	chatemu scenarios [list]           list the embedded scenarios
//	chatemu scenarios validate FILE    check a scenario file (exit 2 if invalid)
//	chatemu health [--addr ADDR]       exit 0 if the server at ADDR is ready
//	chatemu contract [flags]           check an endpoint against the vendors' contracts
//	chatemu bench [flags]              load one vendor operation (requests/s, p50/p99, memory)
//	chatemu version                    print the version
//
// Every flag has an environment twin (chatemu COMMAND --help names it); a
// flag given on the command line wins over its twin. The commands are
// declared as structs for github.com/alecthomas/kong, which parses them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"
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
	os.Exit(runWith(ctx, os.Args[1:], os.Stdout, os.Stderr, &hooks{force: force}))
}

// cli is the command line: one field per command.
type cli struct {
	Serve     serveCmd     `cmd:"" default:"withargs" help:"Serve the emulator (the default command: 'chatemu' alone serves)."`
	Scenarios scenariosCmd `cmd:"" help:"List the embedded scenarios, or validate a scenario file."`
	Health    healthCmd    `cmd:"" help:"Exit 0 if the server at --addr is ready (answers /_chatemu/readyz); the Docker HEALTHCHECK."`
	Contract  contractCmd  `cmd:"" help:"Check an endpoint (a vendor, a staging copy or chatemu) against the vendors' contracts; exit 1 on drift."`
	Bench     benchCmd     `cmd:"" help:"Load one vendor operation; print requests/s, p50/p99 latency and memory."`
	Version   versionCmd   `cmd:"" help:"Print the version."`
	Help      helpCmd      `cmd:"" hidden:"" help:"Show this help."`
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

// runEnv is what a command's Run receives.
type runEnv struct {
	ctx            context.Context
	stdout, stderr io.Writer
	hooks          *hooks
}

// exitStatus is returned by a command's Run for a non-zero exit, once it has
// said why on stderr; kong's Exit panics with it to end a --help.
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// run is the whole command, testable in process: args without the program
// name, the environment from os.Getenv, and ctx ends serve.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWith(ctx, args, stdout, stderr, nil)
}

// newParser builds the kong parser of c writing to stdout and stderr.
func newParser(c *cli, stdout, stderr io.Writer) (*kong.Kong, error) {
	return kong.New(c,
		kong.Name("chatemu"),
		kong.Description("chatemu emulates the Easemob, Yunxin and Op chat-history APIs offline. "+
			"Every flag has an environment twin, shown as ($NAME); a flag on the command line wins."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitStatus(code)) }),
		kong.Vars(defaultVars()),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, NoExpandSubcommands: true}),
	)
}

// runWith is run with hooks (nil for none).
func runWith(ctx context.Context, args []string, stdout, stderr io.Writer, h *hooks) (code int) {
	if h == nil {
		h = &hooks{}
	}
	var c cli
	parser, err := newParser(&c, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "chatemu: %v\n", err)
		return exitError
	}
	defer func() {
		// --help prints and then calls kong's Exit, which panics here.
		if r := recover(); r != nil {
			s, ok := r.(exitStatus)
			if !ok {
				panic(r)
			}
			code = int(s)
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil && len(args) > 0 && !strings.HasPrefix(args[0], "-") && !isCommand(parser, args[0]) {
		// serve, the default command, takes no argument: a first word
		// that is not a command is a misspelt one.
		fmt.Fprintf(stderr, "chatemu: unknown command %q\nRun 'chatemu --help' for the commands.\n", args[0])
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "chatemu: %v\n", err)
		cmd := ""
		if pe := (*kong.ParseError)(nil); errors.As(err, &pe) && pe.Context != nil {
			cmd = pe.Context.Command()
		}
		if cmd == "" && (len(args) == 0 || strings.HasPrefix(args[0], "-")) {
			cmd = "serve" // the default command
		}
		if cmd == "" {
			fmt.Fprintln(stderr, "Run 'chatemu --help' for the commands.")
		} else {
			fmt.Fprintf(stderr, "Run 'chatemu %s --help' for its flags.\n", cmd)
		}
		return exitUsage
	}
	err = kctx.Run(&runEnv{ctx: ctx, stdout: stdout, stderr: stderr, hooks: h})
	var s exitStatus
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &s):
		return int(s)
	}
	fmt.Fprintf(stderr, "chatemu %s: %v\n", kctx.Command(), err)
	return exitError
}

// isCommand reports whether name is one of the parser's commands.
func isCommand(parser *kong.Kong, name string) bool {
	for _, n := range parser.Model.Children {
		if n.Name == name {
			return true
		}
	}
	return false
}

// versionCmd is `chatemu version`.
type versionCmd struct{}

// Run prints the version.
func (versionCmd) Run(e *runEnv) error {
	fmt.Fprintln(e.stdout, "chatemu", version())
	return nil
}

// helpCmd is `chatemu help`, the same as `chatemu --help`.
type helpCmd struct{}

// Run prints the top-level help, as --help does (kong's Exit then ends
// runWith with status 0).
func (helpCmd) Run(e *runEnv) error {
	var c cli
	parser, err := newParser(&c, e.stdout, e.stderr)
	if err != nil {
		return err
	}
	_, err = parser.Parse([]string{"--help"})
	return err
}
