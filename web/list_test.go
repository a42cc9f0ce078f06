package web_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
	"byline/web"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"
)

func links(doc *goquery.Document, sel string) []string {
	var out []string
	doc.Find(sel).Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("href", "")) })
	return out
}

func TestFrontPagePagination(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		for i := 1; i <= 45; i++ {
			s.article(fmt.Sprintf("Story %02d", i), time.Duration(i)*time.Hour, func(a *byline.Article) {
				a.Featured = i == 7
			})
		}
		front := s.page("/", http.StatusOK)
		if got := links(front, ".featured .card .card-title a"); len(got) != 1 || got[0] != "/story-07/" {
			t.Errorf("featured = %q, want story 07 on top", got)
		}
		if front.Find(".card h3.card-title").Length() != 20 || front.Find(".card h2").Length() != 0 {
			t.Error("front page cards: want h3 headlines under the section headings")
		}
		latest := links(front, ".latest .card .card-title a")
		if len(latest) != 19 || latest[0] != "/story-01/" || strings.Contains(strings.Join(latest, " "), "story-07") {
			t.Errorf("latest on page 1 = %d %q, want 19 newest first without the featured one", len(latest), latest)
		}
		if got := links(front, ".pager a"); len(got) != 1 || got[0] != "/page/2/" {
			t.Errorf("pager on page 1 = %q", got)
		}
		p2 := s.page("/page/2/", http.StatusOK)
		if got := links(p2, ".card .card-title a"); len(got) != 20 || got[0] != "/story-21/" {
			t.Errorf("page 2 = %q", got)
		}
		if got := links(p2, ".pager a"); len(got) != 2 || got[0] != "/" || got[1] != "/page/3/" {
			t.Errorf("pager on page 2 = %q", got)
		}
		p3 := s.page("/page/3/", http.StatusOK)
		if got := links(p3, ".card .card-title a"); len(got) != 5 || got[4] != "/story-45/" {
			t.Errorf("page 3 = %q", got)
		}
		if got := links(p3, ".pager a"); len(got) != 1 || got[0] != "/page/2/" {
			t.Errorf("pager on page 3 = %q", got)
		}
		for _, path := range []string{"/page/4/", "/page/1/", "/page/0/", "/page/-1/", "/page/02/", "/page/abc/", "/page/99999999999999999999/",
			"/page/461168601842738792/", "/page/9223372036854775807/", "/page/461168601842738793/", "/page/1000001/", "/page/+3/"} {
			if res := s.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
			}
		}
	})
}

func TestTagAndAuthorPages(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		for i := 1; i <= 23; i++ {
			s.article(fmt.Sprintf("Culture %02d", i), time.Duration(i)*time.Minute, func(a *byline.Article) {
				a.Tags = []*byline.Tag{{Slug: "culture", Name: "Culture"}}
				a.Authors = []*byline.Author{{Slug: "gerald-darmanin", Name: "Gérald Darmanin"}}
			})
		}
		s.article("Elsewhere", 3*time.Hour)
		tag := s.page("/tag/culture/", http.StatusOK)
		if tag.Find("h1").Text() != "Culture" || len(links(tag, ".card h2.card-title a")) != 20 {
			t.Errorf("tag page: h1 %q, %d cards", tag.Find("h1").Text(), len(links(tag, ".card .card-title a")))
		}
		if got := links(tag, ".pager a"); len(got) != 1 || got[0] != "/tag/culture/page/2/" {
			t.Errorf("tag pager = %q", got)
		}
		if got := links(s.page("/tag/culture/page/2/", http.StatusOK), ".card .card-title a"); len(got) != 3 {
			t.Errorf("tag page 2 = %q", got)
		}
		for _, path := range []string{"/tag/culture/page/3/", "/tag/culture/page/461168601842738792/", "/tag/culture/page/9223372036854775807/",
			"/author/gerald-darmanin/page/461168601842738792/", "/author/gerald-darmanin/page/9223372036854775807/"} {
			if res := s.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
			}
		}
		author := s.page("/author/gerald-darmanin/", http.StatusOK)
		if author.Find("h1").Text() != "Gérald Darmanin" || strings.Contains(strings.Join(links(author, ".card .card-title a"), " "), "elsewhere") {
			t.Errorf("author page: %q %q", author.Find("h1").Text(), links(author, ".card .card-title a"))
		}
		for _, path := range []string{"/tag/nope/", "/author/nope/", "/tag/nope/rss/"} {
			if res := s.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
			}
		}
	})
}

func TestFeeds(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Public one", time.Hour, withImage(s), func(a *byline.Article) {
			a.Tags = append(a.Tags, &byline.Tag{Slug: "france", Name: "France"})
		})
		s.article("Members one", 2*time.Hour, func(a *byline.Article) {
			a.Visibility = byline.VisibilityMembers
			a.Authors = []*byline.Author{{Slug: "other", Name: "Other Writer"}}
			a.Tags = []*byline.Tag{{Slug: "france", Name: "France"}}
		})
		parse := func(path string) *gofeed.Feed {
			t.Helper()
			res := s.get(path)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/rss+xml") {
				t.Fatalf("%s: status %d type %q", path, res.StatusCode, res.Header.Get("Content-Type"))
			}
			f, err := gofeed.NewParser().Parse(res.Body)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if f.FeedType != "rss" || f.FeedVersion != "2.0" {
				t.Fatalf("%s: feed %s %s", path, f.FeedType, f.FeedVersion)
			}
			return f
		}
		f := parse("/rss/")
		if f.Title != "Byline" || len(f.Items) != 2 {
			t.Fatalf("site feed: %q with %d items", f.Title, len(f.Items))
		}
		pub, mem := f.Items[0], f.Items[1]
		if pub.Link != base+"/public-one/" || !strings.Contains(pub.Content, "The body of Public one.") ||
			len(pub.Authors) != 1 || pub.Authors[0].Name != "Ana López" || len(pub.Categories) != 2 || len(pub.Enclosures) != 1 {
			t.Errorf("public item = %+v", pub)
		}
		if pub.PublishedParsed == nil || !pub.PublishedParsed.Equal(now.Add(-time.Hour)) {
			t.Errorf("public item date = %v", pub.PublishedParsed)
		}
		// A members' article carries its preview (the first paragraph of a two-paragraph body)
		// and a link, never the rest.
		if !strings.HasPrefix(mem.Content, "<p>The body of Members one.</p>") || strings.Contains(mem.Content, "More.") ||
			!strings.Contains(mem.Content, `href="`+base+`/members-one/"`) || mem.Description != "About Members one." {
			t.Errorf("members item carries more than its preview: content %q description %q", mem.Content, mem.Description)
		}
		if got := parse("/tag/france/rss/"); len(got.Items) != 2 || got.Title != "France" {
			t.Errorf("tag feed: %q %d items", got.Title, len(got.Items))
		}
		if got := parse("/author/other/rss/"); len(got.Items) != 1 || got.Items[0].Title != "Members one" {
			t.Errorf("author feed: %d items", len(got.Items))
		}
	})
}

func TestSitemaps(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Fresh", time.Hour)
		s.article("Yesterday", 30*time.Hour)
		s.article("Last week", 7*24*time.Hour)
		var set struct {
			URLs []struct {
				Loc     string `xml:"loc"`
				LastMod string `xml:"lastmod"`
				News    *struct {
					Name  string `xml:"publication>name"`
					Lang  string `xml:"publication>language"`
					Date  string `xml:"publication_date"`
					Title string `xml:"title"`
				} `xml:"news"`
			} `xml:"url"`
		}
		if err := xml.NewDecoder(s.get("/sitemap.xml").Body).Decode(&set); err != nil {
			t.Fatal(err)
		}
		if len(set.URLs) != 4 || set.URLs[0].Loc != base+"/" || set.URLs[1].Loc != base+"/fresh/" || set.URLs[1].LastMod == "" {
			t.Errorf("sitemap = %+v", set.URLs)
		}
		set.URLs = nil
		if err := xml.NewDecoder(s.get("/sitemap-news.xml").Body).Decode(&set); err != nil {
			t.Fatal(err)
		}
		if len(set.URLs) != 2 || set.URLs[1].Loc != base+"/yesterday/" || set.URLs[0].News == nil ||
			set.URLs[0].News.Name != "Byline" || set.URLs[0].News.Lang != "en" || set.URLs[0].News.Title != "Fresh" {
			t.Errorf("news sitemap = %+v", set.URLs)
		}
		// With one sitemap file there are no parts, and no number makes one.
		for _, path := range []string{"/sitemap/1.xml", "/sitemap/2.xml", "/sitemap/184467440737097.xml", "/sitemap/9223372036854775807.xml"} {
			if res := s.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
			}
		}
		robots := body(t, s.get("/robots.txt"))
		if !strings.Contains(robots, "Sitemap: "+base+"/sitemap.xml") || !strings.Contains(robots, "sitemap-news.xml") {
			t.Errorf("robots.txt = %q", robots)
		}
	})
}

func TestSitemapIndex(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, func(c *web.Config) { c.SitemapSize = 3 })
		for i := range 5 {
			s.article(fmt.Sprintf("Story %d", i), time.Duration(i+1)*time.Hour)
		}
		var idx struct {
			Locs []string `xml:"sitemap>loc"`
		}
		if err := xml.NewDecoder(s.get("/sitemap.xml").Body).Decode(&idx); err != nil {
			t.Fatal(err)
		}
		if len(idx.Locs) != 2 || idx.Locs[0] != base+"/sitemap/1.xml" || idx.Locs[1] != base+"/sitemap/2.xml" {
			t.Fatalf("sitemap index = %q, want two files for 6 URLs at 3 a file", idx.Locs)
		}
		var all []string
		for _, part := range []string{"/sitemap/1.xml", "/sitemap/2.xml"} {
			var set struct {
				Locs []string `xml:"url>loc"`
			}
			if err := xml.NewDecoder(s.get(part).Body).Decode(&set); err != nil {
				t.Fatal(err)
			}
			all = append(all, set.Locs...)
		}
		want := []string{base + "/", base + "/story-0/", base + "/story-1/", base + "/story-2/", base + "/story-3/", base + "/story-4/"}
		if strings.Join(all, " ") != strings.Join(want, " ") {
			t.Errorf("sitemap files list %q, want %q", all, want)
		}
		for _, path := range []string{"/sitemap/3.xml", "/sitemap/0.xml", "/sitemap/x.xml", "/sitemap/01.xml",
			"/sitemap/+2.xml", "/sitemap/184467440737097.xml", "/sitemap/3074457345618258603.xml", "/sitemap/6148914691236517206.xml", "/sitemap/9223372036854775807.xml"} {
			if res := s.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
			}
		}
	})
}

// TestSettingsShowAtOnce: the site's title, navigation, language and time zone come from the
// stored settings, and a change shows on the next request.
func TestSettingsShowAtOnce(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Story", time.Hour)
		if got := s.page("/story/", http.StatusOK).Find(".masthead .brand").Text(); got != "Byline" {
			t.Fatalf("brand = %q", got)
		}
		set := byline.DefaultSettings()
		set.Title, set.Locale, set.Timezone = "The Riviera Times", "fr-FR", "America/New_York"
		set.Navigation = []byline.NavLink{{Label: "Politique", URL: "/tag/politics/"}}
		if err := s.db.SaveSettings(context.Background(), set); err != nil {
			t.Fatal(err)
		}
		doc := s.page("/story/", http.StatusOK)
		if got := doc.Find(".masthead .brand").Text(); got != "The Riviera Times" {
			t.Errorf("brand = %q after the change", got)
		}
		if got := doc.Find("html").AttrOr("lang", ""); got != "fr-FR" {
			t.Errorf("lang = %q", got)
		}
		if got := links(doc, ".masthead nav a"); len(got) != 1 || got[0] != "/tag/politics/" {
			t.Errorf("navigation = %q", got)
		}
		if got := doc.Find(".dateline time").First().Text(); got != "27 November 2026, 06:00" {
			t.Errorf("date in New York = %q", got)
		}
	})
}

// TestSectionsNeedAVisibleArticle: a tag or an author whose articles are all drafts or
// scheduled is not public: its pages and feed are 404 and never name it, until one of its
// articles is published.
func TestSectionsNeedAVisibleArticle(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s, setClock := newClockedSite(t, db)
		s.article("Live", time.Hour)
		s.article("Merger", time.Hour, func(a *byline.Article) {
			a.Status = byline.StatusDraft
			a.Tags = []*byline.Tag{{Slug: "acme-buys-globex", Name: "Acme buys Globex"}}
			a.Authors = []*byline.Author{{Slug: "secret-source-name", Name: "Secret Source Name"}}
		})
		s.article("Embargoed", -time.Hour, func(a *byline.Article) {
			a.Tags = []*byline.Tag{{Slug: "embargoed-topic", Name: "Embargoed Topic"}}
			a.Authors = []*byline.Author{{Slug: "embargoed-writer", Name: "Embargoed Writer"}}
		})
		hidden := map[string]string{"acme-buys-globex": "Acme buys Globex", "secret-source-name": "Secret Source Name",
			"embargoed-topic": "Embargoed Topic", "embargoed-writer": "Embargoed Writer"}
		for _, kind := range []string{"tag", "author"} {
			for slug, name := range hidden {
				for _, path := range []string{"/" + kind + "/" + slug + "/", "/" + kind + "/" + slug + "/page/2/", "/" + kind + "/" + slug + "/rss/"} {
					res := s.get(path)
					if b := body(t, res); res.StatusCode != http.StatusNotFound || strings.Contains(b, name) {
						t.Errorf("%s: status %d (names %q: %v), want 404", path, res.StatusCode, name, strings.Contains(b, name))
					}
				}
			}
		}
		setClock(now.Add(time.Hour + time.Second))
		for _, path := range []string{"/tag/embargoed-topic/", "/author/embargoed-writer/", "/tag/embargoed-topic/rss/", "/author/embargoed-writer/rss/"} {
			if res := s.get(path); res.StatusCode != http.StatusOK || !strings.Contains(body(t, res), "Embargoed") {
				t.Errorf("%s: status %d once its article is published, want 200", path, res.StatusCode)
			}
		}
		if res := s.get("/tag/acme-buys-globex/"); res.StatusCode != http.StatusNotFound {
			t.Errorf("the draft's tag: status %d, want 404", res.StatusCode)
		}
	})
}

// TestFeedTextIsText: what newsrooms write as plain text (titles, standfirsts, names, the
// site's description) reaches feed readers as text: a description, which readers render as
// HTML, carries it HTML-escaped, so markup in a standfirst never runs; plain-text elements
// encode & and < as the RSS Best Practices Profile asks, and read back as written.
func TestFeedTextIsText(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		const standfirst, title = `<img src=x onerror=alert(1)> & more`, `<b>Bold</b> & Q&A`
		const author, tag = `<script>alert(2)</script> Smith`, `<i>Tag</i> & co`
		s.article("Story", time.Hour, func(a *byline.Article) {
			a.Title, a.Standfirst = title, standfirst
			a.Authors = []*byline.Author{{Slug: "smith", Name: author}}
			a.Tags = []*byline.Tag{{Slug: "tag", Name: tag}}
		})
		set := byline.DefaultSettings()
		set.Description = `<img src=y onerror=alert(3)> News & views`
		if err := s.db.SaveSettings(context.Background(), set); err != nil {
			t.Fatal(err)
		}
		asText := func(what, html, want string) {
			t.Helper()
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
			if err != nil {
				t.Fatal(err)
			}
			if n := doc.Find("img, script, b, i").Length(); n > 0 || !strings.Contains(html, "&lt;") || doc.Text() != want {
				t.Errorf("%s = %q: %d elements when read as HTML, text %q, want the text %q", what, html, n, doc.Text(), want)
			}
		}
		for _, path := range []string{"/rss/", "/tag/tag/rss/", "/author/smith/rss/"} {
			raw := body(t, s.get(path))
			f, err := gofeed.NewParser().ParseString(raw)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if len(f.Items) != 1 {
				t.Fatalf("%s: %d items", path, len(f.Items))
			}
			it := f.Items[0]
			asText(path+" item description", it.Description, standfirst)
			// gofeed reads "<...>" in an author as an e-mail address: ask for dc:creator itself.
			if it.DublinCoreExt == nil || strings.Join(it.DublinCoreExt.Creator, "|") != author || it.Title != title ||
				len(it.Categories) != 1 || it.Categories[0] != tag {
				t.Errorf("%s: title %q, dc:creator %+v, categories %q; want them as written", path, it.Title, it.DublinCoreExt, it.Categories)
			}
			if !strings.Contains(raw, "<title>&#x3C;b&#x3E;Bold&#x3C;/b&#x3E; &#x26; Q&#x26;A</title>") {
				t.Errorf("%s: the title's & and < are not hexadecimal character references", path)
			}
		}
		site, _ := gofeed.NewParser().ParseString(body(t, s.get("/rss/")))
		asText("site description", site.Description, set.Description)
		section, _ := gofeed.NewParser().ParseString(body(t, s.get("/tag/tag/rss/")))
		asText("tag feed description", section.Description, "Articles filed under "+tag+".")
		if section.Title != tag {
			t.Errorf("tag feed title = %q, want %q", section.Title, tag)
		}
	})
}
