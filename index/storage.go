package index

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Storage faults: why a write could not be made durable. A
// [*StorageError] wraps one of them, or none for another I/O failure.
var (
	// ErrDiskFull means the file system holding the index has too little
	// free space for the write (see [Options.DiskReserve]).
	ErrDiskFull = errors.New("the disk is full")
	// ErrReadOnly means the file system holding the index is read-only.
	ErrReadOnly = errors.New("the file system is read-only")
	// ErrGone means the index's files were removed while it was open.
	ErrGone = errors.New("the index files were removed")
)

// StorageError is a write that the index's storage refused or failed.
// Nothing of the write is in the index: searches go on with what was
// there before it.
type StorageError struct {
	// Path is the directory that could not be written.
	Path string
	// Kind is [ErrDiskFull], [ErrReadOnly], [ErrGone], or nil for
	// another failure.
	Kind error
	// Free, Need and Reserve are bytes: free on the file system, what the
	// write needed, and what stays free for merges ([ErrDiskFull]).
	Free, Need, Reserve int64
	// Err is the underlying failure, when there is one.
	Err error
}

func (e *StorageError) Error() string {
	switch e.Kind {
	case ErrDiskFull:
		detail := formatBytes(e.Free) + " free"
		switch {
		case e.Need > 0 && e.Reserve > 0:
			detail += fmt.Sprintf("; the write needs %s, and %s stay free for merging", formatBytes(e.Need), formatBytes(e.Reserve))
		case e.Need > 0:
			detail += fmt.Sprintf("; the write needs %s", formatBytes(e.Need))
		}
		return fmt.Sprintf("the disk holding %s is full (%s): free some space or move the index; searches go on meanwhile", e.Path, detail)
	case ErrReadOnly:
		return fmt.Sprintf("the file system holding %s is read-only: writes are refused until it is writable again (searches go on meanwhile)", e.Path)
	case ErrGone:
		return fmt.Sprintf("the files of the index %s were removed while it was open: writes are refused; rebuild it with \"wensou index\" or \"wensou reindex\"", e.Path)
	}
	if e.Err != nil {
		return fmt.Sprintf("write to %s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("write to %s failed", e.Path)
}

// Unwrap returns the kind and the underlying failure.
func (e *StorageError) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Health says whether an index can take writes now.
type Health struct {
	// Problem is why it cannot (a [*StorageError]), nil when it can.
	Problem error
	// FreeBytes is the free space of its file system; -1 when unknown
	// (an index in memory, or a file system that cannot say).
	FreeBytes int64
}

// Disk reserve defaults: with [Options.DiskReserve] 0, writes keep this
// share of the file system free, up to maxDefaultReserve, so that merges
// (which rewrite segments into new files before deleting the old ones)
// and the journal of a rebuild still have room.
const (
	defaultReservePercent = 5
	maxDefaultReserve     = 1 << 30
)

// spaceNeeded estimates the disk space a write of text bytes of article
// text takes before merges reclaim anything: its segment (about three
// times the text, with stored fields and term vectors), the snapshot
// record, and slack.
func spaceNeeded(text int64) int64 { return 4*text + 64<<10 }

// checkDisk returns a [*StorageError] when dir is gone or its file system
// is read-only, or when a write of need bytes would leave less than
// reserve bytes free on it (0: the default reserve; negative: the space
// is not checked, and writes fail only when the disk does).
func checkDisk(dir string, need, reserve int64) error {
	st, err := statDisk(dir)
	if err != nil {
		return err
	}
	if st.readOnly {
		return &StorageError{Path: dir, Kind: ErrReadOnly}
	}
	if reserve < 0 {
		return nil
	}
	if reserve == 0 {
		reserve = min(st.size*defaultReservePercent/100, maxDefaultReserve)
	}
	if st.free < need+reserve {
		return &StorageError{Path: dir, Kind: ErrDiskFull, Free: st.free, Need: need, Reserve: reserve}
	}
	return nil
}

// CheckDisk is the check writes to an index make first, for other files
// that live beside indexes (a rebuild's journal): it returns a
// [*StorageError] when dir is gone or its file system read-only, or when
// need bytes would leave less than reserve free (0: the default reserve;
// negative: the space is not checked).
func CheckDisk(dir string, need, reserve int64) error { return checkDisk(dir, need, reserve) }

type diskState struct {
	size, free int64
	readOnly   bool
}

func statDisk(dir string) (diskState, error) {
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		return diskState{}, classify(dir, err)
	}
	return diskState{
		size:     int64(fs.Blocks) * int64(fs.Bsize),
		free:     int64(fs.Bavail) * int64(fs.Bsize),
		readOnly: fs.Flags&unix.ST_RDONLY != 0,
	}, nil
}

// classify turns an I/O error met while writing dir into a
// [*StorageError] of the right kind, by its errno.
func classify(dir string, err error) *StorageError {
	se := &StorageError{Path: dir, Err: err}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		se.Kind = ErrDiskFull
		if st, serr := statDisk(dir); serr == nil {
			se.Free = st.free
		}
	case errors.Is(err, syscall.EROFS):
		se.Kind = ErrReadOnly
	case errors.Is(err, fs.ErrNotExist):
		se.Kind = ErrGone
	}
	return se
}

// probe finds out why a write to the index at dir failed when bleve's
// persister did, to answer as for a write the checks refused: are the
// index's files gone, its file system read-only or full?
func probe(dir string, need, reserve int64, cause error) *StorageError {
	if _, err := os.Stat(filepath.Join(storePath(dir), "root.bolt")); err != nil {
		se := classify(dir, err)
		se.Err = cause
		return se
	}
	if err := checkDisk(dir, need, reserve); err != nil {
		if se, ok := errors.AsType[*StorageError](err); ok {
			se.Err = cause
			return se
		}
	}
	se := classify(dir, cause)
	if se.Kind == nil {
		se.Kind = errnoKind(cause)
	}
	if se.Kind == ErrDiskFull {
		se.Need = need
		if st, err := statDisk(dir); err == nil {
			se.Free = st.free
		}
	}
	return se
}

// errnoKind finds the storage fault in the text of an error of bleve's
// persister. The persister formats the failure into a string
// (scorch.ScorchError.ErrMsg, from fmt.Sprintf("%v") in persister.go and
// merge.go), so the errno survives only as its message; it is matched
// with the errno's own text, not a literal of ours.
func errnoKind(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, k := range []struct {
		errno syscall.Errno
		kind  error
	}{
		{syscall.ENOSPC, ErrDiskFull},
		{syscall.EDQUOT, ErrDiskFull},
		{syscall.EROFS, ErrReadOnly},
		{syscall.ENOENT, ErrGone},
	} {
		if strings.Contains(msg, k.errno.Error()) {
			return k.kind
		}
	}
	return nil
}

// formatBytes writes n for people: 512 B, 3.4 MB, 1.2 GB.
func formatBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}
