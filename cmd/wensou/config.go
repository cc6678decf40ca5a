package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wensou/wensou/index/article"
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
)

// envName is the environment variable that backs a flag: --index is
// WENSOU_INDEX, --max-body is WENSOU_MAX_BODY.
func envName(flagName string) string {
	return "WENSOU_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args, allowing flags after positional arguments
// (wensou search 油价 --size 5), then fills every flag not given on the
// command line from its WENSOU_* environment variable. It returns the
// positional arguments.
func parseFlags(fs *flag.FlagSet, args []string, env envFunc, stderr io.Writer) ([]string, error) {
	fs.SetOutput(stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errFlagHelp
			}
			return nil, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		if v, ok := env(envName(f.Name)); ok && v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = usagef("%s=%q: %v", envName(f.Name), v, e)
			}
		}
	})
	return pos, err
}

// commonFlags are the flags every index-using command takes.
type commonFlags struct {
	index string
	tz    string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.index, "index", defaultIndexDir, "index directory")
	fs.StringVar(&c.tz, "tz", "Asia/Shanghai", "time zone for dates that carry none, and for year and month facets")
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
