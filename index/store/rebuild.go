package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
)

// RebuildOptions configures [Store.Rebuild].
type RebuildOptions struct {
	// Ingest configures reading files (time zone, body limit, batches).
	// Its OnRecord and OnBatch hooks are called as by [index.Ingest].
	Ingest index.IngestOptions
	// OnProgress, when set, is called after each batch.
	OnProgress func(Progress)
}

// Progress describes a rebuild, running or finished.
type Progress struct {
	Running    bool      `json:"running"`
	Source     string    `json:"source"` // "files" or "stored"
	Generation string    `json:"generation"`
	Started    time.Time `json:"started"`
	// Done counts the articles written to the new index; Total is the
	// number expected: exact from stored articles, estimated from the
	// bytes read of files (0 until known).
	Done  int `json:"done"`
	Total int `json:"total"`
	// Read and Size are the bytes of input files read so far and in all.
	Read int64 `json:"read_bytes,omitempty"`
	Size int64 `json:"size_bytes,omitempty"`
	// Rate is articles per second; ETA the estimated seconds left.
	Rate       float64 `json:"rate"`
	ETASeconds float64 `json:"eta_seconds"`
	// Rejected counts records that could not be indexed; Errors holds the
	// first of their reasons (file:line: reason).
	Rejected int      `json:"rejected"`
	Warned   int      `json:"warned"`
	Errors   []string `json:"errors,omitempty"`
	// Journaled counts the writes made during the rebuild and applied to
	// the new index.
	Journaled int `json:"journaled"`
	// Finished, Elapsed and Err describe a finished rebuild.
	Finished time.Time `json:"finished,omitzero"`
	Elapsed  float64   `json:"elapsed_seconds"`
	Err      string    `json:"error,omitempty"`
}

// maxErrors bounds the rejected-record reasons a Progress keeps.
const maxErrors = 20

// progressFile holds the progress of the rebuild running or last run, for
// other processes (a server shows a wensou reindex's progress).
const progressFile = "rebuild.json"

// publish writes p to the progress file, at most every half second while
// running.
func (st *Store) publish(p Progress) {
	r := &st.rebuild
	r.mu.Lock()
	if p.Running && time.Since(r.published) < 500*time.Millisecond {
		r.mu.Unlock()
		return
	}
	r.published = time.Now()
	r.mu.Unlock()
	raw, err := json.Marshal(p)
	if err != nil {
		return
	}
	tmp := filepath.Join(st.dir, progressFile+".tmp")
	if err := os.WriteFile(tmp, raw, 0o644); err == nil {
		err = os.Rename(tmp, filepath.Join(st.dir, progressFile))
		if err != nil {
			st.log.Debug("publish rebuild progress", "err", err)
		}
	}
}

// published reads the progress another process published.
func (st *Store) published() *Progress {
	raw, err := os.ReadFile(filepath.Join(st.dir, progressFile))
	if err != nil {
		return nil
	}
	var p Progress
	if json.Unmarshal(raw, &p) != nil {
		return nil
	}
	if p.Running && !held(filepath.Join(st.dir, rebuildLock)) {
		// Its process died: the rebuild did not finish.
		p.Running = false
		p.Err = "the rebuild stopped before it finished (its process ended)"
		p.ETASeconds = 0
	}
	return &p
}

// rebuildState is the progress of the rebuild this store runs, and of its
// last one.
type rebuildState struct {
	mu        sync.Mutex
	running   *Progress
	last      *Progress
	published time.Time
	wg        sync.WaitGroup
}

func (r *rebuildState) wait() { r.wg.Wait() }

// Status returns the running rebuild's progress (nil if none) and the
// last finished one's (nil if none): this process's, or those another
// process (wensou reindex) published in the store directory.
func (st *Store) Status() (running, last *Progress) {
	r := &st.rebuild
	r.mu.Lock()
	if r.running != nil {
		p := *r.running
		running = &p
	}
	if r.last != nil {
		p := *r.last
		last = &p
	}
	r.mu.Unlock()
	if running != nil {
		return running, last
	}
	if p := st.published(); p != nil {
		switch {
		case p.Running:
			running = p
		case last == nil || p.Started.After(last.Started):
			last = p
		}
	}
	return running, last
}

// Rebuild builds a new generation beside the live one and switches to
// it: from the files at paths when there are any (the new collection is
// exactly what they hold), else from the articles stored in the live
// generation. Writes made meanwhile end up in the new generation too.
// Searches keep using the live generation until the switch. If ctx is
// cancelled or anything fails, the live generation stays as it was and
// the partial one is removed. Only one rebuild runs at a time, across
// processes: another gets [ErrRebuildRunning].
func (st *Store) Rebuild(ctx context.Context, paths []string, opts RebuildOptions) (Progress, error) {
	j, err := st.startRebuild(paths)
	if err != nil {
		return Progress{}, err
	}
	return st.runRebuild(ctx, j, paths, opts)
}

// StartRebuild starts [Store.Rebuild] in the background and returns its
// first progress at once, or [ErrRebuildRunning]. [Store.Status] follows
// it; cancelling ctx stops it, and [Store.Close] waits for it.
func (st *Store) StartRebuild(ctx context.Context, paths []string, opts RebuildOptions) (Progress, error) {
	j, err := st.startRebuild(paths)
	if err != nil {
		return Progress{}, err
	}
	st.rebuild.mu.Lock()
	first := *j.p
	st.rebuild.mu.Unlock()
	go func() {
		if _, err := st.runRebuild(ctx, j, paths, opts); err != nil {
			st.log.Error("rebuild failed", "err", err)
		}
	}()
	return first, nil
}

// job is a rebuild that holds the rebuild lock.
type job struct {
	lockF *os.File
	p     *Progress
}

func (st *Store) startRebuild(paths []string) (*job, error) {
	lockF, err := lock(filepath.Join(st.dir, rebuildLock))
	if errors.Is(err, errHeld) {
		return nil, ErrRebuildRunning
	}
	if err != nil {
		return nil, err
	}
	r := &st.rebuild
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running != nil {
		unlock(lockF)
		return nil, ErrRebuildRunning
	}
	p := &Progress{Running: true, Started: time.Now(), Source: "stored"}
	if len(paths) > 0 {
		p.Source = "files"
	}
	r.running = p
	r.wg.Add(1)
	return &job{lockF: lockF, p: p}, nil
}

func (st *Store) runRebuild(ctx context.Context, j *job, paths []string, opts RebuildOptions) (Progress, error) {
	r := &st.rebuild
	defer r.wg.Done()
	p := j.p
	err := st.rebuild1(ctx, j.lockF, paths, opts, p)
	unlock(j.lockF)
	if err == nil {
		// CURRENT names the new generation now, whatever ctx says.
		st.wmu.Lock()
		err = st.follow(context.Background())
		st.wmu.Unlock()
		if errors.Is(err, ErrUnavailable) && st.busy {
			err = nil // the process serving the live index switches
		}
	}
	if cerr := st.cleanup(); cerr != nil {
		st.log.Warn("clean up old generations", "err", cerr)
	}

	r.mu.Lock()
	p.Running = false
	p.Finished = time.Now()
	p.Elapsed = p.Finished.Sub(p.Started).Seconds()
	p.ETASeconds = 0
	if err != nil {
		p.Err = err.Error()
	}
	out := *p
	r.last, r.running = p, nil
	r.mu.Unlock()
	st.publish(out)
	return out, err
}

func (st *Store) rebuild1(ctx context.Context, rebuildF *os.File, paths []string, opts RebuildOptions, p *Progress) error {
	n, genF, err := st.claimGen()
	if err != nil {
		return err
	}
	name := genName(n)
	genLocked := true
	defer func() {
		if genLocked {
			unlock(genF)
		}
	}()
	if err := announce(rebuildF, name); err != nil {
		return err
	}
	st.rebuild.mu.Lock()
	p.Generation = name
	snap := *p
	st.rebuild.mu.Unlock()
	st.publish(snap)

	opt := st.indexOptions(name, true)
	opt.AllowIncompatible = false
	ix, err := index.Open(ctx, opt)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			ix.Close()
		}
	}()
	st.log.Info("rebuild started", "generation", name, "source", p.Source)

	if len(paths) > 0 {
		err = st.fillFromFiles(ctx, ix, paths, opts, p)
	} else {
		err = st.fillFromStored(ctx, ix, opts, p)
	}
	if err != nil {
		return err
	}
	// Apply the writes made meanwhile; the serving process applies those
	// that come after this when it switches.
	journal := filepath.Join(st.dir, name+journalSufix)
	pos, nj, err := replay(ctx, ix, journal, 0)
	if err != nil {
		return err
	}
	st.rebuild.mu.Lock()
	p.Journaled = nj
	st.rebuild.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	closed = true
	if err := ix.Close(); err != nil {
		return err
	}
	genLocked = false
	unlock(genF)
	// The switch: from here on, the new generation is the live one.
	if err := writeCurrent(st.dir, pointer{Generation: name, Replayed: pos}); err != nil {
		return err
	}
	st.log.Info("rebuild done", "generation", name, "articles", p.Done, "journaled", nj)
	return nil
}

// announce names the generation being built in the rebuild lock file, for
// writers to find its journal.
func announce(f *os.File, name string) error {
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("write %s: %w", rebuildLock, err)
	}
	if _, err := f.WriteAt([]byte(name+"\n"), 0); err != nil {
		return fmt.Errorf("write %s: %w", rebuildLock, err)
	}
	return f.Sync()
}

func (st *Store) fillFromFiles(ctx context.Context, ix *index.Index, paths []string, opts RebuildOptions, p *Progress) error {
	size := article.Size(paths)
	io := opts.Ingest
	var doneFiles, curSize int64
	var curFile string
	onRecord := io.OnRecord
	io.OnRecord = func(r article.Record) {
		if r.File != curFile {
			doneFiles += curSize
			curFile, curSize = r.File, fileSize(r.File)
		}
		st.rebuild.mu.Lock()
		p.Size = size
		p.Read = doneFiles + min(r.Offset, curSize)
		if r.Err != nil {
			p.Rejected++
			if len(p.Errors) < maxErrors {
				p.Errors = append(p.Errors, r.Problem())
			}
		} else if len(r.Warnings) > 0 {
			p.Warned++
		}
		st.rebuild.mu.Unlock()
		if onRecord != nil {
			onRecord(r)
		}
	}
	io.OnBatch = st.progressUpdater(opts, p, func(p *Progress, secs float64) {
		// Estimated from the bytes read of the files.
		if p.Read > 0 && size > 0 {
			p.Total = max(p.Done, int(float64(p.Done)*float64(size)/float64(p.Read)))
			if p.Read < size {
				p.ETASeconds = secs * float64(size-p.Read) / float64(p.Read)
			} else {
				p.ETASeconds = 0
			}
		}
	})
	s, err := index.Ingest(ctx, ix, paths, io)
	st.rebuild.mu.Lock()
	p.Done, p.Total = s.Indexed, s.Indexed
	st.rebuild.mu.Unlock()
	return err
}

func (st *Store) fillFromStored(ctx context.Context, ix *index.Index, opts RebuildOptions, p *Progress) error {
	g, err := st.acquire()
	if err != nil {
		if st.busy {
			return fmt.Errorf("the live index of %s is open in another process (wensou serve?): rebuild from files (wensou reindex --index %s PATH...) or ask that server (POST /api/admin/reindex)", st.dir, st.dir)
		}
		return err
	}
	defer g.mu.RUnlock()
	total, err := g.ix.Count()
	if err != nil {
		return err
	}
	// The log sequence the live generation has applied, read after the
	// rebuild was announced: what comes after it is journaled, what came
	// before it is in what the scan reads. The new generation starts from
	// it, so that a cluster node resumes the log where it was.
	applied, err := g.ix.Applied()
	if err != nil {
		return err
	}
	st.rebuild.mu.Lock()
	p.Total = int(total)
	st.rebuild.mu.Unlock()
	if applied > 0 {
		if err := ix.ApplyLog(ctx, applied, nil); err != nil {
			return err
		}
	}
	io := opts.Ingest
	io.OnBatch = st.progressUpdater(opts, p, func(p *Progress, _ float64) {
		p.Total = max(p.Total, p.Done)
		p.ETASeconds = float64(p.Total-p.Done) / max(p.Rate, 1e-9)
	})
	// Every id comes once, so the lanes' order does not matter.
	_, err = index.WriteAll(ctx, ix, g.ix.Scan, io)
	return err
}

// progressUpdater returns the OnBatch of a rebuild's writes: it moves p
// (estimate fills in the total and ETA), publishes it, and calls the
// hooks of opts.
func (st *Store) progressUpdater(opts RebuildOptions, p *Progress, estimate func(p *Progress, secs float64)) func(index.IngestStats) {
	onBatch := opts.Ingest.OnBatch
	return func(s index.IngestStats) {
		st.rebuild.mu.Lock()
		p.Done = s.Indexed
		secs := s.Elapsed.Seconds()
		p.Rate = float64(s.Indexed) / max(secs, 1e-9)
		estimate(p, secs)
		snap := *p
		st.rebuild.mu.Unlock()
		st.publish(snap)
		if onBatch != nil {
			onBatch(s)
		}
		if opts.OnProgress != nil {
			opts.OnProgress(snap)
		}
	}
}

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}
