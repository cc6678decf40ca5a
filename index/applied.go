package index

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/wensou/wensou/index/article"
)

// Writes from a replicated log (package replica): each batch of log
// entries is applied in one bleve batch that also records the sequence
// of its last entry, so that the documents and the position in the log
// are durable together. A replica that restarts reads [Index.Applied]
// and resumes after it: entries are whole upserts or deletions by id,
// so applying one again changes nothing.

// appliedKey holds the last log sequence applied, 8 bytes big-endian.
var appliedKey = []byte("wensou.applied")

// LogOp is one write of a log entry: an article to add or replace, or,
// when Article is nil, the id to delete.
type LogOp struct {
	Article *article.Article
	Delete  string
}

// ApplyLog applies ops in order in one batch and records seq as the
// last sequence applied; it returns once both are durable. For one id,
// the last op wins, as it would applied one by one.
func (ix *Index) ApplyLog(ctx context.Context, seq uint64, ops []LogOp) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ix.compat != nil {
		return ix.compat
	}
	var text int64
	puts := false
	for _, op := range ops {
		if a := op.Article; a != nil {
			text += int64(len(a.Title) + len(a.Body))
			puts = true
		}
	}
	var raw [8]byte
	binary.BigEndian.PutUint64(raw[:], seq)
	// Deletions alone may use the reserve, as Delete does.
	err := ix.apply(spaceNeeded(text), puts, func(b *bleve.Batch, m mapping.IndexMapping) error {
		for _, op := range ops {
			if op.Article == nil {
				b.Delete(op.Delete)
				continue
			}
			doc, err := mapDocument(m, op.Article.ID, ix.document(op.Article))
			if err == nil {
				err = b.IndexAdvanced(doc)
			}
			if err != nil {
				return fmt.Errorf("add article %q to batch: %w", op.Article.ID, err)
			}
		}
		b.SetInternal(appliedKey, raw[:])
		return nil
	})
	if err != nil {
		return fmt.Errorf("apply log entries up to %d: %w", seq, err)
	}
	return nil
}

// Applied returns the last log sequence [Index.ApplyLog] recorded, 0 for
// none.
func (ix *Index) Applied() (uint64, error) {
	var raw []byte
	err := ix.view(func(b bleve.Index) error {
		var err error
		raw, err = b.GetInternal(appliedKey)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read the applied log sequence: %w", err)
	}
	if len(raw) == 0 {
		return 0, nil
	}
	if len(raw) != 8 {
		return 0, fmt.Errorf("read the applied log sequence: %d bytes, want 8", len(raw))
	}
	return binary.BigEndian.Uint64(raw), nil
}
