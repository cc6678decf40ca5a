// wensou search page: live results, and suggestions as you type.
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
    closeSuggestions();
    box.value = new URLSearchParams(location.search).get('q') || '';
    load(here(), 'none', false);
  });

  // Suggestions as you type: a list under the search box (the ARIA
  // combobox pattern) of what GET /api/suggest completes the box's text
  // with. Asked for once typing pauses, the request before cancelled.
  // Up and down choose one, Enter or a click searches for it, Escape
  // closes the list. Without the script the box is a plain search box.
  var SUGGEST_MS = 150;
  var suggestTimer = 0;
  var suggestController = null;
  var suggestSeq = 0;
  var suggestions = []; // what the list shows, in order
  var suggestedFor = null; // the text they complete
  var active = -1; // the highlighted suggestion, -1 for none

  var list = document.createElement('ul');
  list.id = 'q-suggestions';
  list.className = 'suggestions';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', '搜索建议 Suggestions');
  list.hidden = true;
  form.appendChild(list);
  var suggestStatus = document.createElement('p');
  suggestStatus.className = 'visually-hidden';
  suggestStatus.setAttribute('aria-live', 'polite');
  form.appendChild(suggestStatus);
  box.setAttribute('role', 'combobox');
  box.setAttribute('aria-autocomplete', 'list');
  box.setAttribute('aria-expanded', 'false');
  box.setAttribute('aria-controls', list.id);

  // markup turns a suggestion's highlight (escaped text, <mark> its only
  // markup) into nodes, without parsing it as HTML.
  var entities = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&#34;': '"', '&#39;': "'", '&quot;': '"' };
  function unescapeHTML(s) {
    return s.replace(/&(lt|gt|amp|quot|#34|#39);/g, function (e) { return entities[e]; });
  }
  function markup(el, highlight) {
    var marked = false;
    highlight.split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === '<mark>') { marked = true; return; }
      if (part === '</mark>') { marked = false; return; }
      if (!part) return;
      var text = document.createTextNode(unescapeHTML(part));
      if (marked) {
        var m = document.createElement('mark');
        m.appendChild(text);
        el.appendChild(m);
      } else {
        el.appendChild(text);
      }
    });
  }

  function closeSuggestions() {
    clearTimeout(suggestTimer);
    if (suggestController) suggestController.abort();
    suggestSeq++;
    list.hidden = true;
    box.setAttribute('aria-expanded', 'false');
    box.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function openSuggestions() {
    if (!suggestions.length) return;
    list.hidden = false;
    box.setAttribute('aria-expanded', 'true');
  }

  function setActive(i) {
    var items = list.children;
    if (active >= 0 && items[active]) items[active].setAttribute('aria-selected', 'false');
    active = i;
    if (active >= 0 && items[active]) {
      items[active].setAttribute('aria-selected', 'true');
      box.setAttribute('aria-activedescendant', items[active].id);
      items[active].scrollIntoView({ block: 'nearest' });
    } else {
      box.removeAttribute('aria-activedescendant');
    }
  }

  var kinds = { word: '', phrase: '', title: '标题 ' };
  function showSuggestions(q, found) {
    suggestions = found;
    suggestedFor = q;
    active = -1;
    box.removeAttribute('aria-activedescendant');
    list.textContent = '';
    found.forEach(function (sg, i) {
      var li = document.createElement('li');
      li.id = 'q-suggestion-' + i;
      li.className = 'suggestion';
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.kind = sg.kind;
      var text = document.createElement('span');
      text.className = 'suggestion-text';
      markup(text, sg.highlight);
      var meta = document.createElement('span');
      meta.className = 'suggestion-meta';
      meta.textContent = (kinds[sg.kind] || '') + sg.count + ' 篇';
      li.appendChild(text);
      li.appendChild(meta);
      list.appendChild(li);
    });
    if (found.length) {
      openSuggestions();
      suggestStatus.textContent = found.length + ' 条建议 ' + found.length + ' suggestions';
    } else {
      list.hidden = true;
      box.setAttribute('aria-expanded', 'false');
    }
  }

  function askSuggestions() {
    clearTimeout(suggestTimer);
    var q = box.value;
    if (q.trim() === '') {
      closeSuggestions();
      suggestions = [];
      return;
    }
    if (suggestController) suggestController.abort();
    suggestController = window.AbortController ? new AbortController() : null;
    var mine = ++suggestSeq;
    fetch('/api/suggest?size=8&q=' + encodeURIComponent(q), {
      headers: { 'Accept': 'application/json' },
      credentials: 'same-origin',
      signal: suggestController ? suggestController.signal : undefined
    }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    }).then(function (data) {
      if (mine !== suggestSeq || box.value !== q || document.activeElement !== box) return;
      showSuggestions(q, data.suggestions || []);
    }).catch(function () {
      // A suggestion that does not come is no error worth showing:
      // the search itself says when the server cannot be reached.
    });
  }

  // choose searches for a suggestion, as Enter in the box would.
  function choose(i) {
    var sg = suggestions[i];
    if (!sg) return;
    box.value = sg.text;
    closeSuggestions();
    clearTimeout(timer);
    update('push');
  }

  box.addEventListener('input', function (e) {
    if (composing || e.isComposing) return;
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(askSuggestions, SUGGEST_MS);
  });
  box.addEventListener('compositionend', function () {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(askSuggestions, SUGGEST_MS);
  });
  box.addEventListener('keydown', function (e) {
    if (e.isComposing || e.altKey || e.ctrlKey || e.metaKey) return;
    var open = !list.hidden;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (!open) {
          if (suggestedFor === box.value && suggestions.length) {
            openSuggestions();
          } else {
            askSuggestions();
          }
          return;
        }
        setActive(active + 1 < suggestions.length ? active + 1 : -1);
        return;
      case 'ArrowUp':
        if (!open) return;
        e.preventDefault();
        setActive(active < 0 ? suggestions.length - 1 : active - 1);
        return;
      case 'Enter':
        if (open && active >= 0) {
          e.preventDefault();
          choose(active);
        } else {
          closeSuggestions();
        }
        return;
      case 'Escape':
        if (open) {
          // Chromium would clear a search box on Escape.
          e.preventDefault();
          closeSuggestions();
        }
        return;
      case 'Tab':
        closeSuggestions();
    }
  });
  box.addEventListener('blur', closeSuggestions);
  form.addEventListener('submit', closeSuggestions);

  // The mouse: pressing keeps the focus in the box, a click chooses.
  list.addEventListener('mousedown', function (e) { e.preventDefault(); });
  list.addEventListener('click', function (e) {
    var li = e.target.closest ? e.target.closest('[role=option]') : null;
    if (li) choose(Array.prototype.indexOf.call(list.children, li));
  });
  list.addEventListener('mousemove', function (e) {
    var li = e.target.closest ? e.target.closest('[role=option]') : null;
    var i = li ? Array.prototype.indexOf.call(list.children, li) : -1;
    if (i !== active) setActive(i);
  });
})();
