package web

import (
	"net/http"

	"byline"
)

// routes lists every route of the site.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	page := func(h handlerFunc) http.Handler { return s.handle(s.cached(h)) }

	mux.Handle("GET /{$}", page(s.frontPage))
	mux.Handle("GET /page/{n}/{$}", page(s.frontPage))
	mux.Handle("GET /tag/{slug}/{$}", page(s.sectionPage("tag")))
	mux.Handle("GET /tag/{slug}/page/{n}/{$}", page(s.sectionPage("tag")))
	mux.Handle("GET /author/{slug}/{$}", page(s.sectionPage("author")))
	mux.Handle("GET /author/{slug}/page/{n}/{$}", page(s.sectionPage("author")))
	mux.Handle("GET /{slug}/{$}", page(s.articlePage))

	mux.Handle("GET /rss/{$}", page(s.siteFeed))
	mux.Handle("GET /tag/{slug}/rss/{$}", page(s.sectionFeed("tag")))
	mux.Handle("GET /author/{slug}/rss/{$}", page(s.sectionFeed("author")))
	mux.Handle("GET /sitemap.xml", page(s.sitemap))
	mux.Handle("GET /sitemap/{file}", page(s.sitemapFile))
	mux.Handle("GET /sitemap-news.xml", page(s.newsSitemap))
	mux.Handle("GET /robots.txt", page(s.robots))

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
// address ending in "//". Real links never need either.
func (s *Server) oneAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawPath != "" {
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

// healthz answers 200 when the store answers, for load balancers and orchestrators.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(r.Context()); err != nil {
		s.log.Error("health check", "err", err)
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}
