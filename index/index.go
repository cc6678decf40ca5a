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
	// AllowIncompatible opens an index built with another analyzer
	// version or schema instead of failing, for reading its stored
	// articles (a rebuild); [Index.Incompatible] then reports why.
	AllowIncompatible bool
}

// Index is an open article index. It is safe for concurrent use; the
// caller must Close it.
type Index struct {
	b      bleve.Index
	path   string
	loc    *time.Location
	log    *slog.Logger
	seg    *zh.Segmenter
	cols   *columnCache
	stale  bool  // built with other dictionary or stop words than asked for
	compat error // why the index cannot be written (AllowIncompatible)

	// The warmer builds columns for new segments (from writes and merges)
	// ahead of the searches that need them.
	warmNow chan struct{}
	stop    chan struct{}
	wg      sync.WaitGroup
}

// Open opens the index at opts.Path, creating it when opts.Create is set
// and none exists. A new index is built with opts.Analysis and records it;
// an existing one keeps the dictionary and stop words it was built with
// (so its queries and writes stay consistent) and [Index.AnalysisStale]
// says whether they differ from opts.Analysis. An index built with another
// analyzer version or schema is refused ([ErrIncompatible]) unless
// opts.AllowIncompatible is set.
func Open(ctx context.Context, opts Options) (*Index, error) {
	want, err := zh.Load(opts.Analysis)
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
	ix := &Index{path: opts.Path, loc: loc, log: log.With("index", opts.Path), seg: want,
		cols: &columnCache{loc: loc}, warmNow: make(chan struct{}, 1), stop: make(chan struct{})}

	if opts.Path == "" {
		// Scorch without a path keeps everything in memory: tests run the
		// same engine as production (bleve.NewMemOnly would be upsidedown).
		if err := ix.create("", opts.Analysis, nil); err != nil {
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
		if err := ix.adopt(opts); err != nil {
			b.Close()
			return nil, err
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
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(opts.Path)), 0o755); err != nil {
		return nil, fmt.Errorf("create index directory: %w", err)
	}
	if err := ix.create(opts.Path, opts.Analysis, runtime); err != nil {
		return nil, err
	}
	ix.log.Debug("index created")
	ix.startWarmer()
	return ix, nil
}

// create builds a new bleve index analysed by ix.seg and records how.
func (ix *Index) create(path string, analysis zh.Options, runtime map[string]any) error {
	m, err := newMapping(ix.seg.Fingerprint())
	if err != nil {
		return err
	}
	b, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, runtime)
	if err != nil {
		return fmt.Errorf("create index %s: %w", path, err)
	}
	ix.b = b
	if err := ix.writeAnalysis(analysis); err != nil {
		b.Close()
		return err
	}
	if err := ix.writeMeta(Meta{Schema: SchemaVersion, Analyzer: ix.seg.Fingerprint()}); err != nil {
		b.Close()
		return err
	}
	return nil
}

// adopt checks an opened index against this binary and loads the
// dictionary and stop words it was built with.
func (ix *Index) adopt(opts Options) error {
	have, err := ix.readMeta()
	if err != nil {
		return err
	}
	want := ix.seg.Fingerprint()
	version, _, _ := strings.Cut(have.Analyzer, "-")
	if have.Schema != SchemaVersion || version != zh.Version {
		ce := &CompatError{Path: opts.Path, Have: have, Want: Meta{Schema: SchemaVersion, Analyzer: want},
			RebuildCommand: "wensou reindex --index DIR"}
		if !opts.AllowIncompatible {
			return ce
		}
		ix.compat = ce
		return nil
	}
	if have.Analyzer == want {
		return nil
	}
	stored, err := ix.readAnalysis()
	if err != nil {
		return err
	}
	seg, err := zh.Load(stored)
	if err != nil {
		return fmt.Errorf("load the dictionary index %s was built with: %w", opts.Path, err)
	}
	if seg.Fingerprint() != have.Analyzer {
		return fmt.Errorf("index %s: its recorded dictionary does not match its fingerprint %s", opts.Path, have.Analyzer)
	}
	ix.seg = seg
	ix.stale = true
	return nil
}

// AnalysisStale reports whether the index was built with another
// dictionary or other stop words than [Options.Analysis] asked for. It
// keeps using its own until it is rebuilt.
func (ix *Index) AnalysisStale() bool { return ix.stale }

// Incompatible returns the [CompatError] of an index opened with
// [Options.AllowIncompatible] that this binary cannot write, or nil.
func (ix *Index) Incompatible() error { return ix.compat }

// Segmenter returns the segmenter the index analyses text with; queries
// must be analysed with it too.
func (ix *Index) Segmenter() *zh.Segmenter { return ix.seg }

var analysisKey = []byte("wensou.analysis")

func (ix *Index) readAnalysis() (zh.Options, error) {
	var o zh.Options
	raw, err := ix.b.GetInternal(analysisKey)
	if err != nil {
		return o, fmt.Errorf("read index analysis settings: %w", err)
	}
	if len(raw) == 0 {
		return o, nil
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, fmt.Errorf("decode index analysis settings: %w", err)
	}
	return o, nil
}

func (ix *Index) writeAnalysis(o zh.Options) error {
	raw, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("encode index analysis settings: %w", err)
	}
	if err := ix.b.SetInternal(analysisKey, raw); err != nil {
		return fmt.Errorf("write index analysis settings: %w", err)
	}
	return nil
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

// Warm builds the columns of the current segments, which facets and
// sorting read, and forgets those of segments merged away. It runs in the
// background; calling it makes the next searches fast at once.
func (ix *Index) Warm() { ix.warm() }

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
	if ix.compat != nil {
		return ix.compat
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
	if ix.compat != nil {
		return ix.compat
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
		// Absolute, so that a sync run from another directory still
		// recognises the file.
		origin := a.Origin
		if abs, err := filepath.Abs(origin); err == nil {
			origin = abs
		}
		d[FieldOrigin] = origin
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
	return ix.decode(id, doc), nil
}

// decode turns a stored document into an article.
func (ix *Index) decode(id string, doc bindex.Document) article.Article {
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
	return a
}
