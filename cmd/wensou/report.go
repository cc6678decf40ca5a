package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/wensou/wensou/index/article"
)

// How much the reporter prints before the summary.
const (
	showFirst = 10 // rejected records, and warnings, printed as they come
	listFirst = 3  // places listed for each reason in the summary
)

// reporterOptions configures a [reporter]. The zero value prints the
// first rejections and warnings as they come and writes no file.
type reporterOptions struct {
	// quiet prints nothing as records come: only the summary.
	quiet bool
	// errorsFile, when set, is created (or truncated) and gets every
	// rejected record and warning, one "file:line: reason" per line.
	errorsFile string
	// prof is --cpuprofile.
	prof cpuProfile
}

// register binds --quiet, --errors and --cpuprofile, the flags of the
// commands that index article files, to o.
func (o *reporterOptions) register(fs *flag.FlagSet) {
	fs.BoolVar(&o.quiet, "quiet", false, "no progress display, and no rejected records or warnings as they come: only the summary by reason at the end")
	fs.StringVar(&o.errorsFile, "errors", "", "also write every rejected record and warning to `FILE`, one \"file:line: reason\" per line")
	o.prof.register(fs)
}

// start returns the reporter of a command that indexes total bytes of
// files, with a progress display on stderr when it is a terminal and
// --quiet is not set, and starts what the command runs under until
// Close (see instrument). The caller must Close it.
func (o reporterOptions) start(ctx context.Context, stderr io.Writer, total int64) (*reporter, error) {
	r, err := newReporter(stderr, newProgress(stderr, total, !o.quiet && isTerminal(stderr)), o)
	if err != nil {
		return nil, err
	}
	if r.stop, err = instrument(ctx, o.prof); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// reporter reports the records of an ingest, as its
// [index.IngestOptions.OnRecord]: it moves the progress display, prints
// the first [showFirst] rejected records and the first [showFirst]
// warnings on stderr as they come, counts every one by reason for
// [reporter.summary], and writes them all to the errors file when there
// is one. It is safe for concurrent use. The caller must call Close.
type reporter struct {
	stderr io.Writer
	prog   *progress // nil: none
	opts   reporterOptions
	stop   func() error // of instrument; nil: none

	mu        sync.Mutex
	doneFiles int64 // bytes of the files read before curFile
	curFile   string
	curSize   int64
	rejected  tally
	warned    tally
	file      *os.File
	buf       *bufio.Writer
	werr      error // the first error writing the errors file
}

// newReporter returns a reporter writing to stderr and moving prog
// (which may be nil). It creates opts.errorsFile, if set.
func newReporter(stderr io.Writer, prog *progress, opts reporterOptions) (*reporter, error) {
	r := &reporter{
		stderr:   stderr,
		prog:     prog,
		opts:     opts,
		rejected: tally{verb: "rejected", one: "rejected record", many: "rejected records"},
		warned:   tally{verb: "warned", one: "warning", many: "warnings"},
	}
	if opts.errorsFile != "" {
		f, err := os.Create(opts.errorsFile)
		if err != nil {
			return nil, fmt.Errorf("--errors: %w", err)
		}
		r.file, r.buf = f, bufio.NewWriter(f)
	}
	return r, nil
}

// record takes one record; it has the type of
// [index.IngestOptions.OnRecord].
func (r *reporter) record(rec article.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.prog != nil {
		if rec.File != r.curFile {
			r.doneFiles += r.curSize
			r.curFile, r.curSize = rec.File, fileSize(rec.File)
		}
		r.prog.read(r.doneFiles + min(rec.Offset, r.curSize))
	}
	if rec.Err != nil {
		r.note(&r.rejected, rec, rejectionReason(rec.Err), rec.Err.Error(), rec.Problem())
	}
	for i, w := range rec.WarningLines() {
		r.note(&r.warned, rec, warningReason(rec.Warnings[i]), rec.Warnings[i], w)
	}
}

// note counts one rejection or warning in t, prints line when it is
// among the first, and writes it to the errors file.
func (r *reporter) note(t *tally, rec article.Record, key, reason, line string) {
	t.add(key, reason, place{file: rec.File, line: rec.Line})
	if !r.opts.quiet {
		switch {
		case t.total <= showFirst:
			r.printLocked(line)
		case t.total == showFirst+1:
			r.printLocked(fmt.Sprintf("(more %s are counted, not shown: see the summary at the end)", t.many))
		}
	}
	if r.buf != nil && r.werr == nil {
		if _, err := fmt.Fprintln(r.buf, line); err != nil {
			r.werr = fmt.Errorf("write %s: %w", r.opts.errorsFile, err)
		}
	}
}

func (r *reporter) printLocked(line string) {
	if r.prog != nil {
		r.prog.clear()
	}
	fmt.Fprintln(r.stderr, line)
}

// summary prints, on stderr, one line per reason with its count and
// first places, rejections before warnings, most frequent first:
//
//	737 rejected: no title and no body (reuters21578.jsonl:12, :47, :90, ...)
//
// and where the full list is, when there is an errors file. Without
// --quiet, a kind (rejections, warnings) all of whose records were shown
// as they came is not summed up again. It prints nothing when no record
// was rejected or warned.
func (r *reporter) summary() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.prog != nil {
		r.prog.clear()
	}
	if r.buf != nil && r.werr == nil {
		if err := r.buf.Flush(); err != nil {
			r.werr = fmt.Errorf("write %s: %w", r.opts.errorsFile, err)
		}
	}
	for _, t := range []*tally{&r.rejected, &r.warned} {
		if !r.opts.quiet && t.total <= showFirst {
			continue
		}
		for _, l := range t.lines() {
			fmt.Fprintln(r.stderr, l)
		}
	}
	if r.buf == nil || r.werr != nil {
		return
	}
	var all []string
	for _, t := range []*tally{&r.rejected, &r.warned} {
		if t.total > 0 {
			all = append(all, fmtCount(t.total)+" "+t.noun(t.total))
		}
	}
	if len(all) > 0 {
		fmt.Fprintf(r.stderr, "listed in full in %s: %s\n", r.opts.errorsFile, strings.Join(all, " and "))
	}
}

// Close writes out and closes the errors file, returning the first error
// in writing it.
func (r *reporter) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var perr error
	if r.stop != nil {
		perr, r.stop = r.stop(), nil
	}
	if r.file == nil {
		return perr
	}
	err := r.werr
	if err == nil {
		if ferr := r.buf.Flush(); ferr != nil {
			err = fmt.Errorf("write %s: %w", r.opts.errorsFile, ferr)
		}
	}
	if cerr := r.file.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close %s: %w", r.opts.errorsFile, cerr)
	}
	r.file, r.buf = nil, nil
	if err == nil {
		err = perr
	}
	return err
}

// rejectionReason is the key rejections are grouped by: the text of the
// article sentinel err wraps ([article.Reason]), or else (an I/O error)
// its own text.
func rejectionReason(err error) string {
	if r := article.Reason(err); r != nil {
		return r.Error()
	}
	return err.Error()
}

// warningReason is the key warnings are grouped by. Warnings are text;
// the only ones today are dates [article.ParseDate] cannot read, which
// start with [article.ErrBadDate]'s text.
func warningReason(w string) string {
	if bad := article.ErrBadDate.Error(); strings.HasPrefix(w, bad) {
		return bad
	}
	return w
}

// place is where a record is: a file and a 1-based line, 0 for none.
type place struct {
	file string
	line int
}

// tally counts rejections or warnings by reason.
type tally struct {
	verb      string // "rejected" or "warned", in the summary
	one, many string // "rejected record(s)" or "warning(s)"
	total     int
	groups    map[string]*group
	order     []*group // in order of first appearance
}

// group is one reason's count and first places.
type group struct {
	key    string
	reason string // the first record's full reason
	mixed  bool   // the records' full reasons differ
	count  int
	places []place // the first listFirst
}

func (t *tally) noun(n int) string {
	if n == 1 {
		return t.one
	}
	return t.many
}

func (t *tally) add(key, reason string, p place) {
	t.total++
	g := t.groups[key]
	if g == nil {
		if t.groups == nil {
			t.groups = map[string]*group{}
		}
		g = &group{key: key, reason: reason}
		t.groups[key] = g
		t.order = append(t.order, g)
	}
	g.count++
	g.mixed = g.mixed || reason != g.reason
	if len(g.places) < listFirst {
		g.places = append(g.places, p)
	}
}

// lines returns the summary lines, most frequent reason first (ties in
// order of first appearance). A reason all its records share in full is
// given in full; otherwise its group's key is.
func (t *tally) lines() []string {
	gs := slices.Clone(t.order)
	slices.SortStableFunc(gs, func(a, b *group) int { return b.count - a.count })
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		reason := g.reason
		if g.mixed {
			reason = g.key
		}
		out = append(out, fmt.Sprintf("%s %s: %s (%s)", fmtCount(g.count), t.verb, reason, g.placesText()))
	}
	return out
}

// placesText lists the group's first places, the file left out when it
// is the one before: "a.jsonl:12, :47, b.jsonl:3, ...".
func (g *group) placesText() string {
	var b strings.Builder
	for i, p := range g.places {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 0 || p.file != g.places[i-1].file || p.line == 0 {
			b.WriteString(p.file)
		}
		if p.line > 0 {
			b.WriteString(":" + strconv.Itoa(p.line))
		}
	}
	if g.count > len(g.places) {
		b.WriteString(", ...")
	}
	return b.String()
}
