package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/zh"
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
	index string
	tz    string
	dictFlag
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.index, "index", defaultIndexDir, "index directory")
	fs.StringVar(&c.tz, "tz", "Asia/Shanghai", "time zone for dates that carry none, and for year and month facets")
	c.dictFlag.register(fs)
}

// dictFlag is --dict, the user dictionary and stop-word directory.
type dictFlag struct {
	dict string
}

func (d *dictFlag) register(fs *flag.FlagSet) {
	fs.StringVar(&d.dict, "dict", defaultDictDir, "user dictionary and stop words directory (*.dict, *.stop); \"\" for none")
}

// analysis loads the dictionary directory. The default one may be
// missing (wensou run outside the repository): then there is none.
func (d *dictFlag) analysis() (zh.Options, error) {
	if d.dict == "" {
		return zh.Options{}, nil
	}
	o, err := zh.LoadDir(d.dict)
	if errors.Is(err, fs.ErrNotExist) && d.dict == defaultDictDir {
		return zh.Options{}, nil
	}
	if err != nil {
		return o, fmt.Errorf("--dict: %w", err)
	}
	return o, nil
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
