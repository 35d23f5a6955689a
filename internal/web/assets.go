package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// static holds the UI's own files (remit.css, the scripts) and, under
// vendor/, the GOV.UK Frontend and MOJ Frontend files that make assets
// copies from npm. vendor/ is generated and git-ignored.
//
//go:embed static
var static embed.FS

// assets serves the embedded static files at /assets/. Every file is
// hashed at start-up: templates link to /assets/NAME?v=HASH, and a request
// carrying the current hash may be cached for a year. Compressible files
// are gzipped once, here, not per request.
type assets struct {
	files map[string]*asset
}

type asset struct {
	body, gz []byte
	typ      string
	hash     string
}

// loadAssets reads the embedded files. Vendor files are served as if they
// sat beside ours, because the GOV.UK stylesheet refers to its fonts and
// images as /assets/fonts/… and /assets/images/….
func loadAssets() (*assets, error) {
	a := &assets{files: map[string]*asset{}}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(strings.TrimPrefix(p, "static/"), "vendor/")
		sum := sha256.Sum256(body)
		f := &asset{body: body, typ: mime.TypeByExtension(path.Ext(name)), hash: hex.EncodeToString(sum[:6])}
		if f.typ == "" {
			f.typ = "application/octet-stream"
		}
		if compressible(f.typ) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(body)
			_ = zw.Close()
			if buf.Len() < len(body) {
				f.gz = buf.Bytes()
			}
		}
		a.files[name] = f
		return nil
	})
	return a, err
}

func compressible(typ string) bool {
	return strings.HasPrefix(typ, "text/") || strings.Contains(typ, "javascript") || strings.Contains(typ, "json") || strings.Contains(typ, "svg")
}

// url is the content-hashed address of an asset; "" when there is none.
func (a *assets) url(name string) string {
	f, ok := a.files[name]
	if !ok {
		return ""
	}
	return "/assets/" + name + "?v=" + f.hash
}

// missing lists the files the layout needs that are not embedded: the
// vendor files are absent when make assets has not run.
func (a *assets) missing() []string {
	var out []string
	for _, name := range layoutAssets {
		if _, ok := a.files[name]; !ok {
			out = append(out, name)
		}
	}
	return out
}

// layoutAssets are the files every page links to.
var layoutAssets = []string{"govuk-frontend.min.css", "moj-frontend.min.css", "govuk-frontend.min.js", "remit.css", "remit.mjs", "js-enabled.js", "images/favicon.ico", "images/favicon.svg"}

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.files[r.PathValue("path")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.typ)
	h.Set("ETag", `"`+f.hash+`"`)
	h.Set("Vary", "Accept-Encoding")
	// The fonts' names already carry a hash; anything else is immutable
	// only when asked for by the hash it has now.
	if r.URL.Query().Get("v") == f.hash || strings.HasPrefix(r.PathValue("path"), "fonts/") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	if match := r.Header.Get("If-None-Match"); match == `"`+f.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	_, _ = w.Write(body)
}
