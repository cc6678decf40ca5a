package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wensou/wensou/server/load"
)

func runLoad(ctx context.Context, args []string, env envFunc, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "the wensou server to measure")
	queries := fs.String("queries", "data/queries.txt", "file of queries, one a line, replayed in order")
	params := fs.String("params", "size=10", "extra search parameters for every request")
	clients := fs.Int("c", 4, "concurrent clients")
	duration := fs.Duration("d", 20*time.Second, "how long to measure")
	warmup := fs.Duration("warmup", 3*time.Second, "how long to run before measuring")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	suggest := fs.Bool("suggest", false, "replay the queries as prefixes against /api/suggest (params default to size=8)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: wensou load [flags]

Replays a list of queries against a running server's /api/search (or, with
-suggest, /api/suggest) with N concurrent clients and prints QPS and
latency percentiles (p50, p95, p99).

Flags:
`)
		fs.PrintDefaults()
	}
	pos, err := parseFlags(fs, args, env, stderr)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("load takes no arguments, got %q", pos)
	}
	if *clients < 1 || *duration <= 0 {
		return usagef("-c must be at least 1 and -d positive")
	}
	if *suggest {
		paramsSet := false
		fs.Visit(func(f *flag.Flag) { paramsSet = paramsSet || f.Name == "params" })
		if !paramsSet {
			*params = "size=8"
		}
	}
	qs, err := readQueries(*queries)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "replaying %d queries from %s against %s: %d clients, %s (+%s warm-up)\n",
		len(qs), *queries, *base, *clients, *duration, *warmup)
	rep, err := load.Run(ctx, load.Options{
		BaseURL: *base, Queries: qs, Params: *params, Suggest: *suggest,
		Clients: *clients, Duration: *duration, Warmup: *warmup,
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	fmt.Fprintln(stdout, rep)
	if rep.Errors > 0 {
		return errRejected
	}
	return nil
}

// readQueries reads one query a line, skipping blank lines.
func readQueries(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read queries: %w", err)
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if q := strings.TrimSpace(sc.Text()); q != "" {
			qs = append(qs, q)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read queries %s: %w", path, err)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("no queries in %s", path)
	}
	return qs, nil
}
