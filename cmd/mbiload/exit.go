package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/termsafe"
)

// Exit codes, as documented in the README.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitPartial = 3
)

// noClientIDHint says where the client id goes, after the API's error for
// a call that needs one (as the missing key's message says where it goes).
const noClientIDHint = "set MBILOAD_CLIENT_ID or --client-id to your Magento BI account's client id " +
	"(the number in the API's /client/<id>/table URLs, e.g. 12; the API key belongs to that client)"

// usageError marks a mistake in the command line (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// partialError marks a run where some tables failed and others loaded
// (exit code 3). Its message has been reported already.
type partialError struct{ failed, total int }

func (e partialError) Error() string {
	return fmt.Sprintf("%d of %d tables failed", e.failed, e.total)
}

// exitStatus carries a child process's exit code through unchanged; the
// child has reported its own errors.
type exitStatus struct{ code int }

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitCode prints err (if any; escaped, since it may quote names from the
// warehouse) and maps it to the process exit code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	err = withAdvice(err)
	var ue usageError
	var pe partialError
	var ae afterLoadError
	var es exitStatus
	switch {
	case errors.As(err, &es):
		if es.code <= 0 {
			return exitFailure
		}
		return es.code
	case errors.Is(err, extract.ErrNoClientID):
		fmt.Fprintf(stderr, "mbiload: %s: %s\n", termsafe.Text(err.Error()), noClientIDHint)
		return exitUsage
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "mbiload: %s\nRun 'mbiload --help' (or 'mbiload COMMAND --help') for usage.\n", termsafe.Text(err.Error()))
		return exitUsage
	case errors.As(err, &pe), errors.As(err, &ae):
		fmt.Fprintf(stderr, "mbiload: %s\n", termsafe.Text(err.Error()))
		return exitPartial
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "mbiload: interrupted; nothing half-done was published\n")
		return exitFailure
	default:
		fmt.Fprintf(stderr, "mbiload: %s\n", termsafe.Text(err.Error()))
		return exitFailure
	}
}
