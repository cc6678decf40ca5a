package article

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Record is one result of reading: an article, or a rejection, with where
// it came from.
type Record struct {
	Article Article // valid when Err == nil
	File    string
	// Line is the 1-based line where the record starts, or where the
	// problem is when that is known more precisely (a bad byte in a text
	// file, a JSON syntax error). It is 0 when no line applies, as for an
	// unreadable file.
	Line int
	// Err is non-nil when the record was rejected; Article is then zero.
	// It matches one of the package's Err values, or is an I/O error.
	Err error
	// Warnings are problems that did not reject the article, such as an
	// unparseable date.
	Warnings []string
	// Offset is how far reading the file had got when the record was
	// made, in bytes: a progress measure, not the record's exact end (it
	// includes read-ahead).
	Offset int64
}

// where returns "file:line", "file" or "line N".
func (r Record) where() string {
	switch {
	case r.Line > 0 && r.File != "":
		return r.File + ":" + strconv.Itoa(r.Line)
	case r.Line > 0:
		return "line " + strconv.Itoa(r.Line)
	default:
		return r.File
	}
}

// Problem returns the rejection as "file:line: reason", or "file: reason"
// when Line is 0. It returns "" when Err is nil.
func (r Record) Problem() string {
	if r.Err == nil {
		return ""
	}
	if w := r.where(); w != "" {
		return w + ": " + r.Err.Error()
	}
	return r.Err.Error()
}

// WarningLines returns each warning as "file:line: warning: reason".
func (r Record) WarningLines() []string {
	if len(r.Warnings) == 0 {
		return nil
	}
	w := r.where()
	if w != "" {
		w += ": "
	}
	out := make([]string, len(r.Warnings))
	for i, s := range r.Warnings {
		out[i] = w + "warning: " + s
	}
	return out
}

// Formats returns the file extensions [ReadFile] and [Walk] read, for help
// text: JSON Lines (.jsonl, .ndjson), JSON (.json), plain text (.txt) and
// Markdown (.md, .markdown).
func Formats() []string {
	return []string{".jsonl", ".ndjson", ".json", ".txt", ".md", ".markdown"}
}

type format int

const (
	formatNone format = iota
	formatJSONLines
	formatJSON
	formatText
	formatMarkdown
)

func formatOf(path string) format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		return formatJSONLines
	case ".json":
		return formatJSON
	case ".txt":
		return formatText
	case ".md", ".markdown":
		return formatMarkdown
	}
	return formatNone
}

// ReadJSONLines reads JSON Lines from r, one article per line, and calls
// fn with a [Record] for each non-blank line, in order; name is the
// Records' File and the articles' Origin. A line may end in CRLF and the
// last one needs no newline. A line longer than [Options.MaxBodyBytes] plus
// 1 MiB is rejected without being held in memory, and reading goes on.
//
// If fn returns an error, reading stops and ReadJSONLines returns that
// error. It returns ctx.Err() when ctx is done (checked before each
// record), and a wrapped error when reading r fails.
func ReadJSONLines(ctx context.Context, r io.Reader, name string, opts Options, fn func(Record) error) error {
	opts = opts.withDefaults()
	br := bufio.NewReaderSize(r, 64<<10)
	limit := opts.maxLine()
	var buf []byte
	for n := 1; ; n++ {
		line, size, _, err := readLine(br, buf[:0], limit)
		buf = line[:0]
		if err != nil && err != io.EOF {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if size == 0 && err == io.EOF {
			return nil
		}
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rec := Record{File: name, Line: n}
		switch {
		case size > int64(limit):
			rec.Err = &SizeError{What: "line", Size: size, Limit: int64(limit)}
		case len(bytes.TrimSpace(line)) == 0:
			if err == io.EOF {
				return nil
			}
			continue
		default:
			rec.Article, rec.Warnings, rec.Err = Parse(line, opts)
			rec.Article.Origin = originOf(rec, name)
		}
		if ferr := fn(rec); ferr != nil {
			return ferr
		}
		if err == io.EOF {
			return nil
		}
	}
}

func originOf(rec Record, name string) string {
	if rec.Err != nil {
		return ""
	}
	return name
}

// readLine reads one line into buf, without its "\n". size is the line's
// full length; when it is over limit, the line is skipped and not all of
// it is returned. err is io.EOF when the input ended, with or without a
// line.
func readLine(br *bufio.Reader, buf []byte, limit int) (line []byte, size int64, newline bool, err error) {
	over := false
	for {
		chunk, err := br.ReadSlice('\n')
		size += int64(len(chunk))
		if !over && size <= int64(limit)+1 { // +1: the "\n"
			buf = append(buf, chunk...)
		} else {
			over, buf = true, buf[:0]
		}
		switch err {
		case bufio.ErrBufferFull:
			continue
		case nil:
			if !over {
				buf = buf[:len(buf)-1]
			}
			return buf, size - 1, true, nil
		default:
			return buf, size, false, err
		}
	}
}

// ReadFile reads one file and calls fn for each record in it, choosing the
// format by extension (see [Formats]):
//
//   - .jsonl, .ndjson: JSON Lines, read with [ReadJSONLines];
//   - .json: a JSON array of objects, streamed element by element; or, when
//     the file does not start with "[", JSON Lines when its first line is a
//     whole JSON object, else a sequence of JSON objects (one pretty-printed
//     object, say);
//   - .txt: one plain-text article: a title line, optional header lines
//     ("Author:… Time:…", "作者：… 时间：…", "来源：…"), then the body, which
//     ends at a "- END -" line or an editor's credit line;
//   - .md, .markdown: one Markdown article with optional front matter.
//
// An unsupported extension or a file that cannot be opened or read gives
// one Record with Err (Line 0) rather than an error. A syntax error in a
// .json file ends that file with a Record for the error, after the
// elements before it. ReadFile returns only fn's error or ctx.Err().
func ReadFile(ctx context.Context, path string, opts Options, fn func(Record) error) error {
	opts = opts.withDefaults()
	if err := ctx.Err(); err != nil {
		return err
	}
	fm := formatOf(path)
	if fm == formatNone {
		return fn(Record{File: path, Err: unsupported(path)})
	}
	f, err := os.Open(path)
	if err != nil {
		return fn(Record{File: path, Err: pathError(err)})
	}
	defer f.Close()

	var fnErr error
	cr := &countingReader{r: f}
	call := func(r Record) error {
		r.Offset = cr.n
		fnErr = fn(r)
		return fnErr
	}
	switch fm {
	case formatJSONLines:
		err = ReadJSONLines(ctx, cr, path, opts, call)
	case formatJSON:
		err = readJSON(ctx, cr, path, opts, call)
	default:
		err = readWhole(f, path, fm, opts, call)
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if err == nil || err == fnErr {
		return err
	}
	// The record names the file: keep only the operation and the cause.
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return fn(Record{File: path, Err: err})
}

func unsupported(path string) error {
	ext := filepath.Ext(path)
	if ext == "" {
		return fmt.Errorf("%w (no extension; want one of %s)", ErrUnsupported, strings.Join(Formats(), " "))
	}
	return fmt.Errorf("%w %q (want one of %s)", ErrUnsupported, ext, strings.Join(Formats(), " "))
}

// pathError drops the path and operation from an *fs.PathError: records
// already name the file, so "a.txt: no such file or directory" reads
// better than "a.txt: open a.txt: no such file or directory".
func pathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readWhole reads a text or Markdown file, which is one article.
func readWhole(f *os.File, path string, fm format, opts Options, fn func(Record) error) error {
	limit := int64(opts.maxLine())
	if fi, err := f.Stat(); err == nil && fi.Size() > limit {
		return fn(Record{File: path, Err: &SizeError{What: "file", Size: fi.Size(), Limit: limit}})
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return err // ReadFile reports it
	}
	if int64(len(data)) > limit {
		return fn(Record{File: path, Err: &SizeError{What: "file", Size: int64(len(data)), Limit: limit}})
	}
	rec := Record{File: path}
	parse := parseText
	if fm == formatMarkdown {
		parse = parseMarkdown
	}
	rec.Article, rec.Warnings, rec.Line, rec.Err = parse(data, opts)
	rec.Article.Origin = originOf(rec, path)
	rec.Offset = int64(len(data))
	return fn(rec)
}

// lineCounter passes reads through and keeps the bytes read since the last
// call to lineAt, so that the line of a decoder offset can be found while
// streaming.
type lineCounter struct {
	r    io.Reader
	buf  []byte // bytes from offset base on
	base int64
	line int // line number at base
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	return n, err
}

// lineAt returns the 1-based line of offset off and forgets the bytes
// before it. Offsets must not decrease between calls.
func (c *lineCounter) lineAt(off int64) int {
	k := min(max(int(off-c.base), 0), len(c.buf))
	c.line += bytes.Count(c.buf[:k], []byte("\n"))
	c.buf = c.buf[k:]
	c.base += int64(k)
	return c.line
}

// readJSON reads a .json file: see ReadFile.
func readJSON(ctx context.Context, r io.Reader, name string, opts Options, fn func(Record) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		if _, err := br.Discard(3); err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
	}
	first, err := firstByte(br)
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	src := io.Reader(br)
	if first == '{' {
		// One object per line, or one object over many lines? Look at
		// the first line, then put it back.
		line, size, newline, err := readLine(br, nil, opts.maxLine())
		if err != nil && err != io.EOF {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if size > int64(opts.maxLine()) || json.Valid(line) {
			if err == io.EOF {
				return ReadJSONLines(ctx, bytes.NewReader(line), name, opts, fn)
			}
			if size > int64(opts.maxLine()) {
				// The line is not all in memory: report it and go on.
				if err := fn(Record{File: name, Line: 1, Err: &SizeError{What: "line", Size: size, Limit: int64(opts.maxLine())}}); err != nil {
					return err
				}
				return ReadJSONLines(ctx, br, name, opts, func(rec Record) error {
					rec.Line++
					return fn(rec)
				})
			}
			return ReadJSONLines(ctx, io.MultiReader(bytes.NewReader(line), strings.NewReader("\n"), br), name, opts, fn)
		}
		if newline {
			line = append(line, '\n')
		}
		src = io.MultiReader(bytes.NewReader(line), br)
	}
	lc := &lineCounter{r: src, line: 1}
	dec := json.NewDecoder(lc)
	s := jsonStream{ctx: ctx, dec: dec, lc: lc, name: name, opts: opts, fn: fn}
	if first == '[' {
		return s.array()
	}
	return s.values()
}

// firstByte returns the first non-space byte without consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for n := 1; ; n++ {
		b, err := br.Peek(n)
		if len(b) < n {
			if err == nil || errors.Is(err, bufio.ErrBufferFull) {
				return '[', nil // a long run of spaces: let the decoder say what follows
			}
			return 0, err
		}
		switch c := b[n-1]; c {
		case ' ', '\t', '\r', '\n':
		default:
			return c, nil
		}
	}
}

// jsonStream decodes JSON values one at a time and reports each with its
// line.
type jsonStream struct {
	ctx  context.Context
	dec  *json.Decoder
	lc   *lineCounter
	name string
	opts Options
	fn   func(Record) error
}

// array reads a top-level array of objects.
func (s *jsonStream) array() error {
	if _, err := s.dec.Token(); err != nil {
		return s.syntax(err)
	}
	for s.dec.More() {
		if err := s.value(); err != nil {
			return stopped(err)
		}
	}
	if _, err := s.dec.Token(); err != nil { // "]"
		return s.syntax(err)
	}
	if _, err := s.dec.Token(); err != io.EOF {
		if err != nil {
			return s.syntax(err)
		}
		line := s.lc.lineAt(s.dec.InputOffset() - 1)
		return s.fn(Record{File: s.name, Line: line, Err: fmt.Errorf("%w: unexpected data after the top-level array", ErrInvalidJSON)})
	}
	return nil
}

// values reads a sequence of top-level values.
func (s *jsonStream) values() error {
	for s.dec.More() {
		if err := s.value(); err != nil {
			return stopped(err)
		}
	}
	// More is false at the end of input and at a stray "]" or "}".
	if _, err := s.dec.Token(); err != io.EOF {
		if err != nil {
			return s.syntax(err)
		}
		line := s.lc.lineAt(s.dec.InputOffset() - 1)
		return s.fn(Record{File: s.name, Line: line, Err: fmt.Errorf("%w: unexpected %q", ErrInvalidJSON, s.lc.lastByte())})
	}
	return nil
}

func (c *lineCounter) lastByte() string {
	if len(c.buf) == 0 {
		return ""
	}
	return string(c.buf[:1])
}

// errStop ends a stream after a syntax error has been reported.
var errStop = errors.New("stop")

func stopped(err error) error {
	if err == errStop {
		return nil
	}
	return err
}

// value decodes one value and reports it.
func (s *jsonStream) value() error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	var raw json.RawMessage
	if err := s.dec.Decode(&raw); err != nil {
		if err := s.syntax(err); err != nil {
			return err
		}
		return errStop
	}
	rec := Record{File: s.name, Line: s.lc.lineAt(s.dec.InputOffset() - int64(len(raw)))}
	rec.Article, rec.Warnings, rec.Err = Parse(raw, s.opts)
	rec.Article.Origin = originOf(rec, s.name)
	return s.fn(rec)
}

// syntax reports a decoding error as a Record at the line where it is,
// and returns fn's error; the rest of the input is not read. Errors from
// the underlying reader are returned instead.
func (s *jsonStream) syntax(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		line := s.lc.lineAt(s.lc.base + int64(len(s.lc.buf)))
		return s.fn(Record{File: s.name, Line: line, Err: fmt.Errorf("%w: unexpected end of JSON input", ErrInvalidJSON)})
	default:
		return fmt.Errorf("read %s: %w", s.name, err)
	}
	// The decoder's offsets in syntax errors are not reliable after Token
	// calls, so find the bad byte by decoding the rest again from the
	// decoder's position, which is where the failed value starts.
	off := s.dec.InputOffset()
	rest := s.lc.buf[min(max(int(off-s.lc.base), 0), len(s.lc.buf)):]
	pos := off + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))
	var raw json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(rest)).Decode(&raw); err != nil {
		if errors.As(err, &se) && se.Offset > 0 {
			pos = off + se.Offset - 1
		}
	}
	line := s.lc.lineAt(pos)
	return s.fn(Record{File: s.name, Line: line, Err: fmt.Errorf("%w: %s", ErrInvalidJSON, se.Error())})
}

// Walk reads every path in order: a file with [ReadFile] (an unsupported
// file named explicitly gives a Record with [ErrUnsupported]), a directory
// recursively, in lexical order so that runs are deterministic. In
// directories Walk reads only files with a supported extension and skips
// hidden files and directories (names starting with ".") and bleve indexes
// (directories named "*.bleve"). Symbolic links to files are read; links to
// directories are followed only when named in paths, so a tree with a
// link loop still ends. A path that does not exist, or a directory
// that cannot be read, gives a Record with Err.
//
// Walk returns fn's error if fn returns one, and ctx.Err() when ctx is
// done (checked between records and files).
func Walk(ctx context.Context, paths []string, opts Options, fn func(Record) error) error {
	opts = opts.withDefaults()
	return files(ctx, paths, func(path string, err error) error {
		if err != nil {
			return fn(Record{File: path, Err: pathError(err)})
		}
		return ReadFile(ctx, path, opts, fn)
	})
}

// Size returns the total size in bytes of the files that [Walk] reads
// from paths: what progress through them is measured against.
func Size(paths []string) int64 {
	var n int64
	// Without a deadline or fn errors, files cannot fail.
	_ = files(context.Background(), paths, func(path string, err error) error {
		if err == nil {
			if fi, err := os.Stat(path); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// files calls fn with each file [Walk] reads from paths, in order, or
// with the path and the error of one that cannot be read. It returns fn's
// error if fn returns one, and ctx.Err() when ctx is done.
func files(ctx context.Context, paths []string, fn func(path string, err error) error) error {
	for _, root := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		fi, err := os.Stat(root)
		if err != nil {
			if err := fn(root, err); err != nil {
				return err
			}
			continue
		}
		if !fi.IsDir() {
			if err := fn(root, nil); err != nil {
				return err
			}
			continue
		}
		walkRoot := root
		if li, err := os.Lstat(root); err == nil && li.Mode()&fs.ModeSymlink != 0 {
			// WalkDir does not follow a link, even as its root; a
			// trailing separator makes the system resolve it.
			walkRoot = root + string(filepath.Separator)
		}
		err = filepath.WalkDir(walkRoot, func(path string, d fs.DirEntry, err error) error {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if err != nil {
				if ferr := fn(path, err); ferr != nil {
					return ferr
				}
				if d != nil && d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if path != walkRoot && skipped(d) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || formatOf(path) == formatNone {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
					return nil // a link to a directory, or a broken one
				}
			} else if !d.Type().IsRegular() {
				return nil // a device or a pipe
			}
			return fn(path, nil)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// skipped reports files and directories that Walk does not enter.
func skipped(d fs.DirEntry) bool {
	name := d.Name()
	return strings.HasPrefix(name, ".") || (d.IsDir() && strings.HasSuffix(name, ".bleve"))
}
