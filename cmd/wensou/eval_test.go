package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/search/eval"
)

// wensouEval runs "wensou eval args" as main would, returning what it
// did. (eval is called directly: it is not in main's switch yet.)
func wensouEval(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runEval(t.Context(), args, mapEnv(nil), &stdout, &stderr)
	code := exitCode(t.Context(), err, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// evalJudgments are judgments on the sample articles: three queries of
// kind "good" whose article the engine ranks first, and one of kind
// "bad" that finds nothing.
const evalJudgments = `{"kind":"good","query":"oil prices climb for a third day","relevant":["en-oil-rally"]}
{"kind":"good","query":"惠州西湖完成提升改造","relevant":["zh-huizhou-west-lake"]}
{"kind":"good","query":"如何在Debian中配置LVM","relevant":["zh-debian-lvm"]}
{"kind":"bad","query":"xyzzyplugh","relevant":["en-mail-server"]}
`

func TestEval(t *testing.T) {
	dir := buildIndex(t, samplesDir)
	tmp := t.TempDir()
	judgments := writeFile(t, tmp, "j.jsonl", evalJudgments)

	t.Run("table", func(t *testing.T) {
		r := wensouEval(t, "--index", dir, judgments)
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("wensou eval: %v", r)
		}
		lines := strings.Split(r.stdout, "\n")
		if !strings.HasPrefix(lines[0], "4 queries from 1 file, k = 10, in ") {
			t.Errorf("first line %q, want 4 queries from 1 file, k = 10, in …", lines[0])
		}
		want := []string{
			"KIND     QUERIES  MRR@10  SUCCESS@1  SUCCESS@10  NDCG@10",
			"bad      1        0.000   0.000      0.000       0.000",
			"good     3        1.000   1.000      1.000       1.000",
			"overall  4        0.750   0.750      0.750       0.750",
			"",
		}
		if diff := cmp.Diff(want, lines[2:]); diff != "" {
			t.Errorf("table (-want +got):\n%s", diff)
		}
	})

	t.Run("json", func(t *testing.T) {
		r := wensouEval(t, "--index", dir, "--json", "--size", "5", "--misses", "3", judgments)
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("wensou eval --json: %v", r)
		}
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		dec.DisallowUnknownFields()
		var got evalJSON
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("decode %q: %v", r.stdout, err)
		}
		want := evalJSON{
			K: 5,
			Kinds: []eval.Summary{
				{Kind: "bad", Queries: 1},
				{Kind: "good", Queries: 3, MRR: 1, Success1: 1, SuccessK: 1, NDCG: 1},
			},
			Overall: eval.Summary{Kind: "overall", Queries: 4, MRR: 0.75, Success1: 0.75, SuccessK: 0.75, NDCG: 0.75},
			Misses: map[string][]evalMiss{
				"bad":  {{Query: "xyzzyplugh", Where: judgments + ":4", Relevant: []string{"en-mail-server"}, Hits: []string{}}},
				"good": {},
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("--json (-want +got):\n%s", diff)
		}
		// Keys are stable snake_case.
		var raw map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"k", "kinds", "misses", "overall"}, keys(t, "eval", raw)); diff != "" {
			t.Errorf("keys (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"kind", "mrr", "ndcg", "queries", "success_at_1", "success_at_k"}, keys(t, "overall", raw["overall"])); diff != "" {
			t.Errorf("overall keys (-want +got):\n%s", diff)
		}
	})

	t.Run("misses", func(t *testing.T) {
		r := wensouEval(t, "--index", dir, "--misses", "2", judgments)
		if r.code != exitOK {
			t.Fatalf("wensou eval --misses: %v", r)
		}
		want := `
bad: 1 of 1 queries have no relevant first hit; the worst 1:
RANK  QUERY       WANT                                                     FIRST
-     xyzzyplugh  en-mail-server How to set up a small mail server with …  (nothing found)
`
		if !strings.HasSuffix(r.stdout, want) {
			t.Errorf("stdout ends\n%s\nwant it to end\n%s", r.stdout, want)
		}
		if strings.Contains(r.stdout, "good:") {
			t.Errorf("stdout lists misses of kind good, which has none:\n%s", r.stdout)
		}
	})

	t.Run("floors met", func(t *testing.T) {
		floors := writeFile(t, tmp, "met.json", `{"good": {"mrr@10": 1, "ndcg@10": 0.99}, "overall": {"success@1": 0.75}}`)
		r := wensouEval(t, "--index", dir, "--floors", floors, judgments)
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("wensou eval --floors: %v", r)
		}
		if want := "\nEvery kind is at or above its floors in " + floors + ".\n"; !strings.HasSuffix(r.stdout, want) {
			t.Errorf("stdout = %q, want it to end %q", r.stdout, want)
		}
	})

	t.Run("floors broken", func(t *testing.T) {
		floors := writeFile(t, tmp, "broken.json", `{
  "bad": {"mrr@10": 0.5, "success@1": 0},
  "good": {"mrr@10": 1},
  "gone": {"mrr@10": 0.1},
  "overall": {"ndcg@10": 0.8}
}`)
		for _, asJSON := range []bool{false, true} {
			args := []string{"--index", dir, "--floors", floors, judgments}
			if asJSON {
				args = append(args, "--json")
			}
			r := wensouEval(t, args...)
			if r.code != exitRejected {
				t.Errorf("wensou eval %q: exit %d, want %d\n%v", args, r.code, exitRejected, r)
			}
			want := "below the floors of " + floors + `:
  bad: mrr@10 is 0.000, below its floor 0.500
  gone: has floors but no queries (is a judgment file missing?)
  overall: ndcg@10 is 0.750, below its floor 0.800
`
			if r.stderr != want {
				t.Errorf("wensou eval %q: stderr\n%s\nwant\n%s", args, r.stderr, want)
			}
			if !asJSON {
				continue
			}
			var got struct {
				BelowFloors []evalBreach `json:"below_floors"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatal(err)
			}
			wantB := []evalBreach{
				{Kind: "bad", Metric: "mrr@10", Value: 0, Floor: 0.5, Reason: "bad: mrr@10 is 0.000, below its floor 0.500"},
				{Kind: "gone", Reason: "gone: has floors but no queries (is a judgment file missing?)"},
				{Kind: "overall", Metric: "ndcg@10", Value: 0.75, Floor: 0.8, Reason: "overall: ndcg@10 is 0.750, below its floor 0.800"},
			}
			if diff := cmp.Diff(wantB, got.BelowFloors); diff != "" {
				t.Errorf("below_floors (-want +got):\n%s", diff)
			}
		}
	})

	t.Run("write floors", func(t *testing.T) {
		out := filepath.Join(tmp, "written.json")
		r := wensouEval(t, "--index", dir, "--write-floors", out, judgments)
		if r.code != exitOK {
			t.Fatalf("wensou eval --write-floors: %v", r)
		}
		f, err := eval.ReadFloors(out)
		if err != nil {
			t.Fatal(err)
		}
		if got := f["good"]["mrr@10"]; math.Abs(got-0.98) > 1e-9 {
			t.Errorf("written floor good mrr@10 = %v, want 0.98", got)
		}
		if got := f["overall"]["success@1"]; math.Abs(got-0.73) > 1e-9 {
			t.Errorf("written floor overall success@1 = %v, want 0.73", got)
		}
		if r := wensouEval(t, "--index", dir, "--floors", out, judgments); r.code != exitOK {
			t.Errorf("the run is below the floors it wrote: %v", r)
		}
	})

	t.Run("floors at another k", func(t *testing.T) {
		f := writeFile(t, tmp, "floors10.json", `{"good": {"mrr@10": 0.9}}`)
		r := wensouEval(t, "--index", dir, "--size", "5", "--floors", f, judgments)
		want := "wensou: " + f + `: floor mrr@10 of "good": the run measured at k = 5 (mrr@5, success@1, success@5, ndcg@5)` + "\n"
		if r.code != exitRejected || r.stderr != want {
			t.Errorf("wensou eval --size 5 with floors at 10: %v\nwant exit 1 and stderr %q", r, want)
		}
	})

	t.Run("relevant ids not in the index", func(t *testing.T) {
		j := writeFile(t, tmp, "other.jsonl", `{"kind":"a","query":"oil prices","relevant":["en-oil-rally","reuters-1"]}`+"\n"+
			`{"kind":"a","query":"惠州西湖","relevant":["tang-1"]}`+"\n")
		r := wensouEval(t, "--index", dir, j)
		if r.code != exitOK {
			t.Fatalf("wensou eval: %v", r)
		}
		want := `warning: 2 of the relevant ids are not in ` + dir + ` (such as "reuters-1", ` + j + `:1): were the judgments made for another index?` + "\n"
		if r.stderr != want {
			t.Errorf("stderr = %q, want %q", r.stderr, want)
		}
	})
}

func TestEval_Errors(t *testing.T) {
	// None of these opens an index: the mistake is found first.
	tmp := t.TempDir()
	noIndex := filepath.Join(tmp, "none")
	good := writeFile(t, tmp, "good.jsonl", `{"kind":"a","query":"q","relevant":["1"]}`+"\n")
	var many strings.Builder
	for range 12 {
		many.WriteString("not json\n")
	}
	tooMany := writeFile(t, tmp, "many.jsonl", many.String())
	bad := writeFile(t, tmp, "bad.jsonl", `{"kind":"a","query":"q","relevant":["1"]}`+"\n"+`{"kind":"a","query":"q2","relevent":["1"]}`+"\n"+"\n"+`{"kind":"a","query":"q3","relevant":[]}`+"\n")
	empty := writeFile(t, tmp, "empty.jsonl", "\n")
	badFloors := writeFile(t, tmp, "floors.json", `{"a": {"mrr": 0.9}}`)

	usage := []struct {
		args []string
		want string
	}{
		{nil, "eval needs at least one judgment file"},
		{[]string{"--size", "0", good}, "--size must be between 1 and 100, not 0"},
		{[]string{"--size", "101", good}, "--size must be between 1 and 100, not 101"},
		{[]string{"--misses", "-1", good}, "--misses must be 0 or more, not -1"},
		{[]string{"--margin", "1", good}, "--margin must be from 0 to 1, not 1"},
		{[]string{"--no-such-flag", good}, "flag provided but not defined: -no-such-flag"},
	}
	for _, tt := range usage {
		checkUsageError(t, wensouEval(t, append([]string{"--index", noIndex}, tt.args...)...), tt.want)
	}

	failures := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"bad lines", []string{bad}, bad + `:2: unknown field "relevent"` + "\n" +
			bad + `:4: "relevant" is missing or empty: a query needs at least one relevant id` + "\n" +
			"wensou: 2 bad lines in the judgments: nothing evaluated\n"},
		{"many bad lines", []string{tooMany}, strings.Repeat(tooMany+":N: invalid JSON: invalid character 'o' in literal null (expecting 'u')\n", 10) +
			"... and 2 more\n" +
			"wensou: 12 bad lines in the judgments: nothing evaluated\n"},
		{"empty file", []string{empty}, "wensou: no judgments in " + empty + "\n"},
		{"missing file", []string{filepath.Join(tmp, "nope.jsonl")}, "wensou: read judgments: open " + filepath.Join(tmp, "nope.jsonl") + ": no such file or directory\n"},
		{"bad floors", []string{"--floors", badFloors, good}, "wensou: " + badFloors + `:1: bad floors: kind "a": unknown metric "mrr" (want mrr@K, success@1, success@K or ndcg@K, K being the cut-off, such as 10)` + "\n"},
		{"no index", []string{good}, "wensou: open index " + noIndex + ": no index at this path: build one first, as with \"wensou index --index " + noIndex +
			" ../shared/corpus/reuters21578.jsonl ../shared/corpus/chinese_poetry_tang.jsonl ../shared/corpus/cn_web_extract.jsonl\"\n"},
	}
	lineNo := regexp.MustCompile(`\.jsonl:[0-9]+:`)
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--index", noIndex}, tt.args...)
			r := wensouEval(t, args...)
			if r.code != exitRejected || r.stdout != "" {
				t.Errorf("wensou eval %q: exit %d, stdout %q; want %d and nothing\n%v", args, r.code, r.stdout, exitRejected, r)
			}
			got := r.stderr
			if tt.name == "many bad lines" {
				got = lineNo.ReplaceAllString(got, ".jsonl:N:")
			}
			if got != tt.wantStderr {
				t.Errorf("stderr =\n%s\nwant\n%s", got, tt.wantStderr)
			}
		})
	}
}
