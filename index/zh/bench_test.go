package zh

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// sampleText returns the body of one of the project's sample articles.
func sampleText(b *testing.B, file, id string) []byte {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "data", "articles", file))
	if err != nil {
		b.Fatal(err)
	}
	var arts []struct{ ID, Body string }
	if err := json.Unmarshal(raw, &arts); err != nil {
		b.Fatal(err)
	}
	for _, a := range arts {
		if a.ID == id {
			return []byte(a.Body)
		}
	}
	b.Fatalf("no article %q in %s", id, file)
	return nil
}

func benchmarkAnalyze(b *testing.B, mode Mode, text []byte) {
	a := mustAnalyzer(b, mode)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		a.Analyze(text)
	}
}

func BenchmarkTokenize_Chinese(b *testing.B) {
	benchmarkAnalyze(b, Search, sampleText(b, "features.json", "zh-vocational-college-decade"))
}

func BenchmarkTokenize_English(b *testing.B) {
	benchmarkAnalyze(b, Search, sampleText(b, "features.json", "en-night-trains-revival"))
}

func BenchmarkTokenize_Mixed(b *testing.B) {
	benchmarkAnalyze(b, Search, sampleText(b, "features.json", "mixed-go-survey-2022"))
}

func BenchmarkTokenize_ChineseQuery(b *testing.B) {
	benchmarkAnalyze(b, Accurate, []byte("如何在Debian中配置LVM"))
}
