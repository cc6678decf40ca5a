package index

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/blevesearch/bleve/v2"
)

// CopyTo writes a consistent copy of the index, as of one snapshot, to
// dir, which must not exist: a whole index that [Open] opens, with the
// log sequence [Index.ApplyLog] recorded for the documents it holds. It
// is how a new cluster node starts from a peer's index instead of
// replaying the whole log; writes and searches go on meanwhile.
func (ix *Index) CopyTo(ctx context.Context, dir string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("copy the index to %s: %w", dir, os.ErrExist)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("copy the index: %w", err)
	}
	err := ix.view(func(b bleve.Index) error {
		c, ok := b.(bleve.IndexCopyable)
		if !ok {
			return errors.New("the bleve index cannot be copied")
		}
		return c.CopyTo(bleve.FileSystemDirectory(dir))
	})
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("copy the index to %s: %w", dir, err)
	}
	return nil
}
