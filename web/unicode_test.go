package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"byline"

	"github.com/PuerkitoBio/goquery"
)

// TestNonASCIISlugs: an article and a tag whose slugs are in Cyrillic are reached through the
// site's own links (html/template writes their escapes in lower case, as browsers send them
// back), through Go's upper-case escaping, and named escaped in the canonical link, the feed
// and the sitemap.
func TestNonASCIISlugs(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Москва 2026", time.Hour, func(a *byline.Article) {
			a.Slug = "москва-2026"
			a.Tags = []*byline.Tag{{Slug: "политика", Name: "Политика"}}
		})
		doc := s.page("/", http.StatusOK)
		var hrefs []string
		doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
			if h, _ := a.Attr("href"); strings.Contains(strings.ToLower(h), "%d0") {
				hrefs = append(hrefs, h)
			}
		})
		if len(hrefs) < 2 {
			t.Fatalf("front page links to the article and its tag: %v", hrefs)
		}
		for _, h := range hrefs {
			u, err := url.Parse(h)
			if err != nil {
				t.Fatal(err)
			}
			if res := s.get(u.RequestURI()); res.StatusCode != http.StatusOK {
				t.Errorf("following the site's own link %s: status %d, want 200", h, res.StatusCode)
			}
		}
		upper := (&url.URL{Path: "/москва-2026/"}).EscapedPath()
		art := s.page(upper, http.StatusOK)
		if c, _ := art.Find(`link[rel="canonical"]`).Attr("href"); c != base+upper {
			t.Errorf("canonical %q, want %q", c, base+upper)
		}
		for _, path := range []string{"/sitemap.xml", "/rss/"} {
			if b := body(t, s.get(path)); !strings.Contains(b, base+upper) || strings.Contains(b, "/москва-2026/") {
				t.Errorf("%s does not name the article by its escaped address", path)
			}
		}
		if res := s.get("/%D0%BC%D0%BE%D1%81%D0%BA%D0%B2%D0%B0-2026%2F"); res.StatusCode != http.StatusNotFound {
			t.Errorf("an encoded slash: status %d, want 404", res.StatusCode)
		}
	})
}
