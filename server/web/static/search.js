// wensou search page: live results.
//
// The page works without this script: it is server-rendered, and its form
// submits with GET. With the script, typing (debounced), ticking an author,
// choosing a sort or a date, and following a facet or page link fetch the
// same URL with the header "X-Partial: 1", swap the returned fragment
// (#area) in, and record the URL in the history so that the back button
// and shared links work. The search box itself is never replaced, so it
// keeps focus and caret.
(function () {
  'use strict';

  var form = document.getElementById('search');
  var box = document.getElementById('q');
  var area = document.getElementById('area');
  var status = document.getElementById('live-status');
  var announce = document.getElementById('live-announce');
  if (!form || !box || !area || !window.fetch || !window.history || !history.pushState ||
      !window.URLSearchParams || !window.FormData) {
    return;
  }
  document.documentElement.classList.add('js');

  var DEBOUNCE_MS = 250;
  var timer = 0;
  var controller = null;
  var seq = 0;
  var typingEntry = false; // the current history entry was made by typing
  var shown = here(); // the URL whose results are on the page

  // here is the current page's URL, path and query.
  function here() {
    return location.pathname + location.search;
  }

  // formURL is the search page URL for what the form holds: empty fields
  // and the default sort are left out, as the server's links do.
  function formURL() {
    var data = new FormData(form);
    var q = String(data.get('q') || '');
    var defaultSort = q.trim() === '' ? 'newest' : 'relevance';
    var params = new URLSearchParams();
    data.forEach(function (value, key) {
      if (typeof value !== 'string' || value.trim() === '') return;
      if (key === 'sort' && value === defaultSort) return;
      params.append(key, value);
    });
    var s = params.toString();
    return '/' + (s ? '?' + s : '');
  }

  function showStatus(url) {
    if (!status) return;
    status.textContent = '无法更新结果，请检查网络。 Could not update the results. ';
    var a = document.createElement('a');
    a.href = url;
    a.textContent = '重试 Retry';
    status.appendChild(a);
    status.hidden = false;
  }

  function clearStatus() {
    if (status) {
      status.hidden = true;
      status.textContent = '';
    }
  }

  // focusKey identifies a control in the fragment so that the same
  // control can get focus back after the swap.
  function focusKey(el) {
    if (!el || !area.contains(el)) return null;
    if (el.id) return '#' + CSS.escape(el.id);
    if (el.name) {
      var sel = el.tagName.toLowerCase() + '[name="' + CSS.escape(el.name) + '"]';
      if (el.type === 'checkbox' || el.type === 'radio') sel += '[value="' + CSS.escape(el.value) + '"]';
      return sel;
    }
    return null;
  }

  function swap(html, focusResults) {
    var key = focusKey(document.activeElement);
    var tpl = document.createElement('template');
    tpl.innerHTML = html;
    var next = tpl.content.getElementById('area');
    if (!next) return false;
    area.replaceWith(next);
    area = next;
    if (next.dataset.title) document.title = next.dataset.title;
    // Tell screen readers what the new results are.
    var heading = document.getElementById('results-heading');
    if (announce && heading) announce.textContent = heading.textContent.replace(/\s+/g, ' ').trim();
    var target = key ? area.querySelector(key) : null;
    if (target) {
      target.focus({ preventScroll: true });
    } else if (focusResults) {
      var h = document.getElementById('results-heading');
      if (h) {
        h.focus({ preventScroll: true });
        var top = h.getBoundingClientRect().top;
        if (top < 0 || top > window.innerHeight * 0.6) h.scrollIntoView({ block: 'start' });
      }
    }
    return true;
  }

  // load fetches the fragment for url and swaps it in. how says what to do
  // with the history: 'push', 'replace', 'type' (push the first of a run of
  // keystrokes, replace for the rest) or 'none' (back/forward).
  function load(url, how, focusResults) {
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    var mine = ++seq;
    area.setAttribute('aria-busy', 'true');
    fetch(url, {
      headers: { 'X-Partial': '1', 'Accept': 'text/html' },
      credentials: 'same-origin',
      signal: controller ? controller.signal : undefined
    }).then(function (res) {
      if (res.headers.get('X-Partial') !== '1') {
        throw new Error('not a fragment: HTTP ' + res.status);
      }
      return res.text();
    }).then(function (html) {
      if (mine !== seq) return;
      commit(url, how);
      if (!swap(html, focusResults)) throw new Error('no #area in the fragment');
      area.removeAttribute('aria-busy');
      clearStatus();
    }).catch(function (err) {
      if (err && err.name === 'AbortError') return;
      if (mine !== seq) return;
      area.removeAttribute('aria-busy');
      showStatus(url);
    });
  }

  function commit(url, how) {
    shown = url;
    if (how === 'none') {
      typingEntry = false;
      return;
    }
    var same = url === here();
    if (how === 'type') {
      if (typingEntry || same) {
        history.replaceState({ wensou: 1 }, '', url);
      } else {
        history.pushState({ wensou: 1 }, '', url);
      }
      typingEntry = true;
      return;
    }
    if (how === 'replace' || same) {
      history.replaceState({ wensou: 1 }, '', url);
    } else {
      history.pushState({ wensou: 1 }, '', url);
    }
    typingEntry = false;
  }

  // update loads what the form holds, unless it is already shown.
  function update(how) {
    clearTimeout(timer);
    var url = formURL();
    if (how === 'type' && url === shown) {
      // Typed back to what is shown: drop any search still on its way.
      if (controller) controller.abort();
      seq++;
      area.removeAttribute('aria-busy');
      return;
    }
    load(url, how, false);
  }

  var composing = false;
  box.addEventListener('compositionstart', function () { composing = true; });
  box.addEventListener('compositionend', function () {
    composing = false;
    clearTimeout(timer);
    timer = setTimeout(function () { update('type'); }, DEBOUNCE_MS);
  });
  box.addEventListener('input', function (e) {
    // Wait for the IME to finish a Chinese word before searching.
    if (composing || e.isComposing) return;
    clearTimeout(timer);
    timer = setTimeout(function () { update('type'); }, DEBOUNCE_MS);
  });

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    update('push');
  });

  // Checkboxes, the sort and the dates belong to the form (by their form
  // attribute) and apply at once.
  document.addEventListener('change', function (e) {
    var t = e.target;
    if (!t || t === box || t.form !== form) return;
    update('push');
  });

  // Facet, filter and page links load in place.
  document.addEventListener('click', function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var a = e.target.closest ? e.target.closest('a[data-live]') : null;
    if (!a || a.origin !== location.origin || a.pathname !== '/') return;
    e.preventDefault();
    clearTimeout(timer);
    box.value = new URLSearchParams(a.search).get('q') || '';
    load(a.pathname + a.search, 'push', true);
  });

  // "/" jumps to the search box, as on many search sites.
  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    box.focus();
    box.select();
  });

  window.addEventListener('popstate', function () {
    // Following #facets and coming back changes only the hash.
    if (location.pathname !== '/' || here() === shown) return;
    clearTimeout(timer);
    box.value = new URLSearchParams(location.search).get('q') || '';
    load(here(), 'none', false);
  });
})();
