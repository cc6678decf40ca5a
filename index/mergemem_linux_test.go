package index

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/wensou/wensou/index/article"
)

// segmentFiles indexes n batches of articles with long bodies into a new
// index and returns its segment files.
func segmentFiles(t *testing.T, batches, per int) []string {
	t.Helper()
	body := strings.Repeat("新修订的职业教育法今天起施行，职业院校与企业合作培养技术人才。Oil prices rose on Tuesday. ", 40)
	var files []string
	// One index a batch: one segment each, which no merge can replace
	// (in one index, a merge may leave its sources' files beside the
	// merged one when the index closes).
	for b := range batches {
		dir := t.TempDir()
		ix := openTest(t, dir)
		arts := make([]article.Article, per)
		for i := range arts {
			id := fmt.Sprintf("b%d-%d", b, i)
			arts[i] = sample(id)
			arts[i].Body = id + " " + body
		}
		if err := ix.Put(t.Context(), arts); err != nil {
			t.Fatal(err)
		}
		closeTest(t, ix)
		found, err := filepath.Glob(filepath.Join(dir, "*", "*.zap"))
		if err != nil || len(found) == 0 {
			found, err = filepath.Glob(filepath.Join(dir, "*", "*", "*.zap"))
		}
		if err != nil || len(found) != 1 {
			t.Fatalf("%d segment files under %s, want 1 (%v)", len(found), dir, err)
		}
		files = append(files, found...)
	}
	return files
}

// storedHash reads every stored field of every article of segs.
func storedHash(t *testing.T, segs []segment.Segment) (uint64, uint64) {
	t.Helper()
	h := fnv.New64a()
	var docs uint64
	for _, s := range segs {
		for n := range s.Count() {
			err := s.VisitStoredFields(n, func(field string, typ byte, value []byte, pos []uint64) bool {
				h.Write([]byte(field))
				h.Write(value)
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
			docs++
		}
	}
	return h.Sum64(), docs
}

// residentKB is the resident memory of the process's mappings of files.
func residentKB(t *testing.T, files map[fileID]bool) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kb, in := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		fields := bytes.Fields(line)
		if len(fields) >= 5 && bytes.Contains(fields[0], []byte{'-'}) && !bytes.HasSuffix(fields[0], []byte{':'}) {
			ino, _ := strconv.ParseUint(string(fields[4]), 10, 64)
			in = files[fileID{dev: string(fields[3]), ino: ino}]
			continue
		}
		if in && bytes.HasPrefix(line, []byte("Rss:")) {
			n, _ := strconv.Atoi(string(fields[1]))
			kb += n
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return kb
}

func openSegments(t *testing.T, paths []string) []segment.Segment {
	t.Helper()
	var segs []segment.Segment
	for _, p := range paths {
		s, err := (trimmingPlugin{}).Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		segs = append(segs, s)
	}
	return segs
}

func TestTrimMapped(t *testing.T) {
	paths := segmentFiles(t, 4, 150)
	segs := openSegments(t, paths)
	files := fileIDs(sourceFiles(segs))
	if len(files) != len(paths) {
		t.Fatalf("identified %d of %d segment files", len(files), len(paths))
	}
	want, docs := storedHash(t, segs)
	if docs != 600 {
		t.Fatalf("read %d articles, want 600", docs)
	}
	before := residentKB(t, files)
	if before < 64 {
		t.Fatalf("%d KB of the segments resident after reading them all; want more", before)
	}
	trimmed, err := trimMapped(files)
	if err != nil {
		t.Fatal(err)
	}
	if trimmed <= 0 {
		t.Fatalf("trimmed %d bytes", trimmed)
	}
	if after := residentKB(t, files); after > before/10 {
		t.Errorf("resident after the trim: %d KB, before %d KB", after, before)
	}
	// Nothing is lost: the segments read the same again.
	if got, _ := storedHash(t, segs); got != want {
		t.Errorf("stored fields differ after the trim")
	}
}

func TestTrimmingPlugin_Merge(t *testing.T) {
	paths := segmentFiles(t, 3, 100)
	segs := openSegments(t, paths)
	want, docs := storedHash(t, segs)
	out := filepath.Join(t.TempDir(), "merged.zap")
	if _, _, err := (trimmingPlugin{}).Merge(segs, make([]*roaring.Bitmap, len(segs)), out, nil, nil); err != nil {
		t.Fatal(err)
	}
	merged := openSegments(t, []string{out})
	got, n := storedHash(t, merged)
	if n != docs || got != want {
		t.Errorf("merged segment: %d articles (want %d), same stored fields %v", n, docs, got == want)
	}
}
