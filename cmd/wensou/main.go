// Command wensou indexes and searches Chinese and English articles.
//
// Usage:
//
//	wensou serve   [--index DIR] [--addr 127.0.0.1:8080] [--admin-key KEY] [--cors-origins LIST]
//	               [--trusted-proxies LIST] [--max-body BYTES] [--search-timeout DURATION]
//	               [--log-format text|json] [--sources LIST] [--samples DIR] [--dict DIR] [--tz ZONE]
//	               [--disk-reserve SIZE] [--typos=false] [--typo-min-one N] [--typo-min-two N]
//	wensou index   [--index DIR] [--sync] [--dict DIR] [--tz ZONE] [--batch N] [--max-body BYTES]
//	               [--quiet] [--errors FILE] [--disk-reserve SIZE] [--cpuprofile FILE] PATH...
//	wensou reindex [--index DIR] [--dict DIR] [--tz ZONE] [--batch N] [--max-body BYTES]
//	               [--quiet] [--errors FILE] [--disk-reserve SIZE] [--cpuprofile FILE] [PATH...]
//	wensou search  [--index DIR] [--author A]... [--tag T]... [--from DATE] [--to DATE]
//	               [--sort relevance|newest|oldest] [--page N] [--size N] [--json]
//	               [--samples DIR] [--dict DIR] [--tz ZONE] [--disk-reserve SIZE]
//	               [--typos=false] [--typo-min-one N] [--typo-min-two N] QUERY
//	wensou analyze [--mode index|query] [--dict DIR] [--json] TEXT
//	wensou load    [--url URL] [--queries FILE] [-c CLIENTS] [-d DURATION] [--warmup DURATION]
//	               [--params "size=10"] [--json]
//	wensou suggest [--index DIR] [--size N] [--json] [--samples DIR] [--dict DIR] [--tz ZONE]
//	               [--disk-reserve SIZE] PREFIX
//	wensou eval    [--index DIR] [--floors FILE] [--json] [--size N] [--misses N]
//	               [--write-floors FILE] [--margin 0.02] [--dict DIR] [--typos=false] JUDGMENTS.jsonl...
//
// serve answers the search page at / and the JSON API under /api, opening
// (or building) the index in the background. index adds the articles of
// files and directories (JSON Lines, JSON, .txt, .md); with --sync it
// makes the index match them. reindex builds a complete new index beside
// the live one, from PATHs or from the articles stored in the live one,
// and switches to it. search prints ranked results with highlights and
// facets. analyze shows how text is split into words. load measures a
// running server with a list of queries. eval runs judged queries
// (data/eval/*.jsonl) against the index and prints MRR@10, success@1,
// success@10 and nDCG@10 per kind of query; with --floors it exits 1 when
// a kind is below one of its floors. suggest completes what has been
// typed, as the search page's box does. "wensou COMMAND -h" describes a
// command's flags.
//
// index and reindex print the first rejected records and warnings as they
// come (none with --quiet), then their count by reason; --errors FILE gets
// every one, one "file:line: reason" per line.
//
// Flags may come before or after the positional arguments. A word that
// starts with "-" and is not a flag of the command, such as the query's
// -word (exclude word), is a positional argument; after "--" everything
// is.
//
// The index lives in data/index.bleve unless --index says otherwise, and
// the dictionary in data/dict unless --dict does. When the index does not
// exist yet, search and serve build it from the sample articles in
// data/articles (--samples). Every flag falls back to a WENSOU_*
// environment variable named after it (--max-body is WENSOU_MAX_BODY);
// WENSOU_LOG_LEVEL sets the log level.
//
// Exit status: 0 on success, 1 when some input was rejected or the command
// failed, 2 for a mistake in the command line, 130 when interrupted.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK       = 0
	exitRejected = 1 // the command ran, but some input was rejected or failed
	exitUsage    = 2
	exitSignal   = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, a second one kills the process.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// errRejected reports that a command finished but rejected some input.
var errRejected = errors.New("some input was rejected")

const usage = `wensou: full-text search for Chinese and English articles

Usage:
  wensou index   [--index DIR] [--sync] PATH...  index articles (JSON Lines, JSON, .txt, .md)
  wensou reindex [--index DIR] [PATH...]    rebuild the whole index beside the live one, then switch
  wensou search  [flags] QUERY              search the index
  wensou analyze [--mode index|query] TEXT  show how text is split into words
  wensou serve   [--addr HOST:PORT] [flags] serve the search page and the JSON API
  wensou load    [--url URL] [flags]        measure a running server with a query list
  wensou eval    [flags] JUDGMENTS.jsonl... measure ranking with judged queries
  wensou suggest [--size N] [--json] PREFIX complete what is typed: words, phrases, titles

Run "wensou COMMAND -h" for a command's flags.
`

// run runs one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWithEnv(ctx, args, os.LookupEnv, stdout, stderr)
}

// runWithEnv is run with the environment read through env.
func runWithEnv(ctx context.Context, args []string, env envFunc, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, `wensou: no command (want index, reindex, search, suggest, analyze, serve, load or eval; see "wensou help")`)
		return exitUsage
	}
	logger, err := newLogger(stderr, env)
	if err != nil {
		fmt.Fprintf(stderr, "wensou: %v\n", err)
		return exitUsage
	}
	slog.SetDefault(logger)

	switch cmd, rest := args[0], args[1:]; cmd {
	case "index":
		err = runIndex(ctx, rest, env, stdout, stderr)
	case "reindex":
		err = runReindex(ctx, rest, env, stdout, stderr)
	case "search":
		err = runSearch(ctx, rest, env, stdout, stderr)
	case "analyze":
		err = runAnalyze(ctx, rest, env, stdout, stderr)
	case "serve":
		err = runServe(ctx, rest, env, stdout, stderr)
	case "load":
		err = runLoad(ctx, rest, env, stdout, stderr)
	case "eval":
		err = runEval(ctx, rest, env, stdout, stderr)
	case "suggest":
		err = runSuggest(ctx, rest, env, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "wensou: unknown command %q (want index, reindex, search, suggest, analyze, serve, load or eval; see \"wensou help\")\n", cmd)
		return exitUsage
	}
	return exitCode(ctx, err, stderr)
}

func exitCode(ctx context.Context, err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFlagHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "wensou: %v\n", err)
		return exitUsage
	case errors.Is(err, errRejected):
		return exitRejected
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "wensou: interrupted")
		return exitSignal
	default:
		fmt.Fprintf(stderr, "wensou: %v\n", err)
		return exitRejected
	}
}

// newLogger builds the process's one log handler: text on stderr, level
// from WENSOU_LOG_LEVEL (debug, info, warn, error; default warn).
func newLogger(w io.Writer, env envFunc) (*slog.Logger, error) {
	level := slog.LevelWarn
	if v, ok := env("WENSOU_LOG_LEVEL"); ok && v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			return nil, fmt.Errorf("WENSOU_LOG_LEVEL: %w", err)
		}
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})), nil
}
