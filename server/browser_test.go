package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

// The browser test drives a real headless Chromium through the search
// page. It needs /usr/bin/chromium (or the path in WENSOU_CHROMIUM); without
// it the test is skipped, unless WENSOU_BROWSER_TEST=require (as in CI).

const (
	browserTestTimeout = 60 * time.Second // the whole test
	browserStepTimeout = 10 * time.Second // one step, so a hang fails fast
)

// chromiumPath finds Chromium, or skips the test (fails it when the
// browser test is required).
func chromiumPath(t *testing.T) string {
	t.Helper()
	required := os.Getenv("WENSOU_BROWSER_TEST") == "require"
	path := os.Getenv("WENSOU_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	_, err := os.Stat(path)
	switch {
	case err != nil && required:
		t.Fatalf("WENSOU_BROWSER_TEST=require but there is no Chromium at %s (set WENSOU_CHROMIUM or apt-get install chromium): %v", path, err)
	case err != nil:
		t.Skipf("no Chromium at %s; install it (apt-get install chromium) or set WENSOU_CHROMIUM to run the browser test", path)
	case testing.Short() && !required:
		t.Skip("browser test skipped in -short mode")
	}
	return path
}

// lockedBuffer collects the browser's output for the failure report.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newBrowser starts a headless Chromium with a fresh profile, as NOTES.md
// says to on these machines, and returns a context for its first tab.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	out := &lockedBuffer{}
	ctx, cancel := context.WithTimeout(t.Context(), browserTestTimeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(out),
	)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancel()
		if t.Failed() {
			t.Logf("Chromium output:\n%s", tail(out.String(), 4000))
		}
	})
	// The first action starts the browser, whose life is then tied to the
	// context it ran with: bctx (bounded by browserTestTimeout), not a
	// shorter step context.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium %s: %v\n%s", path, err, tail(out.String(), 4000))
	}
	return bctx
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// consoleLog records what pages write to the console: script errors and
// Content-Security-Policy violations show up there.
type consoleLog struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

func watchConsole(ctx context.Context) *consoleLog {
	l := &consoleLog{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			l.mu.Lock()
			l.msgs = append(l.msgs, m)
			l.mu.Unlock()
		}
	}()
	return l
}

func (l *consoleLog) problems() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, m := range l.msgs {
		if m.IsException() || m.Type == chromedp.ConsoleError || strings.Contains(m.Text, "Content Security Policy") {
			out = append(out, m.String()+" at "+m.URL)
		}
	}
	return out
}

// step runs actions with a time limit.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// snapshotJS reads what the test checks from the search page.
const snapshotJS = `(() => {
  const area = document.getElementById('area');
  const yearLinks = [...document.querySelectorAll('[aria-labelledby=years-heading] a')];
  return {
    params: [...new URLSearchParams(location.search)],
    path: location.pathname,
    heading: (document.getElementById('results-heading')?.textContent || '').replace(/\s+/g, ' ').trim(),
    hits: [...document.querySelectorAll('#results .hit-title')].map(e => e.innerText),
    marks: document.querySelectorAll('#results mark').length,
    checked: [...document.querySelectorAll('input[name=author]:checked')].map(e => e.value),
    years: yearLinks.map(a => a.querySelector('.facet-label').textContent + ':' + a.querySelector('.count').textContent),
    page: document.querySelector('.pager [aria-current=page]')?.textContent || '',
    busy: !area || area.hasAttribute('aria-busy'),
    focus: document.activeElement ? (document.activeElement.id || document.activeElement.name || document.activeElement.tagName) : '',
    caret: document.activeElement && document.activeElement.id === 'q' ? document.activeElement.selectionStart : -1,
    box: document.getElementById('q')?.value || '',
    marker: window.wensouMarker === 1,
    js: document.documentElement.classList.contains('js'),
    history: history.length,
  };
})()`

// snapshot is the state of the search page as the browser shows it.
type snapshot struct {
	Params  [][]string `json:"params"`
	Path    string     `json:"path"`
	Heading string     `json:"heading"`
	Hits    []string   `json:"hits"`
	Marks   int        `json:"marks"`
	Checked []string   `json:"checked"`
	Years   []string   `json:"years"`
	Page    string     `json:"page"`
	Busy    bool       `json:"busy"`
	Focus   string     `json:"focus"`
	Caret   int        `json:"caret"`
	Box     string     `json:"box"`
	Marker  bool       `json:"marker"` // no full page load since it was set
	JS      bool       `json:"js"`
	History int        `json:"history"`
}

// waitFor polls a JavaScript condition until it holds, then returns the
// page's snapshot; on timeout it fails with the snapshot. It polls with
// separate evaluations, which survive a page load in between.
func waitFor(t *testing.T, ctx context.Context, what, cond string) snapshot {
	t.Helper()
	pctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	var lastErr error
	for {
		ok, err := chromedp.Run(pctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return eval[snapshot](t, ctx, snapshotJS)
		}
		lastErr = err
		select {
		case <-pctx.Done():
			s, _ := chromedp.Run(ctx, chromedp.Evaluate[snapshot](snapshotJS))
			t.Fatalf("waiting for %s (%s): %v\npage: %+v", what, cond, errors.Join(pctx.Err(), lastErr), s)
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// params is a query string in the form of snapshot.Params.
func params(kv ...string) [][]string {
	var out [][]string
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, []string{kv[i], kv[i+1]})
	}
	return out
}

// idle is true when the page shows the results for its URL.
const idle = `document.getElementById('area') && !document.getElementById('area').hasAttribute('aria-busy')`

// goBack presses the back button: the protocol's history navigation,
// without waiting for a load (going back within the page loads nothing).
func goBack(t *testing.T, ctx context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	h, err := chromedp.Run(ctx, chromedp.NavigationEntries())
	if err != nil || h.CurrentIndex < 1 {
		t.Fatalf("history: %+v, %v", h, err)
	}
	if _, err := chromedp.Call(ctx, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: h.Entries[h.CurrentIndex-1].ID}); err != nil {
		t.Fatalf("go back: %v", err)
	}
}

func TestBrowser_SearchPage(t *testing.T) {
	path := chromiumPath(t)
	srv, _ := newTestServer(t, Options{})
	// down makes the server drop connections, as a network failure does.
	var down atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			panic(http.ErrAbortHandler)
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	ctx := newBrowser(t, path)
	start := time.Now()
	console := watchConsole(ctx)

	all := apiResult(t, srv, "q="+url.QueryEscape("职业教育"))
	zhao := apiResult(t, srv, "q="+url.QueryEscape("职业教育")+"&author="+url.QueryEscape("赵静"))
	if zhao.Total != 3 || all.Total <= zhao.Total {
		t.Fatalf("test data changed: %d and %d results", all.Total, zhao.Total)
	}
	var zhaoYears []string
	for _, b := range zhao.Facets.Year {
		zhaoYears = append(zhaoYears, fmt.Sprintf("%s:%d", b.Value, b.Count))
	}

	// Browse mode, two per page, then type: the results follow without
	// a submit, and without a page load.
	step(t, ctx, "open the search page", chromedp.Navigate(ts.URL+"/?size=2"))
	s := waitFor(t, ctx, "the page", idle+` && document.documentElement.classList.contains('js')`)
	if !strings.Contains(s.Heading, "最新文章") || len(s.Hits) != 2 {
		t.Fatalf("browse page: %+v", s)
	}
	historyBefore := s.History
	eval[bool](t, ctx, `window.wensouMarker = 1, true`)
	step(t, ctx, "type a query", chromedp.SendKeys(chromedp.CSS("#q"), "职业教育"))
	s = waitFor(t, ctx, "live results", idle+` && new URLSearchParams(location.search).get('q') === '职业教育' && document.querySelectorAll('#results .hit-title mark').length > 0`)
	if diff := cmp.Diff(params("q", "职业教育", "size", "2"), s.Params); diff != "" {
		t.Errorf("URL after typing (-want +got):\n%s", diff)
	}
	if !s.Marker {
		t.Error("typing reloaded the page")
	}
	if s.Focus != "q" || s.Caret != len([]rune("职业教育")) {
		t.Errorf("focus %q, caret %d: want the search box, at the end", s.Focus, s.Caret)
	}
	if want := fmt.Sprintf("%d results", all.Total); !strings.Contains(s.Heading, want) {
		t.Errorf("heading %q, want %q", s.Heading, want)
	}
	if s.History != historyBefore+1 {
		t.Errorf("typing added %d history entries, want 1", s.History-historyBefore)
	}
	beforeYears := s.Years

	// Tick an author: results, counts and URL change at once.
	step(t, ctx, "tick an author", chromedp.Click(chromedp.CSS(`input[name="author"][value="赵静"]`)))
	s = waitFor(t, ctx, "the author filter", idle+` && new URLSearchParams(location.search).getAll('author').includes('赵静') && document.getElementById('results-heading').textContent.includes('3 results')`)
	if diff := cmp.Diff(params("q", "职业教育", "author", "赵静", "size", "2"), s.Params); diff != "" {
		t.Errorf("URL after ticking (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"赵静"}, s.Checked); diff != "" {
		t.Errorf("ticked authors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(zhaoYears, s.Years); diff != "" || slices.Equal(s.Years, beforeYears) {
		t.Errorf("year counts did not follow the author filter (-want +got):\n%s", diff)
	}
	if s.Focus != "author" || !s.Marker {
		t.Errorf("after ticking: focus %q (want the checkbox), no reload %v", s.Focus, s.Marker)
	}

	// Page 2 of 2.
	step(t, ctx, "next page", chromedp.Click(chromedp.CSS(`a[rel="next"]`)))
	s = waitFor(t, ctx, "page 2", idle+` && new URLSearchParams(location.search).get('page') === '2'`)
	if diff := cmp.Diff(params("q", "职业教育", "author", "赵静", "page", "2", "size", "2"), s.Params); diff != "" {
		t.Errorf("URL of page 2 (-want +got):\n%s", diff)
	}
	if s.Page != "2" || len(s.Hits) != 1 || s.Marks == 0 {
		t.Errorf("page 2: %+v", s)
	}

	// Back, back: page 1, then no author.
	goBack(t, ctx)
	s = waitFor(t, ctx, "back to page 1", idle+` && !new URLSearchParams(location.search).has('page') && document.querySelector('.pager [aria-current=page]')?.textContent === '1'`)
	if len(s.Hits) != 2 || !slices.Equal(s.Checked, []string{"赵静"}) {
		t.Errorf("back on page 1: %+v", s)
	}
	goBack(t, ctx)
	s = waitFor(t, ctx, "back to no author", idle+` && !new URLSearchParams(location.search).has('author')`)
	if len(s.Checked) != 0 || !strings.Contains(s.Heading, fmt.Sprintf("%d results", all.Total)) || s.Box != "职业教育" {
		t.Errorf("back without the author: %+v", s)
	}

	// Enter submits what the box holds (the value is set without an input
	// event, so only the submit can load it).
	eval[bool](t, ctx, `(() => { const b = document.getElementById('q'); b.value = 'script'; b.focus(); return true; })()`)
	step(t, ctx, "press Enter", chromedp.KeyEvent("\r"))
	s = waitFor(t, ctx, "results for script", idle+` && new URLSearchParams(location.search).get('q') === 'script'`)
	if len(s.Hits) != 1 || !strings.Contains(s.Hits[0], "<script>") || s.Marks == 0 || !s.Marker {
		t.Errorf("results for script: %+v", s)
	}
	if pwned := eval[string](t, ctx, `typeof window.pwned`); pwned != "undefined" {
		t.Errorf("the article's script ran: window.pwned is %s", pwned)
	}

	// The article page shows the script as text, and does not run it.
	step(t, ctx, "open the article", chromedp.Click(chromedp.CSS(".hit-title a")))
	waitFor(t, ctx, "the article page", `location.pathname === '/articles/xss' && document.readyState === 'complete'`)
	body := eval[string](t, ctx, `document.querySelector('.article-body').innerText`)
	if !strings.Contains(body, "<script>window.pwned=1;alert('xss')</script>") {
		t.Errorf("article text = %q", body)
	}
	if pwned := eval[string](t, ctx, `typeof window.pwned`); pwned != "undefined" {
		t.Errorf("the article's script ran: window.pwned is %s", pwned)
	}
	if back := eval[string](t, ctx, `document.querySelector('.crumbs a').getAttribute('href')`); back != "/?q=script&size=2" {
		t.Errorf("back link = %q, want the search", back)
	}
	// Back from the article: the whole search page again, not a fragment
	// from the cache.
	goBack(t, ctx)
	s = waitFor(t, ctx, "the search page again", `location.pathname === '/' && document.readyState === 'complete' && !!document.querySelector('header.top #q') && `+idle)
	if s.Box != "script" || len(s.Hits) != 1 {
		t.Errorf("back from the article: %+v", s)
	}

	// On a phone: no sideways scrolling, and the filters after the results.
	step(t, ctx, "open on a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(ts.URL+"/?q="+url.QueryEscape("职业教育")+"&from=2022-01-01&to=2022-12-31"))
	waitFor(t, ctx, "the phone layout", idle)
	layout := eval[map[string]float64](t, ctx, `(() => {
	  const r = document.getElementById('results').getBoundingClientRect();
	  const f = document.getElementById('facets').getBoundingClientRect();
	  return {scroll: document.documentElement.scrollWidth, width: window.innerWidth, resultsBottom: r.bottom, facetsTop: f.top};
	})()`)
	if layout["scroll"] > layout["width"] || layout["facetsTop"] < layout["resultsBottom"] {
		t.Errorf("phone layout: %v; want no horizontal scroll and the filters below the results", layout)
	}

	if p := console.problems(); len(p) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(p, "\n"))
	}

	t.Run("no JavaScript", func(t *testing.T) {
		// A new tab; its first call opens it, with tctx for the same reason
		// as in newBrowser.
		tctx, cancel := chromedp.NewContext(ctx)
		defer cancel()
		if _, err := chromedp.Call(tctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
		step(t, tctx, "open the search page", chromedp.Navigate(ts.URL+"/?size=2"))
		// The form submits itself: type and press Enter.
		step(t, tctx, "type and press Enter", chromedp.SendKeys(chromedp.CSS("#q"), "职业教育\r"))
		doc := waitForURL(t, tctx, "/?q=%E8%81%8C%E4%B8%9A%E6%95%99%E8%82%B2&size=2")
		if n := len(findAll(doc, match("mark"))); n == 0 {
			t.Error("no <mark> in the results")
		}
		if c := attrOf(findOne(t, doc, "html", match("html")), "class"); strings.Contains(c, "js") {
			t.Errorf("the script ran: <html class=%q>", c)
		}
		// Tick an author, then apply.
		step(t, tctx, "tick an author", chromedp.Click(chromedp.CSS(`input[name="author"][value="赵静"]`)))
		step(t, tctx, "apply the filters", chromedp.Click(chromedp.CSS(`button.apply`)))
		doc = waitForURL(t, tctx, "/?q=%E8%81%8C%E4%B8%9A%E6%95%99%E8%82%B2&author=%E8%B5%B5%E9%9D%99&size=2")
		if got := text(findOne(t, doc, "heading", match("h1", "id", "results-heading"))); !strings.Contains(got, "3 results") {
			t.Errorf("heading = %q, want 3 results", got)
		}
		if !authorBoxes(doc)["赵静"].Checked {
			t.Error("赵静 is not ticked after applying")
		}
	})

	// A failed fetch says so, keeps the results and the URL, and the next
	// search works again.
	down.Store(true)
	eval[bool](t, ctx, `(() => { const b = document.getElementById('q'); b.focus(); b.setSelectionRange(b.value.length, b.value.length); return true; })()`)
	step(t, ctx, "type while the server is down", chromedp.KeyEvent(" 法"))
	s = waitFor(t, ctx, "the error notice", `!document.getElementById('live-status').hidden && `+idle)
	if notice := eval[string](t, ctx, `document.getElementById('live-status').textContent`); !strings.Contains(notice, "Could not update") || s.Box != "职业教育 法" ||
		!slices.ContainsFunc(s.Params, func(p []string) bool { return slices.Equal(p, []string{"q", "职业教育"}) }) || len(s.Hits) == 0 {
		t.Errorf("after a failed fetch: notice %q, page %+v", notice, s)
	}
	down.Store(false)
	step(t, ctx, "press Enter", chromedp.KeyEvent("\r"))
	s = waitFor(t, ctx, "results again", idle+` && document.getElementById('live-status').hidden && new URLSearchParams(location.search).get('q') === '职业教育 法'`)
	if len(s.Hits) == 0 {
		t.Errorf("no results after the server came back: %+v", s)
	}
	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}

// waitForURL waits, without JavaScript, until the tab shows the search
// page at want (path and query), and returns its parsed HTML.
func waitForURL(t *testing.T, ctx context.Context, want string) *html.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, browserStepTimeout)
	defer cancel()
	var got string
	var lastErr error
	for {
		h, err := chromedp.Run(ctx, chromedp.NavigationEntries())
		lastErr = err
		if err == nil && h.CurrentIndex >= 0 && int(h.CurrentIndex) < len(h.Entries) {
			if u, perr := url.Parse(h.Entries[h.CurrentIndex].URL); perr == nil {
				got = u.RequestURI()
			}
		}
		if got == want {
			// The entry changes when the response starts: wait for the
			// whole document.
			s, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
			lastErr = err
			if err == nil && strings.Contains(s, "</footer>") {
				doc, err := html.Parse(strings.NewReader(s))
				if err != nil {
					t.Fatal(err)
				}
				return doc
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: at %s: %v", want, got, errors.Join(ctx.Err(), lastErr))
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// suggestJS reads the search box's suggestions from the page.
const suggestJS = `(() => {
  const box = document.getElementById('q');
  const list = document.getElementById('q-suggestions');
  const options = list ? [...list.querySelectorAll('[role=option]')] : [];
  return {
    role: box.getAttribute('role') || '',
    expanded: box.getAttribute('aria-expanded') || '',
    controls: box.getAttribute('aria-controls') || '',
    activeDescendant: box.getAttribute('aria-activedescendant') || '',
    listRole: list ? list.getAttribute('role') : '',
    open: !!list && !list.hidden && list.getBoundingClientRect().height > 0,
    options: options.map(o => o.querySelector('.suggestion-text').textContent),
    marked: options.map(o => [...o.querySelectorAll('mark')].map(m => m.textContent).join('')),
    selected: options.filter(o => o.getAttribute('aria-selected') === 'true').map(o => o.id),
    box: box.value,
    focus: document.activeElement ? document.activeElement.id : '',
  };
})()`

// suggestState is the search box's suggestions as the browser shows them.
type suggestState struct {
	Role             string   `json:"role"`
	Expanded         string   `json:"expanded"`
	Controls         string   `json:"controls"`
	ActiveDescendant string   `json:"activeDescendant"`
	ListRole         string   `json:"listRole"`
	Open             bool     `json:"open"`
	Options          []string `json:"options"`
	Marked           []string `json:"marked"`
	Selected         []string `json:"selected"`
	Box              string   `json:"box"`
	Focus            string   `json:"focus"`
}

// TestBrowser_Suggest types into the search box of a real Chromium: the
// suggestions show as an ARIA combobox, typing fast asks once and cancels
// what it no longer needs, the keyboard and the mouse choose one and land
// on its results, Escape closes them, and without JavaScript the box is a
// plain search box.
func TestBrowser_Suggest(t *testing.T) {
	path := chromiumPath(t)
	srv, _ := newTestServer(t, Options{})
	var (
		mu       sync.Mutex
		asked    []string // the q of each /api/suggest request, in order
		canceled []string // those whose client went away before the answer
	)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/suggest" {
			q := r.URL.Query().Get("q")
			mu.Lock()
			asked = append(asked, q)
			mu.Unlock()
			if q == "职业教" { // slow: the next keystroke must cancel it
				select {
				case <-r.Context().Done():
					mu.Lock()
					canceled = append(canceled, q)
					mu.Unlock()
					return
				case <-time.After(3 * time.Second):
				}
			}
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	requests := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(asked)
	}
	ctx := newBrowser(t, path)
	console := watchConsole(ctx)
	state := func() suggestState { return eval[suggestState](t, ctx, suggestJS) }
	openWith := func(what string) string {
		return `(() => { const l = document.getElementById('q-suggestions'); return !!l && !l.hidden && ` +
			`[...l.querySelectorAll('.suggestion-text')].some(o => o.textContent === ` + jsString(what) + `); })()`
	}

	step(t, ctx, "open the search page", chromedp.Navigate(ts.URL+"/"))
	waitFor(t, ctx, "the page", idle+` && document.documentElement.classList.contains('js')`)
	s := state()
	if s.Role != "combobox" || s.Expanded != "false" || s.Controls != "q-suggestions" || s.ListRole != "listbox" || s.Open {
		t.Errorf("before typing: %+v; want a closed combobox controlling the listbox q-suggestions", s)
	}

	// Type 职业: one request once typing pauses, and a list of
	// completions with the typed part marked.
	step(t, ctx, "type 职业", chromedp.SendKeys(chromedp.CSS("#q"), "职业"))
	waitFor(t, ctx, "the suggestions", openWith("职业教育"))
	s = state()
	if s.Expanded != "true" || len(s.Options) < 2 || s.Marked[0] != "职业" || s.ActiveDescendant != "" || len(s.Selected) != 0 {
		t.Errorf("suggestions for 职业: %+v", s)
	}
	if got := requests(); !slices.Equal(got, []string{"职业"}) {
		t.Errorf("typing 职业 asked for %q, want once for 职业", got)
	}
	// The first is the phrase 职业教育, with as many articles as its
	// search finds.
	want := apiResult(t, srv, "q="+url.QueryEscape("职业教育")).Total
	first := s.Options[0]
	if first != "职业教育" {
		t.Fatalf("first suggestion for 职业 %q, want 职业教育: %+v", first, s)
	}

	// Down, down, up: the first is chosen, as the box says to assistive
	// technology.
	step(t, ctx, "press down", chromedp.KeyEvent(kb.ArrowDown))
	step(t, ctx, "press down", chromedp.KeyEvent(kb.ArrowDown))
	step(t, ctx, "press up", chromedp.KeyEvent(kb.ArrowUp))
	s = state()
	if s.ActiveDescendant != "q-suggestion-0" || !slices.Equal(s.Selected, []string{"q-suggestion-0"}) || s.Focus != "q" || s.Box != "职业" {
		t.Errorf("after down, down, up: %+v; want the first suggestion active, the focus in the box", s)
	}

	// Enter searches for it.
	step(t, ctx, "press Enter", chromedp.KeyEvent("\r"))
	snap := waitFor(t, ctx, "the results of the suggestion", idle+` && new URLSearchParams(location.search).get('q') === `+jsString(first))
	if s = state(); s.Open || s.Expanded != "false" || s.Box != first {
		t.Errorf("after Enter: %+v; want the list closed and %q in the box", s, first)
	}
	if !strings.Contains(snap.Heading, fmt.Sprintf("%d results", want)) || len(snap.Hits) == 0 {
		t.Errorf("results heading %q, want %d results (the suggestion's count)", snap.Heading, want)
	}

	// Typing fast asks once; a request still on its way when typing goes
	// on is cancelled.
	eval[bool](t, ctx, `(() => { const b = document.getElementById('q'); b.value = ''; b.focus(); return true; })()`)
	before := len(requests())
	step(t, ctx, "type 职业教", chromedp.SendKeys(chromedp.CSS("#q"), "职业教"))
	deadline := time.Now().Add(browserStepTimeout)
	for !slices.Contains(requests()[before:], "职业教") {
		if time.Now().After(deadline) {
			t.Fatalf("no request for 职业教: %q", requests()[before:])
		}
		time.Sleep(10 * time.Millisecond)
	}
	step(t, ctx, "type 育", chromedp.SendKeys(chromedp.CSS("#q"), "育"))
	waitFor(t, ctx, "the suggestions for 职业教育", openWith("职业教育法"))
	if got := requests()[before:]; !slices.Equal(got, []string{"职业教", "职业教育"}) {
		t.Errorf("typing 职业教, a pause, 育 asked for %q; want 职业教 then 职业教育", got)
	}
	for deadline := time.Now().Add(browserStepTimeout); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		done := slices.Contains(canceled, "职业教")
		mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the request for 职业教 was not cancelled when typing went on")
		}
	}

	// Escape closes the list and leaves the box as it is (Chromium would
	// clear a search box).
	step(t, ctx, "press Escape", chromedp.KeyEvent(kb.Escape))
	if s = state(); s.Open || s.Expanded != "false" || s.Box != "职业教育" {
		t.Errorf("after Escape: %+v; want the list closed and 职业教育 in the box", s)
	}

	// The mouse: a click on a suggestion searches for it.
	step(t, ctx, "press down to open", chromedp.KeyEvent(kb.ArrowDown))
	waitFor(t, ctx, "the suggestions again", openWith("职业教育法"))
	id := eval[string](t, ctx, `[...document.querySelectorAll('#q-suggestions [role=option]')].find(o => o.querySelector('.suggestion-text').textContent === '职业教育法').id`)
	step(t, ctx, "click a suggestion", chromedp.Click(chromedp.CSS("#"+id)))
	waitFor(t, ctx, "the results of the clicked suggestion", idle+` && new URLSearchParams(location.search).get('q') === '职业教育法'`)
	if s = state(); s.Open || s.Box != "职业教育法" {
		t.Errorf("after the click: %+v", s)
	}

	// Pinyin typed: the Chinese words it spells, picked with the keyboard.
	eval[bool](t, ctx, `(() => { const b = document.getElementById('q'); b.value = ''; b.focus(); return true; })()`)
	step(t, ctx, "type zhiy", chromedp.SendKeys(chromedp.CSS("#q"), "zhiy"))
	waitFor(t, ctx, "the pinyin suggestions", openWith("职业"))
	pick := eval[int](t, ctx, `[...document.querySelectorAll('#q-suggestions .suggestion-text')].findIndex(o => o.textContent === '职业')`)
	for range pick + 1 {
		step(t, ctx, "press down", chromedp.KeyEvent(kb.ArrowDown))
	}
	step(t, ctx, "press Enter", chromedp.KeyEvent("\r"))
	snap = waitFor(t, ctx, "the results of 职业", idle+` && new URLSearchParams(location.search).get('q') === '职业' && document.querySelectorAll('#results .hit-title mark').length > 0`)
	if s = state(); s.Open || s.Box != "职业" || len(snap.Hits) == 0 {
		t.Errorf("after picking 职业 from the pinyin suggestions: %+v, %d hits", s, len(snap.Hits))
	}

	if p := console.problems(); len(p) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(p, "\n"))
	}

	t.Run("no JavaScript", func(t *testing.T) {
		tctx, cancel := chromedp.NewContext(ctx)
		defer cancel()
		if _, err := chromedp.Call(tctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
		before := len(requests())
		step(t, tctx, "open the search page", chromedp.Navigate(ts.URL+"/"))
		step(t, tctx, "type and press Enter", chromedp.SendKeys(chromedp.CSS("#q"), "职业\r"))
		doc := waitForURL(t, tctx, "/?q=%E8%81%8C%E4%B8%9A")
		box := findOne(t, doc, "search box", match("input", "id", "q"))
		if role := attrOf(box, "role"); role != "" {
			t.Errorf("without JavaScript the box has role %q, want a plain search box", role)
		}
		if n := len(findAll(doc, match("ul", "id", "q-suggestions"))); n != 0 {
			t.Errorf("without JavaScript the page has %d suggestion lists", n)
		}
		if got := requests()[before:]; len(got) != 0 {
			t.Errorf("without JavaScript the page asked for suggestions: %q", got)
		}
	})
}

// jsString quotes s as a JavaScript string.
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
