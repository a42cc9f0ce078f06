package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"byline"
)

// routes lists every route of the site.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	page := func(h handlerFunc) http.Handler { return s.handle(s.cached(h)) }
	s.adminRoutes(mux)
	s.memberRoutes(mux)

	mux.Handle("GET /{$}", page(s.frontPage))
	mux.Handle("GET /page/{n}/{$}", page(s.frontPage))
	mux.Handle("GET /tag/{slug}/{$}", page(s.sectionPage("tag")))
	mux.Handle("GET /tag/{slug}/page/{n}/{$}", page(s.sectionPage("tag")))
	mux.Handle("GET /author/{slug}/{$}", page(s.sectionPage("author")))
	mux.Handle("GET /author/{slug}/page/{n}/{$}", page(s.sectionPage("author")))
	mux.Handle("GET /{slug}/{$}", page(s.articlePage))
	mux.Handle("GET /corrections/{$}", page(s.correctionsPage))
	mux.Handle("GET /corrections/page/{n}/{$}", page(s.correctionsPage))

	mux.Handle("GET /rss/{$}", page(s.siteFeed))
	mux.Handle("GET /tag/{slug}/rss/{$}", page(s.sectionFeed("tag")))
	mux.Handle("GET /author/{slug}/rss/{$}", page(s.sectionFeed("author")))
	mux.Handle("GET /corrections/rss/{$}", page(s.correctionsFeed))
	mux.Handle("GET /sitemap.xml", page(s.sitemap))
	mux.Handle("GET /sitemap/{file}", page(s.sitemapFile))
	mux.Handle("GET /sitemap-news.xml", page(s.newsSitemap))
	mux.Handle("GET /robots.txt", page(s.robots))
	mux.Handle("GET /theme.css", page(s.themeCSS))

	mux.Handle("GET /preview/{token}", s.handle(s.previewLink))
	mux.Handle("GET /media/{hash}/{file}", s.handle(s.mediaFile))
	mux.Handle("GET /static/{hash}/{name}", s.handle(s.staticFile))
	mux.Handle("GET /static/{name}", s.handle(s.staticFile))
	mux.HandleFunc("GET /healthz", s.healthz)

	// Addresses without their trailing slash lead to the canonical one.
	mux.HandleFunc("GET /{slug}", s.addSlash)
	mux.HandleFunc("GET /tag/{slug}", s.addSlash)
	mux.HandleFunc("GET /author/{slug}", s.addSlash)
	mux.HandleFunc("GET /rss", s.addSlash)
	// Anything else is a helpful 404 page; other methods than GET and HEAD get 405.
	mux.Handle("GET /", s.notFoundPage)

	return logRequests(s.log, s.access, secure(s.oneAddress(mux)))
}

// oneAddress gives each page one address: a path spelled otherwise than its plain escaping
// ("/st%6Fry/" for "/story/") is a 404, and so is one with an encoded slash ("/tag/x/%2F"),
// which the router would otherwise read as a second page, cached and canonical under an
// address ending in "//". Real links never need either. The case of the hex digits is no
// other spelling: browsers send back "%d0%bc" as html/template writes it into links, for a
// slug in Cyrillic, where Go writes "%D0%BC".
func (s *Server) oneAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawPath != "" && !strings.EqualFold(r.URL.RawPath, (&url.URL{Path: r.URL.Path}).EscapedPath()) {
			s.notFoundPage.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// addSlash redirects an address without its trailing slash to the canonical one. The
// Location is built from the path as it was escaped, and must be a path on this site: a
// decoded "/%2Fevil.example" must never become "//evil.example/", another host to a browser.
func (s *Server) addSlash(w http.ResponseWriter, r *http.Request) {
	loc := r.URL.EscapedPath() + "/"
	if !byline.SitePath(loc) {
		s.notFoundPage.ServeHTTP(w, r)
		return
	}
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, loc, http.StatusMovedPermanently)
}

// healthTimeout bounds a health check: a database that takes longer is not healthy.
const healthTimeout = 5 * time.Second

// healthz answers 200 when the store answers the queries every page makes, for load
// balancers and orchestrators; a ping alone said "healthy" while every page failed.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	if err := s.checkHealth(ctx); err != nil {
		s.log.Error("health check", "id", h.Get("X-Request-Id"), "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "Unavailable: the database does not answer the queries pages need.\n")
		return
	}
	io.WriteString(w, "ok\n")
}

// checkHealth asks the store what pages ask: the database itself, the content revision, the
// settings, the next scheduled publication and the latest visible article.
func (s *Server) checkHealth(ctx context.Context) error {
	now := s.now()
	if err := s.store.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	if _, err := s.store.ContentRevision(ctx); err != nil {
		return fmt.Errorf("content revision: %w", err)
	}
	if _, err := s.store.FindSettings(ctx); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	if _, err := s.store.NextPublication(ctx, now); err != nil {
		return fmt.Errorf("next publication: %w", err)
	}
	if _, err := s.store.FindArticles(ctx, byline.ArticleFilter{VisibleAt: now, Limit: 1, Summary: true}); err != nil {
		return fmt.Errorf("latest article: %w", err)
	}
	return nil
}
