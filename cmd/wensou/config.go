package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/zh"
	"github.com/wensou/wensou/search"
	"github.com/wensou/wensou/search/synonym"
)

// envFunc looks up an environment variable (os.LookupEnv in main, a map
// in tests).
type envFunc func(string) (string, bool)

// errFlagHelp means -h was asked for; the usage has been printed.
var errFlagHelp = flag.ErrHelp

// Defaults for the paths a fresh clone uses.
const (
	defaultIndexDir   = "data/index.bleve"
	defaultSamplesDir = "data/articles"
	defaultDictDir    = "data/dict"
)

// envName is the environment variable that backs a flag: --index is
// WENSOU_INDEX, --max-body is WENSOU_MAX_BODY.
func envName(flagName string) string {
	return "WENSOU_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args, allowing flags after positional arguments
// (wensou search 油价 --size 5), then fills every flag not given on the
// command line from its WENSOU_* environment variable. It returns the
// positional arguments. A parse error is a one-line [usageError]; -h
// prints the command's usage on stderr and returns [errFlagHelp].
func parseFlags(fs *flag.FlagSet, args []string, env envFunc, stderr io.Writer) ([]string, error) {
	// The flag package prints the error and the whole usage on a parse
	// error; keep the usage for -h only.
	var out bytes.Buffer
	fs.SetOutput(&out)
	flagArgs, pos := splitArgs(fs, args)
	if err := fs.Parse(flagArgs); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			if _, werr := stderr.Write(out.Bytes()); werr != nil {
				return nil, werr
			}
			return nil, errFlagHelp
		}
		return nil, usagef("%v (see \"wensou %s -h\")", err, fs.Name())
	}
	pos = append(pos, fs.Args()...)
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		if v, ok := env(envName(f.Name)); ok && v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = usagef("%s=%q: invalid value for --%s: %v", envName(f.Name), v, f.Name, e)
			}
		}
	})
	return pos, err
}

// splitArgs separates flags (with their values) from positional
// arguments. An argument starting with "--" is a flag; one starting with
// a single "-" is a flag only when fs defines it (or it is -h or -help),
// so that a query's -word stays in the query. Everything after "--" is
// positional.
func splitArgs(fs *flag.FlagSet, args []string) (flags, pos []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return flags, append(pos, args[i+1:]...)
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if !strings.HasPrefix(a, "--") && f == nil && name != "h" && name != "help" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		if f != nil && !hasValue && !isBoolFlag(f) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, pos
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// commonFlags are the flags every index-using command takes.
type commonFlags struct {
	index   string
	tz      string
	reserve diskReserve
	dictFlag
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.index, "index", defaultIndexDir, "index directory")
	fs.StringVar(&c.tz, "tz", "Asia/Shanghai", "time zone for dates that carry none, and for year and month facets")
	fs.Var(&c.reserve, "disk-reserve", "free space writes leave on the index's disk for merges, e.g. 512MB or 2GiB; auto is 5% of the disk, at most 1 GiB; 0 checks nothing, so writes fail only when the disk does")
	c.dictFlag.register(fs)
}

// diskReserve is --disk-reserve: "auto" (the default), 0 (no check) or a
// size. Its bytes are [index.Options.DiskReserve]'s: 0 for auto,
// negative for none.
type diskReserve struct {
	bytes int64
}

func (d *diskReserve) String() string {
	switch {
	case d.bytes == 0:
		return "auto"
	case d.bytes < 0:
		return "0"
	}
	return strconv.FormatInt(d.bytes, 10)
}

func (d *diskReserve) Set(v string) error {
	v = strings.TrimSpace(v)
	if v == "auto" {
		d.bytes = 0
		return nil
	}
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	if n == 0 {
		d.bytes = -1
	} else {
		d.bytes = n
	}
	return nil
}

// sizeUnits are the units parseSize reads, by their lower-case names.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// parseSize reads a size in bytes with an optional unit: 500000, 64MB,
// 2GiB, 1.5G.
func parseSize(s string) (int64, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(s)
	}
	num, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	f, err := strconv.ParseFloat(num, 64)
	mult, ok := sizeUnits[unit]
	if err != nil || !ok || f < 0 || f*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("want a size such as 512MB, 2GiB or 0, not %q", s)
	}
	return int64(f * float64(mult)), nil
}

// dictFlag is --dict, the user dictionary and stop-word directory.
type dictFlag struct {
	dict string
}

func (d *dictFlag) register(fs *flag.FlagSet) {
	fs.StringVar(&d.dict, "dict", defaultDictDir, "user dictionary, stop words and synonyms directory (*.dict, *.stop, *.syn); \"\" for none")
}

// noteStale tells that the index at dir keeps the dictionary it was built
// with, not the one --dict has, for a command that only reads it.
func noteStale(w io.Writer, dir, dict string) {
	fmt.Fprintf(w, "note: %s was built with another dictionary or other stop words than --dict %q has; run \"wensou reindex --index %s\" to apply them\n", dir, dict, dir)
}

// loadDict runs load on the dictionary directory; ok is false when there
// is none: --dict "", or the default one missing (wensou run outside the
// repository).
func loadDict[T any](d *dictFlag, load func(dir string) (T, error)) (v T, ok bool, err error) {
	if d.dict == "" {
		return v, false, nil
	}
	var zero T
	v, err = load(d.dict)
	switch {
	case errors.Is(err, fs.ErrNotExist) && d.dict == defaultDictDir:
		return zero, false, nil
	case err != nil:
		return zero, false, fmt.Errorf("--dict: %w", err)
	}
	return v, true, nil
}

// synonyms loads the synonyms of the dictionary directory, for a command
// that searches once; none when there is no directory.
func (d *dictFlag) synonyms() (search.Synonyms, error) {
	set, ok, err := loadDict(d, synonym.LoadDir)
	if !ok {
		return nil, err
	}
	return search.FixedSynonyms{S: set}, nil
}

// liveSynonyms loads the synonyms of the dictionary directory and keeps
// them up to date while ctx lasts, for the server: an edited *.syn file
// applies within seconds, and the log says so.
func (d *dictFlag) liveSynonyms(ctx context.Context, log *slog.Logger) (search.Synonyms, error) {
	live, ok, err := loadDict(d, func(dir string) (*synonym.Live, error) { return synonym.NewLive(dir, log) })
	if !ok {
		return nil, err
	}
	go live.Run(ctx, 0)
	return live, nil
}

// analysis loads the dictionary directory's words and stop words.
func (d *dictFlag) analysis() (zh.Options, error) {
	o, _, err := loadDict(d, zh.LoadDir)
	return o, err
}

func (c *commonFlags) location() (*time.Location, error) {
	if c.tz == "Asia/Shanghai" {
		return article.DefaultLocation(), nil
	}
	loc, err := time.LoadLocation(c.tz)
	if err != nil {
		return nil, usagef("--tz %q: %v", c.tz, err)
	}
	return loc, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

func fmtCount(n int) string {
	s := fmt.Sprint(n)
	if n < 10000 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// typoFlags are the typo tolerance flags of the commands that search.
type typoFlags struct {
	on       bool
	one, two int
}

func (t *typoFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&t.on, "typos", true, "typo tolerance: a word no article holds is read as the close words of the index (--typos=false: words as typed only)")
	fs.IntVar(&t.one, "typo-min-one", 5, "shortest word, in letters, read with one typo")
	fs.IntVar(&t.two, "typo-min-two", 9, "shortest word, in letters, read with two typos")
}

// options returns the settings for [search.Options.Typos].
func (t *typoFlags) options() search.Typos {
	return search.Typos{Off: !t.on, OneTypo: t.one, TwoTypos: t.two}
}
