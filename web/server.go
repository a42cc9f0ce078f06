// Package web serves Byline over HTTP: the public site, its feeds and media. routes.go lists
// every route; each area has its own file.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"byline"

	"golang.org/x/sync/singleflight"
)

// Store is what the web layer needs from storage.
type Store interface {
	byline.ArticleStore
	byline.SettingsStore
	// Ping reaches the database itself: health checks must not be answered from memory.
	Ping(ctx context.Context) error
}

// Config configures a Server.
type Config struct {
	Store  Store
	Logger *slog.Logger // errors and warnings
	// AccessLog logs every request to Logger as well.
	AccessLog bool
	BaseURL   string // absolute URL of the site, without trailing slash
	// Dev reads templates and static files from disk at each request.
	Dev bool
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// NoPageCache renders every page afresh: for measuring and debugging.
	NoPageCache bool
	// SitemapSize is how many URLs one sitemap file lists; the protocol's 50,000 when zero.
	SitemapSize int
}

// Server is the HTTP face of Byline.
type Server struct {
	store   Store
	log     *slog.Logger
	access  bool
	baseURL string
	now     func() time.Time
	dev     bool

	templates   map[string]*template.Template
	assets      *assets
	cache       *pageCache
	renders     singleflight.Group
	siteCache   atomic.Pointer[settingsAt]
	readerOf    func(*http.Request) byline.Reader // who reads; nil: everyone is anonymous
	handler     http.Handler
	sitemapSize int
	// notFoundPage answers the site's 404 page, for addresses no route or part of one names.
	notFoundPage http.Handler
}

//go:embed templates static
var embedded embed.FS

// New returns a Server with its templates parsed and checked.
func New(cfg Config) (*Server, error) {
	s := &Server{store: cfg.Store, log: cfg.Logger, access: cfg.AccessLog, baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		now: cfg.Now, dev: cfg.Dev, cache: newPageCache(5000, 10*time.Minute)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.sitemapSize = cfg.SitemapSize
	if s.sitemapSize <= 0 || s.sitemapSize > sitemapLimit {
		s.sitemapSize = sitemapLimit
	}
	files := fs.FS(embedded)
	if cfg.Dev {
		files = osDir()
	}
	var err error
	if s.assets, err = loadAssets(files); err != nil {
		return nil, err
	}
	if s.templates, err = s.parseTemplates(files); err != nil {
		return nil, err
	}
	if cfg.NoPageCache {
		s.cache = nil
	}
	s.notFoundPage = s.handle(func(*http.Request) (*response, error) { return nil, notFound() })
	s.handler = s.routes()
	return s, nil
}

// osDir is the web folder on disk, read in dev mode.
func osDir() fs.FS { return os.DirFS("web") }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// handlerFunc is a handler that returns what to send, or an error to render.
type handlerFunc func(r *http.Request) (*response, error)

// handle adapts a handlerFunc: errors become error pages, and the response is written.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := h(r)
		if err != nil {
			res = s.errorPage(r, err, w.Header().Get("X-Request-Id"))
		}
		res.write(w, r)
	})
}

// cached serves an anonymous page from the page cache, rendering it on a miss. The key is
// the path: pages must not depend on the query string. A signed-in reader's page is rendered
// for them alone, marked private, and never cached: it may hold what others may not read.
func (s *Server) cached(h handlerFunc) handlerFunc {
	return func(r *http.Request) (*response, error) {
		if !s.reader(r).Anonymous() {
			res, err := h(r)
			if res != nil {
				res.cacheControl = "private, no-cache"
				res.surrogate, res.cacheTag = nil, nil
			}
			return res, err
		}
		if s.cache == nil {
			return h(r)
		}
		return s.fromCache(r, h)
	}
}

// fromCache serves a page from the page cache, rendering it on a miss.
func (s *Server) fromCache(r *http.Request, h handlerFunc) (*response, error) {
	rev, err := s.store.ContentRevision(r.Context())
	if err != nil {
		// The database cannot be reached: a page as it was beats an error page.
		if res := s.cache.stale(r.URL.Path); res != nil {
			s.log.Warn("serving a stale page: the store does not answer", "path", r.URL.Path, "err", err)
			return res, nil
		}
		return nil, err
	}
	now := s.now()
	key := r.URL.Path
	if res := s.cache.get(key, rev, now); res != nil {
		return res, nil
	}
	// After a change empties the cache under heavy traffic, many readers ask for the
	// same page at once: one renders it, the others wait for that render.
	v, err, _ := s.renders.Do(strconv.FormatInt(rev, 10)+" "+key, func() (any, error) {
		// The render outlives its first reader's request: others wait for it.
		return s.fill(r.WithContext(context.WithoutCancel(r.Context())), h, key, rev, now)
	})
	if err != nil {
		return nil, err
	}
	return v.(*response), nil
}

// fill renders a page for the cache and keeps it until the content changes or the next
// scheduled article is published.
func (s *Server) fill(r *http.Request, h handlerFunc, key string, rev int64, now time.Time) (*response, error) {
	res, err := h(r)
	if err != nil {
		return nil, err
	}
	if res.status == http.StatusOK {
		next, ok := s.cache.nextPublication(rev, now)
		if !ok {
			if next, err = s.store.NextPublication(r.Context(), now); err != nil {
				return nil, err
			}
			s.cache.setNextPublication(rev, next)
		}
		s.cache.put(key, rev, now, next, res)
	}
	return res, nil
}

// pageCacheControl is sent with anonymous pages: browsers and a CDN in front keep them a
// minute and may serve a stale copy while they fetch a fresh one.
const pageCacheControl = "public, max-age=60, s-maxage=60, stale-while-revalidate=600, stale-if-error=86400"

// Run serves on addr until ctx ends, then shuts down gracefully: in-flight requests finish
// (up to grace). ready, when not nil, is called once the listener is open.
func Run(ctx context.Context, addr string, h http.Handler, log *slog.Logger, grace time.Duration, ready func(addr string)) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
