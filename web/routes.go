package web

import (
	"net/http"
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
	mux.HandleFunc("GET /{slug}", addSlash)
	mux.HandleFunc("GET /tag/{slug}", addSlash)
	mux.HandleFunc("GET /author/{slug}", addSlash)
	mux.HandleFunc("GET /rss", addSlash)
	// Anything else is a helpful 404 page; other methods than GET and HEAD get 405.
	mux.Handle("GET /", s.handle(func(r *http.Request) (*response, error) { return nil, notFound() }))

	return logRequests(s.log, s.access, secure(mux))
}

func addSlash(w http.ResponseWriter, r *http.Request) {
	u := *r.URL
	u.Path += "/"
	http.Redirect(w, r, u.RequestURI(), http.StatusMovedPermanently)
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
