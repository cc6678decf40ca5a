package server

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wensou/wensou/index/store"
)

// A checker for the subset of JSON Schema that openapi.json uses, and
// its tests. TestOpenAPI_Document fails if the document uses more.

// doc is a decoded JSON document.
type doc = map[string]any

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
		{"extra property", "Result", mutate(result, func(r doc) { r["relevance"] = true }), `$: property "relevance" is not allowed`},
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
