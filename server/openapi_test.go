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
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
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
	"minimum": true, "maximum": true, "minLength": true, "maxLength": true,
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
		// Writes, and only writes, need the admin key.
		write := !strings.HasPrefix(key, "GET ")
		sec, _ := op["security"].([]any)
		wantSec := []any{doc{"adminKey": []any{}}}
		if write != reflect.DeepEqual(sec, wantSec) {
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
	}
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

		{op: "GET /api/openapi.json", srv: "none", target: "/api/openapi.json", wantStatus: 200},
		{op: "GET /healthz", srv: "real", target: "/healthz", wantStatus: 200},
		{op: "GET /healthz", srv: "none", target: "/healthz", wantStatus: 503},
		{op: "GET /metrics", srv: "real", target: "/metrics", wantStatus: 200},
	}
	// Statuses documented but not produced here, and why.
	untested := map[string]string{
		"GET /api/analyze 500": "the analyzer fails only when it cannot be built",
		"GET /api/analyze 503": "the segmenter is process-wide, and loaded (TestClassify covers zh.ErrNotLoaded)",
	}

	covered := map[string]bool{}
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
			rec := do(t, servers[tt.srv], req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			op, ok := ops[tt.op]
			if !ok {
				t.Fatalf("%s is not documented", tt.op)
			}
			covered[tt.op+" "+strconv.Itoa(rec.Code)] = true
			r, ok := op["responses"].(doc)[strconv.Itoa(rec.Code)].(doc)
			if !ok {
				t.Fatalf("%s answered %d, which is not documented", tt.op, rec.Code)
			}
			checkResponse(t, d, deref(t, d, r), rec)

			// What a request that worked sent is what the document says to send.
			// (A 200 from POST reports records it rejected.)
			partial := tt.op == "POST /api/articles" && rec.Code == http.StatusOK
			if rb, ok := op["requestBody"].(doc); ok && rec.Code < 300 && !partial {
				media, ok := deref(t, d, rb)["content"].(doc)[tt.contentType].(doc)
				if !ok {
					t.Fatalf("request content type %q is not documented", tt.contentType)
				}
				var sent any = tt.body
				if tt.contentType == jsonType {
					sent = decodeAny(t, []byte(tt.body))
				}
				for _, e := range checkMediaValue(t, d, tt.contentType, media["schema"].(doc), sent) {
					t.Errorf("request body: %s", e)
				}
			}
		})
	}

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
