package article

import (
	"bytes"
	"regexp"
	"strings"
)

// maxHeaderLines is how many non-empty lines after the title may be header
// lines such as "Author:… Time:…".
const maxHeaderLines = 4

// headerKeys maps header keys, lower case, to the field they set.
var headerKeys = map[string]string{
	"author": "author", "authors": "author", "by": "author",
	"作者": "author", "记者": "author", "記者": "author",
	"time": "date", "date": "date", "published": "date",
	"时间": "date", "時間": "date", "日期": "date",
	"发布时间": "date", "發佈時間": "date", "發布時間": "date", "发表时间": "date", "發表時間": "date",
	"发布日期": "date", "發佈日期": "date",
	"source": "source", "来源": "source", "來源": "source", "出处": "source", "出處": "source",
	"url": "url", "link": "url", "链接": "url", "鏈接": "url", "連結": "url",
	"网址": "url", "網址": "url", "原文链接": "url", "原文鏈接": "url",
	"tags": "tags", "tag": "tags", "keywords": "tags",
	"标签": "tags", "標籤": "tags", "关键词": "tags", "關鍵詞": "tags", "关键字": "tags", "關鍵字": "tags",
}

// headerRE finds "key:" in a header line. English keys follow the start of
// the line or a space or "|"; Chinese keys may follow anything, as in
// "来源：大河网时间：2022年9月23日". Longer keys come first so that
// "发布时间" is not read as "时间".
var headerRE = regexp.MustCompile(`(?i)(?:(?:^|[\s\p{Zs}|｜丨]+)(authors|author|by|time|date|published|source|url|link|tags|tag|keywords)|` +
	`(?:^|[\s\p{Zs}|｜丨]*)(发布时间|發佈時間|發布時間|发表时间|發表時間|发布日期|發佈日期|原文链接|原文鏈接|关键词|關鍵詞|关键字|關鍵字|` +
	`作者|记者|記者|时间|時間|日期|来源|來源|出处|出處|链接|鏈接|連結|网址|網址|标签|標籤))[ \t]*[:：]`)

// stopRE matches the line where an article's body ends: an "- END -"
// marker or an editor's credit line. Everything from it on (credits,
// teasers for other articles) is not body.
var stopRE = regexp.MustCompile(`(?i)^(?:[-—–─=]+\s*END\s*[-—–─=]+|[(（【\[]?\s*(?:responsible editors?|executive editors?|editors?|本文编辑|责任编辑|責任編輯|编辑|編輯|审核|審核|校对|校對)\s*[:：])`)

var blankLinesRE = regexp.MustCompile(`\n{3,}`)

// parseText reads a plain-text article:
//
//	Title on the first non-empty line
//
//	Author:Someone Time:2022.09.23      (optional header lines)
//
//	Body paragraphs…
//
//	Responsible editor: …              (body ends here)
//	- END -
//	teasers…
//
// line is where a rejection points: the line with a bad byte, else 1.
func parseText(data []byte, opts Options) (a Article, warns []string, line int, err error) {
	opts = opts.withDefaults()
	if i := invalidUTF8At(data); i >= 0 {
		return Article{}, nil, lineOf(data, i), &UTF8Error{Offset: i}
	}
	lines := strings.Split(normalizeNewlines(strings.TrimPrefix(string(data), "\uFEFF")), "\n")

	i := 0
	for i < len(lines) && trimSpace(lines[i]) == "" {
		i++
	}
	if i < len(lines) {
		a.Title = lines[i]
		i++
	}

	header := make(map[int]bool)
	for j, seen := i, 0; j < len(lines) && seen < maxHeaderLines; j++ {
		l := trimSpace(lines[j])
		if l == "" {
			continue
		}
		seen++
		if stopRE.MatchString(l) {
			break
		}
		fields, ok := parseHeader(l)
		if !ok {
			continue
		}
		header[j] = true
		for _, f := range fields {
			switch f.name {
			case "author":
				a.Authors = append(a.Authors, splitAuthors(f.value)...)
			case "date":
				if !a.Date.IsZero() {
					continue
				}
				t, warn, _ := stringDate(f.value, opts.Location)
				a.Date = t
				if warn != "" {
					warns = append(warns, warn)
				}
			case "source":
				if a.Source == "" {
					a.Source = f.value
				}
			case "url":
				if a.URL == "" {
					a.URL = f.value
				}
			case "tags":
				a.Tags = append(a.Tags, splitTags(f.value)...)
			}
		}
	}

	var body []string
	for j := i; j < len(lines); j++ {
		if header[j] {
			continue
		}
		l := lines[j]
		if stopRE.MatchString(trimSpace(l)) {
			break
		}
		if trimSpace(l) == "" {
			l = ""
		}
		body = append(body, l)
	}
	a.Body = blankLinesRE.ReplaceAllString(strings.Join(body, "\n"), "\n\n")

	if err := a.Normalize(opts); err != nil {
		return Article{}, nil, 1, err
	}
	return a, warns, 1, nil
}

type headerField struct{ name, value string }

// parseHeader splits a header line such as "Author:Dahe Cai Cube
// Time:2022.09.23" or "作者：张三 时间：2022年9月23日" into fields. ok is
// false unless the line starts with a known key.
func parseHeader(l string) (fields []headerField, ok bool) {
	ms := headerRE.FindAllStringSubmatchIndex(l, -1)
	if len(ms) == 0 || ms[0][0] != 0 {
		return nil, false
	}
	for k, m := range ms {
		var key string
		if m[2] >= 0 {
			key = l[m[2]:m[3]]
		} else {
			key = l[m[4]:m[5]]
		}
		end := len(l)
		if k+1 < len(ms) {
			end = ms[k+1][0]
		}
		v := strings.TrimFunc(l[m[1]:end], func(r rune) bool { return isSpace(r) || r == '|' || r == '｜' || r == '丨' })
		if v != "" {
			fields = append(fields, headerField{headerKeys[strings.ToLower(key)], v})
		}
	}
	return fields, true
}

// lineOf returns the 1-based line of byte offset i in data.
func lineOf(data []byte, i int) int {
	return 1 + bytes.Count(data[:i], []byte("\n"))
}
