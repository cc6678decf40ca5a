package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress draws one status line on a terminal: documents indexed,
// megabytes read, rate and time left. It is safe for concurrent use and
// does nothing when disabled.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	total int64
	start time.Time
	last  time.Time
	bytes int64
	docs  int
	drawn bool
	unit  string // "" for bytes, "docs" for documents
}

func newProgress(w io.Writer, total int64, on bool) *progress {
	return &progress{w: w, on: on, total: total, start: time.Now()}
}

func (p *progress) read(bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bytes = max(p.bytes, bytes)
	p.drawLocked(false)
}

// readDocs reports progress counted in documents (a rebuild from the
// stored articles) rather than bytes.
func (p *progress) readDocs(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.unit = "docs"
	p.bytes, p.total = int64(done), int64(total)
	p.drawLocked(false)
}

func (p *progress) indexed(docs int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.docs = docs
	p.drawLocked(false)
}

func (p *progress) drawLocked(force bool) {
	if !p.on {
		return
	}
	now := time.Now()
	if !force && now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	el := now.Sub(p.start).Seconds()
	rate := float64(p.bytes) / 1e6 / max(el, 1e-9)
	eta := "?"
	if p.bytes > 0 && p.total > p.bytes {
		left := time.Duration(float64(p.total-p.bytes) / float64(p.bytes) * el * float64(time.Second))
		eta = left.Round(time.Second).String()
	} else if p.total > 0 && p.bytes >= p.total {
		eta = "0s"
	}
	pct := 0.0
	if p.total > 0 {
		pct = 100 * float64(p.bytes) / float64(p.total)
	}
	if p.unit == "docs" {
		fmt.Fprintf(p.w, "\r\033[Kindexing: %s/%s docs (%.0f%%)  %.0f docs/s  ETA %s",
			fmtCount(p.docs), fmtCount(int(p.total)), pct, float64(p.docs)/max(el, 1e-9), eta)
	} else {
		fmt.Fprintf(p.w, "\r\033[Kindexing: %s docs  %.1f/%.1f MB (%.0f%%)  %.2f MB/s  ETA %s",
			fmtCount(p.docs), float64(p.bytes)/1e6, float64(p.total)/1e6, pct, rate, eta)
	}
	p.drawn = true
}

// clear removes the status line so other output starts on a clean line.
func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
		p.last = time.Time{}
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
