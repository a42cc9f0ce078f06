package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// assets are the embedded static files, each served under a content-hashed address so that
// browsers may keep it for a year.
type assets struct {
	byName map[string]*asset
}

type asset struct {
	hash string
	res  *response // immutable, for the hashed address
	open *response // short-lived, for the plain address
}

func loadAssets(files fs.FS) (*assets, error) {
	entries, err := fs.ReadDir(files, "static")
	if err != nil {
		return nil, fmt.Errorf("read static files: %w", err)
	}
	a := &assets{byName: map[string]*asset{}}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := fs.ReadFile(files, "static/"+e.Name())
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		ctype := mime.TypeByExtension(path.Ext(e.Name()))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.byName[e.Name()] = &asset{
			hash: hex.EncodeToString(sum[:])[:12],
			res:  newResponse(http.StatusOK, ctype, "public, max-age=31536000, immutable", data),
			open: newResponse(http.StatusOK, ctype, "public, max-age=3600", data),
		}
	}
	return a, nil
}

// url returns the hashed address of a static file.
func (a *assets) url(name string) string {
	if f, ok := a.byName[name]; ok {
		return "/static/" + f.hash + "/" + name
	}
	return "/static/" + name
}

// staticFile serves /static/{hash}/{name} for ever and /static/{name} briefly.
func (s *Server) staticFile(r *http.Request) (*response, error) {
	files := s.assets
	if s.dev {
		var err error
		if files, err = loadAssets(osDir()); err != nil {
			return nil, err
		}
	}
	f, ok := files.byName[r.PathValue("name")]
	if !ok {
		return nil, notFound()
	}
	switch hash := r.PathValue("hash"); hash {
	case "":
		return f.open, nil
	case f.hash:
		return f.res, nil
	default:
		if len(hash) != len(f.hash) || strings.Trim(hash, "0123456789abcdef") != "" {
			return nil, notFound() // not a hash: not a second address for the file
		}
		return f.open, nil // an old hash: serve the current file, but not for ever
	}
}
