package zh

import (
	"fmt"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/google/go-cmp/cmp"
)

// newTestIndex returns an in-memory scorch index whose body field is
// analyzed by an analyzer bound to fingerprint fp through the registry.
func newTestIndex(t *testing.T, fp string) bleve.Index {
	t.Helper()
	m := mapping.NewIndexMapping()
	err := m.AddCustomAnalyzer("zh_idx", map[string]any{"type": IndexAnalyzer, ConfigAnalysis: fp})
	if err != nil {
		t.Fatal(err)
	}
	m.DefaultAnalyzer = "zh_idx"
	body := mapping.NewTextFieldMapping()
	body.Analyzer = "zh_idx"
	m.DefaultMapping.AddFieldMappingsAt("body", body)
	ix, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ix.Close(); err != nil {
			t.Error(err)
		}
	})
	return ix
}

// TestRegistry_TwoDictionaries builds two indexes in one process, each
// bound by its mapping to a segmenter with other user words, and checks
// that each indexes with its own.
func TestRegistry_TwoDictionaries(t *testing.T) {
	segs := testSegmenters(t)
	const text = "许昌职业教育集团在许昌职业技术学院揭牌成立"
	indexes := map[string]bleve.Index{}
	for _, name := range []string{"dict", "other"} {
		ix := newTestIndex(t, segs[name].Fingerprint())
		if err := ix.Index("a1", map[string]any{"body": text}); err != nil {
			t.Fatal(err)
		}
		indexes[name] = ix
	}

	tests := []struct {
		index, term string
		want        uint64
	}{
		{"dict", "职业教育集团", 1},
		{"dict", "许昌职业技术学院", 1},
		{"dict", "教育集团", 0},
		{"other", "职业教育集团", 0},
		{"other", "许昌职业技术学院", 0},
		{"other", "教育集团", 1},
		{"dict", "职业", 1}, // sub-word
		{"other", "职业", 1},
	}
	for _, tt := range tests {
		q := bleve.NewTermQuery(tt.term)
		q.SetField("body")
		res, err := indexes[tt.index].SearchInContext(t.Context(), bleve.NewSearchRequest(q))
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != tt.want {
			t.Errorf("index %s: term %q has %d hits, want %d", tt.index, tt.term, res.Total, tt.want)
		}
	}

	// Each mapping's analyzer gives its segmenter's tokens, whatever the
	// current one is.
	for name, ix := range indexes {
		a := ix.Mapping().AnalyzerNamed("zh_idx")
		if a == nil {
			t.Fatalf("index %s: no analyzer zh_idx", name)
		}
		got := toks(a.Analyze([]byte(text)))
		want := toks(NewAnalyzerFor(segs[name], Search).Analyze([]byte(text)))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("index %s: analyzer zh_idx mismatch (-want +got):\n%s", name, diff)
		}
	}
}

// TestRegistry_LazyBinding checks that an analyzer whose fingerprint is
// not loaded yet follows the current segmenter, then binds to its own as
// soon as it is registered.
func TestRegistry_LazyBinding(t *testing.T) {
	segs := testSegmenters(t)
	const fp = "test-lazy-binding"
	m := mapping.NewIndexMapping()
	if err := m.AddCustomAnalyzer("zh_lazy", map[string]any{"type": QueryAnalyzer, ConfigAnalysis: fp}); err != nil {
		t.Fatal(err)
	}
	const text = "职业教育集团"
	analyze := func() []string {
		ts, err := m.AnalyzeText("zh_lazy", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, tk := range ts {
			out = append(out, string(tk.Term))
		}
		return out
	}
	if got, want := analyze(), termsOf(t, segs["default"], Accurate, text); !cmp.Equal(got, want) {
		t.Errorf("before loading: Analyze(%q) = %q, want the current segmenter's %q", text, got, want)
	}

	// Register the dict segmenter under the fingerprint, as Load would.
	loadedMu.Lock()
	loaded[fp] = segs["dict"]
	loadedMu.Unlock()
	t.Cleanup(func() {
		loadedMu.Lock()
		delete(loaded, fp)
		loadedMu.Unlock()
	})
	if got, want := analyze(), []string{"职业教育集团"}; !cmp.Equal(got, want) {
		t.Errorf("after loading: Analyze(%q) = %q, want %q", text, got, want)
	}
}

func TestRegistry_Config(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		wantErr bool
	}{
		{"no fingerprint", map[string]any{"type": IndexAnalyzer}, false},
		{"empty fingerprint", map[string]any{"type": IndexAnalyzer, ConfigAnalysis: ""}, false},
		{"unknown fingerprint", map[string]any{"type": QueryAnalyzer, ConfigAnalysis: "2-000000000000"}, false},
		{"fingerprint not a string", map[string]any{"type": IndexAnalyzer, ConfigAnalysis: 2}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := mapping.NewIndexMapping().AddCustomAnalyzer("x", tt.config)
			if (err != nil) != tt.wantErr {
				t.Errorf("AddCustomAnalyzer(%v) = %v, want error %v", tt.config, err, tt.wantErr)
			}
		})
	}
}

// TestLoad_Registry checks Load's cache and registry. It changes the
// current segmenter, so it must not run in parallel; it restores it.
func TestLoad_Registry(t *testing.T) {
	prev := current.Load()
	t.Cleanup(func() { current.Store(prev) })
	segs := testSegmenters(t)
	opts := dictOptions(t)

	s, err := Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	if s != segs["dict"] {
		t.Errorf("Load(dict) built a new segmenter, want the registered one")
	}
	if c, err := Current(); err != nil || c != s {
		t.Errorf("Current() = %p, %v, want %p", c, err, s)
	}
	if got, ok := Lookup(s.Fingerprint()); !ok || got != s {
		t.Errorf("Lookup(%s) = %p, %v, want %p, true", s.Fingerprint(), got, ok, s)
	}
	if got, ok := Lookup("2-000000000000"); ok || got != nil {
		t.Errorf("Lookup(unknown) = %p, %v, want nil, false", got, ok)
	}
	if again, err := Load(opts); err != nil || again != s {
		t.Errorf("Load(dict) again = %p, %v, want %p", again, err, s)
	}

	// Tokens follows the current segmenter; a bound analyzer does not.
	got, err := Tokens(Accurate, "职业教育集团")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Term != "职业教育集团" {
		t.Errorf("Tokens with dict current = %v, want one token 职业教育集团", got)
	}
	bound := NewAnalyzerFor(segs["other"], Accurate)
	following := mustAnalyzer(t, Accurate)

	// Switch the current segmenter back and forth while analyzers run.
	wantBound := toks(bound.Analyze([]byte("职业教育集团")))
	if len(wantBound) != 2 {
		t.Fatalf("other dictionary: 职业教育集团 gave %v, want 职业 教育集团", wantBound)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			for range 50 {
				if got := toks(bound.Analyze([]byte("职业教育集团"))); !cmp.Equal(got, wantBound) {
					errs <- fmt.Errorf("bound analyzer gave %v, want %v", got, wantBound)
					return
				}
				following.Analyze([]byte("职业教育集团"))
			}
		})
	}
	for i := range 20 {
		o := opts
		if i%2 == 0 {
			o = Options{}
		}
		if _, err := Load(o); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	if s, err := Load(Options{}); err != nil || s != segs["default"] {
		t.Errorf("Load(Options{}) = %p, %v, want the registered default %p", s, err, segs["default"])
	}
}

func TestSegmenter_Tokens(t *testing.T) {
	def := testSegmenters(t)["default"]
	for _, mode := range []Mode{Search, Accurate} {
		const text = "Go语言２０２２，中華人民共和國"
		want, err := Tokens(mode, text)
		if err != nil {
			t.Fatal(err)
		}
		got, err := def.Tokens(mode, text)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Segmenter.Tokens(%d, %q) differs from Tokens (-want +got):\n%s", mode, text, diff)
		}
	}
	var nilSeg *Segmenter
	if _, err := nilSeg.Tokens(Search, "x"); err != ErrNotLoaded {
		t.Errorf("nil Segmenter.Tokens error = %v, want ErrNotLoaded", err)
	}
}
