package replica

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Snapshots: a new node starts from a copy of a peer's index
// ([index.Index.CopyTo]) instead of replaying the whole log, then its
// replica applies the log from the sequence the copy records. The copy
// travels as a tar stream of the index directory's files, its last entry
// a marker that holds the number of files before it, so that a stream
// cut short, even between two files, is refused rather than installed.

// snapshotEnd names the marker entry that ends a snapshot stream.
const snapshotEnd = ".wensou-snapshot-end"

// ErrBadSnapshot means a snapshot stream is cut short or holds what an
// index directory does not.
var ErrBadSnapshot = errors.New("bad index snapshot")

// WriteSnapshot writes the index directory dir to w as a snapshot
// stream.
func WriteSnapshot(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: filepath.ToSlash(rel) + "/", Mode: 0o755})
		case !info.Mode().IsRegular():
			return fmt.Errorf("%s: not a regular file", path)
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: filepath.ToSlash(rel), Mode: 0o644, Size: info.Size()}); err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		// Index files are written once: the size read above holds.
		if _, err := io.CopyN(tw, f, info.Size()); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		files++
		return nil
	})
	if err != nil {
		return fmt.Errorf("write snapshot of %s: %w", dir, err)
	}
	count := strconv.Itoa(files)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: snapshotEnd, Mode: 0o644, Size: int64(len(count))}); err != nil {
		return fmt.Errorf("write snapshot of %s: %w", dir, err)
	}
	if _, err := io.WriteString(tw, count); err != nil {
		return fmt.Errorf("write snapshot of %s: %w", dir, err)
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("write snapshot of %s: %w", dir, err)
	}
	return nil
}

// ReadSnapshot reads a snapshot stream into dir, which must not exist,
// and makes every file and directory durable. It returns the bytes of
// the files it wrote. A stream that is cut short, names a path outside
// dir, or holds anything but files and directories fails with
// [ErrBadSnapshot]; dir may then hold part of it, for the caller to
// remove.
func ReadSnapshot(r io.Reader, dir string) (int64, error) {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return 0, fmt.Errorf("read snapshot: %w", err)
	}
	dirs := []string{dir}
	tr := tar.NewReader(r)
	var files int
	var size int64
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadSnapshot, fmt.Sprintf(format, args...))
	}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return size, bad("the stream ended after %d files, before its end marker", files)
		}
		if err != nil {
			return size, bad("after %d files: %v", files, err)
		}
		name := strings.TrimSuffix(h.Name, "/")
		if !filepath.IsLocal(name) {
			return size, bad("%q is not a path inside the index", h.Name)
		}
		if name == snapshotEnd {
			raw, err := io.ReadAll(io.LimitReader(tr, 32))
			if err != nil {
				return size, bad("end marker: %v", err)
			}
			if n, err := strconv.Atoi(string(raw)); err != nil || n != files {
				return size, bad("the end marker counts %q files, the stream held %d", raw, files)
			}
			break
		}
		path := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o755); err != nil {
				return size, fmt.Errorf("read snapshot: %w", err)
			}
			dirs = append(dirs, path)
		case tar.TypeReg:
			if err := writeSynced(path, tr, h.Size); err != nil {
				if errors.Is(err, io.ErrUnexpectedEOF) {
					return size, bad("%s: %v", h.Name, err)
				}
				return size, fmt.Errorf("read snapshot: %w", err)
			}
			files++
			size += h.Size
		default:
			return size, bad("%q is not a file or a directory", h.Name)
		}
	}
	// Deepest first: a directory's entry is durable once its own
	// entries are.
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := syncDir(dirs[i]); err != nil {
			return size, fmt.Errorf("read snapshot: %w", err)
		}
	}
	return size, nil
}

// writeSynced creates path with the next n bytes of r and syncs it.
func writeSynced(path string, r io.Reader, n int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.CopyN(f, r, n)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
