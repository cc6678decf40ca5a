package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wensou/wensou/index/store"
	"github.com/wensou/wensou/search"
	"github.com/wensou/wensou/server"
)

// shutdownTimeout bounds how long in-flight requests may take to finish.
const shutdownTimeout = 15 * time.Second

func runServe(ctx context.Context, args []string, env envFunc, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c commonFlags
	c.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	adminKey := fs.String("admin-key", "", "bearer token that API writes need (none: writes are refused)")
	cors := fs.String("cors-origins", "", "comma-separated origins allowed to call the API from browsers (* for any; none: CORS off)")
	proxies := fs.String("trusted-proxies", "", "comma-separated proxy addresses or CIDRs whose X-Forwarded-For is trusted")
	maxBody := fs.Int64("max-body", 16<<20, "largest request body, in bytes")
	timeout := fs.Duration("search-timeout", 10*time.Second, "longest a search may run")
	samples := fs.String("samples", defaultSamplesDir, "articles to build the index from when it does not exist yet")
	sources := fs.String("sources", "", "comma-separated files and directories that POST /api/admin/reindex rebuilds from (none: the articles stored in the index)")
	logFormat := fs.String("log-format", "text", "text or json")
	meiliIndex := fs.String("meili-index", "articles", "the name of the one index that the Meilisearch-compatible API under /meili serves")
	pprofAddr := fs.String("pprof", "", "address to serve Go's profiles on (/debug/pprof/), apart from the API, e.g. 127.0.0.1:6060 (none: off)")
	var typos typoFlags
	typos.register(fs)
	var cl clusterFlags
	cl.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: wensou serve [flags]\n\nServes the search page at / and the JSON API under /api.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseFlags(fs, args, env, stderr)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("serve takes no arguments, got %q", pos)
	}
	if *maxBody <= 0 || *timeout <= 0 {
		return usagef("--max-body and --search-timeout must be positive")
	}
	if err := cl.check(); err != nil {
		return err
	}
	if cl.on && *sources != "" {
		return usagef("--sources: a cluster node's articles come from the log, and it rebuilds from the articles it stores")
	}
	loc, err := c.location()
	if err != nil {
		return err
	}
	analysis, err := c.analysis()
	if err != nil {
		return err
	}
	log, err := serveLogger(stderr, env, *logFormat)
	if err != nil {
		return err
	}
	slog.SetDefault(log)
	gin.SetMode(gin.ReleaseMode)
	// Synonyms apply at query time: an edited *.syn file is reloaded
	// while the server runs.
	syn, err := c.liveSynonyms(ctx, log)
	if err != nil {
		return err
	}

	srv, err := server.New(server.Options{
		AdminKey:       *adminKey,
		CORSOrigins:    splitList(*cors),
		TrustedProxies: splitList(*proxies),
		MaxBodyBytes:   *maxBody,
		SearchTimeout:  *timeout,
		Location:       loc,
		Logger:         log,
		Sources:        splitList(*sources),
		Context:        ctx,
		MeiliIndex:     *meiliIndex,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "addr", "http://"+ln.Addr().String()+"/", "admin_writes", *adminKey != "")
	if *adminKey == "" {
		log.Info("API writes are off: set --admin-key or WENSOU_ADMIN_KEY to allow them")
	}

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	if *pprofAddr != "" {
		ps, err := servePprof(*pprofAddr, log)
		if err != nil {
			shutdown(hs, log)
			return err
		}
		defer ps.Close()
	}

	// Open (or, on a fresh clone, build) the index while already
	// answering: until it is ready, searches get 503. A cluster node
	// starts empty instead and fills from the log.
	sopts := search.Options{Typos: typos.options(), Synonyms: syn, Location: loc}
	openNode := func(dir string, log *slog.Logger) (*store.Store, error) {
		return store.Open(ctx, dir, store.Options{Create: true, Analysis: analysis, Location: loc, DiskReserve: c.reserve.bytes, Logger: log})
	}
	if cl.on && cl.shards > 1 {
		cl.adminKey, cl.addr = *adminKey, ln.Addr()
		node, err := startShardedNode(ctx, cl, c.index, openNode, sopts, log)
		if err != nil {
			shutdown(hs, log)
			return err
		}
		first := node.held[0]
		srv.SetBackend(shardedBackend{backend: backend{Store: first.st, Searcher: first.s}, node: node})
		log.Info("ready", "index", c.index, "shards", cl.shards, "held", cl.hold, "startup_ms", time.Since(start).Milliseconds())
		return serveUntilDone(ctx, hs, srv, served, log, node.close)
	}
	var st *store.Store
	if cl.on {
		st, err = openNode(c.index, log)
	} else {
		st, err = openOrBuild(ctx, storeConfig{dir: c.index, samples: *samples, loc: loc, analysis: analysis, reserve: c.reserve.bytes, watch: true}, stderr)
	}
	if err != nil {
		shutdown(hs, log)
		return err
	}
	b := backend{Store: st, Searcher: search.New(st, sopts)}
	var node *clusterNode
	if cl.on {
		cl.adminKey, cl.addr = *adminKey, ln.Addr()
		if node, err = startClusterNode(ctx, cl, c.index, st, log); err != nil {
			shutdown(hs, log)
			return errors.Join(err, st.Close())
		}
		srv.SetBackend(clusterBackend{backend: b, node: node})
	} else {
		srv.SetBackend(b)
	}
	n, err := st.Count()
	if err != nil {
		log.Warn("count articles", "err", err)
	}
	log.Info("ready", "index", c.index, "generation", st.Generation(), "articles", n, "startup_ms", time.Since(start).Milliseconds())
	if st.AnalysisStale() {
		log.Warn("the index was built with another dictionary or stop words: it keeps its own until rebuilt (wensou reindex, or POST /api/admin/reindex)", "dict", c.dict)
	}

	return serveUntilDone(ctx, hs, srv, served, log, func() error {
		if node != nil {
			node.close()
		}
		return st.Close()
	})
}

// serveUntilDone serves until ctx is done or the listener fails, then
// stops taking requests and calls closeAll to close what served them.
func serveUntilDone(ctx context.Context, hs *http.Server, srv *server.Server, served <-chan error, log *slog.Logger, closeAll func() error) error {
	var err error
	select {
	case err = <-served:
		// The listener failed: nothing to drain.
	case <-ctx.Done():
		log.Info("shutting down")
		shutdown(hs, log)
		err = <-served
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	srv.SetBackend(nil)
	if cerr := closeAll(); cerr != nil {
		log.Error("close index", "err", cerr)
		if err == nil {
			err = cerr
		}
	}
	log.Info("stopped")
	return err
}

// backend is what the server serves: the store reads and writes
// articles and rebuilds; the searcher searches its live index.
type backend struct {
	*store.Store
	*search.Searcher
}

var _ server.Backend = backend{}

// shutdown stops accepting requests and waits, within a bound, for the
// ones in flight.
func shutdown(hs *http.Server, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
}

// serveLogger is the server's one log handler: text or JSON on stderr,
// at info unless WENSOU_LOG_LEVEL says otherwise.
func serveLogger(w io.Writer, env envFunc, format string) (*slog.Logger, error) {
	level := slog.LevelInfo
	if v, ok := env("WENSOU_LOG_LEVEL"); ok && v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			return nil, usagef("WENSOU_LOG_LEVEL=%q: %v", v, err)
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("--log-format must be text or json, not %q", format)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// servePprof serves net/http/pprof's handlers on their own listener, so
// that profiles are never reachable through the API's address.
func servePprof(addr string, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s for --pprof: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ps := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := ps.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("pprof server", "err", err)
		}
	}()
	log.Info("profiles", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	return ps, nil
}
