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
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"byline"
	"byline/membership"
	"byline/newsroom"
	"byline/publishing"

	"golang.org/x/sync/singleflight"
)

// Store is what the web layer needs from storage.
type Store interface {
	byline.ArticleStore
	byline.SettingsStore
	byline.CorrectionStore
	byline.PhotoStore
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
	// PageCacheBytes bounds the page cache in bytes, compressed copies included; 32 MB when
	// zero.
	PageCacheBytes int64
	// Staff and Auth serve the admin (/admin/); without them it is not served.
	Staff *newsroom.Newsroom
	Auth  *newsroom.Auth
	// Desk serves the editor; without it, the admin has no articles area.
	Desk *publishing.Desk
	// Corrections adds and deletes articles' notes in the admin; with Auth and without it,
	// one over Store that audits to Auth's sessions store.
	Corrections *publishing.Corrections
	// AuditLog is read by the admin's audit page; Store's when it has one.
	AuditLog byline.AuditLog
	// Members serves sign-up, sign-in and the members' accounts (/members/), and tells who
	// reads each page; without it, every reader is anonymous.
	Members *membership.Members
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
	// renderTimeout bounds a render that readers share: past it, they get a 503 rather than
	// wait for a database that hangs.
	renderTimeout time.Duration
	staff         *newsroom.Newsroom
	auth          *newsroom.Auth
	desk          *publishing.Desk
	corrections   *publishing.Corrections
	auditLog      byline.AuditLog
	members       *membership.Members
	// notFoundPage answers the site's 404 page, for addresses no route or part of one names.
	notFoundPage http.Handler
}

//go:embed templates static
var embedded embed.FS

// New returns a Server with its templates parsed and checked.
func New(cfg Config) (*Server, error) {
	budget := cfg.PageCacheBytes
	if budget <= 0 {
		budget = defaultPageCacheBytes
	}
	s := &Server{store: cfg.Store, log: cfg.Logger, access: cfg.AccessLog, baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		now: cfg.Now, dev: cfg.Dev, cache: newPageCache(budget, 10*time.Minute), renderTimeout: defaultRenderTimeout, staff: cfg.Staff, auth: cfg.Auth, desk: cfg.Desk}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.corrections, s.auditLog = cfg.Corrections, cfg.AuditLog
	if s.corrections == nil && cfg.Auth != nil {
		s.corrections = &publishing.Corrections{Store: cfg.Store, Audit: cfg.Auth.Sessions, Now: cfg.Now}
	}
	if log, ok := cfg.Store.(byline.AuditLog); ok && s.auditLog == nil {
		s.auditLog = log
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.members = cfg.Members; s.members != nil {
		s.readerOf = s.memberReader
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

// shared reports whether what r gets may come from, or go into, the shared page cache:
// only when nobody is signed in, since a page may show who reads it or what they may read.
// It is the one rule; cached (for pages) and errorPage (for error pages) both ask it, and
// mark what they render for a signed-in reader private.
func (s *Server) shared(r *http.Request) bool { return s.reader(r).Anonymous() }

// cached serves an anonymous page from the page cache, rendering it on a miss. The key is
// the path: pages must not depend on the query string. A signed-in reader's page is rendered
// for them alone, marked private, and never cached: it may hold what others may not read.
func (s *Server) cached(h handlerFunc) handlerFunc {
	return func(r *http.Request) (*response, error) {
		if !s.shared(r) {
			res, err := h(r)
			if err != nil {
				return nil, err // errorPage renders it for them
			}
			return res.private(), nil
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
	s.cache.catchUp(rev, s.changes(r.Context()))
	if res := s.cache.get(key, rev, now); res != nil {
		return res, nil
	}
	// After a change empties the cache under heavy traffic, many readers ask for the
	// same page at once: one renders it, the others wait for that render.
	return s.shareRender(r, strconv.FormatInt(rev, 10)+" "+key, func(ctx context.Context) (*response, error) {
		// A render that ended while this reader looked may have left the page.
		if res := s.cache.get(key, rev, now); res != nil {
			return res, nil
		}
		return s.fill(r.WithContext(ctx), h, key, rev, now)
	})
}

// changes returns how the page cache learns what changed between revisions, when the
// store can tell (nil: it cannot, and every change empties the cache).
func (s *Server) changes(ctx context.Context) changesFunc {
	cs, ok := s.store.(interface {
		ContentChanges(ctx context.Context, after, upto int64) ([]string, bool, error)
	})
	if !ok {
		return nil
	}
	return func(after, upto int64) ([]string, bool, error) { return cs.ContentChanges(ctx, after, upto) }
}

// defaultRenderTimeout is how long readers wait for a shared render.
const defaultRenderTimeout = 10 * time.Second

// errRenderTimeout says that a shared render took longer than its deadline.
var errRenderTimeout = fmt.Errorf("shared render took too long: %w", context.DeadlineExceeded)

// shareRender runs render once for all the readers who ask for key at the same time, and
// returns its page. The render is not any one reader's: it goes on when the reader who
// started it leaves, under a deadline of its own (renderTimeout), so that a database that
// hangs fails the render instead of holding the page's readers for ever. Each reader waits
// only while their request lasts and at most renderTimeout; then the render is forgotten, so
// that the next request starts afresh even if this one never returns.
func (s *Server) shareRender(r *http.Request, key string, render func(ctx context.Context) (*response, error)) (*response, error) {
	timeout := s.renderTimeout
	ch := s.renders.DoChan(key, func() (v any, err error) {
		// A panic in DoChan's function would end the process: make it this render's error.
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("render %s panicked: %v\n%s", key, p, debug.Stack())
			}
		}()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), timeout)
		defer cancel()
		// A render still running at its deadline (one that ignores its context) stops being
		// shared: the next reader starts afresh. Only the flight itself can tell that it is
		// the one under key; a waiter that joined late could forget a newer flight.
		stale := time.AfterFunc(timeout, func() { s.renders.Forget(key) })
		defer stale.Stop()
		return render(ctx)
	})
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*response), nil
	case <-r.Context().Done():
		return nil, r.Context().Err()
	case <-timer.C:
		return nil, errRenderTimeout
	}
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
			if next, err = s.nextChange(r.Context(), now); err != nil {
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
