package server

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wensou/wensou/search"
)

// View models: what the templates show of a search result, its facets,
// filters and pages, and of an article, laid out from a page state.

// sortOption is one choice of the sort select.
type sortOption struct {
	Value    string // "" for the default order, so a new query gets its own default
	Label    string
	Selected bool
}

// sortOptions are the sort choices. The default order of the current
// query (newest when browsing, else relevance) has the value "" so that
// the form, submitted with another query, does not carry it over.
func sortOptions(q, sort string) []sortOption {
	def := effectiveSort(q, "")
	cur := effectiveSort(q, sort)
	var out []sortOption
	for _, o := range []struct {
		sort  search.Sort
		label string
	}{
		{search.SortRelevance, "相关度 Relevance"},
		{search.SortNewest, "最新 Newest"},
		{search.SortOldest, "最早 Oldest"},
	} {
		v := string(o.sort)
		if o.sort == def {
			v = ""
		}
		out = append(out, sortOption{Value: v, Label: o.label, Selected: o.sort == cur})
	}
	return out
}

// browseHeading is the heading of the page without a query, by its
// order; "" when there is a query.
func browseHeading(q, sort string) string {
	if strings.TrimSpace(q) != "" {
		return ""
	}
	switch effectiveSort(q, sort) {
	case search.SortNewest:
		return "最新文章 · Newest articles"
	case search.SortOldest:
		return "最早的文章 · Oldest articles"
	}
	return "全部文章 · All articles"
}

// groupDigits writes n with thousands separators: 12,345.
func groupDigits(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func pageTitle(q string) string {
	if q = strings.TrimSpace(q); q != "" {
		return q + " - 文搜 wensou"
	}
	return "文搜 wensou · 文章搜索 Article search"
}

// formatTook writes a search time: "0.42 ms", "1.7 ms", "12 ms".
func formatTook(ms float64) string {
	switch {
	case ms < 1:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
}

// link is a labelled URL.
type link struct {
	Label string
	Href  string
}

// hitView is one result as the page shows it.
type hitView struct {
	ID       string
	Href     string // the original when it is a web address, else the article page
	Local    string // the article page, when Href is the original
	Host     string // the original's host
	Title    template.HTML
	Snippets []template.HTML
	Authors  []link
	Date     string
}

// newHitView lays out a hit. Its highlight strings are the only HTML
// the page takes from a search result.
func newHitView(h search.Hit, st pageState) hitView {
	v := hitView{
		ID:    h.ID,
		Href:  articleURL(h.ID),
		Title: template.HTML(h.Highlight.Title),
		Date:  h.Date,
	}
	if webURL(h.URL) {
		v.Local, v.Href = v.Href, h.URL
		if u, err := url.Parse(h.URL); err == nil {
			v.Host = strings.TrimPrefix(u.Hostname(), "www.")
		}
	}
	for _, s := range h.Highlight.Body {
		v.Snippets = append(v.Snippets, template.HTML(s))
	}
	for _, a := range h.Author {
		v.Authors = append(v.Authors, link{Label: a, Href: pageState{Q: st.Q, Authors: []string{a}, Size: st.Size}.URL()})
	}
	return v
}

// articleURL is the article page of an id.
func articleURL(id string) string { return "/articles/" + url.PathEscape(id) }

// webURL reports whether an article's url is an http(s) address worth
// linking to.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// facetOption is one value of a facet.
type facetOption struct {
	Value  string
	Label  string
	Count  int
	Active bool
	Href   string // the page with the option toggled
}

// authorOptions are the author checkboxes: the facet's authors, then any
// selected author the facet does not list (so it can be unticked).
func authorOptions(buckets []search.Bucket, selected []string) []facetOption {
	var out []facetOption
	for _, b := range buckets {
		out = append(out, facetOption{Value: b.Value, Label: b.Value, Count: b.Count, Active: slices.Contains(selected, b.Value)})
	}
	for _, a := range selected {
		if !slices.ContainsFunc(buckets, func(b search.Bucket) bool { return b.Value == a }) {
			out = append(out, facetOption{Value: a, Label: a, Active: true})
		}
	}
	return out
}

// yearRange is the first and last day of a year ("2022").
func yearRange(y string) (from, to string) { return y + "-01-01", y + "-12-31" }

// monthRange is the first and last day of a month ("2022-09"), or ""s
// when the month cannot be read.
func monthRange(m string) (from, to string) {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return "", ""
	}
	return t.Format(time.DateOnly), t.AddDate(0, 1, -1).Format(time.DateOnly)
}

// yearOptions are the year links: each selects its year, or clears the
// dates when it is the selected one.
func yearOptions(buckets []search.Bucket, st pageState) []facetOption {
	var out []facetOption
	for _, b := range buckets {
		from, to := yearRange(b.Value)
		out = append(out, dateOption(b, b.Value, from, to, st))
	}
	return out
}

// monthOptions are the month links. When a year or a month of a year is
// selected, only that year's months are offered (if the facet has any).
func monthOptions(buckets []search.Bucket, st pageState) []facetOption {
	year := selectedYear(st)
	var out []facetOption
	for _, b := range buckets {
		if year != "" && !strings.HasPrefix(b.Value, year+"-") {
			continue
		}
		from, to := monthRange(b.Value)
		if from == "" {
			continue
		}
		out = append(out, dateOption(b, b.Value, from, to, st))
	}
	if len(out) == 0 && year != "" {
		return monthOptions(buckets, pageState{})
	}
	return out
}

func dateOption(b search.Bucket, label, from, to string, st pageState) facetOption {
	active := st.From == from && st.To == to
	next := st.withDates(from, to)
	if active {
		next = st.withDates("", "")
	}
	return facetOption{Value: b.Value, Label: label, Count: b.Count, Active: active, Href: next.URL()}
}

// selectedYear is the year whose range, or one of whose months' range,
// is selected; "" otherwise.
func selectedYear(st pageState) string {
	if len(st.From) < 4 || !strings.HasPrefix(st.To, st.From[:4]) {
		return ""
	}
	y := st.From[:4]
	if from, to := yearRange(y); st.From == from && st.To == to {
		return y
	}
	if len(st.From) >= 7 {
		if from, to := monthRange(st.From[:7]); st.From == from && st.To == to {
			return y
		}
	}
	return ""
}

// dateFilter is the date range part of the sidebar.
type dateFilter struct {
	From   string
	To     string
	Active bool
	Label  string // "2022", "2022-09", "2022-01-05 – 2022-03-01", "2022-01-05 起"
	Clear  string // the page without dates
}

func newDateFilter(st pageState) dateFilter {
	d := dateFilter{From: st.From, To: st.To, Active: st.From != "" || st.To != ""}
	if d.Active {
		d.Label = dateLabel(st.From, st.To)
		d.Clear = st.withDates("", "").URL()
	}
	return d
}

// dateLabel describes a date range briefly.
func dateLabel(from, to string) string {
	if len(from) >= 4 {
		if f, t := yearRange(from[:4]); from == f && to == t {
			return from[:4]
		}
	}
	if len(from) >= 7 {
		if f, t := monthRange(from[:7]); from == f && to == t {
			return from[:7]
		}
	}
	switch {
	case to == "":
		return from + " 起 onwards"
	case from == "":
		return "至 until " + to
	}
	return from + " – " + to
}

// chip is an active filter with a link that removes it.
type chip struct {
	Kind   string // "作者 Author", …
	Label  string
	Remove string
}

func chips(st pageState) []chip {
	var out []chip
	for _, a := range st.Authors {
		out = append(out, chip{Kind: "作者 Author", Label: a, Remove: st.toggleAuthor(a).URL()})
	}
	for _, t := range st.Tags {
		out = append(out, chip{Kind: "标签 Tag", Label: t, Remove: st.withoutTag(t).URL()})
	}
	if st.From != "" || st.To != "" {
		out = append(out, chip{Kind: "日期 Date", Label: dateLabel(st.From, st.To), Remove: st.withDates("", "").URL()})
	}
	return out
}

// clearAllURL is the page with the query and sort but no filters, or ""
// when no filter is set.
func clearAllURL(st pageState) string {
	if len(st.Authors)+len(st.Tags) == 0 && st.From == "" && st.To == "" {
		return ""
	}
	return pageState{Q: st.Q, Sort: st.Sort, Size: st.Size}.URL()
}

// pager is the pagination bar.
type pager struct {
	Prev   string // "" on the first page
	Next   string // "" on the last reachable page
	Pages  []pageLink
	Capped bool // there are results past the deepest reachable page
}

// pageLink is a page number, or a gap (…) between numbers.
type pageLink struct {
	Number  int
	Href    string
	Current bool
	Gap     bool
}

// paginate lays out the pagination bar: the first and last pages, and
// two on each side of the current one. It never links past
// [search.MaxWindow] results, the deepest a page can reach.
func paginate(st pageState, page, size int, total uint64) pager {
	if size <= 0 {
		size = search.DefaultSize
	}
	page = max(page, 1)
	last := int(min(total, uint64(search.MaxWindow)) / uint64(size))
	if min(total, uint64(search.MaxWindow))%uint64(size) != 0 {
		last++
	}
	var p pager
	if maxPage := search.MaxWindow / size; last > maxPage {
		last = maxPage
	}
	p.Capped = total > uint64(last*size)
	if last <= 1 && page <= 1 {
		return p
	}
	if page > 1 {
		p.Prev = st.withPage(min(page-1, max(last, 1))).URL()
	}
	if page < last {
		p.Next = st.withPage(page + 1).URL()
	}
	shown := []int{1}
	for n := max(page-2, 2); n <= min(page+2, last-1); n++ {
		shown = append(shown, n)
	}
	if last > 1 {
		shown = append(shown, last)
	}
	for i, n := range shown {
		switch {
		case i == 0:
		case n == shown[i-1]+2:
			// A gap of one page: show the page instead.
			p.Pages = append(p.Pages, pageLink{Number: n - 1, Href: st.withPage(n - 1).URL()})
		case n > shown[i-1]+2:
			p.Pages = append(p.Pages, pageLink{Gap: true})
		}
		p.Pages = append(p.Pages, pageLink{Number: n, Href: st.withPage(n).URL(), Current: n == page})
	}
	return p
}

// paragraphs splits an article body at blank lines.
func paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// backURL is the search page a reader came from (by the Referer, when it
// is this site's search page), so "back" keeps the search; else /.
func backURL(referer, host string) string {
	u, err := url.Parse(referer)
	if err != nil || referer == "" || u.Host != host || u.Path != "/" {
		return "/"
	}
	return stateOf(u.Query()).URL()
}
