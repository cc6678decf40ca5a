package server

import (
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/search"
)

func init() {
	// Other packages' tests use -update for golden files; define it here
	// unless another test file of this package already has.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// getPage requests target through the real engine; headers come in
// name, value pairs.
func getPage(t *testing.T, srv *Server, target string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Accept", "text/html")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, srv, req)
}

// apiResult is the API's answer to the same query, to check the page by.
func apiResult(t *testing.T, srv *Server, query string) search.Result {
	t.Helper()
	rec := do(t, srv, httptest.NewRequest(http.MethodGet, "/api/search?"+query, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/search?%s: %d %s", query, rec.Code, rec.Body)
	}
	var res search.Result
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// parsePage checks that rec is an HTML page with the security headers and
// parses it.
func parsePage(t *testing.T, rec *httptest.ResponseRecorder, wantStatus int) *html.Node {
	t.Helper()
	if rec.Code != wantStatus {
		t.Fatalf("status = %d, want %d; body:\n%s", rec.Code, wantStatus, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/html; charset=utf-8", ct)
	}
	checkPageHeaders(t, rec.Header())
	doc, err := html.Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func checkPageHeaders(t *testing.T, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("Content-Security-Policy %q allows inline or eval", csp)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
}

// match selects elements by tag ("" for any) and attributes given as
// name, value pairs; a value "*" only needs the attribute, and "class"
// matches one of the element's classes.
func match(tag string, attrs ...string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		if n.Type != html.ElementNode || (tag != "" && n.Data != tag) {
			return false
		}
		for i := 0; i+1 < len(attrs); i += 2 {
			v, ok := attr(n, attrs[i])
			switch {
			case !ok:
				return false
			case attrs[i] == "class":
				if !slices.Contains(strings.Fields(v), attrs[i+1]) {
					return false
				}
			case attrs[i+1] != "*" && v != attrs[i+1]:
				return false
			}
		}
		return true
	}
}

func findAll(n *html.Node, pred func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if pred(d) {
			out = append(out, d)
		}
	}
	return out
}

func findOne(t *testing.T, n *html.Node, what string, pred func(*html.Node) bool) *html.Node {
	t.Helper()
	all := findAll(n, pred)
	if len(all) != 1 {
		t.Fatalf("found %d %s, want 1", len(all), what)
	}
	return all[0]
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func attrOf(n *html.Node, name string) string {
	v, _ := attr(n, name)
	return v
}

// text is an element's text, with runs of space collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// innerHTML renders an element's children.
func innerHTML(t *testing.T, n *html.Node) string {
	t.Helper()
	var b strings.Builder
	for c := range n.ChildNodes() {
		if err := html.Render(&b, c); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// hrefQuery reads the query of a link to the search page.
func hrefQuery(t *testing.T, href string) url.Values {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil || u.Path != "/" {
		t.Fatalf("link %q is not to the search page", href)
	}
	return u.Query()
}

// authorBoxes maps each author checkbox to whether it is ticked and the
// count shown beside it.
type authorBox struct {
	Checked bool
	Count   string
}

func authorBoxes(doc *html.Node) map[string]authorBox {
	out := map[string]authorBox{}
	for _, in := range findAll(doc, match("input", "type", "checkbox", "name", "author")) {
		_, checked := attr(in, "checked")
		b := authorBox{Checked: checked}
		if counts := findAll(in.Parent, match("span", "class", "count")); len(counts) == 1 {
			b.Count = text(counts[0])
		}
		out[attrOf(in, "value")] = b
	}
	return out
}

// facetLinks maps the labels of a facet's links (years, months) to their
// counts.
func facetLinks(doc *html.Node, headingID string) map[string]string {
	out := map[string]string{}
	for _, sec := range findAll(doc, match("section", "aria-labelledby", headingID)) {
		for _, a := range findAll(sec, match("a")) {
			label := text(findAll(a, match("span", "class", "facet-label"))[0])
			out[label] = text(findAll(a, match("span", "class", "count"))[0])
		}
	}
	return out
}

func bucketMap(bs []search.Bucket) map[string]string {
	out := map[string]string{}
	for _, b := range bs {
		out[b.Value] = strconv.Itoa(b.Count)
	}
	return out
}

func TestSearchPage_Results(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	want := apiResult(t, srv, "q=职业教育")
	doc := parsePage(t, getPage(t, srv, "/?q="+url.QueryEscape("职业教育")), http.StatusOK)

	heading := text(findOne(t, doc, "results heading", match("h1", "id", "results-heading")))
	total := strconv.FormatUint(want.Total, 10)
	if !strings.Contains(heading, "共 "+total+" 条结果") || !strings.Contains(heading, total+" results") || !strings.Contains(heading, " ms") {
		t.Errorf("heading = %q, want the total %s in Chinese and English and the time", heading, total)
	}
	titles := findAll(doc, match("h2", "class", "hit-title"))
	if len(titles) != len(want.Hits) {
		t.Fatalf("%d hits shown, want %d", len(titles), len(want.Hits))
	}
	for i, h := range titles {
		if got := innerHTML(t, findOne(t, h, "title link", match("a"))); got != want.Hits[i].Highlight.Title {
			t.Errorf("hit %d title = %q, want the highlight %q", i, got, want.Hits[i].Highlight.Title)
		}
		if len(findAll(h, match("mark"))) == 0 {
			t.Errorf("hit %d title %q has no <mark>", i, text(h))
		}
	}
	// The article with a url links to it, and to its page here.
	law := findOne(t, doc, "law link", match("a", "href", "https://news.example.com/2022/05/law"))
	if !strings.Contains(text(law), "职业教育法") {
		t.Errorf("law link text = %q", text(law))
	}
	findOne(t, doc, "law full text link", match("a", "href", "/articles/law"))
	findOne(t, doc, "edu1 link", match("a", "href", "/articles/edu1"))

	if diff := cmp.Diff(bucketMap(want.Facets.Year), facetLinks(doc, "years-heading")); diff != "" {
		t.Errorf("year facet (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(bucketMap(want.Facets.Month), facetLinks(doc, "months-heading")); diff != "" {
		t.Errorf("month facet (-want +got):\n%s", diff)
	}
	gotAuthors := map[string]string{}
	for a, b := range authorBoxes(doc) {
		gotAuthors[a] = b.Count
	}
	if diff := cmp.Diff(bucketMap(want.Facets.Author), gotAuthors); diff != "" {
		t.Errorf("author facet (-want +got):\n%s", diff)
	}
	if q := attrOf(findOne(t, doc, "search box", match("input", "id", "q")), "value"); q != "职业教育" {
		t.Errorf("search box value = %q", q)
	}
}

func TestSearchPage_Escaping(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	for _, tc := range []struct {
		target      string
		wantEscaped string
	}{
		{"/?q=script", "&lt;<mark>script</mark>&gt;window.pwned=1;alert(&#39;xss&#39;)&lt;/<mark>script</mark>&gt;"},
		{"/?q=pwned&sort=newest", "&lt;script&gt;window.<mark>pwned</mark>=1;"},
		{"/articles/xss", "&lt;script&gt;window.pwned=1;alert(&#39;xss&#39;)&lt;/script&gt;"},
		{"/?q=" + url.QueryEscape(`<script>window.pwned=1</script>`), `value="&lt;script&gt;window.pwned=1&lt;/script&gt;"`},
	} {
		target := tc.target
		t.Run(target, func(t *testing.T) {
			rec := getPage(t, srv, target)
			body := rec.Body.String()
			if strings.Contains(body, "<script>window.pwned") || strings.Contains(body, "<script>alert") {
				t.Errorf("raw <script> from an article or the query in the page:\n%s", body)
			}
			doc := parsePage(t, rec, http.StatusOK)
			if !strings.Contains(body, tc.wantEscaped) {
				t.Errorf("page lacks the escaped %s", tc.wantEscaped)
			}
			// The only script is ours, from /static, with no inline code.
			for _, s := range findAll(doc, match("script")) {
				if src := attrOf(s, "src"); !strings.HasPrefix(src, "/static/search.js?v=") || text(s) != "" {
					t.Errorf("unexpected script: src=%q text=%q", src, text(s))
				}
			}
			// No inline event handlers or styles, which the CSP would block.
			for _, n := range findAll(doc, func(n *html.Node) bool { return n.Type == html.ElementNode }) {
				for _, a := range n.Attr {
					if strings.HasPrefix(a.Key, "on") || a.Key == "style" {
						t.Errorf("<%s %s=%q> is inline code", n.Data, a.Key, a.Val)
					}
				}
			}
		})
	}
	doc := parsePage(t, getPage(t, srv, "/?q=script"), http.StatusOK)
	title := findOne(t, doc, "hit title", match("h2", "class", "hit-title"))
	if got, want := text(title), "What <script> tags can do"; got != want {
		t.Errorf("title text = %q, want %q", got, want)
	}
}

func TestSearchPage_Authors(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	query := "q=" + url.QueryEscape("职业教育") + "&author=" + url.QueryEscape("赵静") + "&author=" + url.QueryEscape("王雪")
	want := apiResult(t, srv, query)
	doc := parsePage(t, getPage(t, srv, "/?"+query), http.StatusOK)

	wantBoxes := map[string]authorBox{}
	for _, b := range want.Facets.Author {
		wantBoxes[b.Value] = authorBox{Checked: b.Value == "赵静" || b.Value == "王雪", Count: strconv.Itoa(b.Count)}
	}
	if diff := cmp.Diff(wantBoxes, authorBoxes(doc)); diff != "" {
		t.Errorf("author checkboxes (-want +got):\n%s", diff)
	}
	if len(wantBoxes) < 3 {
		t.Errorf("only %d authors offered; the facet should ignore its own filter", len(wantBoxes))
	}
	hits := findAll(doc, match("li", "class", "hit"))
	if len(hits) != len(want.Hits) || want.Total == 0 {
		t.Fatalf("%d hits shown, want %d (total %d)", len(hits), len(want.Hits), want.Total)
	}
	for _, h := range hits {
		meta := text(findOne(t, h, "hit meta", match("p", "class", "hit-meta")))
		if !strings.Contains(meta, "赵静") && !strings.Contains(meta, "王雪") {
			t.Errorf("hit by neither selected author: %q", meta)
		}
	}
	// Each selected author is a chip whose link drops only that author.
	var chips []url.Values
	for _, a := range findAll(doc, match("a", "class", "chip")) {
		chips = append(chips, hrefQuery(t, attrOf(a, "href")))
	}
	wantChips := []url.Values{
		{"q": {"职业教育"}, "author": {"王雪"}},
		{"q": {"职业教育"}, "author": {"赵静"}},
	}
	if diff := cmp.Diff(wantChips, chips); diff != "" {
		t.Errorf("filter chips (-want +got):\n%s", diff)
	}
	// An author the facet does not list stays ticked, so it can be unticked.
	doc = parsePage(t, getPage(t, srv, "/?q=oil&author=Nobody"), http.StatusOK)
	if got := authorBoxes(doc)["Nobody"]; !got.Checked {
		t.Errorf("Nobody's box = %+v, want ticked", got)
	}
}

func TestSearchPage_Dates(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	doc := parsePage(t, getPage(t, srv, "/?q="+url.QueryEscape("职业教育")+"&from=2021&to=2021"), http.StatusOK)
	// The bounds show as the dates the search read.
	if from := attrOf(findOne(t, doc, "from", match("input", "name", "from")), "value"); from != "2021-01-01" {
		t.Errorf("from = %q, want 2021-01-01", from)
	}
	if to := attrOf(findOne(t, doc, "to", match("input", "name", "to")), "value"); to != "2021-12-31" {
		t.Errorf("to = %q, want 2021-12-31", to)
	}
	active := findOne(t, doc, "active year", match("a", "class", "active", "aria-current", "true"))
	if got := text(active); !strings.HasPrefix(got, "2021") {
		t.Errorf("active year = %q", got)
	}
	// Clicking it again clears the dates; the months are 2021's.
	if diff := cmp.Diff(url.Values{"q": {"职业教育"}}, hrefQuery(t, attrOf(active, "href"))); diff != "" {
		t.Errorf("active year link (-want +got):\n%s", diff)
	}
	for m := range facetLinks(doc, "months-heading") {
		if !strings.HasPrefix(m, "2021-") {
			t.Errorf("month %s offered while 2021 is selected", m)
		}
	}
	for _, h := range findAll(doc, match("time")) {
		if !strings.HasPrefix(attrOf(h, "datetime"), "2021-") {
			t.Errorf("hit dated %s", attrOf(h, "datetime"))
		}
	}
}

func TestSearchPage_Pagination(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	q := url.QueryEscape("职业教育")
	doc := parsePage(t, getPage(t, srv, "/?q="+q+"&author="+url.QueryEscape("王雪")+"&from=2022-01-01&sort=newest&size=1&page=2"), http.StatusOK)
	nav := findOne(t, doc, "pagination", match("nav", "class", "pager"))
	keep := url.Values{"q": {"职业教育"}, "author": {"王雪"}, "from": {"2022-01-01"}, "sort": {"newest"}, "size": {"1"}}
	withPage := func(p string) url.Values {
		v := url.Values{}
		for k, x := range keep {
			v[k] = x
		}
		if p != "" {
			v.Set("page", p)
		}
		return v
	}
	prev := findOne(t, nav, "prev", match("a", "rel", "prev"))
	next := findOne(t, nav, "next", match("a", "rel", "next"))
	if diff := cmp.Diff(withPage(""), hrefQuery(t, attrOf(prev, "href"))); diff != "" {
		t.Errorf("previous link (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(withPage("3"), hrefQuery(t, attrOf(next, "href"))); diff != "" {
		t.Errorf("next link (-want +got):\n%s", diff)
	}
	if !strings.Contains(text(prev), "上一页") || !strings.Contains(text(next), "Next") {
		t.Errorf("pager words: %q, %q", text(prev), text(next))
	}
	cur := findOne(t, nav, "current page", match("a", "aria-current", "page"))
	if text(cur) != "2" {
		t.Errorf("current page = %q, want 2", text(cur))
	}
	if n := len(findAll(doc, match("li", "class", "hit"))); n != 1 {
		t.Errorf("%d hits on the page, want 1", n)
	}
}

func TestSearchPage_Partial(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	rec := getPage(t, srv, "/?q="+url.QueryEscape("职业教育")+"&size=2", partialHeader, "1")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
	checkPageHeaders(t, rec.Header())
	if got := rec.Header().Get(partialHeader); got != "1" {
		t.Errorf("%s = %q, want 1", partialHeader, got)
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	if !slices.Contains(rec.Header().Values("Vary"), partialHeader) {
		t.Errorf("Vary = %q, want %s", rec.Header().Values("Vary"), partialHeader)
	}
	body := rec.Body.String()
	if !strings.HasPrefix(body, `<div id="area"`) || strings.Contains(body, "<html") || strings.Contains(body, "<form") {
		t.Errorf("fragment is not just #area:\n%s", body)
	}
	nodes, err := html.ParseFragment(strings.NewReader(body), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatal(err)
	}
	root := &html.Node{Type: html.ElementNode, Data: "body"}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	if n := len(findAll(root, match("li", "class", "hit"))); n != 2 {
		t.Errorf("%d hits in the fragment, want 2", n)
	}
	if got := attrOf(findOne(t, root, "area", match("div", "id", "area")), "data-title"); got != "职业教育 - 文搜 wensou" {
		t.Errorf("data-title = %q", got)
	}

	// A bad parameter gives the fragment with the message, and 400.
	rec = getPage(t, srv, "/?q=a*", partialHeader, "1")
	if rec.Code != http.StatusBadRequest || rec.Header().Get(partialHeader) != "1" || !strings.Contains(rec.Body.String(), `role="alert"`) {
		t.Errorf("bad query fragment: %d %v\n%s", rec.Code, rec.Header(), rec.Body)
	}
}

func TestSearchPage_BadParams(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	for _, query := range []string{
		"q=x&page=two",
		"size=1000",
		"page=2000&size=10",
		"sort=best",
		"from=notadate",
		"from=2024-01-01&to=2023-01-01",
		"q=a*",
	} {
		t.Run(query, func(t *testing.T) {
			api := do(t, srv, httptest.NewRequest(http.MethodGet, "/api/search?"+query, nil))
			var apiErr apiError
			if err := json.Unmarshal(api.Body.Bytes(), &apiErr); err != nil || api.Code != http.StatusBadRequest {
				t.Fatalf("API: %d %s", api.Code, api.Body)
			}
			doc := parsePage(t, getPage(t, srv, "/?"+query), http.StatusBadRequest)
			alert := findOne(t, doc, "alert", match("div", "role", "alert"))
			if got := text(alert); !strings.Contains(got, apiErr.Error.Message) || !strings.Contains(got, "请求有误") {
				t.Errorf("alert = %q, want the API's message %q", got, apiErr.Error.Message)
			}
			// The form is still there to fix the search.
			findOne(t, doc, "search box", match("input", "name", "q"))
		})
	}
}

func TestSearchPage_Browse(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	doc := parsePage(t, getPage(t, srv, "/"), http.StatusOK)
	if h := text(findOne(t, doc, "heading", match("h1", "id", "results-heading"))); !strings.Contains(h, "最新文章") {
		t.Errorf("heading = %q, want the newest articles", h)
	}
	var dates []string
	for _, tm := range findAll(doc, match("time")) {
		dates = append(dates, attrOf(tm, "datetime"))
	}
	if len(dates) < 5 || !slices.IsSortedFunc(dates, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("browse dates = %v, want the newest first", dates)
	}
	sel := findOne(t, doc, "selected sort", match("option", "selected", "*"))
	if got := text(sel); !strings.Contains(got, "Newest") || attrOf(sel, "value") != "" {
		t.Errorf("selected sort = %q (value %q), want Newest as the default", got, attrOf(sel, "value"))
	}
	if _, ok := attr(findOne(t, doc, "search box", match("input", "id", "q")), "autofocus"); !ok {
		t.Error("the empty search box has no autofocus")
	}
}

// TestSearchPage_Form checks the page works without JavaScript: one GET
// form, and every control belongs to it.
func TestSearchPage_Form(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	doc := parsePage(t, getPage(t, srv, "/?q="+url.QueryEscape("职业教育")+"&tag="+url.QueryEscape("教育")+"&size=5"), http.StatusOK)
	form := findOne(t, doc, "form", match("form"))
	if attrOf(form, "method") != "get" || attrOf(form, "action") != "/" || attrOf(form, "id") != "search" {
		t.Errorf("form = %v, want method=get action=/ id=search", form.Attr)
	}
	names := map[string]bool{}
	for _, n := range findAll(doc, func(n *html.Node) bool {
		return n.Type == html.ElementNode && (n.Data == "input" || n.Data == "select" || n.Data == "button")
	}) {
		inForm := false
		for p := n.Parent; p != nil; p = p.Parent {
			inForm = inForm || p == form
		}
		if !inForm && attrOf(n, "form") != "search" {
			t.Errorf("<%s name=%q> is not in the form", n.Data, attrOf(n, "name"))
		}
		if name := attrOf(n, "name"); name != "" {
			names[name+":"+attrOf(n, "type")] = true
		}
	}
	for _, want := range []string{"q:search", "author:checkbox", "from:date", "to:date", "sort:", "tag:hidden", "size:hidden"} {
		if !names[want] {
			t.Errorf("no control %s; have %v", want, names)
		}
	}
	if n := len(findAll(doc, match("button", "type", "submit"))); n < 2 {
		t.Errorf("%d submit buttons, want the search button and one for the filters", n)
	}
	// Each control has a label.
	for _, id := range []string{"q", "from", "to"} {
		findOne(t, doc, "label for "+id, match("label", "for", id))
	}
}

func TestSearchPage_CanonicalRedirect(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	// What a form submitted without JavaScript sends.
	rec := getPage(t, srv, "/?q=oil&sort=&from=&to=&size=2")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/?q=oil&size=2" {
		t.Errorf("got %d Location %q, want 303 to /?q=oil&size=2", rec.Code, rec.Header().Get("Location"))
	}
	// The fragment is never redirected.
	if rec := getPage(t, srv, "/?q=oil&from=", partialHeader, "1"); rec.Code != http.StatusOK {
		t.Errorf("fragment: %d", rec.Code)
	}
}

func TestArticlePage(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	rec := getPage(t, srv, "/articles/group", "Referer", "http://elsewhere.test/?q=%E8%81%8C%E4%B8%9A&page=2")
	doc := parsePage(t, rec, http.StatusOK)
	if got := text(findOne(t, doc, "h1", match("h1"))); got != "许昌职业教育集团成立" {
		t.Errorf("h1 = %q", got)
	}
	meta := findOne(t, doc, "meta", match("dl", "class", "article-meta"))
	var authors []string
	for _, a := range findAll(meta, match("a")) {
		authors = append(authors, attrOf(a, "href"))
	}
	want := []string{"/?author=%E8%B5%B5%E9%9D%99", "/?author=%E6%9D%8E%E6%98%8E%E5%8D%8E", "/?tag=%E6%95%99%E8%82%B2"}
	if diff := cmp.Diff(want, authors); diff != "" {
		t.Errorf("author and tag links (-want +got):\n%s", diff)
	}
	if got := text(meta); !strings.Contains(got, "2023-06-18") || !strings.Contains(got, "作者") || !strings.Contains(got, "Tags") {
		t.Errorf("meta = %q", got)
	}
	if n := len(findAll(doc, match("p", "class", "crumbs"))); n != 1 {
		t.Fatalf("%d back links", n)
	}
	// Another site's page is not a search to go back to.
	if back := attrOf(findAll(findOne(t, doc, "crumbs", match("p", "class", "crumbs")), match("a"))[0], "href"); back != "/" {
		t.Errorf("back = %q, want /", back)
	}

	req := httptest.NewRequest(http.MethodGet, "http://wensou.test/articles/law", nil)
	req.Header.Set("Referer", "http://wensou.test/?q=%E8%81%8C%E4%B8%9A&page=2")
	doc = parsePage(t, do(t, srv, req), http.StatusOK)
	if back := attrOf(findAll(findOne(t, doc, "crumbs", match("p", "class", "crumbs")), match("a"))[0], "href"); back != "/?q=%E8%81%8C%E4%B8%9A&page=2" {
		t.Errorf("back = %q, want the search it came from", back)
	}
	findOne(t, doc, "original link", match("a", "href", "https://news.example.com/2022/05/law"))
	body := findOne(t, doc, "body", match("div", "class", "article-body"))
	if got := text(body); !strings.HasPrefix(got, "5月1日，新修订的《中华人民共和国职业教育法》正式施行。") {
		t.Errorf("body = %q", got)
	}
}

func TestErrorPages(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	for _, tc := range []struct {
		target      string
		wantStatus  int
		wantHeading string
	}{
		{"/articles/nope", http.StatusNotFound, "找不到文章 · Article not found"},
		{"/no/such/page", http.StatusNotFound, "找不到页面 · Page not found"},
		{"/static/", http.StatusNotFound, "找不到页面 · Page not found"},
		{"/static/nope.css", http.StatusNotFound, "找不到页面 · Page not found"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			doc := parsePage(t, getPage(t, srv, tc.target), tc.wantStatus)
			if got := text(findOne(t, doc, "h1", match("h1"))); got != tc.wantHeading {
				t.Errorf("heading = %q, want %q", got, tc.wantHeading)
			}
			if attrOf(findOne(t, doc, "html", match("html")), "lang") != "zh-CN" {
				t.Error("no lang=zh-CN")
			}
			findOne(t, doc, "search box", match("input", "name", "q"))
		})
	}

	// With no index yet the search page says so, 503.
	empty, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := getPage(t, empty, "/?q=x")
	doc := parsePage(t, rec, http.StatusServiceUnavailable)
	if got := text(findOne(t, doc, "alert", match("div", "role", "alert"))); !strings.Contains(got, errUnavailable.Error()) {
		t.Errorf("alert = %q", got)
	}
	if rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

func TestStaticAssets(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	doc := parsePage(t, getPage(t, srv, "/"), http.StatusOK)
	var urls []string
	for _, n := range findAll(doc, func(n *html.Node) bool { return n.Data == "link" || n.Data == "script" }) {
		if u := attrOf(n, "href") + attrOf(n, "src"); u != "" {
			urls = append(urls, u)
		}
	}
	wantTypes := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
	if len(urls) != 3 {
		t.Errorf("assets = %v, want the style, icon and script", urls)
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, "/static/") || !strings.Contains(u, "?v=") {
			t.Errorf("asset %q is not a versioned /static URL", u)
		}
		rec := getPage(t, srv, u)
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Fatalf("GET %s: %d", u, rec.Code)
		}
		ext := filepath.Ext(strings.Split(u, "?")[0])
		if got := rec.Header().Get("Content-Type"); got != wantTypes[ext] {
			t.Errorf("GET %s: Content-Type %q, want %q", u, got, wantTypes[ext])
		}
		lm := rec.Header().Get("Last-Modified")
		if lm == "" {
			t.Errorf("GET %s: no Last-Modified", u)
			continue
		}
		if rec := getPage(t, srv, u, "If-Modified-Since", lm); rec.Code != http.StatusNotModified {
			t.Errorf("GET %s since %s: %d, want 304", u, lm, rec.Code)
		}
	}
	// The stylesheet loads no fonts or anything else from elsewhere.
	css := getPage(t, srv, "/static/style.css").Body.String()
	if strings.Contains(css, "@import") || strings.Contains(css, "url(") || !strings.Contains(css, "PingFang SC") {
		t.Error("style.css imports something, or lacks the Chinese font stack")
	}
}

// TestSearchPage_Golden pins the fragment of one search (without the
// time it took). Run go test -update to rewrite it.
func TestSearchPage_Golden(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	rec := getPage(t, srv, "/?q="+url.QueryEscape("职业教育")+"&author="+url.QueryEscape("李明华")+"&size=2", partialHeader, "1")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	got := regexp.MustCompile(`<span class="took">[^<]*</span>`).ReplaceAllString(rec.Body.String(), `<span class="took">· TOOK</span>`)
	path := filepath.Join("testdata", "web", "search.golden")
	if updateGolden() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("fragment differs from %s (-want +got):\n%s", path, diff)
	}
}

// TestSearchPage_Typos: a corrected query says what was searched and
// links to the search of the words as typed.
func TestSearchPage_Typos(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	rec := getPage(t, srv, "/?q=bakrey")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
	doc, err := html.Parse(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	note := findOne(t, doc, "correction", match("p", "class", "corrected"))
	if text := strings.Join(strings.Fields(text(note)), " "); !strings.Contains(text, "Showing results for bakery") || !strings.Contains(text, "Search instead for bakrey") {
		t.Errorf("correction notice %q", text)
	}
	if links := findAll(note, match("a", "href", "/?q=bakrey&typos=false")); len(links) != 2 {
		t.Errorf("%d links to the words as typed, want 2 (Chinese and English)", len(links))
	}
	if n := len(findAll(doc, match("li", "class", "hit"))); n == 0 {
		t.Error("no hits for the corrected query")
	}
	rec = getPage(t, srv, "/?q=bakrey&typos=false")
	if body := rec.Body.String(); strings.Contains(body, "notice corrected") || strings.Contains(body, `class="hit"`) {
		t.Errorf("with typos=false: a correction or hits:\n%s", body)
	}
}

func TestStateOf_URL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		query string
		want  pageState
		url   string
	}{
		{"empty", "", pageState{}, "/"},
		{"query", "q=%E8%81%8C%E4%B8%9A+%E6%95%99%E8%82%B2", pageState{Q: "职业 教育"}, "/?q=%E8%81%8C%E4%B8%9A+%E6%95%99%E8%82%B2"},
		{"order", "page=2&size=5&sort=newest&to=2022&from=2021&tag=a&author=B&author=A&q=x",
			pageState{Q: "x", Authors: []string{"B", "A"}, Tags: []string{"a"}, From: "2021", To: "2022", Sort: "newest", Page: 2, Size: 5},
			"/?q=x&author=B&author=A&tag=a&from=2021&to=2022&sort=newest&page=2&size=5"},
		{"cleaned", "author=+A+&author=&author=A&page=1&size=abc&from=+&sort=", pageState{Authors: []string{"A"}, Page: 1}, "/?author=A"},
		{"escaping", "q=a%26b%3Dc%23d&author=%3Cx%3E", pageState{Q: "a&b=c#d", Authors: []string{"<x>"}}, "/?q=a%26b%3Dc%23d&author=%3Cx%3E"},
		{"typos off", "q=x&typos=false", pageState{Q: "x", NoTypos: true}, "/?q=x&typos=false"},
		{"typos on is the default", "q=x&typos=true", pageState{Q: "x"}, "/?q=x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got := stateOf(v)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("stateOf(%q) (-want +got):\n%s", tc.query, diff)
			}
			if u := got.URL(); u != tc.url {
				t.Errorf("URL() = %q, want %q", u, tc.url)
			}
		})
	}
}

func TestPageState_Links(t *testing.T) {
	t.Parallel()
	st := pageState{Q: "x", Authors: []string{"A", "B"}, Tags: []string{"t"}, From: "2022-01-01", To: "2022-12-31", Page: 3, Size: 5}
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"untick", st.toggleAuthor("A").URL(), "/?q=x&author=B&tag=t&from=2022-01-01&to=2022-12-31&size=5"},
		{"tick", st.toggleAuthor("C").URL(), "/?q=x&author=A&author=B&author=C&tag=t&from=2022-01-01&to=2022-12-31&size=5"},
		{"dates", st.withDates("2023-02-01", "2023-02-28").URL(), "/?q=x&author=A&author=B&tag=t&from=2023-02-01&to=2023-02-28&size=5"},
		{"no tag", st.withoutTag("t").URL(), "/?q=x&author=A&author=B&from=2022-01-01&to=2022-12-31&size=5"},
		{"page", st.withPage(4).URL(), "/?q=x&author=A&author=B&tag=t&from=2022-01-01&to=2022-12-31&page=4&size=5"},
		{"clear all", clearAllURL(st), "/?q=x&size=5"},
		{"clear none", clearAllURL(pageState{Q: "x"}), ""},
		{"unchanged", st.URL(), "/?q=x&author=A&author=B&tag=t&from=2022-01-01&to=2022-12-31&page=3&size=5"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestChips(t *testing.T) {
	t.Parallel()
	st := pageState{Q: "x", Authors: []string{"A"}, Tags: []string{"t"}, From: "2022-09-01", To: "2022-09-30"}
	want := []chip{
		{Kind: "作者 Author", Label: "A", Remove: "/?q=x&tag=t&from=2022-09-01&to=2022-09-30"},
		{Kind: "标签 Tag", Label: "t", Remove: "/?q=x&author=A&from=2022-09-01&to=2022-09-30"},
		{Kind: "日期 Date", Label: "2022-09", Remove: "/?q=x&author=A&tag=t"},
	}
	if diff := cmp.Diff(want, chips(st)); diff != "" {
		t.Errorf("chips (-want +got):\n%s", diff)
	}
}

func TestPaginate(t *testing.T) {
	t.Parallel()
	st := pageState{Q: "x"}
	href := func(p int) string { return st.withPage(p).URL() }
	pg := func(n, cur int) pageLink { return pageLink{Number: n, Href: href(n), Current: n == cur} }
	gap := pageLink{Gap: true}
	for _, tc := range []struct {
		name              string
		page, size, total int
		want              pager
	}{
		{"no results", 1, 10, 0, pager{}},
		{"one page", 1, 10, 10, pager{}},
		{"two pages", 1, 10, 11, pager{Next: href(2), Pages: []pageLink{pg(1, 1), pg(2, 1)}}},
		{"last of two", 2, 10, 11, pager{Prev: "/?q=x", Pages: []pageLink{pg(1, 2), pg(2, 2)}}},
		{"middle", 5, 2, 20, pager{Prev: href(4), Next: href(6),
			Pages: []pageLink{pg(1, 5), pg(2, 5), pg(3, 5), pg(4, 5), pg(5, 5), pg(6, 5), pg(7, 5), gap, pg(10, 5)}}},
		{"gaps", 50, 10, 1000, pager{Prev: href(49), Next: href(51),
			Pages: []pageLink{pg(1, 50), gap, pg(48, 50), pg(49, 50), pg(50, 50), pg(51, 50), pg(52, 50), gap, pg(100, 50)}}},
		{"window", 1000, 10, 50000, pager{Prev: href(999), Capped: true,
			Pages: []pageLink{pg(1, 1000), gap, pg(998, 1000), pg(999, 1000), pg(1000, 1000)}}},
		{"window, odd size", 1, 3, 20000, pager{Next: href(2), Capped: true,
			Pages: []pageLink{pg(1, 1), pg(2, 1), pg(3, 1), gap, pg(3333, 1)}}},
		{"window exactly", 1, 100, 10000, pager{Next: href(2),
			Pages: []pageLink{pg(1, 1), pg(2, 1), pg(3, 1), gap, pg(100, 1)}}},
		{"past the end", 9, 5, 12, pager{Prev: href(3), Pages: []pageLink{pg(1, 9), pg(2, 9), pg(3, 9)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := paginate(st, tc.page, tc.size, uint64(tc.total))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("paginate(page %d, size %d, total %d) (-want +got):\n%s", tc.page, tc.size, tc.total, diff)
			}
			for _, p := range got.Pages {
				if p.Number*max(tc.size, 1) > search.MaxWindow {
					t.Errorf("page %d of size %d is past the window", p.Number, tc.size)
				}
			}
		})
	}
}

func TestDateFacets(t *testing.T) {
	t.Parallel()
	years := []search.Bucket{{Value: "2023", Count: 2}, {Value: "2022", Count: 5}}
	months := []search.Bucket{{Value: "2023-06", Count: 2}, {Value: "2022-09", Count: 1}, {Value: "2022-02", Count: 4}}
	st := pageState{Q: "x", From: "2022-01-01", To: "2022-12-31"}
	wantYears := []facetOption{
		{Value: "2023", Label: "2023", Count: 2, Href: "/?q=x&from=2023-01-01&to=2023-12-31"},
		{Value: "2022", Label: "2022", Count: 5, Active: true, Href: "/?q=x"},
	}
	if diff := cmp.Diff(wantYears, yearOptions(years, st)); diff != "" {
		t.Errorf("yearOptions (-want +got):\n%s", diff)
	}
	// 2022 is selected: only its months.
	wantMonths := []facetOption{
		{Value: "2022-09", Label: "2022-09", Count: 1, Href: "/?q=x&from=2022-09-01&to=2022-09-30"},
		{Value: "2022-02", Label: "2022-02", Count: 4, Href: "/?q=x&from=2022-02-01&to=2022-02-28"},
	}
	if diff := cmp.Diff(wantMonths, monthOptions(months, st)); diff != "" {
		t.Errorf("monthOptions (-want +got):\n%s", diff)
	}
	// A selected month is active, clears on a click, and keeps its year's months.
	st = pageState{From: "2022-09-01", To: "2022-09-30"}
	got := monthOptions(months, st)
	if len(got) != 2 || !got[0].Active || got[0].Href != "/" || got[1].Active {
		t.Errorf("monthOptions with 2022-09 selected = %+v", got)
	}
	// No dates: every month.
	if got := monthOptions(months, pageState{}); len(got) != 3 {
		t.Errorf("monthOptions without dates = %+v", got)
	}
}

func TestDateHelpers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ month, from, to string }{
		{"2024-02", "2024-02-01", "2024-02-29"},
		{"2023-02", "2023-02-01", "2023-02-28"},
		{"2022-12", "2022-12-01", "2022-12-31"},
		{"bad", "", ""},
	} {
		if f, to := monthRange(tc.month); f != tc.from || to != tc.to {
			t.Errorf("monthRange(%q) = %q, %q; want %q, %q", tc.month, f, to, tc.from, tc.to)
		}
	}
	for _, tc := range []struct{ from, to, label, year string }{
		{"2022-01-01", "2022-12-31", "2022", "2022"},
		{"2022-09-01", "2022-09-30", "2022-09", "2022"},
		{"2022-09-01", "2022-10-31", "2022-09-01 – 2022-10-31", ""},
		{"2022-09-01", "", "2022-09-01 起 onwards", ""},
		{"", "2022-09-01", "至 until 2022-09-01", ""},
		{"2021-01-01", "2022-12-31", "2021-01-01 – 2022-12-31", ""},
	} {
		if got := dateLabel(tc.from, tc.to); got != tc.label {
			t.Errorf("dateLabel(%q, %q) = %q, want %q", tc.from, tc.to, got, tc.label)
		}
		if got := selectedYear(pageState{From: tc.from, To: tc.to}); got != tc.year {
			t.Errorf("selectedYear(%q, %q) = %q, want %q", tc.from, tc.to, got, tc.year)
		}
	}
	loc := article.DefaultLocation()
	if got := dateValue(time.Date(2022, 12, 31, 23, 59, 59, 0, loc), "2022"); got != "2022-12-31" {
		t.Errorf("dateValue = %q", got)
	}
	if got := dateValue(time.Time{}, "junk"); got != "junk" {
		t.Errorf("dateValue(zero) = %q", got)
	}
}

func TestAuthorOptions(t *testing.T) {
	t.Parallel()
	buckets := []search.Bucket{{Value: "A", Count: 3}, {Value: "B", Count: 1}}
	want := []facetOption{
		{Value: "A", Label: "A", Count: 3},
		{Value: "B", Label: "B", Count: 1, Active: true},
		{Value: "Z", Label: "Z", Active: true},
	}
	if diff := cmp.Diff(want, authorOptions(buckets, []string{"B", "Z"})); diff != "" {
		t.Errorf("authorOptions (-want +got):\n%s", diff)
	}
}

func TestSortOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q, sort string
		want    []string // value:selected
	}{
		{"", "", []string{"relevance:false", ":true", "oldest:false"}},
		{"x", "", []string{":true", "newest:false", "oldest:false"}},
		{"x", "newest", []string{":false", "newest:true", "oldest:false"}},
		{" ", "oldest", []string{"relevance:false", ":false", "oldest:true"}},
	} {
		var got []string
		for _, o := range sortOptions(tc.q, tc.sort) {
			got = append(got, o.Value+":"+strconv.FormatBool(o.Selected))
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("sortOptions(%q, %q) (-want +got):\n%s", tc.q, tc.sort, diff)
		}
	}
	for _, tc := range []struct {
		q, sort string
		want    search.Sort
	}{
		{"", "", search.SortNewest},
		{"  ", "", search.SortNewest},
		{"x", "", search.SortRelevance},
		{"", "oldest", search.SortOldest},
	} {
		if got := effectiveSort(tc.q, tc.sort); got != tc.want {
			t.Errorf("effectiveSort(%q, %q) = %q, want %q", tc.q, tc.sort, got, tc.want)
		}
	}
}

func TestCanonicalURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		query string
		want  string
		ok    bool
	}{
		{"q=x&from=&to=&sort=", "/?q=x", true},
		{"q=&author=A&author=", "/?author=A", true},
		{"q=", "/", true},
		{"q=x&sort=newest", "", false},
		{"q=+", "", false},
		{"q=x&from=&after=abc", "", false},
	} {
		v, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := canonicalURL(v); got != tc.want || ok != tc.ok {
			t.Errorf("canonicalURL(%q) = %q, %v; want %q, %v", tc.query, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSmallHelpers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ms   float64
		want string
	}{{0.42, "0.42 ms"}, {0, "0.00 ms"}, {1.74, "1.7 ms"}, {12.6, "13 ms"}} {
		if got := formatTook(tc.ms); got != tc.want {
			t.Errorf("formatTook(%v) = %q, want %q", tc.ms, got, tc.want)
		}
	}
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://news.example.com/a", true},
		{"http://x.org", true},
		{"javascript:alert(1)", false},
		{"//evil.example/", false},
		{"/articles/x", false},
		{"", false},
		{"ftp://x.org/f", false},
	} {
		if got := webURL(tc.url); got != tc.want {
			t.Errorf("webURL(%q) = %v, want %v", tc.url, got, tc.want)
		}
	}
	for _, tc := range []struct{ referer, host, want string }{
		{"http://h/?q=x&page=2&junk=1", "h", "/?q=x&page=2"},
		{"http://h/", "h", "/"},
		{"http://other/?q=x", "h", "/"},
		{"http://h/articles/a", "h", "/"},
		{"", "h", "/"},
		{"::bad", "h", "/"},
	} {
		if got := backURL(tc.referer, tc.host); got != tc.want {
			t.Errorf("backURL(%q, %q) = %q, want %q", tc.referer, tc.host, got, tc.want)
		}
	}
	if diff := cmp.Diff([]string{"一段。\n同一段。", "第二段。"}, paragraphs("  一段。\n同一段。\r\n\r\n\n\n第二段。\n\n")); diff != "" {
		t.Errorf("paragraphs (-want +got):\n%s", diff)
	}
	if got := articleURL("a/b c"); got != "/articles/a%2Fb%20c" {
		t.Errorf("articleURL = %q", got)
	}
	for status, want := range map[int]string{
		http.StatusBadRequest:          "请求有误 · Bad request",
		http.StatusNotFound:            "找不到页面 · Page not found",
		http.StatusServiceUnavailable:  "暂时无法服务 · Temporarily unavailable",
		http.StatusInternalServerError: "服务器出错 · Something went wrong",
		http.StatusTeapot:              "请求失败 · Request failed",
	} {
		if got := errorHeading(status); got != want {
			t.Errorf("errorHeading(%d) = %q, want %q", status, got, want)
		}
	}
	for n, want := range map[uint64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
	for _, tc := range []struct{ q, sort, want string }{
		{"", "", "最新文章 · Newest articles"},
		{"", "oldest", "最早的文章 · Oldest articles"},
		{" ", "relevance", "全部文章 · All articles"},
		{"x", "", ""},
	} {
		if got := browseHeading(tc.q, tc.sort); got != tc.want {
			t.Errorf("browseHeading(%q, %q) = %q, want %q", tc.q, tc.sort, got, tc.want)
		}
	}
	if got := pageTitle(" 职业 "); got != "职业 - 文搜 wensou" {
		t.Errorf("pageTitle = %q", got)
	}
}

func TestNewHitView(t *testing.T) {
	t.Parallel()
	h := search.Hit{
		ID: "a b", Title: "T", Author: []string{"A"}, Date: "2022-01-02", URL: "https://www.example.com/x",
		Highlight: search.Highlight{Title: "<mark>T</mark>", Body: []string{"x &lt; <mark>y</mark>"}},
	}
	v := newHitView(h, pageState{Q: "y", Authors: []string{"B"}, Size: 5})
	if v.Href != "https://www.example.com/x" || v.Local != "/articles/a%20b" || v.Host != "example.com" {
		t.Errorf("links = %q, %q, %q", v.Href, v.Local, v.Host)
	}
	if diff := cmp.Diff([]link{{Label: "A", Href: "/?q=y&author=A&size=5"}}, v.Authors); diff != "" {
		t.Errorf("authors (-want +got):\n%s", diff)
	}
	h.URL = "javascript:alert(1)"
	if v := newHitView(h, pageState{}); v.Href != "/articles/a%20b" || v.Local != "" {
		t.Errorf("javascript: url gives links %q, %q", v.Href, v.Local)
	}
}

// TestSearchPage_Forgiving: a Chinese word typed with a wrong character
// of a close reading gets a "did you mean" link to the right word, and
// pinyin finds the Chinese titles, highlighted.
func TestSearchPage_Forgiving(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	rec := getPage(t, srv, "/?q="+url.QueryEscape("职业教月"))
	doc, err := html.Parse(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	note := findOne(t, doc, "suggestion", match("p", "class", "suggestion"))
	if text := strings.Join(strings.Fields(text(note)), " "); !strings.Contains(text, "Did you mean 职业教育?") {
		t.Errorf("suggestion notice %q", text)
	}
	if links := findAll(note, match("a", "href", "/?q="+url.QueryEscape("职业教育"))); len(links) != 2 {
		t.Errorf("%d links to the suggestion, want 2 (Chinese and English)", len(links))
	}

	for _, q := range []string{"zhiyejiaoyu", "zhiye jiaoyu", "zyjy"} {
		rec = getPage(t, srv, "/?q="+url.QueryEscape(q))
		if body := rec.Body.String(); !strings.Contains(body, "<mark>职业教育</mark>") {
			t.Errorf("page for %q: no highlighted 职业教育 title", q)
		}
	}
}
