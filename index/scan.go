package index

import (
	"context"
	"fmt"

	"github.com/wensou/wensou/index/article"
)

// Scan calls fn with every stored article, in no particular order, from
// one consistent view of the index: writes made while it runs may or may
// not be seen. It stops at fn's first error, or when ctx is done.
func (ix *Index) Scan(ctx context.Context, fn func(article.Article) error) error {
	r, _, _, err := ix.snapshot()
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	defer r.Close()
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	defer ids.Close()
	for n := 0; ; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		iid, err := ids.Next()
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		if iid == nil {
			return nil
		}
		id, err := r.ExternalID(iid)
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		doc, err := r.Document(id)
		if err != nil {
			return fmt.Errorf("scan: load article %q: %w", id, err)
		}
		if doc == nil {
			continue // deleted since the id list was read
		}
		if err := fn(ix.decode(id, doc)); err != nil {
			return err
		}
	}
}
