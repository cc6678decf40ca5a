package index

import (
	"sync"
	"unsafe"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/wensou/wensou/index/pinyin"
	"github.com/wensou/wensou/index/zh"
)

// Analysed text fields, with fewer allocations than bleve's.
//
// bleve's TextField.Analyze turns the analyzer's tokens into term
// frequencies with a map sized for every token, a TokenFreq and a
// growing slice of location pointers per distinct term; scorch then
// walks all of it again, on the one goroutine that collects a batch's
// analysed documents, to add up its size for its statistics. Indexing
// spent a tenth of its time there and in the collector it kept busy. A
// document is mapped by bleve's mapping as before; its analysed text
// fields are then wrapped in textField, which builds the same term
// frequencies (the same terms, counts, locations and size, checked by
// TestTextField_SameAsBleve) from a few slabs, and counts the size as
// it goes.

// mapDocument maps data to the bleve document of id, as bleve's
// Batch.Index does, and wraps its analysed text fields.
func mapDocument(m mapping.IndexMapping, id string, data any) (*document.Document, error) {
	doc := document.NewDocument(id)
	if err := m.MapDocument(doc, data); err != nil {
		return nil, err
	}
	for i, f := range doc.Fields {
		if tf, ok := f.(*document.TextField); ok && tf.Options().IsIndexed() && tf.Analyzer() != nil {
			doc.Fields[i] = &textField{TextField: tf}
		}
	}
	return doc, nil
}

// textField is a bleve text field whose Analyze builds the term
// frequencies itself.
type textField struct {
	*document.TextField
	length int
	freqs  bindex.TokenFrequencies
	size   int // of freqs, as bindex.TokenFrequencies.Size counts it
}

// Token buffers for the analyzers that can reuse one.
var (
	tokenBufs  = sync.Pool{New: func() any { return new(zh.TokenBuf) }}
	pinyinBufs = sync.Pool{New: func() any { return new(pinyin.TokenBuf) }}
)

// pinyinAnalyzer is the pinyin package's analyzer.
type pinyinAnalyzer interface {
	AnalyzeInto(text []byte, buf *pinyin.TokenBuf) analysis.TokenStream
}

func (f *textField) Analyze() {
	value := f.Value()
	// The zh and pinyin analyzers leave their input as it is, and the
	// term frequencies keep nothing of their tokens but the terms: their
	// buffers are reused.
	var tokens analysis.TokenStream
	switch a := f.Analyzer().(type) {
	case *zh.Analyzer:
		buf := tokenBufs.Get().(*zh.TokenBuf)
		defer tokenBufs.Put(buf)
		tokens = a.AnalyzeInto(value, buf)
	case pinyinAnalyzer:
		buf := pinyinBufs.Get().(*pinyin.TokenBuf)
		defer pinyinBufs.Put(buf)
		tokens = a.AnalyzeInto(value, buf)
	default:
		if f.Options().IsStored() {
			// Others may change their input in place (bleve's lower-case
			// filter does); the stored value must stay.
			value = append([]byte(nil), value...)
		}
		tokens = a.Analyze(value)
	}
	f.length = len(tokens)
	f.freqs, f.size = tokenFrequencies(tokens, f.ArrayPositions(), f.Options())
}

func (f *textField) AnalyzedLength() int { return f.length }

func (f *textField) AnalyzedTokenFrequencies() bindex.TokenFrequencies { return f.freqs }

// Size is what bleve's TextField.Size says, without walking the term
// frequencies again.
func (f *textField) Size() int {
	return int(unsafe.Sizeof(document.TextField{})) + sizeOfPtr +
		len(f.Name()) + len(f.ArrayPositions())*sizeOfUint64 + len(f.Value()) + f.size
}

// Sizes as bleve_index_api's Size methods count them.
const (
	sizeOfPtr    = int(unsafe.Sizeof(uintptr(0)))
	sizeOfUint64 = int(unsafe.Sizeof(uint64(0)))
	sizeOfString = int(unsafe.Sizeof(""))
	sizeOfMap    = int(unsafe.Sizeof(map[int]int{}))
	sizeOfFreq   = int(unsafe.Sizeof(bindex.TokenFreq{}))
	sizeOfLoc    = int(unsafe.Sizeof(bindex.TokenLocation{}))
)

// tokenFrequencies is bleve's analysis.TokenFrequency: the distinct
// terms of tokens with their counts and (with term vectors) locations in
// token order. It also returns their size as
// bindex.TokenFrequencies.Size counts it.
func tokenFrequencies(tokens analysis.TokenStream, arrayPositions []uint64, opts bindex.FieldIndexingOptions) (bindex.TokenFrequencies, int) {
	n := len(tokens)
	guess := min(n, n/2+8)
	rv := make(bindex.TokenFrequencies, guess)
	// TokenFreqs come from slabs (pointers into them are kept: a full
	// one is followed by a new one, never grown), walked below instead of
	// the map; each token's is noted for its location.
	slabs := [][]bindex.TokenFreq{make([]bindex.TokenFreq, 0, guess)}
	of := make([]*bindex.TokenFreq, n)
	for i, t := range tokens {
		tf, ok := rv[string(t.Term)]
		if !ok {
			slab := &slabs[len(slabs)-1]
			if len(*slab) == cap(*slab) {
				slabs = append(slabs, make([]bindex.TokenFreq, 0, max(8, (n-i)/2)))
				slab = &slabs[len(slabs)-1]
			}
			*slab = append(*slab, bindex.TokenFreq{Term: t.Term})
			tf = &(*slab)[len(*slab)-1]
			// The key shares the term's bytes, which the segment
			// builder reads as they are (bleve keeps them as the
			// TokenFreq's term): nothing writes to them after analysis.
			rv[unsafe.String(unsafe.SliceData(t.Term), len(t.Term))] = tf
		}
		tf.SetFrequency(tf.Frequency() + 1) // the locations' count, for now
		of[i] = tf
	}
	vectors, counts := opts.IncludeTermVectors(), !opts.SkipFreqNorm()
	var ptrs []*bindex.TokenLocation
	if vectors {
		ptrs = make([]*bindex.TokenLocation, n)
	}
	size := sizeOfMap + len(rv)*(sizeOfString+sizeOfPtr)
	off := 0
	for _, slab := range slabs {
		for i := range slab {
			tf := &slab[i]
			size += 2*len(tf.Term) + sizeOfFreq // the key and the term
			if vectors {
				// Each term's locations are a run of one slice.
				c := tf.Frequency()
				tf.Locations = ptrs[off : off : off+c]
				off += c
			}
			if !counts {
				tf.SetFrequency(0)
			}
		}
	}
	if vectors {
		locs := make([]bindex.TokenLocation, n)
		for i, t := range tokens {
			locs[i] = bindex.TokenLocation{ArrayPositions: arrayPositions, Start: t.Start, End: t.End, Position: t.Position}
			of[i].Locations = append(of[i].Locations, &locs[i])
		}
		size += n * (sizeOfLoc + len(arrayPositions)*sizeOfUint64)
	}
	return rv, size
}
