// Command remit manages shared responsibility models: it validates a
// model-as-code workspace, computes each system's effective responsibility
// matrix and says what is still ours.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"remit/internal/matrixin"
	"remit/internal/oscal"
	"remit/internal/remit"
)

func main() {
	tuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// Exit codes, as documented in the README.
const (
	exitOK       = 0
	exitFound    = 1 // a check ran and found something
	exitBadInput = 2 // bad usage or bad input
	exitFailure  = 3 // anything else went wrong
)

// usageError is bad usage of the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// foundError means a check ran and found what it was asked to look for;
// its report has been printed already.
type foundError struct{ msg string }

func (e *foundError) Error() string { return e.msg }

// exitError ends the program with a given code, its report printed
// already (remit checks run --fail-on-warn exits 2 on failures, as
// conftest does).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// exitCode prints err for the user and returns the process exit code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	stderr = termSafe{stderr}
	var (
		ve    *remit.ValidationError
		usage *usageError
		found *foundError
		exit  *exitError
	)
	switch {
	case errors.As(err, &ve):
		for _, p := range ve.Problems {
			fmt.Fprintln(stderr, p.String())
		}
		fmt.Fprintf(stderr, "remit: %d problem(s); nothing was written\n", len(ve.Problems))
		return exitBadInput
	case errors.As(err, &usage):
		fmt.Fprintln(stderr, "remit:", usage.msg)
		fmt.Fprintln(stderr, "Run 'remit help' for usage.")
		return exitBadInput
	case errors.As(err, &found):
		fmt.Fprintln(stderr, "remit:", found.msg)
		return exitFound
	case errors.As(err, &exit):
		fmt.Fprintln(stderr, "remit:", exit.msg)
		return exit.code
	case errors.As(err, new(*oscal.Error)), errors.As(err, new(*oscal.ResolveError)), errors.As(err, new(*matrixin.Error)):
		fmt.Fprintln(stderr, "remit:", err)
		fmt.Fprintln(stderr, "remit: nothing was written")
		return exitBadInput
	case errors.Is(err, remit.ErrNotFound), errors.Is(err, remit.ErrConflict), errors.Is(err, remit.ErrForbidden):
		fmt.Fprintln(stderr, "remit:", err)
		return exitBadInput
	}
	fmt.Fprintln(stderr, "remit:", err)
	return exitFailure
}

// tuneGC trades memory for time while an estate is loaded: the one-shot
// commands build a large estate once and exit, and the server loads one
// before it serves. The collector runs when the heap has grown fourfold
// rather than doubled, but never lets it pass 768 MiB. GOGC and
// GOMEMLIMIT, when set, win.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}

// tuneServingGC is the server's setting once it has loaded the estate: it
// keeps every system's matrix gzipped (on a large estate about half its
// heap, with no pointers to scan), so the collector runs when the heap
// has grown by half rather than doubled, keeping the peak near 1.5 times
// what is live, with no limit (doc/operations.md). GOGC and GOMEMLIMIT,
// when set, win.
func tuneServingGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(math.MaxInt64)
	}
}
