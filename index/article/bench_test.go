package article

import (
	"bytes"
	"fmt"
	"testing"
)

// benchInput is n JSON lines shaped like the corpora: Chinese and English
// articles with authors and dates in several formats.
func benchInput(n int) []byte {
	var b bytes.Buffer
	dates := []string{"26-FEB-1987 15:07:13.72", "2005-5-7 21:23:57", "2022年9月23日", "2023-04-01T08:30:00+08:00", "UNKNOWN"}
	for i := range n {
		if i%2 == 0 {
			fmt.Fprintf(&b, `{"id": "%d", "title": "MARKET REVIEW %d", "author": "Jane Roe, Reuters", "date": %q, "body": "%s", "topics": ["x"]}`+"\n",
				i, i, dates[i%len(dates)], bytes.Repeat([]byte("Prices rose in early trade.\\n    "), 40))
		} else {
			fmt.Fprintf(&b, `{"title": "社区修理角 %d", "author": "王建宏 张文攀", "date": %q, "body": "%s", "tags": "社区，修理"}`+"\n",
				i, dates[i%len(dates)], bytes.Repeat([]byte("志愿者为居民修理自行车和收音机。\\n\\n"), 30))
		}
	}
	return b.Bytes()
}

func BenchmarkReadJSONLines(b *testing.B) {
	in := benchInput(1000)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := ReadJSONLines(b.Context(), bytes.NewReader(in), "bench.jsonl", Options{}, func(r Record) error {
			if r.Err != nil {
				return r.Err
			}
			n++
			return nil
		})
		if err != nil || n != 1000 {
			b.Fatalf("ReadJSONLines() = %v after %d records", err, n)
		}
	}
}
