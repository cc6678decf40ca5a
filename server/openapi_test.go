package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/store"
	"github.com/wensou/wensou/search"
)

// The tests here and in openapi_responses_test.go keep openapi.json
// true: its operations are the routes, every status a route answers is
// documented, and the bodies it answers validate against the documented
// schemas. The schema checker (schema_test.go) handles the subset of JSON
// Schema the document uses; TestOpenAPI_Document fails if the document
// uses more.

func loadOpenAPI(t testing.TB) doc {
	t.Helper()
	var d doc
	if err := json.Unmarshal(openAPI, &d); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return d
}

// schemaOf returns the named component schema.
func schemaOf(t testing.TB, d doc, name string) doc {
	t.Helper()
	s, err := resolve(d, "#/components/schemas/"+name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// walk calls fn for every object in the document, with its path.
func walk(node any, path string, fn func(path string, m doc)) {
	switch n := node.(type) {
	case doc:
		fn(path, n)
		for _, k := range slices.Sorted(maps.Keys(n)) {
			walk(n[k], path+"/"+k, fn)
		}
	case []any:
		for i, v := range n {
			walk(v, path+"/"+strconv.Itoa(i), fn)
		}
	}
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations returns the document's operations by "METHOD /path".
func operations(d doc) map[string]doc {
	ops := map[string]doc{}
	for path, item := range d["paths"].(doc) {
		for _, m := range methods {
			if op, ok := item.(doc)[m].(doc); ok {
				ops[strings.ToUpper(m)+" "+path] = op
			}
		}
	}
	return ops
}

// examplesOf returns a media type's example values by name.
func examplesOf(t testing.TB, d doc, media doc) map[string]any {
	t.Helper()
	out := map[string]any{}
	if ex, ok := media["example"]; ok {
		out["example"] = ex
	}
	exs, _ := media["examples"].(doc)
	for name, ex := range exs {
		out[name] = deref(t, d, ex.(doc))["value"]
	}
	return out
}

// checkMediaValue validates a value sent or answered as media type mt.
// JSON Lines are checked line by line against ArticleInput.
func checkMediaValue(t testing.TB, d doc, mt string, schema doc, value any) []string {
	t.Helper()
	if mt != "application/x-ndjson" {
		return validate(d, schema, value, "$")
	}
	errs := validate(d, schema, value, "$")
	s, _ := value.(string)
	for i, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			errs = append(errs, fmt.Sprintf("line %d: %v", i+1, err))
			continue
		}
		errs = append(errs, validate(d, schemaOf(t, d, "ArticleInput"), v, fmt.Sprintf("line %d", i+1))...)
	}
	return errs
}

// TestOpenAPI_Document checks the document on its own: it is OpenAPI
// 3.1, every reference resolves, schemas stay within what the checker
// understands, examples validate, and limits match the code's.
func TestOpenAPI_Document(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	if d["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", d["openapi"])
	}
	if bytes.Count(openAPI, []byte("\n")) < 100 || !bytes.HasPrefix(openAPI, []byte("{\n  \"openapi\"")) {
		t.Error("openapi.json is not pretty-printed")
	}

	walk(d, "#", func(path string, m doc) {
		if ref, ok := m["$ref"].(string); ok {
			if _, err := resolve(d, ref); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		}
		if s, ok := m["schema"].(doc); ok {
			for _, e := range lintSchema(s, path+"/schema") {
				t.Error(e)
			}
		}
	})
	for name, s := range d["components"].(doc)["schemas"].(doc) {
		for _, e := range lintSchema(s.(doc), "#/components/schemas/"+name) {
			t.Error(e)
		}
	}

	ids := map[string]string{}
	for key, op := range operations(d) {
		id, _ := op["operationId"].(string)
		if id == "" || ids[id] != "" {
			t.Errorf("%s: operationId %q missing or used twice", key, id)
		}
		ids[id] = key
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", key)
		}
		// Writes and admin routes, and only they, need the admin key.
		needsKey := !strings.HasPrefix(key, "GET ") || strings.Contains(key, " /api/admin/")
		sec, _ := op["security"].([]any)
		wantSec := []any{doc{"adminKey": []any{}}}
		if needsKey != reflect.DeepEqual(sec, wantSec) {
			t.Errorf("%s: security = %v", key, op["security"])
		}

		var media []struct {
			where string
			mt    string
			m     doc
		}
		if rb, ok := op["requestBody"].(doc); ok {
			for mt, m := range deref(t, d, rb)["content"].(doc) {
				media = append(media, struct {
					where, mt string
					m         doc
				}{key + " request", mt, m.(doc)})
			}
		}
		for status, r := range op["responses"].(doc) {
			resp := deref(t, d, r.(doc))
			if s, _ := resp["description"].(string); s == "" {
				t.Errorf("%s %s: no description", key, status)
			}
			content, _ := resp["content"].(doc)
			for mt, m := range content {
				media = append(media, struct {
					where, mt string
					m         doc
				}{key + " " + status, mt, m.(doc)})
			}
			if status >= "400" && content["application/json"] == nil {
				t.Errorf("%s %s: an error without a JSON body", key, status)
			}
		}
		for _, m := range media {
			schema, ok := m.m["schema"].(doc)
			if !ok {
				t.Errorf("%s %s: no schema", m.where, m.mt)
				continue
			}
			exs := examplesOf(t, d, m.m)
			if m.mt == "application/json" && len(exs) == 0 && !strings.Contains(m.where, "openapi") {
				t.Errorf("%s %s: no example", m.where, m.mt)
			}
			for name, ex := range exs {
				for _, e := range checkMediaValue(t, d, m.mt, schema, ex) {
					t.Errorf("%s %s example %s: %s", m.where, m.mt, name, e)
				}
			}
		}
	}
	for name, p := range d["components"].(doc)["parameters"].(doc) {
		p := p.(doc)
		if ex, ok := p["example"]; ok {
			for _, e := range validate(d, p["schema"].(doc), ex, "$") {
				t.Errorf("parameter %s example: %s", name, e)
			}
		}
	}
	for _, name := range []string{"MethodNotAllowed", "NotFound"} {
		r, err := resolve(d, "#/components/responses/"+name)
		if err != nil {
			t.Fatal(err)
		}
		for ex, v := range examplesOf(t, d, r["content"].(doc)["application/json"].(doc)) {
			for _, e := range validate(d, schemaOf(t, d, "Error"), v, "$") {
				t.Errorf("response %s example %s: %s", name, ex, e)
			}
		}
	}

	// The search parameters are the ones bound, with the code's limits.
	var bound []string
	typ := reflect.TypeFor[searchParams]()
	for i := range typ.NumField() {
		bound = append(bound, typ.Field(i).Tag.Get("form"))
	}
	var documented []string
	params := map[string]doc{}
	for _, p := range operations(d)["GET /api/search"]["parameters"].([]any) {
		p := deref(t, d, p.(doc))
		documented = append(documented, p["name"].(string))
		params[p["name"].(string)] = p
	}
	if diff := cmp.Diff(sorted(bound), sorted(documented)); diff != "" {
		t.Errorf("search parameters (-bound +documented):\n%s", diff)
	}
	for _, name := range []string{"author", "tag"} {
		if p := params[name]; p["explode"] != true || p["schema"].(doc)["type"] != "array" {
			t.Errorf("parameter %s is not a repeatable array", name)
		}
	}
	limits := []struct {
		name string
		got  any
		want int
	}{
		{"size maximum", params["size"]["schema"].(doc)["maximum"], search.MaxSize},
		{"size default", params["size"]["schema"].(doc)["default"], search.DefaultSize},
		{"page maximum", params["page"]["schema"].(doc)["maximum"], search.MaxWindow},
		{"q maxLength", params["q"]["schema"].(doc)["maxLength"], search.MaxQueryLength},
		{"analyze text maxLength", operations(d)["GET /api/analyze"]["parameters"].([]any)[0].(doc)["schema"].(doc)["maxLength"], maxAnalyzeText},
	}
	for _, l := range limits {
		if l.got != float64(l.want) {
			t.Errorf("%s = %v, want %d", l.name, l.got, l.want)
		}
	}
	sorts := params["sort"]["schema"].(doc)["enum"]
	if want := []any{string(search.SortRelevance), string(search.SortNewest), string(search.SortOldest)}; !reflect.DeepEqual(sorts, want) {
		t.Errorf("sort enum = %v, want %v", sorts, want)
	}

	// The rebuild schemas have the Go types' JSON fields, required unless
	// they are omitted when empty.
	for _, tt := range []struct {
		schema string
		typ    reflect.Type
	}{
		{"ReindexRequest", reflect.TypeFor[reindexRequest]()},
		{"ReindexStatus", reflect.TypeFor[reindexStatus]()},
		{"RebuildProgress", reflect.TypeFor[store.Progress]()},
	} {
		var fields, required []string
		for i := range tt.typ.NumField() {
			name, opts, _ := strings.Cut(tt.typ.Field(i).Tag.Get("json"), ",")
			fields = append(fields, name)
			if o := strings.Split(opts, ","); !slices.Contains(o, "omitempty") && !slices.Contains(o, "omitzero") {
				required = append(required, name)
			}
		}
		s := schemaOf(t, d, tt.schema)
		if diff := cmp.Diff(sorted(fields), sorted(slices.Collect(maps.Keys(s["properties"].(doc))))); diff != "" {
			t.Errorf("%s properties (-Go +documented):\n%s", tt.schema, diff)
		}
		if tt.schema == "ReindexRequest" {
			continue // every field of a request is optional
		}
		if diff := cmp.Diff(sorted(required), sorted(strs(s["required"]))); diff != "" {
			t.Errorf("%s required properties (-Go +documented):\n%s", tt.schema, diff)
		}
	}

	// The error codes are the error table's.
	codes := []string{"internal"}
	for _, k := range errorTable {
		if !slices.Contains(codes, k.code) {
			codes = append(codes, k.code)
		}
	}
	enum := strs(schemaOf(t, d, "Error")["properties"].(doc)["error"].(doc)["properties"].(doc)["code"].(doc)["enum"])
	if diff := cmp.Diff(sorted(codes), sorted(enum)); diff != "" {
		t.Errorf("error codes (-table +documented):\n%s", diff)
	}
}

// ginPath turns gin's /api/articles/:id into OpenAPI's /api/articles/{id}.
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

func TestOpenAPI_Routes(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, Options{}, nil)
	var routes []string
	for _, r := range srv.engine.Routes() {
		if strings.HasPrefix(r.Path, "/api/") || r.Path == "/healthz" || r.Path == "/metrics" {
			routes = append(routes, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
		}
	}
	documented := slices.Collect(maps.Keys(operations(loadOpenAPI(t))))
	if diff := cmp.Diff(sorted(routes), sorted(documented)); diff != "" {
		t.Errorf("operations (-registered +documented):\n%s", diff)
	}
}

// TestOpenAPI_ServedDocument checks GET /api/openapi.json.
func TestOpenAPI_ServedDocument(t *testing.T) {
	t.Parallel()
	rec := do(t, newFakeServer(t, Options{}, nil), newRequest(http.MethodGet, "/api/openapi.json", ""))
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), openAPI) {
		t.Fatalf("GET /api/openapi.json = %d, %d bytes; want 200 and the document", rec.Code, rec.Body.Len())
	}
	checkJSONType(t, rec)
}
