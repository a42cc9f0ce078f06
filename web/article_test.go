package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
	"byline/web"

	"github.com/PuerkitoBio/goquery"
)

func TestArticlePage(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Older story", 5*time.Hour)
		a := s.article("Spies expelled", time.Hour, withImage(s), func(a *byline.Article) {
			a.Title = "France expels Russian spies 'operating under diplomatic cover'"
			a.Standfirst = `France has expelled six "spies", the ministry said.`
			a.Body = "Officials at Quai d'Orsay said... it was « grave ».\n\nSecond paragraph."
			a.Authors = append(a.Authors, &byline.Author{Slug: "jean-dupont", Name: "Jean Dupont"})
			a.Tags = append(a.Tags, &byline.Tag{Slug: "russia", Name: "Russia"})
		})
		s.article("Newer story", 10*time.Minute)
		doc := s.page("/spies-expelled/", http.StatusOK)

		if got := doc.Find("html").AttrOr("lang", ""); got != "en-GB" {
			t.Errorf("lang = %q, want en-GB", got)
		}
		if doc.Find("a.skip[href='#main']").Length() != 1 || doc.Find("main#main").Length() != 1 {
			t.Error("no skip link to main")
		}
		if got, want := doc.Find("main h1").Text(), "France expels Russian spies ‘operating under diplomatic cover’"; got != want {
			t.Errorf("h1 = %q, want %q", got, want)
		}
		if doc.Find("h1").Length() != 1 {
			t.Errorf("%d h1 elements, want 1", doc.Find("h1").Length())
		}
		if got := doc.Find(".story-head .standfirst").Text(); got != "France has expelled six “spies”, the ministry said." {
			t.Errorf("standfirst = %q", got)
		}
		img := doc.Find("figure.lead img")
		if img.AttrOr("alt", "") != "Agents leave the embassy" || !strings.Contains(img.AttrOr("srcset", ""), "320w") {
			t.Errorf("lead image alt %q srcset %q", img.AttrOr("alt", ""), img.AttrOr("srcset", ""))
		}
		if got := doc.Find("figure.lead figcaption").Text(); !strings.Contains(got, "The embassy on Monday.") || !strings.Contains(got, "(Photo: Claire Lebertre / AFP)") {
			t.Errorf("figcaption = %q, want caption and credit", got)
		}
		var bylines []string
		doc.Find(".byline a[rel=author]").Each(func(_ int, sel *goquery.Selection) { bylines = append(bylines, sel.AttrOr("href", "")+" "+sel.Text()) })
		if strings.Join(bylines, "|") != "/author/ana-lopez/ Ana López|/author/jean-dupont/ Jean Dupont" {
			t.Errorf("bylines = %q", bylines)
		}
		if !strings.Contains(doc.Find(".byline").Text(), "Ana López and Jean Dupont") {
			t.Errorf("byline text = %q", doc.Find(".byline").Text())
		}
		if got := doc.Find(".dateline time").First().AttrOr("datetime", ""); got != a.PublishedAt.Format(time.RFC3339) {
			t.Errorf("time datetime = %q, want %q", got, a.PublishedAt.Format(time.RFC3339))
		}
		if got := doc.Find(".dateline time").First().Text(); got != "27 November 2026, 12:00" {
			t.Errorf("time text = %q, want the Paris time", got)
		}
		body := doc.Find(".body").Text()
		if !strings.Contains(body, "Quai d’Orsay said… it was « grave ».") {
			t.Errorf("body typography: %q", body)
		}
		if got := doc.Find(".tags a").Length(); got != 2 {
			t.Errorf("%d tag links, want 2", got)
		}
		if got := doc.Find(".next a[data-next]").AttrOr("href", ""); got != "/older-story/" {
			t.Errorf("next article link = %q, want the older one", got)
		}

		head := map[string]string{
			`meta[name=description]`:           "France has expelled six “spies”, the ministry said.",
			`link[rel=canonical]`:              base + "/spies-expelled/",
			`meta[property="og:title"]`:        "France expels Russian spies ‘operating under diplomatic cover’",
			`meta[property="og:type"]`:         "article",
			`meta[name="twitter:card"]`:        "summary_large_image",
			`meta[property="og:image:alt"]`:    "Agents leave the embassy",
			`meta[property="og:url"]`:          base + "/spies-expelled/",
			`meta[property="article:section"]`: "Politics",
		}
		for sel, want := range head {
			el := doc.Find(sel)
			got := el.AttrOr("content", el.AttrOr("href", ""))
			if got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
		if !strings.HasPrefix(doc.Find(`meta[property="og:image"]`).AttrOr("content", ""), base+"/media/") {
			t.Errorf("og:image = %q", doc.Find(`meta[property="og:image"]`).AttrOr("content", ""))
		}
		if got := doc.Find("title").Text(); got != "France expels Russian spies ‘operating under diplomatic cover’ – Byline" {
			t.Errorf("title = %q", got)
		}

		var ld struct {
			Context, Type, Headline, Description, DatePublished, DateModified string
			Image                                                             []string
			Author                                                            []struct{ Type, Name, URL string }
			Publisher                                                         struct {
				Type, Name string
				Logo       struct{ URL string }
			}
			IsAccessibleForFree bool
			MainEntityOfPage    struct {
				Type string `json:"@type"`
				ID   string `json:"@id"`
			}
		}
		raw := doc.Find(`script[type="application/ld+json"]`).Text()
		if err := json.Unmarshal([]byte(strings.NewReplacer(`"@context"`, `"Context"`, `"@type"`, `"Type"`).Replace(raw)), &ld); err != nil {
			t.Fatalf("JSON-LD %q: %v", raw, err)
		}
		if ld.Type != "NewsArticle" || ld.Context != "https://schema.org" || ld.Headline != "France expels Russian spies ‘operating under diplomatic cover’" ||
			ld.DatePublished != "2026-11-27T11:00:00Z" || ld.DateModified == "" || len(ld.Image) != 1 ||
			len(ld.Author) != 2 || ld.Author[0].Type != "Person" || ld.Author[0].URL != base+"/author/ana-lopez/" ||
			ld.Publisher.Type != "NewsMediaOrganization" || !strings.HasPrefix(ld.Publisher.Logo.URL, base+"/") ||
			!ld.IsAccessibleForFree || ld.MainEntityOfPage.ID != base+"/spies-expelled/" {
			t.Errorf("JSON-LD = %+v", ld)
		}
	})
}

func TestArticleWithoutPhoto(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Plain", time.Hour)
		doc := s.page("/plain/", http.StatusOK)
		if doc.Find("figure").Length() != 0 || doc.Find(`meta[property="og:image"]`).Length() != 0 {
			t.Error("an article without a photo shows a figure or og:image")
		}
		if got := doc.Find(`meta[name="twitter:card"]`).AttrOr("content", ""); got != "summary" {
			t.Errorf("twitter:card = %q, want summary", got)
		}
		if doc.Find(".next").Length() != 0 {
			t.Error("the only article has a next article")
		}
	})
}

func TestMembersArticleNeverLeaks(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		const secret = "SECRET-PARAGRAPH"
		s.article("Guide", time.Hour, func(a *byline.Article) {
			a.Visibility = byline.VisibilityMembers
			a.Body = "Free teaser.\n\n<!--members-only-->\n\n" + secret + " for members."
		})
		s.article("Paid guide", 2*time.Hour, func(a *byline.Article) {
			a.Visibility = byline.VisibilityPaid
			a.Body = "Opening.\n\n" + secret + " for payers."
		})
		for _, path := range []string{"/guide/", "/paid-guide/", "/", "/rss/", "/tag/politics/rss/", "/author/ana-lopez/rss/", "/sitemap.xml", "/tag/politics/"} {
			if b := body(t, s.get(path)); strings.Contains(b, secret) {
				t.Errorf("%s shows the members-only text", path)
			}
		}
		doc := s.page("/guide/", http.StatusOK)
		if !strings.Contains(doc.Find(".body").Text(), "Free teaser.") || doc.Find(".paywall").Length() != 1 {
			t.Errorf("members article: teaser or paywall missing: %q", doc.Find(".body").Text())
		}
		if !strings.Contains(s.page("/paid-guide/", http.StatusOK).Find(".body").Text(), "Opening.") {
			t.Error("paid article without marker: the first paragraph should be its teaser")
		}
		raw := doc.Find(`script[type="application/ld+json"]`).Text()
		if !strings.Contains(raw, `"isAccessibleForFree":false`) {
			t.Errorf("JSON-LD of a members article: %s", raw)
		}
	})
}

func TestUnpublishedArticles(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Draft", time.Hour, func(a *byline.Article) { a.Status = byline.StatusDraft })
		s.article("Scheduled", -time.Hour)
		s.article("Live", 2*time.Hour)
		for _, path := range []string{"/draft/", "/scheduled/"} {
			if res := s.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
			}
		}
		for _, path := range []string{"/", "/rss/", "/sitemap.xml", "/tag/politics/", "/author/ana-lopez/", "/live/"} {
			b := body(t, s.get(path))
			if strings.Contains(b, "/draft/") || strings.Contains(b, "/scheduled/") {
				t.Errorf("%s links to an unpublished article", path)
			}
		}
	})
}

// hostileSettings returns settings saved before the domain checked them: links and a logo
// that lead to another host.
type hostileSettings struct{ *store.DB }

func (h hostileSettings) FindSettings(ctx context.Context) (byline.Settings, error) {
	set, err := h.DB.FindSettings(ctx)
	set.Logo = "//evil.example/logo.png"
	set.Navigation = []byline.NavLink{{Label: "Evil", URL: "//evil.example/"}, {Label: "Back", URL: `/\evil.example/`},
		{Label: "Script", URL: "javascript:alert(1)"}, {Label: "Politics", URL: "/tag/politics/"}, {Label: "Elsewhere", URL: "https://example.org/"}}
	return set, err
}

// TestOnlySitePathsAreSitePaths: an address starting with // or /\ names another host, not a
// path on this site: navigation leaves it out, and the logo falls back to the site's own.
func TestOnlySitePathsAreSitePaths(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, func(c *web.Config) { c.Store = hostileSettings{db} })
		s.article("Story", time.Hour)
		doc := s.page("/story/", http.StatusOK)
		if got := strings.Join(links(doc, ".masthead nav a"), " "); got != "/tag/politics/ https://example.org/" {
			t.Errorf("navigation = %q, want only the links that lead to this site or an http(s) address", got)
		}
		if src := doc.Find(".masthead .brand img").AttrOr("src", ""); !strings.HasPrefix(src, "/static/") {
			t.Errorf("logo src = %q, want the site's own", src)
		}
		raw := doc.Find(`script[type="application/ld+json"]`).Text()
		if strings.Contains(raw, "evil.example") || !strings.Contains(raw, `"logo":{"@type":"ImageObject","url":"`+base+`/static/`) {
			t.Errorf("JSON-LD publisher logo: %s", raw)
		}
	})
}
