package server

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wensou/wensou/search"
)

// The search page's state, kept in its URL: reading it from a query
// string, writing it back, and the states that links lead to.

// pageState is the search page's state, read from its URL. Dates and
// sort are kept as given so links reproduce them; the search itself is
// bound by [Server.request].
type pageState struct {
	Q       string
	Authors []string
	Tags    []string
	From    string
	To      string
	Sort    string // "" for the default order
	Page    int    // 0 or 1 for the first page
	Size    int    // 0 for the default size
	NoTypos bool   // typos=false: the words as typed only
}

// stateOf reads the page state from a query string. Numbers that do not
// parse read as 0; the search reports them.
func stateOf(v url.Values) pageState {
	st := pageState{
		Q:    v.Get("q"),
		From: strings.TrimSpace(v.Get("from")),
		To:   strings.TrimSpace(v.Get("to")),
		Sort: strings.TrimSpace(v.Get("sort")),
	}
	st.Authors = cleanList(v["author"])
	st.Tags = cleanList(v["tag"])
	st.Page, _ = strconv.Atoi(v.Get("page"))
	st.Size, _ = strconv.Atoi(v.Get("size"))
	switch strings.ToLower(strings.TrimSpace(v.Get("typos"))) {
	case "false", "0", "off":
		st.NoTypos = true
	}
	return st
}

// cleanList trims values and drops empty and repeated ones.
func cleanList(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// URL is the search page's URL for the state, with its parameters in a
// fixed order and defaults left out.
func (st pageState) URL() string {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() == 0 {
			b.WriteString("/?")
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	if st.Q != "" {
		add("q", st.Q)
	}
	for _, a := range st.Authors {
		add("author", a)
	}
	for _, t := range st.Tags {
		add("tag", t)
	}
	if st.From != "" {
		add("from", st.From)
	}
	if st.To != "" {
		add("to", st.To)
	}
	if st.Sort != "" {
		add("sort", st.Sort)
	}
	if st.Page > 1 {
		add("page", strconv.Itoa(st.Page))
	}
	if st.Size > 0 {
		add("size", strconv.Itoa(st.Size))
	}
	if st.NoTypos {
		add("typos", "false")
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// withQuery is the state of another query, with the same filters, read
// with typo tolerance unless noTypos.
func (st pageState) withQuery(q string, noTypos bool) pageState {
	n := st.clone()
	n.Q, n.NoTypos = q, noTypos
	return n
}

// clone copies the state for a link to another state: the lists are
// copied, and the page goes back to the first.
func (st pageState) clone() pageState {
	st.Authors = slices.Clone(st.Authors)
	st.Tags = slices.Clone(st.Tags)
	st.Page = 0
	return st
}

// toggleAuthor is the state with the author selected, or unselected if
// it was.
func (st pageState) toggleAuthor(a string) pageState {
	n := st.clone()
	if i := slices.Index(n.Authors, a); i >= 0 {
		n.Authors = slices.Delete(n.Authors, i, i+1)
	} else {
		n.Authors = append(n.Authors, a)
	}
	return n
}

func (st pageState) withoutTag(t string) pageState {
	n := st.clone()
	n.Tags = slices.DeleteFunc(n.Tags, func(x string) bool { return x == t })
	return n
}

func (st pageState) withDates(from, to string) pageState {
	n := st.clone()
	n.From, n.To = from, to
	return n
}

func (st pageState) withPage(p int) pageState {
	st.Page = p
	return st
}

// effectiveSort is the order a search uses: the one asked for, else the
// newest first when there is no query (browsing), else relevance.
func effectiveSort(q, sort string) search.Sort {
	switch {
	case sort != "":
		return search.Sort(sort)
	case strings.TrimSpace(q) == "":
		return search.SortNewest
	}
	return search.SortRelevance
}

// canonicalURL is where to send a request whose query string holds empty
// parameters, as a form submitted without JavaScript does (from=&to=),
// so that the address to share is the short one. ok is false when the
// query string needs no change or has an after cursor (which pages do
// not carry).
func canonicalURL(v url.Values) (to string, ok bool) {
	if v.Has("after") {
		return "", false
	}
	for _, k := range []string{"q", "author", "tag", "from", "to", "sort", "page", "size", "typos"} {
		for _, x := range v[k] {
			if x == "" {
				return stateOf(v).URL(), true
			}
		}
	}
	return "", false
}

// dateValue writes a date bound the search understood as YYYY-MM-DD, the
// form of <input type="date">; a bound it did not read stays as given.
func dateValue(t time.Time, raw string) string {
	if t.IsZero() {
		return raw
	}
	return t.Format(time.DateOnly)
}
