package web_test

import (
	"net/http"
	"testing"
	"time"
)

// TestScheduledArticleKeepsSiteUp: with an article scheduled an hour ahead, every kind of
// page still answers 200 on both engines (on SQLite, finding the next publication once
// failed to scan and every cached page answered 500 until that hour).
func TestScheduledArticleKeepsSiteUp(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Live", 2*time.Hour)
		s.article("Scheduled", -time.Hour)
		for _, path := range []string{"/", "/rss/", "/robots.txt", "/sitemap.xml", "/sitemap-news.xml",
			"/live/", "/tag/politics/", "/author/ana-lopez/", "/tag/politics/rss/", "/healthz"} {
			if res := s.get(path); res.StatusCode != http.StatusOK {
				t.Errorf("GET %s with an article scheduled: status %d, want 200\n%s", path, res.StatusCode, body(t, res))
			}
		}
	})
}
