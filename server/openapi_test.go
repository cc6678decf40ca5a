package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/store"
	"github.com/wensou/wensou/search"
)

// The tests here keep openapi.json true: its operations are the routes,
// every status a route answers is documented, and the bodies it answers
// validate against the documented schemas. The schema checker handles
// the subset of JSON Schema the document uses; TestOpenAPI_Document
// fails if the document uses more.

// doc is a decoded JSON document.
type doc = map[string]any

func loadOpenAPI(t testing.TB) doc {
	t.Helper()
	var d doc
	if err := json.Unmarshal(openAPI, &d); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return d
}

// resolve follows a local JSON pointer such as #/components/schemas/Hit.
func resolve(d doc, ref string) (doc, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not local", ref)
	}
	var node any = d
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := node.(doc)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not in an object", ref, tok)
		}
		if node, ok = m[tok]; !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
		}
	}
	m, ok := node.(doc)
	if !ok {
		return nil, fmt.Errorf("$ref %q is not an object", ref)
	}
	return m, nil
}

// deref resolves m when it is a reference object, else returns it.
func deref(t testing.TB, d doc, m doc) doc {
	t.Helper()
	ref, ok := m["$ref"].(string)
	if !ok {
		return m
	}
	r, err := resolve(d, ref)
	if err != nil {
		t.Fatal(err)
	}
	return deref(t, d, r)
}

// schemaKeywords are the keywords the checker understands; the
// annotations among them are not checked.
var schemaKeywords = map[string]bool{
	"$ref": true, "type": true, "properties": true, "required": true, "items": true, "enum": true,
	"additionalProperties": true, "oneOf": true, "anyOf": true, "pattern": true,
	"minimum": true, "maximum": true, "minLength": true, "maxLength": true, "maxItems": true,
	// Annotations.
	"description": true, "default": true, "format": true, "example": true, "examples": true, "title": true,
}

// validate returns how value breaks schema, one message per problem, each
// starting with the JSON path (at) of the offending value.
func validate(d doc, schema doc, value any, at string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	for k := range schema {
		if !schemaKeywords[k] {
			fail("unsupported schema keyword %q", k)
		}
	}
	if ref, ok := schema["$ref"].(string); ok {
		target, err := resolve(d, ref)
		if err != nil {
			fail("%v", err)
			return errs
		}
		errs = append(errs, validate(d, target, value, at)...)
	}
	if t, ok := schema["type"]; ok {
		types := strs(t)
		if !slices.ContainsFunc(types, func(typ string) bool { return hasType(value, typ) }) {
			fail("%s is not of type %s", kind(value), strings.Join(types, " or "))
			return errs
		}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return reflect.DeepEqual(e, value) }) {
		fail("%v is not one of %v", value, enum)
	}
	switch v := value.(type) {
	case doc:
		props, _ := schema["properties"].(doc)
		for _, r := range strs(schema["required"]) {
			if _, ok := v[r]; !ok {
				fail("required property %q is missing", r)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if ps, ok := props[k].(doc); ok {
				errs = append(errs, validate(d, ps, v[k], at+"."+k)...)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					fail("property %q is not allowed", k)
				}
			case doc:
				errs = append(errs, validate(d, ap, v[k], at+"."+k)...)
			}
		}
	case []any:
		if items, ok := schema["items"].(doc); ok {
			for i, it := range v {
				errs = append(errs, validate(d, items, it, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
		if m, ok := schema["maxItems"].(float64); ok && float64(len(v)) > m {
			fail("%d items, more than %v", len(v), m)
		}
	case string:
		if p, ok := schema["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				fail("pattern %q: %v", p, err)
			} else if !re.MatchString(v) {
				fail("%q does not match %s", v, p)
			}
		}
		n := float64(utf8.RuneCountInString(v))
		if m, ok := schema["minLength"].(float64); ok && n < m {
			fail("%d characters, fewer than %v", int(n), m)
		}
		if m, ok := schema["maxLength"].(float64); ok && n > m {
			fail("%d characters, more than %v", int(n), m)
		}
	case float64:
		if m, ok := schema["minimum"].(float64); ok && v < m {
			fail("%v is less than %v", v, m)
		}
		if m, ok := schema["maximum"].(float64); ok && v > m {
			fail("%v is more than %v", v, m)
		}
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		subs, ok := schema[k].([]any)
		if !ok {
			continue
		}
		n := 0
		for _, s := range subs {
			if sm, ok := s.(doc); ok && len(validate(d, sm, value, at)) == 0 {
				n++
			}
		}
		if (k == "oneOf" && n != 1) || (k == "anyOf" && n == 0) {
			fail("matches %d of the %d %s schemas", n, len(subs), k)
		}
	}
	return errs
}

// strs reads a JSON string or array of strings.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, s := range v {
			if s, ok := s.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func hasType(v any, typ string) bool {
	switch x := v.(type) {
	case nil:
		return typ == "null"
	case bool:
		return typ == "boolean"
	case string:
		return typ == "string"
	case float64:
		return typ == "number" || (typ == "integer" && x == float64(int64(x)))
	case []any:
		return typ == "array"
	case doc:
		return typ == "object"
	}
	return false
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		return "number"
	case []any:
		return "array"
	}
	return "object"
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

// decodeAny decodes JSON for the checker.
func decodeAny(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestValidate(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	srv, _ := newTestServer(t, Options{})
	result := decodeAny(t, do(t, srv, newRequest(http.MethodGet, "/api/search?q=职业教育&size=2", "")).Body.Bytes())
	apiErr := decodeAny(t, do(t, srv, newRequest(http.MethodGet, "/api/search?size=101", "")).Body.Bytes())
	if res := result.(doc); len(res["hits"].([]any)) != 2 || res["next"] == nil {
		t.Fatalf("want a search result with 2 hits and next, got %v", result)
	}

	// mutate returns a deep copy of v changed by fn.
	mutate := func(v any, fn func(doc)) any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		c := decodeAny(t, b)
		fn(c.(doc))
		return c
	}
	hit := func(r doc) doc { return r["hits"].([]any)[0].(doc) }
	// Rebuild statuses as the handlers marshal them: a rebuild just
	// started, and a finished one with every field set.
	started := time.Date(2025, 3, 2, 10, 15, 4, 120391000, time.UTC)
	b, err := json.Marshal(reindexStatus{
		Running: &store.Progress{Running: true, Source: "files", Started: started},
		Last: &store.Progress{Source: "files", Generation: "gen-000002", Started: started, Done: 12, Total: 12,
			Read: 4096, Size: 4096, Rate: 240.5, Rejected: 1, Warned: 2, Errors: []string{"a.jsonl:3: invalid JSON"},
			Journaled: 3, Finished: started.Add(time.Second), Elapsed: 1, Err: "disk full"},
		Sources: []string{"a.jsonl"},
	})
	if err != nil {
		t.Fatal(err)
	}
	status := decodeAny(t, b)
	progress := status.(doc)["last"]
	tests := []struct {
		name    string
		schema  string
		value   any
		wantErr string // "" for valid; else a substring of the first error
	}{
		{"real result", "Result", result, ""},
		{"real error", "Error", apiErr, ""},
		{"result without next", "Result", mutate(result, func(r doc) { delete(r, "next") }), ""},
		{"extra property", "Result", mutate(result, func(r doc) { r["partial"] = true }), `$: property "partial" is not allowed`},
		{"extra property in a hit", "Result", mutate(result, func(r doc) { hit(r)["body"] = "x" }), `$.hits[0]: property "body" is not allowed`},
		{"wrong type", "Result", mutate(result, func(r doc) { r["total"] = "3" }), "$.total: string is not of type integer"},
		{"not an integer", "Result", mutate(result, func(r doc) { r["total"] = 2.5 }), "$.total: number is not of type integer"},
		{"missing property", "Result", mutate(result, func(r doc) { delete(r, "facets") }), `$: required property "facets" is missing`},
		{"null array", "Result", mutate(result, func(r doc) { r["hits"] = nil }), "$.hits: null is not of type array"},
		{"wrong item type", "Result", mutate(result, func(r doc) { hit(r)["author"] = []any{"a", 1.0} }), "$.hits[0].author[1]: number is not of type string"},
		{"over the maximum", "Result", mutate(result, func(r doc) { r["size"] = 101.0 }), "$.size: 101 is more than 100"},
		{"pattern", "Result", mutate(result, func(r doc) { hit(r)["date"] = "2022/05/01" }), `$.hits[0].date: "2022/05/01" does not match`},
		{"bucket count", "Result", mutate(result, func(r doc) { r["facets"].(doc)["year"].([]any)[0].(doc)["count"] = 0.0 }), "$.facets.year[0].count: 0 is less than 1"},
		{"enum", "Error", mutate(apiErr, func(e doc) { e["error"].(doc)["code"] = "oops" }), "$.error.code: oops is not one of"},
		{"extra error property", "Error", mutate(apiErr, func(e doc) { e["error"].(doc)["details"] = "x" }), `$.error: property "details" is not allowed`},
		{"error as a string", "Error", mutate(apiErr, func(e doc) { e["error"] = "bad" }), "$.error: string is not of type object"},
		{"several types", "ArticleInput", doc{"title": "x", "author": []any{"a"}, "id": 7.0}, ""},
		{"none of several types", "ArticleInput", doc{"title": "x", "author": true}, "$.author: boolean is not of type string or array"},
		{"other properties allowed", "ArticleInput", doc{"title": "x", "whatever": 1.0}, ""},
		{"rebuild status", "ReindexStatus", status, ""},
		{"no rebuild", "ReindexStatus", doc{"running": nil, "last": nil, "sources": []any{}}, ""},
		{"null or object", "ReindexStatus", mutate(status, func(s doc) { s["running"] = "yes" }), "$.running: matches 0 of the 2 oneOf schemas"},
		{"null sources", "ReindexStatus", mutate(status, func(s doc) { s["sources"] = nil }), "$.sources: null is not of type array"},
		{"bad progress", "ReindexStatus", mutate(status, func(s doc) { s["last"].(doc)["done"] = -1.0 }), "$.last: matches 0 of the 2 oneOf schemas"},
		{"progress", "RebuildProgress", progress, ""},
		{"unknown source", "RebuildProgress", mutate(progress, func(p doc) { p["source"] = "dir" }), "$.source: dir is not one of"},
		{"missing journaled", "RebuildProgress", mutate(progress, func(p doc) { delete(p, "journaled") }), `$: required property "journaled" is missing`},
		{"too many errors", "RebuildProgress", mutate(progress, func(p doc) {
			p["errors"] = slices.Repeat([]any{"a.jsonl:1: invalid JSON"}, 21)
		}), "$.errors: 21 items, more than 20"},
		{"request", "ReindexRequest", doc{"source": "stored"}, ""},
		{"request with a path", "ReindexRequest", doc{"source": "files", "path": "/etc"}, `$: property "path" is not allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			errs := validate(d, schemaOf(t, d, tt.schema), tt.value, "$")
			switch {
			case tt.wantErr == "" && len(errs) > 0:
				t.Errorf("validate(%s) = %q, want no errors", tt.schema, errs)
			case tt.wantErr != "" && (len(errs) == 0 || !strings.Contains(errs[0], tt.wantErr)):
				t.Errorf("validate(%s) = %q, want an error containing %q", tt.schema, errs, tt.wantErr)
			}
		})
	}

	// oneOf: the POST body is an article or an array of them.
	post := deref(t, d, d["paths"].(doc)["/api/articles"].(doc)["post"].(doc)["requestBody"].(doc))
	body := post["content"].(doc)["application/json"].(doc)["schema"].(doc)
	for _, tt := range []struct {
		value any
		ok    bool
	}{
		{doc{"title": "x"}, true},
		{[]any{doc{"title": "x"}}, true},
		{"x", false},
		{[]any{"x"}, false},
	} {
		if errs := validate(d, body, tt.value, "$"); (len(errs) == 0) != tt.ok {
			t.Errorf("validate(POST body, %v) = %q, want valid: %v", tt.value, errs, tt.ok)
		}
	}
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

// lintSchema reports keywords the checker does not understand, in schema
// and the schemas inside it.
func lintSchema(schema doc, at string) []string {
	var errs []string
	for _, k := range slices.Sorted(maps.Keys(schema)) {
		if !schemaKeywords[k] {
			errs = append(errs, fmt.Sprintf("%s: unsupported schema keyword %q", at, k))
		}
	}
	if props, ok := schema["properties"].(doc); ok {
		for _, k := range slices.Sorted(maps.Keys(props)) {
			if p, ok := props[k].(doc); ok {
				errs = append(errs, lintSchema(p, at+"/properties/"+k)...)
			}
		}
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if s, ok := schema[k].(doc); ok {
			errs = append(errs, lintSchema(s, at+"/"+k)...)
		}
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		subs, _ := schema[k].([]any)
		for i, s := range subs {
			if s, ok := s.(doc); ok {
				errs = append(errs, lintSchema(s, fmt.Sprintf("%s/%s/%d", at, k, i))...)
			}
		}
	}
	return errs
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

// TestOpenAPI_Responses sends requests through the engine, covering every
// documented status of every operation, and checks each answer against
// the document: its status is documented for the operation, its content
// type and body match the documented ones, and required headers are
// there.
func TestOpenAPI_Responses(t *testing.T) {
	t.Parallel()
	d := loadOpenAPI(t)
	ops := operations(d)

	internal := errors.New("disk on fire")
	realSrv, _ := newTestServer(t, Options{})
	servers := map[string]*Server{
		"real":  realSrv,
		"none":  newFakeServer(t, Options{}, nil),
		"off":   newFakeServer(t, Options{AdminKey: "-"}, &fakeBackend{}),
		"small": newFakeServer(t, Options{MaxBodyBytes: 32}, &fakeBackend{}),
		"slow": newFakeServer(t, Options{SearchTimeout: time.Millisecond}, &fakeBackend{
			search: func(ctx context.Context, _ search.Request) (*search.Result, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			},
		}),
		"broken": newFakeServer(t, Options{}, &fakeBackend{
			search: func(context.Context, search.Request) (*search.Result, error) { return nil, internal },
			get: func(_ context.Context, id string) (article.Article, error) {
				if id == "exists" {
					return article.Article{ID: id, Title: "x"}, nil
				}
				return article.Article{}, internal
			},
			put:    func(context.Context, []article.Article) error { return internal },
			delete: func(context.Context, ...string) error { return internal },
		}),
		"rebuildFails": newFakeServer(t, Options{}, &failingRebuilder{err: internal}),
	}
	// Rebuilds need a persistent store: "store" has no configured
	// sources, "files" has testdata and a file with a rejected record and
	// a warning.
	storeSrv, st := newStoreServer(t, Options{}, 0)
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{\"id\":\"b1\",\"title\":\"日期不明\",\"date\":\"去年\"}\n{\"title\":\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	filesSrv, _ := newStoreServer(t, Options{Sources: []string{filepath.Join("testdata", "articles.jsonl"), bad}}, 0)
	servers["store"], servers["files"] = storeSrv, filesSrv
	loadSegmenter(t)

	const (
		jsonType   = "application/json"
		ndjsonType = "application/x-ndjson"
	)
	tests := []struct {
		op          string // "METHOD /path" as documented
		srv         string
		method      string // "" for the op's
		target      string
		contentType string
		body        string
		key         string // Authorization: Bearer key; "" for none
		wantStatus  int
	}{
		{op: "GET /api/search", srv: "real", target: "/api/search?q=职业教育&size=2", wantStatus: 200},
		{op: "GET /api/search", srv: "real", target: "/api/search?author=李明华&author=王雪&tag=教育&from=2020&to=2025-12-31&sort=newest&page=1&size=100", wantStatus: 200},
		{op: "GET /api/search", srv: "real", target: "/api/search?q=script", wantStatus: 200},
		{op: "GET /api/search", srv: "real", target: "/api/search?size=101", wantStatus: 400},
		{op: "GET /api/search", srv: "real", target: "/api/search?q=a*", wantStatus: 400},
		{op: "GET /api/search", srv: "broken", target: "/api/search?q=x", wantStatus: 500},
		{op: "GET /api/search", srv: "none", target: "/api/search?q=x", wantStatus: 503},
		{op: "GET /api/search", srv: "slow", target: "/api/search?q=x", wantStatus: 503},

		{op: "GET /api/articles/{id}", srv: "real", target: "/api/articles/law", wantStatus: 200},
		{op: "GET /api/articles/{id}", srv: "real", target: "/api/articles/tang", wantStatus: 200},
		{op: "GET /api/articles/{id}", srv: "real", target: "/api/articles/nope", wantStatus: 404},
		{op: "GET /api/articles/{id}", srv: "broken", target: "/api/articles/x", wantStatus: 500},
		{op: "GET /api/articles/{id}", srv: "none", target: "/api/articles/x", wantStatus: 503},

		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, key: testAdminKey,
			body: `{"id":"z1","title":"Zebra","author":"Ann","date":"2024-01-02","tags":["a"]}`, wantStatus: 201},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, key: testAdminKey,
			body: `[{"id":"z2","title":"Zebra"},{"id":"z3","body":"Giraffe","authors":["A","B"],"date":1700000000}]`, wantStatus: 201},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: ndjsonType, key: testAdminKey,
			body: "{\"id\":\"z4\",\"title\":\"Zebra\",\"date\":\"去年\"}\n{\"title\":\n", wantStatus: 200},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: "", wantStatus: 400},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"title":`, wantStatus: 400},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, body: `{"title":"x"}`, wantStatus: 401},
		{op: "POST /api/articles", srv: "real", target: "/api/articles", contentType: jsonType, key: "wrong", body: `{"title":"x"}`, wantStatus: 403},
		{op: "POST /api/articles", srv: "off", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 403},
		{op: "POST /api/articles", srv: "small", target: "/api/articles", contentType: jsonType, key: testAdminKey,
			body: `{"title":"` + strings.Repeat("x", 64) + `"}`, wantStatus: 413},
		{op: "POST /api/articles", srv: "broken", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 500},
		{op: "POST /api/articles", srv: "none", target: "/api/articles", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 503},

		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/p1", contentType: jsonType, key: testAdminKey,
			body: `{"title":"Zebra","body":"b","author":"A、B","url":"https://x.example/1","source":"s","tags":"a, b"}`, wantStatus: 201},
		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/law", contentType: jsonType, key: testAdminKey,
			body: `{"id":"law","title":"Law"}`, wantStatus: 200},
		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/law", contentType: jsonType, key: testAdminKey,
			body: `{"id":"other","title":"Law"}`, wantStatus: 400},
		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/law", contentType: jsonType, key: testAdminKey,
			body: `null`, wantStatus: 400},
		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/law", contentType: jsonType, body: `{"title":"x"}`, wantStatus: 401},
		{op: "PUT /api/articles/{id}", srv: "real", target: "/api/articles/law", contentType: jsonType, key: "wrong", body: `{"title":"x"}`, wantStatus: 403},
		{op: "PUT /api/articles/{id}", srv: "off", target: "/api/articles/law", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 403},
		{op: "PUT /api/articles/{id}", srv: "small", target: "/api/articles/law", contentType: jsonType, key: testAdminKey,
			body: `{"title":"` + strings.Repeat("x", 64) + `"}`, wantStatus: 413},
		{op: "PUT /api/articles/{id}", srv: "broken", target: "/api/articles/law", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 500},
		{op: "PUT /api/articles/{id}", srv: "none", target: "/api/articles/law", contentType: jsonType, key: testAdminKey, body: `{"title":"x"}`, wantStatus: 503},

		{op: "DELETE /api/articles/{id}", srv: "real", target: "/api/articles/edu1", key: testAdminKey, wantStatus: 204},
		{op: "DELETE /api/articles/{id}", srv: "real", target: "/api/articles/edu1", key: testAdminKey, wantStatus: 404},
		{op: "DELETE /api/articles/{id}", srv: "real", target: "/api/articles/edu2", wantStatus: 401},
		{op: "DELETE /api/articles/{id}", srv: "real", target: "/api/articles/edu2", key: "wrong", wantStatus: 403},
		{op: "DELETE /api/articles/{id}", srv: "off", target: "/api/articles/edu2", key: testAdminKey, wantStatus: 403},
		{op: "DELETE /api/articles/{id}", srv: "broken", target: "/api/articles/exists", key: testAdminKey, wantStatus: 500},
		{op: "DELETE /api/articles/{id}", srv: "none", target: "/api/articles/edu2", key: testAdminKey, wantStatus: 503},

		{op: "GET /api/analyze", srv: "none", target: "/api/analyze?text=中华人民共和国&mode=query", wantStatus: 200},
		{op: "GET /api/analyze", srv: "none", target: "/api/analyze?text=Oil%20prices", wantStatus: 200},
		{op: "GET /api/analyze", srv: "none", target: "/api/analyze", wantStatus: 400},
		{op: "GET /api/analyze", srv: "none", target: "/api/analyze?text=x&mode=fast", wantStatus: 400},

		// 202 and 409 from POST, and 200 from GET, come from the rebuilds below.
		{op: "POST /api/admin/reindex", srv: "store", target: "/api/admin/reindex", contentType: jsonType, key: testAdminKey,
			body: `{"path":"/etc"}`, wantStatus: 400},
		{op: "POST /api/admin/reindex", srv: "store", target: "/api/admin/reindex", contentType: jsonType, key: testAdminKey,
			body: `{"source":"/etc/passwd"}`, wantStatus: 400},
		{op: "POST /api/admin/reindex", srv: "store", target: "/api/admin/reindex", contentType: jsonType, key: testAdminKey,
			body: `{"source":"files"}`, wantStatus: 400},
		{op: "POST /api/admin/reindex", srv: "store", target: "/api/admin/reindex", wantStatus: 401},
		{op: "POST /api/admin/reindex", srv: "store", target: "/api/admin/reindex", key: "wrong", wantStatus: 403},
		{op: "POST /api/admin/reindex", srv: "off", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 403},
		{op: "POST /api/admin/reindex", srv: "small", target: "/api/admin/reindex", contentType: jsonType, key: testAdminKey,
			body: `{"source":"stored"}` + strings.Repeat(" ", 64), wantStatus: 413},
		{op: "POST /api/admin/reindex", srv: "rebuildFails", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 500},
		{op: "POST /api/admin/reindex", srv: "real", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 501},
		{op: "POST /api/admin/reindex", srv: "none", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 503},
		{op: "GET /api/admin/reindex", srv: "store", target: "/api/admin/reindex", wantStatus: 401},
		{op: "GET /api/admin/reindex", srv: "store", target: "/api/admin/reindex", key: "wrong", wantStatus: 403},
		{op: "GET /api/admin/reindex", srv: "off", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 403},
		{op: "GET /api/admin/reindex", srv: "real", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 501},
		{op: "GET /api/admin/reindex", srv: "none", target: "/api/admin/reindex", key: testAdminKey, wantStatus: 503},

		{op: "GET /api/openapi.json", srv: "none", target: "/api/openapi.json", wantStatus: 200},
		{op: "GET /healthz", srv: "real", target: "/healthz", wantStatus: 200},
		{op: "GET /healthz", srv: "none", target: "/healthz", wantStatus: 503},
		{op: "GET /metrics", srv: "real", target: "/metrics", wantStatus: 200},
	}
	// Statuses documented but not produced here, and why.
	untested := map[string]string{
		"GET /api/analyze 500":       "the analyzer fails only when it cannot be built",
		"GET /api/analyze 503":       "the segmenter is process-wide, and loaded (TestClassify covers zh.ErrNotLoaded)",
		"GET /api/admin/reindex 500": "the status is read from memory and cannot fail; only a panic (the recovery middleware) answers 500",
	}

	covered := map[string]bool{}
	// check sends req, which carries body as contentType, to srv and
	// checks the answer against the document's operation op.
	check := func(t *testing.T, op string, srv *Server, req *http.Request, contentType, body string, wantStatus int) *httptest.ResponseRecorder {
		t.Helper()
		rec := do(t, srv, req)
		if rec.Code != wantStatus {
			t.Fatalf("status = %d, want %d; body %s", rec.Code, wantStatus, rec.Body)
		}
		o, ok := ops[op]
		if !ok {
			t.Fatalf("%s is not documented", op)
		}
		covered[op+" "+strconv.Itoa(rec.Code)] = true
		r, ok := o["responses"].(doc)[strconv.Itoa(rec.Code)].(doc)
		if !ok {
			t.Fatalf("%s answered %d, which is not documented", op, rec.Code)
		}
		checkResponse(t, d, deref(t, d, r), rec)

		// What a request that worked sent is what the document says to send.
		// (A 200 from POST reports records it rejected.)
		partial := op == "POST /api/articles" && rec.Code == http.StatusOK
		rb, ok := o["requestBody"].(doc)
		switch {
		case !ok || rec.Code >= 300 || partial:
		case body == "":
			if deref(t, d, rb)["required"] == true {
				t.Errorf("the request worked without a body, which the document requires")
			}
		default:
			media, ok := deref(t, d, rb)["content"].(doc)[contentType].(doc)
			if !ok {
				t.Fatalf("request content type %q is not documented", contentType)
			}
			var sent any = body
			if contentType == jsonType {
				sent = decodeAny(t, []byte(body))
			}
			for _, e := range checkMediaValue(t, d, contentType, media["schema"].(doc), sent) {
				t.Errorf("request body: %s", e)
			}
		}
		return rec
	}
	for _, tt := range tests {
		method, _, _ := strings.Cut(tt.op, " ")
		name := fmt.Sprintf("%s %s %d", method, tt.target, tt.wantStatus)
		t.Run(name, func(t *testing.T) {
			req := newRequest(method, tt.target, tt.body)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.key != "" {
				req.Header.Set("Authorization", "Bearer "+tt.key)
			}
			check(t, tt.op, servers[tt.srv], req, tt.contentType, tt.body, tt.wantStatus)
		})
	}

	// Rebuilds on real stores: one held after its first batch, to see its
	// progress and a conflict; then rebuilds started through the API.
	t.Run("rebuilds", func(t *testing.T) {
		const target = "/api/admin/reindex"
		post := func(t *testing.T, srv *Server, body string, wantStatus int) reindexStatus {
			t.Helper()
			contentType := ""
			if body != "" {
				contentType = jsonType
			}
			rec := check(t, "POST "+target, srv, adminReq(http.MethodPost, target, body), contentType, body, wantStatus)
			var s reindexStatus
			if wantStatus == http.StatusAccepted {
				if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
					t.Fatal(err)
				}
			}
			return s
		}
		status := func(t *testing.T, srv *Server) reindexStatus {
			t.Helper()
			rec := check(t, "GET "+target, srv, adminReq(http.MethodGet, target, ""), "", "", http.StatusOK)
			var s reindexStatus
			if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		// finished polls the status, checking every answer, until no
		// rebuild runs.
		finished := func(t *testing.T, srv *Server) reindexStatus {
			t.Helper()
			deadline := time.Now().Add(60 * time.Second)
			for {
				s := status(t, srv)
				if s.Running == nil {
					if s.Last == nil || s.Last.Err != "" || s.Last.Running || s.Last.Finished.IsZero() {
						t.Fatalf("no rebuild running, and the last is %+v", s.Last)
					}
					return s
				}
				if time.Now().After(deadline) {
					t.Fatalf("rebuild not done after 60s: %+v", s.Running)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}

		held, release := make(chan struct{}), make(chan struct{})
		var holdOnce, releaseOnce sync.Once
		unblock := func() { releaseOnce.Do(func() { close(release) }) }
		defer unblock()
		done := make(chan error, 1)
		go func() {
			_, err := st.Rebuild(context.Background(), nil, store.RebuildOptions{OnProgress: func(store.Progress) {
				holdOnce.Do(func() {
					close(held)
					<-release
				})
			}})
			done <- err
		}()
		select {
		case <-held:
		case err := <-done:
			t.Fatalf("the rebuild ended before its first progress: %v", err)
		}
		if s := status(t, storeSrv); s.Running == nil || !s.Running.Running || s.Running.Source != "stored" || s.Running.Done == 0 {
			t.Errorf("status during a rebuild: running = %+v", s.Running)
		}
		post(t, storeSrv, "", http.StatusConflict)
		post(t, storeSrv, `{"source":"stored"}`, http.StatusConflict)
		unblock()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		finished(t, storeSrv)

		// Without configured sources, from the stored articles.
		if s := post(t, storeSrv, "", http.StatusAccepted); s.Running == nil || s.Running.Source != "stored" || s.Last != nil || len(s.Sources) != 0 {
			t.Errorf("202 = %+v", s)
		}
		if s := finished(t, storeSrv); s.Last.Source != "stored" || s.Last.Done != 13 {
			t.Errorf("last = %+v", s.Last)
		}
		// With them, from the files by default.
		if s := post(t, filesSrv, "", http.StatusAccepted); s.Running == nil || s.Running.Source != "files" || len(s.Sources) != 2 {
			t.Errorf("202 = %+v", s)
		}
		if s := finished(t, filesSrv); s.Last.Source != "files" || s.Last.Done != 14 || s.Last.Rejected != 1 || len(s.Last.Errors) != 1 ||
			s.Last.Warned != 1 || s.Last.Read == 0 || s.Last.Size == 0 {
			t.Errorf("last = %+v", s.Last)
		}
		post(t, filesSrv, `{"source":"stored"}`, http.StatusAccepted)
		if s := finished(t, filesSrv); s.Last.Source != "stored" || s.Last.Done != 14 {
			t.Errorf("last = %+v", s.Last)
		}
	})

	for _, key := range slices.Sorted(maps.Keys(ops)) {
		for status := range ops[key]["responses"].(doc) {
			k := key + " " + status
			if !covered[k] && untested[k] == "" {
				t.Errorf("%s is documented but no request here produced it", k)
			}
		}
	}

	// Unknown paths and wrong methods answer the shared responses.
	for _, tt := range []struct {
		method, target, response string
		status                   int
	}{
		{http.MethodGet, "/api/nope", "NotFound", http.StatusNotFound},
		{http.MethodPost, "/api/search", "MethodNotAllowed", http.StatusMethodNotAllowed},
		{http.MethodPatch, "/api/articles/law", "MethodNotAllowed", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/healthz", "MethodNotAllowed", http.StatusMethodNotAllowed},
	} {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			rec := do(t, realSrv, newRequest(tt.method, tt.target, ""))
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			r, err := resolve(d, "#/components/responses/"+tt.response)
			if err != nil {
				t.Fatal(err)
			}
			checkResponse(t, d, r, rec)
		})
	}
}

// failingRebuilder is a backend whose rebuilds fail to start with err.
type failingRebuilder struct {
	fakeBackend
	err error
}

var _ Rebuilder = (*failingRebuilder)(nil)

func (f *failingRebuilder) StartRebuild(context.Context, []string, store.RebuildOptions) (store.Progress, error) {
	return store.Progress{}, f.err
}

func (f *failingRebuilder) Status() (running, last *store.Progress) { return nil, nil }

// checkResponse checks an answer against a documented response: required
// headers, content type, and body.
func checkResponse(t *testing.T, d doc, resp doc, rec *httptest.ResponseRecorder) {
	t.Helper()
	headers, _ := resp["headers"].(doc)
	for name, h := range headers {
		if deref(t, d, h.(doc))["required"] == true && rec.Header().Get(name) == "" {
			t.Errorf("no %s header", name)
		}
	}
	content, _ := resp["content"].(doc)
	if len(content) == 0 {
		if rec.Body.Len() != 0 {
			t.Errorf("body %q where none is documented", rec.Body)
		}
		return
	}
	ct := rec.Header().Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", ct, err)
	}
	media, ok := content[mt].(doc)
	if !ok {
		t.Fatalf("Content-Type %q is not documented (%v)", ct, slices.Collect(maps.Keys(content)))
	}
	var body any = rec.Body.String()
	if mt == "application/json" {
		body = decodeAny(t, rec.Body.Bytes())
	}
	for _, e := range validate(d, media["schema"].(doc), body, "$") {
		t.Errorf("body: %s", e)
	}
}
