package index

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/document"
	bindex "github.com/blevesearch/bleve_index_api"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
)

// analysedField is what the segment builder reads of an analysed field.
type analysedField struct {
	Name    string
	Options bindex.FieldIndexingOptions
	Array   []uint64
	Value   string
	Length  int
	Size    int
	Terms   map[string]analysedTerm
}

type analysedTerm struct {
	Freq int
	Locs []bindex.TokenLocation
}

func analysed(f document.Field) analysedField {
	f.Analyze()
	out := analysedField{Name: f.Name(), Options: f.Options(), Array: f.ArrayPositions(), Value: string(f.Value()),
		Length: f.AnalyzedLength(), Size: f.Size(), Terms: map[string]analysedTerm{}}
	for term, tf := range f.AnalyzedTokenFrequencies() {
		if term != string(tf.Term) {
			out.Terms[term] = analysedTerm{Freq: -1} // a key that is not its term
			continue
		}
		at := analysedTerm{Freq: tf.Frequency()}
		for _, l := range tf.Locations {
			at.Locs = append(at.Locs, *l)
		}
		out.Terms[term] = at
	}
	return out
}

// TestTextField_SameAsBleve maps articles with mapDocument and with
// bleve's own Batch.Index path and compares every field as the segment
// builder reads it: the same terms, counts, locations in the same order,
// lengths and sizes.
func TestTextField_SameAsBleve(t *testing.T) {
	ix := openTest(t, "")
	defer closeTest(t, ix)
	arts := []article.Article{
		{ID: "mixed", Title: "长城 Great Wall 长城", Body: "北京大学的学生 students' books, and more books. 长城很长。",
			Authors: []string{"李白", "Janie Gabbett, Reuters", "李白"}, Tags: []string{"History", "长城"},
			URL: "https://example.com/a", Date: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC), Origin: "x.jsonl"},
		{ID: "empty-body", Title: "標題 only"},
		{ID: "no-title", Body: "the the the 的的的 3.5 155,221"},
	}
	paths := []string{samplesDir(t)}
	for _, name := range []string{"cn_web_extract.jsonl", "chinese_poetry_tang.jsonl", "reuters21578.jsonl"} {
		p := filepath.Join("..", "..", "shared", "corpus", name)
		if _, err := os.Stat(p); err == nil {
			paths = append(paths, p)
		} else {
			t.Logf("%s not found (%v): compared on the samples without it", p, err)
		}
	}
	perFile := map[string]int{}
	stop := errors.New("enough")
	for _, p := range paths {
		err := article.Walk(t.Context(), []string{p}, article.Options{}, func(r article.Record) error {
			if r.Err != nil {
				return nil
			}
			if perFile[p]++; perFile[p] > 300 {
				return stop
			}
			arts = append(arts, r.Article)
			return nil
		})
		if err != nil && !errors.Is(err, stop) {
			t.Fatal(err)
		}
	}
	m := ix.Bleve().Mapping()
	for _, a := range arts {
		data := ix.document(&a)
		want := document.NewDocument(a.ID)
		if err := m.MapDocument(want, data); err != nil {
			t.Fatal(err)
		}
		got, err := mapDocument(m, a.ID, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Fields) != len(want.Fields) {
			t.Fatalf("%s: %d fields, want %d", a.ID, len(got.Fields), len(want.Fields))
		}
		// Mapping walks a map: fields come in any order.
		wrapped := 0
		var gs, ws []analysedField
		for i := range want.Fields {
			if _, ok := got.Fields[i].(*textField); ok {
				wrapped++
			}
			gs, ws = append(gs, analysed(got.Fields[i])), append(ws, analysed(want.Fields[i]))
		}
		byField := func(a, b analysedField) int {
			return cmp.Compare(fmt.Sprint(a.Name, a.Array, a.Value), fmt.Sprint(b.Name, b.Array, b.Value))
		}
		slices.SortFunc(gs, byField)
		slices.SortFunc(ws, byField)
		if diff := gocmp.Diff(ws, gs); diff != "" {
			t.Errorf("%s: fields differ (-bleve +ours):\n%s", a.ID, diff)
		}
		if wrapped == 0 {
			t.Errorf("%s: no field wrapped", a.ID)
		}
		if g, w := got.Size(), want.Size(); g != w {
			t.Errorf("%s: document size %d, want %d", a.ID, g, w)
		}
	}
	if len(arts) < 50 {
		t.Errorf("compared %d articles, want at least 50", len(arts))
	}
}
