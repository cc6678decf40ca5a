package replica

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
)

// entry is the payload of one log message: the writes of one request, in
// order.
type entry struct {
	Ops []entryOp `json:"ops"`
}

// entryOp is an article to add or replace, or an id to delete.
type entryOp struct {
	Put    *entryArticle `json:"put,omitempty"`
	Delete string        `json:"delete,omitempty"`
}

// entryArticle is an article with its date, which article.Article does
// not encode.
type entryArticle struct {
	article.Article
	Date string `json:"date,omitempty"` // RFC 3339, nanoseconds, with its zone
}

func encodeEntry(ops []index.LogOp) ([]byte, error) {
	e := entry{Ops: make([]entryOp, len(ops))}
	for i, op := range ops {
		if op.Article == nil {
			if op.Delete == "" {
				return nil, fmt.Errorf("write %d: neither an article nor an id to delete", i)
			}
			e.Ops[i].Delete = op.Delete
			continue
		}
		a := &entryArticle{Article: *op.Article}
		a.Origin = ""
		if !op.Article.Date.IsZero() {
			a.Date = op.Article.Date.Format(time.RFC3339Nano)
		}
		e.Ops[i].Put = a
	}
	return json.Marshal(e)
}

func decodeEntry(data []byte) ([]index.LogOp, error) {
	var e entry
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, err
	}
	ops := make([]index.LogOp, len(e.Ops))
	for i, op := range e.Ops {
		switch {
		case op.Put != nil:
			a := op.Put.Article
			if op.Put.Date != "" {
				d, err := time.Parse(time.RFC3339Nano, op.Put.Date)
				if err != nil {
					return nil, fmt.Errorf("write %d: date: %w", i, err)
				}
				a.Date = d
			}
			ops[i].Article = &a
		case op.Delete != "":
			ops[i].Delete = op.Delete
		default:
			return nil, fmt.Errorf("write %d: neither an article nor an id to delete", i)
		}
	}
	return ops, nil
}
