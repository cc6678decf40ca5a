package synonym

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on one line of a *.syn file.
const (
	// MaxRunes is the most runes an entry may have.
	MaxRunes = 64
	// MaxEntries is the most entries a line may have, both sides of =>
	// together.
	MaxEntries = 64
)

// maxErrors is how many bad lines of one file [Parse] reports one by one.
const maxErrors = 10

// Ext is the extension of the files [LoadDir] reads.
const Ext = ".syn"

// ErrSyntax is wrapped by every [*LineError] [Parse] and [LoadDir]
// return for a line that is not a valid group or rule.
var ErrSyntax = errors.New("bad synonym line")

// LineError is a problem with one line of a synonym file. It matches
// [ErrSyntax].
type LineError struct {
	File   string // as given to [Parse]
	Line   int    // 1-based
	Reason string
}

// Error returns "file:line: reason".
func (e *LineError) Error() string {
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Reason
}

// Unwrap returns [ErrSyntax].
func (e *LineError) Unwrap() error { return ErrSyntax }

// Rule says that each entry of From also means each entry of To. An
// equivalence group of n entries is one Rule with From and To both
// holding all n entries and Oneway false; a line "a b => c" is a Rule
// with Oneway true.
//
// Entries are non-empty, have no leading or trailing whitespace, no runs
// of it inside, and are lower-cased; each side holds an entry once.
type Rule struct {
	From, To []string
	Oneway   bool
	Pos      string // where the rule was read, "news.syn:3"
}

// Set is a parsed collection of synonym rules. It is immutable once
// made and safe for concurrent use. A nil *Set is an empty set.
type Set struct {
	rules  []Rule
	files  []string
	expand map[string][]string // entry -> what it also means, in rule order
	fp     string
}

// emptySet is what a nil [*Set] and [*Live] stand for.
var emptySet = newSet(nil, nil)

// newSet indexes rules, which it keeps, read from files.
func newSet(files []string, rules []Rule) *Set {
	s := &Set{rules: rules, files: files, expand: map[string][]string{}}
	seen := map[string]bool{} // "from\x00to": entries hold no control characters
	for _, r := range rules {
		for _, f := range r.From {
			for _, t := range r.To {
				if t == f || seen[f+"\x00"+t] {
					continue
				}
				seen[f+"\x00"+t] = true
				s.expand[f] = append(s.expand[f], t)
			}
		}
	}
	s.fp = fingerprint(rules)
	return s
}

// fingerprint hashes what the rules mean, in order: their entries and
// direction, not where they were read.
func fingerprint(rules []Rule) string {
	h := sha256.New()
	var buf []byte
	putStrings := func(ss []string) {
		buf = binary.AppendUvarint(buf[:0], uint64(len(ss)))
		h.Write(buf)
		for _, s := range ss {
			buf = binary.AppendUvarint(buf[:0], uint64(len(s)))
			h.Write(buf)
			io.WriteString(h, s)
		}
	}
	for _, r := range rules {
		if r.Oneway {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
		putStrings(r.From)
		putStrings(r.To)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Rules returns a copy of the rules, in file and line order.
func (s *Set) Rules() []Rule {
	if s == nil || len(s.rules) == 0 {
		return nil
	}
	out := make([]Rule, len(s.rules))
	for i, r := range s.rules {
		r.From = slices.Clone(r.From)
		r.To = slices.Clone(r.To)
		out[i] = r
	}
	return out
}

// Len returns the number of rules.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.rules)
}

// Files returns the names of the files the set was read from, in the
// order read.
func (s *Set) Files() []string {
	if s == nil {
		return nil
	}
	return slices.Clone(s.files)
}

// Expand returns the entries that entry also means: the To entries of
// every rule with entry on its From side, in rule order, each once and
// without entry itself. It returns nil when there are none. entry is
// compared as the files' entries are: lower-cased, with whitespace
// trimmed and runs of it collapsed. The caller may modify the result.
func (s *Set) Expand(entry string) []string {
	if s == nil || len(s.expand) == 0 {
		return nil
	}
	key := strings.ToLower(entry)
	got, ok := s.expand[key]
	if !ok && strings.ContainsFunc(key, unicode.IsSpace) {
		got = s.expand[strings.Join(strings.Fields(key), " ")]
	}
	return slices.Clone(got)
}

// Fingerprint returns a hex SHA-256 of the rules' entries and
// directions, in order. It is stable across processes; comments, blank
// lines, positions and file names do not change it.
func (s *Set) Fingerprint() string {
	if s == nil {
		return emptySet.fp
	}
	return s.fp
}

// Parse reads synonym rules in the *.syn format (see the package
// documentation) from r, naming them name in [Rule.Pos] and in errors.
// When lines are bad it returns no set and an error joining a
// [*LineError] per bad line ("name:line: reason", one a line with
// [errors.Join]), the first ten and then "name:line: ... and N more" at
// the first of the rest, so a user sees every mistake at once.
func Parse(name string, r io.Reader) (*Set, error) {
	rules, err := parse(name, r)
	if err != nil {
		return nil, err
	}
	return newSet([]string{name}, rules), nil
}

// LoadDir reads every *.syn file of dir, in name order, and merges their
// rules, which simply accumulate. Other files, dot files and
// directories are ignored; with no *.syn file the set is empty. Files and
// errors are named dir/file. Every file is parsed, so the error joins the
// bad lines of all of them. A missing dir fails with an error wrapping
// [io/fs.ErrNotExist].
func LoadDir(dir string) (*Set, error) {
	files, err := readDir(dir)
	if err != nil {
		return nil, err
	}
	return parseFiles(files)
}

// file is a *.syn file as read.
type file struct {
	name string // dir/base
	data []byte
}

// synNames returns the base names of the *.syn files of dir, sorted.
func synNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read synonym directory: %w", err)
	}
	var names []string
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") || e.IsDir() || filepath.Ext(name) != Ext {
			continue
		}
		if e.Type()&os.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.IsDir() {
				continue
			}
		}
		names = append(names, name)
	}
	return names, nil // os.ReadDir sorts by name
}

// readDir reads the *.syn files of dir, in name order.
func readDir(dir string) ([]file, error) {
	names, err := synNames(dir)
	if err != nil {
		return nil, err
	}
	files := make([]file, 0, len(names))
	for _, n := range names {
		name := filepath.Join(dir, n)
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read synonyms: %w", err)
		}
		files = append(files, file{name: name, data: b})
	}
	return files, nil
}

// parseFiles parses files, in order, into one set.
func parseFiles(files []file) (*Set, error) {
	var rules []Rule
	var errs []error
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, f.name)
		rs, err := parse(f.name, strings.NewReader(string(f.data)))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rules = append(rules, rs...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newSet(names, rules), nil
}

// parse reads the rules of r, named name.
func parse(name string, r io.Reader) ([]Rule, error) {
	var rules []Rule
	var errs []error
	more, moreLine := 0, 0
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if line == "" && err != nil {
			break
		}
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		rule, ok, reason := parseLine(line)
		switch {
		case reason != "" && len(errs) < maxErrors:
			errs = append(errs, &LineError{File: name, Line: n, Reason: reason})
		case reason != "":
			if more == 0 {
				moreLine = n
			}
			more++
		case ok:
			rule.Pos = name + ":" + strconv.Itoa(n)
			rules = append(rules, rule)
		}
		if err != nil {
			break
		}
	}
	if more > 0 {
		errs = append(errs, &LineError{File: name, Line: moreLine, Reason: fmt.Sprintf("... and %d more", more)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rules, nil
}

// parseLine parses one line, with or without its line ending. It
// returns ok false for a blank or comment line, and a non-empty reason
// for a bad one.
func parseLine(line string) (r Rule, ok bool, reason string) {
	if !utf8.ValidString(line) {
		return Rule{}, false, "invalid UTF-8"
	}
	line = strings.TrimSpace(stripComment(line))
	if line == "" {
		return Rule{}, false, ""
	}
	var sides []string
	switch strings.Count(line, "=>") {
	case 0:
		sides = []string{line}
	case 1:
		from, to, _ := strings.Cut(line, "=>")
		switch {
		case strings.TrimSpace(from) == "":
			return Rule{}, false, `nothing before "=>"`
		case strings.TrimSpace(to) == "":
			return Rule{}, false, `nothing after "=>"`
		}
		sides = []string{from, to}
	default:
		return Rule{}, false, `more than one "=>"`
	}
	lists := make([][]string, len(sides))
	total := 0
	for i, side := range sides {
		entries, reason := splitEntries(side)
		if reason != "" {
			return Rule{}, false, reason
		}
		lists[i] = entries
		total += len(entries)
	}
	if total > MaxEntries {
		return Rule{}, false, fmt.Sprintf("too many entries (%d, at most %d)", total, MaxEntries)
	}
	for i, entries := range lists {
		for j, e := range entries {
			if reason := checkEntry(e); reason != "" {
				return Rule{}, false, reason
			}
			entries[j] = strings.ToLower(e)
		}
		lists[i] = dedup(entries)
	}
	if len(lists) == 1 {
		if len(lists[0]) < 2 {
			return Rule{}, false, "group needs at least 2 distinct entries"
		}
		return Rule{From: lists[0], To: lists[0]}, true, ""
	}
	from, to := lists[0], lists[1]
	if len(from) == 1 && len(to) == 1 && from[0] == to[0] {
		return Rule{}, false, fmt.Sprintf("rule maps %q only to itself", from[0])
	}
	return Rule{From: from, To: to, Oneway: true}, true, ""
}

// stripComment removes a # comment: the whole line when its first
// non-blank character is #, else from a # that follows whitespace.
func stripComment(line string) string {
	prevSpace := true
	for i, c := range line {
		if c == '#' && prevSpace {
			return line[:i]
		}
		prevSpace = unicode.IsSpace(c)
	}
	return line
}

// splitEntries splits one side of a line into entries: at commas when it
// holds one, else at whitespace. Entries have whitespace trimmed and
// collapsed.
func splitEntries(side string) ([]string, string) {
	if !strings.Contains(side, ",") {
		return strings.Fields(side), ""
	}
	parts := strings.Split(side, ",")
	entries := make([]string, 0, len(parts))
	for i, p := range parts {
		e := strings.Join(strings.Fields(p), " ")
		if e == "" {
			switch i {
			case 0:
				return nil, "empty entry before the first comma"
			case len(parts) - 1:
				return nil, "empty entry after the last comma"
			}
			return nil, "empty entry between commas"
		}
		entries = append(entries, e)
	}
	return entries, ""
}

// checkEntry returns why e is not a valid entry, or "".
func checkEntry(e string) string {
	if strings.ContainsFunc(e, unicode.IsControl) {
		return fmt.Sprintf("entry %q holds a control character", e)
	}
	if n := utf8.RuneCountInString(e); n > MaxRunes {
		return fmt.Sprintf("entry %q is longer than %d runes (%d)", shorten(e), MaxRunes, n)
	}
	return ""
}

// shorten returns the first runes of a long entry, for a message.
func shorten(e string) string {
	const keep = 16
	n := 0
	for i := range e {
		if n == keep {
			return e[:i] + "..."
		}
		n++
	}
	return e
}

// dedup drops later copies of entries, in place.
func dedup(entries []string) []string {
	out := entries[:0]
	for _, e := range entries {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}
