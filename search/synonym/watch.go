package synonym

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultInterval is how often [Live.Run] looks at the directory when
// given no interval.
const DefaultInterval = 2 * time.Second

// racyWindow is how recent a file's mtime makes its stat untrusted: a
// file rewritten within the same mtime tick, at the same size, looks
// unchanged, so [Live.load] reads again at later polls until its mtime is
// older than this (git calls such entries "racily clean"). It is above
// the 2s tick of the coarsest file systems.
const racyWindow = 3 * time.Second

// racyStat stands for a stat not trusted, and matches none.
const racyStat = "\x00racy"

// Live holds the current [Set] of a directory and reloads it when its
// *.syn files change ([Live.Run]). It is safe for concurrent use. A nil
// *Live stands for no synonyms: its Set is empty.
type Live struct {
	dir string
	log *slog.Logger
	cur atomic.Pointer[Set]

	mu      sync.Mutex        // serializes loads; guards the fields below
	stat    string            // names, sizes, mtimes and modes at the last load tried
	sum     [sha256.Size]byte // hash of the names and contents that load read
	pending string            // a stat seen once since, waiting to settle
}

// NewLive loads the *.syn files of dir as [LoadDir] does and returns a
// Live holding them. It fails when that first load fails. log receives
// what [Live.Run] does, with the attribute "dir"; nil means
// [slog.Default].
func NewLive(dir string, log *slog.Logger) (*Live, error) {
	if log == nil {
		log = slog.Default()
	}
	l := &Live{dir: dir, log: log.With("dir", dir)}
	if _, err := l.load(true); err != nil {
		return nil, err
	}
	return l, nil
}

// Set returns the current set, never nil. The set does not change; a
// reload replaces it, so a caller that needs one consistent view (one
// query) calls Set once.
func (l *Live) Set() *Set {
	if l == nil {
		return emptySet
	}
	if s := l.cur.Load(); s != nil {
		return s
	}
	return emptySet
}

// Reload reads the directory now, whether or not its files changed. On
// an error it keeps the current set and returns the error (without
// logging it). On a nil *Live it does nothing.
func (l *Live) Reload() error {
	if l == nil {
		return nil
	}
	_, err := l.load(true)
	return err
}

// Run looks at the directory every interval (every <= 0 means
// [DefaultInterval]) until ctx is done, and reloads it when the names,
// sizes, modification times or modes of its *.syn files changed, and
// then their contents did too; a removed file is simply left out. So as
// not to read a file half written, it waits until the change has stayed
// the same for one more interval, and reads again later when a file
// changes while it is read. A reload logs "synonyms reloaded" at Info
// with the files and the number of rules; a failed one logs "synonyms not
// reloaded; keeping the previous ones" at Error with the error, once per
// change, and keeps the current set. On a nil *Live, Run returns at once.
//
// While a file's mtime is recent (a few seconds) Run also reads the
// files again, so a rewrite that keeps the size within one mtime tick is
// not missed.
func (l *Live) Run(ctx context.Context, every time.Duration) {
	if l == nil {
		return
	}
	if every <= 0 {
		every = DefaultInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		changed, err := l.load(false)
		switch {
		case err != nil:
			l.log.Error("synonyms not reloaded; keeping the previous ones", "err", err)
		case changed:
			s := l.Set()
			l.log.Info("synonyms reloaded", "files", baseNames(s.Files()), "rules", s.Len())
		}
	}
}

// load reads the directory and, when it parses, makes it the current
// set. It reports whether it replaced the set.
//
// Unless force, it returns at once when the names, sizes, mtimes and
// modes of the files are those of the last load tried or have not been
// seen at the previous call (they may be changing still), drops what it
// read when they change while it reads, and does not parse when the
// contents are those of the last load tried: so a bad edit is reported
// once, not at every poll.
func (l *Live) load(force bool) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Stat before reading: a write after this changes the next stat.
	stat, newest, err := statDir(l.dir)
	if err != nil {
		stat = "error: " + err.Error()
	}
	if !force {
		if stat == l.stat {
			l.pending = ""
			return false, nil
		}
		if stat != l.pending {
			l.pending = stat
			return false, nil
		}
	}
	l.pending = ""
	if err != nil {
		l.stat = stat
		return false, err
	}
	files, err := readDir(l.dir)
	if err != nil {
		l.stat = stat
		return false, err
	}
	if !force {
		if again, _, err := statDir(l.dir); err != nil || again != stat {
			return false, nil // written to while read: look again
		}
	}
	l.stat = stat
	if time.Since(newest) < racyWindow {
		l.stat = racyStat // read again at the next polls; the hash says whether it changed
	}
	sum := hashFiles(files)
	if !force && sum == l.sum {
		return false, nil
	}
	l.sum = sum
	s, err := parseFiles(files)
	if err != nil {
		return false, err
	}
	l.cur.Store(s)
	return true, nil
}

// statDir describes the *.syn files of dir by name, size, mtime and
// mode, and returns the newest mtime.
func statDir(dir string) (string, time.Time, error) {
	names, err := synNames(dir)
	if err != nil {
		return "", time.Time{}, err
	}
	var b strings.Builder
	var newest time.Time
	for _, n := range names {
		fi, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			// Gone since the listing, or a broken link: readDir says so.
			fmt.Fprintf(&b, "%s\x00%v\n", n, err)
			continue
		}
		fmt.Fprintf(&b, "%s\x00%d\x00%d\x00%v\n", n, fi.Size(), fi.ModTime().UnixNano(), fi.Mode())
		if fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
	}
	return b.String(), newest, nil
}

// hashFiles hashes the names and contents of files.
func hashFiles(files []file) [sha256.Size]byte {
	h := sha256.New()
	var buf []byte
	for _, f := range files {
		buf = binary.AppendUvarint(buf[:0], uint64(len(f.name)))
		buf = append(buf, f.name...)
		buf = binary.AppendUvarint(buf, uint64(len(f.data)))
		h.Write(buf)
		h.Write(f.data)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// baseNames returns the last elements of paths, for the log.
func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}
