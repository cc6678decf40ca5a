// Command plainbleve is the baseline of wensou's speed figures (README,
// Speed): plain bleve v2.6.3 with its default mapping (stored fields, term
// vectors, doc values, _all) and the cjk analyzer, answering
// /api/search?q=...&size=N with a query-string query, an author terms
// facet, a yearly date-range facet and HTML highlighting, as
// ../shared/NOTES.md measured plain bleve. It is not part of wensou: it
// sits under testdata, so that ./... leaves it out.
//
//	go build -o /tmp/pb ./cmd/wensou/testdata/plainbleve
//	/tmp/pb -index /tmp/p100k.bleve -in /tmp/synth-100k.jsonl
//	/tmp/pb -index /tmp/p100k.bleve -addr 127.0.0.1:8090
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/cjk"
)

type doc struct {
	Title  string    `json:"title"`
	Body   string    `json:"body"`
	Author string    `json:"author"`
	Date   time.Time `json:"date"`
}

func main() {
	dir := flag.String("index", "", "index directory")
	in := flag.String("in", "", "JSON lines to index")
	addr := flag.String("addr", "", "address to serve")
	flag.Parse()
	if *in != "" {
		m := bleve.NewIndexMapping()
		m.DefaultAnalyzer = "cjk"
		ix, err := bleve.New(*dir, m)
		if err != nil {
			log.Fatal(err)
		}
		f, err := os.Open(*in)
		if err != nil {
			log.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		start, n, bytes := time.Now(), 0, 0
		b := ix.NewBatch()
		for sc.Scan() {
			var r struct {
				ID string `json:"id"`
				doc
			}
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				log.Fatal(err)
			}
			bytes += len(r.Title) + len(r.Body)
			if err := b.Index(r.ID, r.doc); err != nil {
				log.Fatal(err)
			}
			if n++; b.Size() >= 1000 {
				if err := ix.Batch(b); err != nil {
					log.Fatal(err)
				}
				b.Reset()
			}
		}
		if err := sc.Err(); err != nil {
			log.Fatal(err)
		}
		if err := ix.Batch(b); err != nil {
			log.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			log.Fatal(err)
		}
		s := time.Since(start).Seconds()
		fmt.Printf("indexed %d in %.1fs, %.2f MB/s\n", n, s, float64(bytes)/1e6/s)
		return
	}
	ix, err := bleve.Open(*dir)
	if err != nil {
		log.Fatal(err)
	}
	years := bleve.NewFacetRequest("date", 30)
	for y := 2000; y <= 2027; y++ {
		from, to := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
		years.AddDateTimeRange(strconv.Itoa(y), from, to)
	}
	http.HandleFunc("/api/search", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		if size <= 0 {
			size = 10
		}
		req := bleve.NewSearchRequestOptions(bleve.NewQueryStringQuery(r.URL.Query().Get("q")), size, 0, false)
		req.Highlight = bleve.NewHighlightWithStyle("html")
		req.Fields = []string{"title", "author", "date"}
		req.AddFacet("author", bleve.NewFacetRequest("author", 10))
		req.AddFacet("year", years)
		res, err := ix.SearchInContext(r.Context(), req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(res)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
