package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/article"
)

// The journal of a generation being built holds the writes made to the
// live index meanwhile, one JSON object per line, so that the rebuild
// (and, for the last ones, the switch) applies them to the new index too.
// Every write is an upsert or a delete, so applying one twice in order
// is harmless.

type entry struct {
	Op       string         `json:"op"` // "put", "delete" or "log"
	Articles []journaledDoc `json:"articles,omitempty"`
	IDs      []string       `json:"ids,omitempty"`
	// A cluster's log entries ("log"): its operations in order, and the
	// log sequence they bring the index to.
	Seq uint64        `json:"seq,omitempty"`
	Log []journaledOp `json:"log,omitempty"`
}

// journaledOp is one operation of a cluster's log entry: a put or a
// delete.
type journaledOp struct {
	Put    *journaledDoc `json:"put,omitempty"`
	Delete string        `json:"delete,omitempty"`
}

// logEntry is the journal entry of a cluster's log entries.
func logEntry(seq uint64, ops []index.LogOp) entry {
	e := entry{Op: "log", Seq: seq, Log: make([]journaledOp, len(ops))}
	for i, op := range ops {
		if op.Article != nil {
			d := toJournal(*op.Article)
			e.Log[i].Put = &d
		} else {
			e.Log[i].Delete = op.Delete
		}
	}
	return e
}

// logOps returns the operations of a "log" entry.
func (e entry) logOps() []index.LogOp {
	ops := make([]index.LogOp, len(e.Log))
	for i, op := range e.Log {
		if op.Put != nil {
			a := op.Put.article()
			ops[i].Article = &a
		} else {
			ops[i].Delete = op.Delete
		}
	}
	return ops
}

// ids returns the ids of the articles e writes.
func (e entry) ids() []string {
	switch e.Op {
	case "delete":
		return e.IDs
	case "log":
		ids := make([]string, len(e.Log))
		for i, op := range e.Log {
			if op.Put != nil {
				ids[i] = op.Put.ID
			} else {
				ids[i] = op.Delete
			}
		}
		return ids
	}
	ids := make([]string, len(e.Articles))
	for i, d := range e.Articles {
		ids[i] = d.ID
	}
	return ids
}

// size estimates the bytes of e in the journal.
func (e entry) size() int64 {
	n := int64(64)
	for _, id := range e.IDs {
		n += int64(len(id)) + 3
	}
	docSize := func(d journaledDoc) int64 {
		return int64(len(d.ID)+len(d.Title)+len(d.Body)+len(d.URL)+len(d.Origin)) + 128
	}
	for _, d := range e.Articles {
		n += docSize(d)
	}
	for _, op := range e.Log {
		n += int64(len(op.Delete)) + 16
		if op.Put != nil {
			n += docSize(*op.Put)
		}
	}
	return n
}

// journaledDoc is an article with the fields article's JSON leaves out.
type journaledDoc struct {
	ID      string     `json:"id"`
	Title   string     `json:"title,omitempty"`
	Body    string     `json:"body,omitempty"`
	Authors []string   `json:"authors,omitempty"`
	Date    *time.Time `json:"date,omitempty"`
	URL     string     `json:"url,omitempty"`
	Source  string     `json:"source,omitempty"`
	Tags    []string   `json:"tags,omitempty"`
	Origin  string     `json:"origin,omitempty"`
}

func toJournal(a article.Article) journaledDoc {
	d := journaledDoc{ID: a.ID, Title: a.Title, Body: a.Body, Authors: a.Authors, URL: a.URL,
		Source: a.Source, Tags: a.Tags, Origin: a.Origin}
	if !a.Date.IsZero() {
		t := a.Date
		d.Date = &t
	}
	return d
}

func (d journaledDoc) article() article.Article {
	a := article.Article{ID: d.ID, Title: d.Title, Body: d.Body, Authors: d.Authors, URL: d.URL,
		Source: d.Source, Tags: d.Tags, Origin: d.Origin}
	if d.Date != nil {
		a.Date = *d.Date
	}
	return a
}

// appendJournal adds e to the journal at path and syncs it: the write it
// records is acknowledged only after this returns.
func appendJournal(path string, e entry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode journal entry: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open journal: %w", err)
	}
	// One write call per entry: a reader sees whole lines, or a last
	// line without its newline, which it leaves for later.
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("append to journal %s: %w", path, err)
	}
	return nil
}

// replay applies the complete entries of the journal at path from byte
// offset from to ix, and returns the offset after the last one applied
// (from when there is no journal).
func replay(ctx context.Context, ix *index.Index, path string, from int64) (int64, int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return from, 0, nil
	}
	if err != nil {
		return from, 0, fmt.Errorf("open journal: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return from, 0, fmt.Errorf("read journal %s: %w", path, err)
	}
	raw, err := io.ReadAll(f)
	if err != nil {
		return from, 0, fmt.Errorf("read journal %s: %w", path, err)
	}
	if i := bytes.LastIndexByte(raw, '\n'); i >= 0 {
		raw = raw[:i+1]
	} else {
		raw = nil
	}
	pos, n := from, 0
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		line := raw[:i]
		raw = raw[i+1:]
		var e entry
		if err := json.Unmarshal(line, &e); err != nil {
			return pos, n, fmt.Errorf("%s: byte %d: bad journal entry: %w", path, pos, err)
		}
		switch e.Op {
		case "put":
			arts := make([]article.Article, len(e.Articles))
			for i, d := range e.Articles {
				arts[i] = d.article()
			}
			err = ix.Put(ctx, arts)
		case "delete":
			err = ix.Delete(ctx, e.IDs...)
		case "log":
			err = ix.ApplyLog(ctx, e.Seq, e.logOps())
		default:
			err = fmt.Errorf("%s: byte %d: unknown journal operation %q", path, pos, e.Op)
		}
		if err != nil {
			return pos, n, err
		}
		pos += int64(len(line) + 1)
		n++
	}
	return pos, n, nil
}
