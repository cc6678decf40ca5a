package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/zh"
)

// Errors returned by this package. Match them with [errors.Is].
var (
	// ErrNotFound means no article has the requested id.
	ErrNotFound = errors.New("article not found")
	// ErrIncompatible means the index was built with other analysis rules
	// or another schema and must be rebuilt.
	ErrIncompatible = errors.New("index was built with another analyzer or schema")
	// ErrNotExist means there is no index at the path and Create was not set.
	ErrNotExist = errors.New("no index at this path")
	// ErrLocked means another process has the index open.
	ErrLocked = errors.New("index is in use by another process")
)

// CompatError says how an index differs from what this binary builds.
type CompatError struct {
	Path           string
	Have, Want     Meta
	RebuildCommand string
}

func (e *CompatError) Error() string {
	return fmt.Sprintf("index %s was built with analyzer %s (schema %d), this wensou uses analyzer %s (schema %d): rebuild it (reindex) with %q",
		e.Path, e.Have.Analyzer, e.Have.Schema, e.Want.Analyzer, e.Want.Schema, e.RebuildCommand)
}

func (e *CompatError) Unwrap() error { return ErrIncompatible }

// Meta is what an index records about how it was built.
type Meta struct {
	Schema   int    `json:"schema"`
	Analyzer string `json:"analyzer"`
}

var metaKey = []byte("wensou.meta")

// Options configures [Open]. The zero value opens an in-memory index.
type Options struct {
	// Path is the index directory; "" keeps the index in memory.
	Path string
	// Create makes Open build a new index when none exists at Path.
	Create bool
	// Analysis configures the segmenter (see [zh.Load]).
	Analysis zh.Options
	// Location is the time zone of the year and month facets; default
	// Asia/Shanghai.
	Location *time.Location
	// Logger receives open and close events; default slog.Default().
	Logger *slog.Logger
}

// Index is an open article index. It is safe for concurrent use; the
// caller must Close it.
type Index struct {
	b    bleve.Index
	path string
	loc  *time.Location
	log  *slog.Logger
	seg  *zh.Segmenter
	cols *columnCache

	// The warmer builds columns for new segments (from writes and merges)
	// ahead of the searches that need them.
	warmNow chan struct{}
	stop    chan struct{}
	wg      sync.WaitGroup
}

// Open opens the index at opts.Path, creating it when opts.Create is set
// and none exists. It loads the segmenter first and refuses an index built
// with other analysis rules ([ErrIncompatible]).
func Open(ctx context.Context, opts Options) (*Index, error) {
	seg, err := zh.Load(opts.Analysis)
	if err != nil {
		return nil, err
	}
	loc := opts.Location
	if loc == nil {
		loc = article.DefaultLocation()
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	ix := &Index{path: opts.Path, loc: loc, log: log.With("index", opts.Path), seg: seg,
		cols: &columnCache{loc: loc}, warmNow: make(chan struct{}, 1), stop: make(chan struct{})}
	want := Meta{Schema: SchemaVersion, Analyzer: seg.Fingerprint()}

	if opts.Path == "" {
		m, err := newMapping()
		if err != nil {
			return nil, err
		}
		// Scorch without a path keeps everything in memory: tests run the
		// same engine as production (bleve.NewMemOnly would be upsidedown).
		b, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
		if err != nil {
			return nil, fmt.Errorf("create in-memory index: %w", err)
		}
		ix.b = b
		if err := ix.writeMeta(want); err != nil {
			b.Close()
			return nil, err
		}
		ix.startWarmer()
		return ix, nil
	}

	runtime := map[string]any{"bolt_timeout": "3s"}
	b, err := bleve.OpenUsing(opts.Path, runtime)
	switch {
	case err == nil:
		ix.b = b
		have, err := ix.readMeta()
		if err != nil {
			b.Close()
			return nil, err
		}
		if have != want {
			b.Close()
			return nil, &CompatError{Path: opts.Path, Have: have, Want: want,
				RebuildCommand: fmt.Sprintf("rm -r %s && wensou index --index %s PATH...", opts.Path, opts.Path)}
		}
		ix.log.Debug("index opened")
		ix.startWarmer()
		return ix, nil
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist) || errors.Is(err, bleve.ErrorIndexMetaMissing):
		if !opts.Create {
			return nil, fmt.Errorf("open index %s: %w", opts.Path, ErrNotExist)
		}
	case strings.Contains(err.Error(), "timeout"):
		return nil, fmt.Errorf("open index %s: %w", opts.Path, ErrLocked)
	default:
		return nil, fmt.Errorf("open index %s: %w", opts.Path, err)
	}

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(opts.Path)), 0o755); err != nil {
		return nil, fmt.Errorf("create index directory: %w", err)
	}
	b, err = bleve.NewUsing(opts.Path, m, scorch.Name, scorch.Name, runtime)
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", opts.Path, err)
	}
	ix.b = b
	if err := ix.writeMeta(want); err != nil {
		b.Close()
		return nil, err
	}
	ix.log.Debug("index created")
	ix.startWarmer()
	return ix, nil
}

func (ix *Index) readMeta() (Meta, error) {
	raw, err := ix.b.GetInternal(metaKey)
	if err != nil {
		return Meta{}, fmt.Errorf("read index metadata: %w", err)
	}
	var m Meta
	if len(raw) == 0 {
		// Not written by wensou, or by a build before metadata existed.
		return Meta{Analyzer: "unknown"}, nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return Meta{}, fmt.Errorf("decode index metadata: %w", err)
	}
	return m, nil
}

func (ix *Index) writeMeta(m Meta) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode index metadata: %w", err)
	}
	if err := ix.b.SetInternal(metaKey, raw); err != nil {
		return fmt.Errorf("write index metadata: %w", err)
	}
	return nil
}

// Path returns the index directory, "" for an in-memory index.
func (ix *Index) Path() string { return ix.path }

// Location returns the time zone used for year and month facets.
func (ix *Index) Location() *time.Location { return ix.loc }

// Bleve returns the underlying bleve index for the search package. Callers
// must not write through it.
func (ix *Index) Bleve() bleve.Index { return ix.b }

// startWarmer runs the column warmer until Close.
func (ix *Index) startWarmer() {
	ix.wg.Add(1)
	go func() {
		defer ix.wg.Done()
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ix.stop:
				return
			case <-ix.warmNow:
			case <-tick.C:
			}
			ix.warm()
		}
	}()
}

// warm builds the columns of the current segments and forgets those of
// segments merged away.
func (ix *Index) warm() {
	r, err := ix.Reader()
	if err != nil {
		ix.log.Warn("warm columns", "err", err)
		return
	}
	live := map[uint64]bool{}
	for _, ss := range r.snap.Segments() {
		live[ss.Id()] = true
	}
	if err := r.Close(); err != nil {
		ix.log.Warn("warm columns", "err", err)
	}
	ix.cols.prune(live)
}

// changed tells the warmer that the index has new segments.
func (ix *Index) changed() {
	select {
	case ix.warmNow <- struct{}{}:
	default:
	}
}

// Close closes the index. It is safe to call once.
func (ix *Index) Close() error {
	close(ix.stop)
	ix.wg.Wait()
	if err := ix.b.Close(); err != nil {
		return fmt.Errorf("close index %s: %w", ix.path, err)
	}
	return nil
}

// Count returns the number of articles in the index.
func (ix *Index) Count() (uint64, error) {
	n, err := ix.b.DocCount()
	if err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return n, nil
}

// Put adds or replaces articles in one batch: an article whose ID is
// already indexed is replaced. It returns once the batch is durable and
// searchable.
func (ix *Index) Put(ctx context.Context, arts []article.Article) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	batch := ix.b.NewBatch()
	for i := range arts {
		if err := batch.Index(arts[i].ID, ix.document(&arts[i])); err != nil {
			return fmt.Errorf("add article %q to batch: %w", arts[i].ID, err)
		}
	}
	if err := ix.b.Batch(batch); err != nil {
		return fmt.Errorf("index batch of %d articles: %w", len(arts), err)
	}
	ix.changed()
	return nil
}

// Delete removes articles by id; unknown ids are ignored.
func (ix *Index) Delete(ctx context.Context, ids ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	batch := ix.b.NewBatch()
	for _, id := range ids {
		batch.Delete(id)
	}
	if err := ix.b.Batch(batch); err != nil {
		return fmt.Errorf("delete %d articles: %w", len(ids), err)
	}
	ix.changed()
	return nil
}

// document is the bleve document for an article.
func (ix *Index) document(a *article.Article) map[string]any {
	d := map[string]any{
		FieldTitle: a.Title,
		FieldBody:  a.Body,
		FieldHash:  a.Hash(),
	}
	if len(a.Authors) > 0 {
		d[FieldAuthor] = a.Authors
		d[FieldAuthorText] = a.Authors
	}
	if !a.Date.IsZero() {
		t := a.Date.In(ix.loc)
		d[FieldDate] = t
	}
	if a.URL != "" {
		d[FieldURL] = a.URL
	}
	if a.Source != "" {
		d[FieldSource] = a.Source
	}
	if len(a.Tags) > 0 {
		d[FieldTags] = a.Tags
	}
	if a.Origin != "" {
		d[FieldOrigin] = a.Origin
	}
	return d
}

// Get returns the stored article with the given id, or [ErrNotFound].
func (ix *Index) Get(ctx context.Context, id string) (article.Article, error) {
	if err := ctx.Err(); err != nil {
		return article.Article{}, err
	}
	doc, err := ix.b.Document(id)
	if err != nil {
		return article.Article{}, fmt.Errorf("load article %q: %w", id, err)
	}
	if doc == nil {
		return article.Article{}, fmt.Errorf("load article %q: %w", id, ErrNotFound)
	}
	a := article.Article{ID: id}
	doc.VisitFields(func(f bindex.Field) {
		switch f.Name() {
		case FieldTitle:
			a.Title = string(f.Value())
		case FieldBody:
			a.Body = string(f.Value())
		case FieldAuthor:
			a.Authors = append(a.Authors, string(f.Value()))
		case FieldURL:
			a.URL = string(f.Value())
		case FieldSource:
			a.Source = string(f.Value())
		case FieldTags:
			a.Tags = append(a.Tags, string(f.Value()))
		case FieldOrigin:
			a.Origin = string(f.Value())
		case FieldDate:
			if df, ok := f.(bindex.DateTimeField); ok {
				if t, _, err := df.DateTime(); err == nil {
					a.Date = t.In(ix.loc)
				}
			}
		}
	})
	return a, nil
}
