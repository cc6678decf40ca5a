package server

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"time"
)

// The web type and the files it serves: templates and static assets
// embedded from web/, with URLs that change with their content.

//go:embed web
var webFS embed.FS

// web renders the search page and the article page from embedded
// templates; its static assets are served under /static. It is safe for
// concurrent use.
type web struct {
	tmpl   *template.Template
	static fs.FS
	assets map[string]string // file name -> URL with a content hash
}

func newWeb() (*web, error) {
	static, err := fs.Sub(webFS, "web/static")
	if err != nil {
		return nil, fmt.Errorf("static assets: %w", err)
	}
	assets, err := assetURLs(static)
	if err != nil {
		return nil, err
	}
	w := &web{static: staticFS{fsys: static, modTime: time.Now().UTC().Truncate(time.Second)}, assets: assets}
	tmpl, err := template.New("").Funcs(template.FuncMap{"asset": w.asset}).ParseFS(webFS, "web/templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse page templates: %w", err)
	}
	w.tmpl = tmpl
	return w, nil
}

// assetURLs gives every static file a URL that changes with its content
// (/static/style.css?v=1a2b3c4d5e6f), so a browser never keeps an old copy
// after an upgrade.
func assetURLs(static fs.FS) (map[string]string, error) {
	urls := map[string]string{}
	err := fs.WalkDir(static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		urls[name] = "/static/" + name + "?v=" + hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash static assets: %w", err)
	}
	return urls, nil
}

// asset is the template function giving a static file's URL.
func (w *web) asset(name string) (string, error) {
	u, ok := w.assets[name]
	if !ok {
		return "", fmt.Errorf("no static asset %q", name)
	}
	return u, nil
}

// staticFS serves the embedded assets: files only (no directory
// listings), stamped with the time the server started so that
// http.FileServer sends Last-Modified and answers revalidations with 304.
// Pages link to assets by URLs carrying a content hash, so a cached copy
// is never stale.
type staticFS struct {
	fsys    fs.FS
	modTime time.Time
}

func (s staticFS) Open(name string) (fs.File, error) {
	f, err := s.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		err = &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return stampedFile{File: f, modTime: s.modTime}, nil
}

type stampedFile struct {
	fs.File
	modTime time.Time
}

func (f stampedFile) Stat() (fs.FileInfo, error) {
	st, err := f.File.Stat()
	if err != nil {
		return nil, err
	}
	return stampedInfo{FileInfo: st, modTime: f.modTime}, nil
}

// Seek is what http.FileServer needs to serve ranges and sizes; embedded
// files have it.
func (f stampedFile) Seek(offset int64, whence int) (int64, error) {
	s, ok := f.File.(io.Seeker)
	if !ok {
		return 0, errors.New("static file cannot seek")
	}
	return s.Seek(offset, whence)
}

type stampedInfo struct {
	fs.FileInfo
	modTime time.Time
}

func (i stampedInfo) ModTime() time.Time { return i.modTime }
