package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The files of a store directory.
const (
	currentFile  = "CURRENT"      // the live generation, replaced atomically
	rebuildLock  = "rebuild.lock" // held by the process rebuilding
	genPrefix    = "gen-"
	lockSuffix   = ".lock"    // gen-N.lock: held by whoever has gen-N open
	journalSufix = ".journal" // gen-N.journal: writes made while gen-N was built
)

// pointer is the content of CURRENT.
type pointer struct {
	// Generation is the directory of the live index.
	Generation string `json:"generation"`
	// Replayed is how many bytes of the generation's journal the rebuild
	// applied before the switch; whoever opens it next applies the rest.
	Replayed int64 `json:"journal_replayed"`
}

func readCurrent(dir string) (pointer, error) {
	var p pointer
	raw, err := os.ReadFile(filepath.Join(dir, currentFile))
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("%s: %w", filepath.Join(dir, currentFile), err)
	}
	if _, ok := genNumber(p.Generation); !ok {
		return p, fmt.Errorf("%s: %q is not a generation", filepath.Join(dir, currentFile), p.Generation)
	}
	return p, nil
}

// writeCurrent replaces CURRENT atomically and durably: a reader sees the
// old pointer or the new one, before and after a crash.
func writeCurrent(dir string, p pointer) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, currentFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", currentFile, err)
	}
	_, err = f.Write(append(raw, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, currentFile))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", currentFile, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func genName(n int) string { return fmt.Sprintf("%s%06d", genPrefix, n) }

// genNumber parses a generation name.
func genNumber(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, genPrefix)
	if !ok || len(s) != 6 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// generations lists the generation numbers that have a directory, a lock
// file or a journal in dir, in increasing order.
func generations(dir string) ([]int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	seen := map[int]bool{}
	for _, e := range ents {
		name := e.Name()
		name = strings.TrimSuffix(strings.TrimSuffix(name, lockSuffix), journalSufix)
		if n, ok := genNumber(name); ok {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out, nil
}

// errHeld means another holder has the lock.
var errHeld = errors.New("lock is held")

// lock takes an exclusive, non-blocking flock on path, creating the file.
// The kernel releases it when the process dies, however it dies.
func lock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if errors.Is(err, syscall.EROFS) {
		// A read-only file system: an existing lock file can still be
		// locked, to serve the index it guards read-only.
		f, err = os.Open(path)
	}
	if err != nil {
		return nil, err
	}
	// [held] probes by taking a shared lock for an instant, so a lock
	// nobody holds can look held for that instant: a few short retries
	// tell a probe from a holder.
	for wait := time.Millisecond; ; wait *= 2 {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if wait > 8*time.Millisecond {
			f.Close()
			return nil, errHeld
		}
		time.Sleep(wait)
	}
}

// held reports whether someone holds the lock at path.
func held(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	return false
}

func unlock(f *os.File) {
	if f != nil {
		f.Close() // closing the descriptor releases the flock
	}
}

// removeGen deletes generation n's directory, journal and lock file
// unless someone has it open. It reports whether it did.
func removeGen(dir string, n int) (bool, error) {
	name := genName(n)
	l, err := lock(filepath.Join(dir, name+lockSuffix))
	if errors.Is(err, errHeld) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer unlock(l)
	if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
		return false, fmt.Errorf("remove %s: %w", name, err)
	}
	if err := os.Remove(filepath.Join(dir, name+journalSufix)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("remove %s: %w", name+journalSufix, err)
	}
	if err := os.Remove(filepath.Join(dir, name+lockSuffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	return true, nil
}
