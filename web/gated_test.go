package web_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/mail"
	"byline/membership"
	"byline/store"
	"byline/store/storetest"
	"byline/web"

	"github.com/PuerkitoBio/goquery"
)

// Gated articles, door by door. Each gated paragraph carries a marker word of its own, and
// so does each preview paragraph; an anonymous reader, a free member and a paid member walk
// every door, and each door is checked for the markers it may and may not show.

var (
	// gatedMarkers are the words of each gated article's text beyond its preview.
	gatedMarkers = map[string][]string{
		"members-piece": {"ZEBRAQUARTZ1", "ZEBRAQUARTZ2"},
		"paid-piece":    {"ZEBRAQUARTZ3", "ZEBRAQUARTZ4", "ZEBRAQUARTZ5"},
	}
	// previewMarkers are the words of each gated article's preview.
	previewMarkers = map[string][]string{
		"members-piece": {"MEMPREVIEWALPHA", "MEMPREVIEWBETA"},
		"paid-piece":    {"PAIDPREVIEWALPHA"},
	}
	gatedVisibility = map[string]byline.Visibility{"members-piece": byline.VisibilityMembers, "paid-piece": byline.VisibilityPaid}
)

// gatedReader is one reader with a browser of their own.
type gatedReader struct {
	name   string
	client *http.Client
	member bool // signed in
	paid   bool
}

// can says whether the reader may read the article's whole text, by the one rule.
func (g *gatedReader) can(slug string) bool {
	r := byline.Reader{Paid: g.paid}
	if g.member {
		r.MemberID = 1
	}
	return r.CanRead(gatedVisibility[slug])
}

// fetch sends a request without compression unless a header asks for it.
func (g *gatedReader) fetch(t *testing.T, s *site, method, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := g.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func newGatedClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signInAs makes a member with the status and signs them in through the real flow: the
// sign-in form, the message in the outbox, the link.
func signInAs(t *testing.T, s *site, db *store.DB, email string, status byline.MemberStatus) *http.Client {
	t.Helper()
	if err := db.CreateMember(context.Background(), &byline.Member{Email: email, Name: "Reader", Status: status}); err != nil {
		t.Fatal(err)
	}
	g := &gatedReader{client: newGatedClient()}
	form := url.Values{"email": {email}, "return": {"/"}}
	req, _ := http.NewRequest("POST", s.srv.URL+"/members/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := g.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	link := linkOf(t, mailTo(t, db, email))
	req, _ = http.NewRequest("POST", s.srv.URL+link, strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, err = g.client.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(strings.Join(res.Header.Values("Set-Cookie"), ";"), "byline_member=") {
		t.Fatalf("sign in %s: status %d, no session cookie", email, res.StatusCode)
	}
	return g.client
}

// gatedSite serves three published articles around two gated ones, newest first: the lead
// story (public), the members' piece (no divider: its preview is its first two paragraphs),
// the paid piece (a divider after its first paragraph), an old public story.
func gatedSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	s := newSite(t, db, func(c *web.Config) {
		c.Members = &membership.Members{Store: db, Settings: db, Mail: &mail.Outbox{Store: db, Now: func() time.Time { return now }},
			BaseURL: base, Now: func() time.Time { return now }}
		c.SitemapSize = 2 // an index and its files
	})
	s.article("Lead Story", time.Hour)
	members := s.article("Members Piece", 2*time.Hour, func(a *byline.Article) {
		a.Visibility = byline.VisibilityMembers
		a.Body = "MEMPREVIEWALPHA opens the story.\n\nMEMPREVIEWBETA carries on.\n\nZEBRAQUARTZ1 is for members.\n\nAnd ZEBRAQUARTZ2 ends it."
	})
	s.article("Paid Piece", 3*time.Hour, func(a *byline.Article) {
		a.Visibility = byline.VisibilityPaid
		a.Body = "PAIDPREVIEWALPHA leads.\n\n<!--members-only-->\n\nZEBRAQUARTZ3 is for paying members.\n\nZEBRAQUARTZ4 too.\n\n- ZEBRAQUARTZ5 in a list"
	})
	s.article("Old Story", 4*time.Hour)
	if err := db.AddCorrection(context.Background(), &byline.Correction{ArticleID: members.ID, Kind: byline.KindCorrection,
		Text: "An earlier version gave the wrong date.", At: now.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	return s
}

// checkMarkers fails if body shows a gated marker it may not: only the page of the article
// itself (own), for a reader who may read it, shows its gated text.
func checkMarkers(t *testing.T, g *gatedReader, door, own, body string) {
	t.Helper()
	for slug, words := range gatedMarkers {
		allowed := slug == own && g.can(slug)
		for _, w := range words {
			if strings.Contains(body, w) && !allowed {
				t.Errorf("%s, %s: shows gated text %s of %s", g.name, door, w, slug)
			} else if !strings.Contains(body, w) && allowed {
				t.Errorf("%s, %s: lacks %s of %s, which the reader may read", g.name, door, w, slug)
			}
		}
	}
}

func TestGatedTextThroughEveryDoor(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := gatedSite(t, db)
		readers := []*gatedReader{
			{name: "anonymous", client: newGatedClient()},
			{name: "free member", client: signInAs(t, s, db, "free@example.org", byline.MemberFree), member: true},
			{name: "paid member", client: signInAs(t, s, db, "paid@example.org", byline.MemberPaid), member: true, paid: true},
		}
		anon, free, paid := readers[0], readers[1], readers[2]
		etags := map[string]map[string]string{} // reader → path → ETag

		for _, g := range readers {
			etags[g.name] = map[string]string{}

			// The articles' own pages: the text or the preview and a call to action.
			for _, slug := range []string{"members-piece", "paid-piece"} {
				path := "/" + slug + "/"
				res, body := g.fetch(t, s, "GET", path)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s, %s: status %d", g.name, path, res.StatusCode)
				}
				etags[g.name][path] = res.Header.Get("ETag")
				if g.member && !strings.Contains(res.Header.Get("Cache-Control"), "private") {
					t.Errorf("%s, %s: Cache-Control %q, want private", g.name, path, res.Header.Get("Cache-Control"))
				}
				checkMarkers(t, g, path, slug, body)
				for _, w := range previewMarkers[slug] {
					if !strings.Contains(body, w) {
						t.Errorf("%s, %s: lacks the preview's %s", g.name, path, w)
					}
				}
				checkCallToAction(t, g, slug, body)
				checkHead(t, g, slug, body)
			}

			// Every other door: gated text never, for anyone.
			doors := []string{"/lead-story/", "/old-story/", "/", "/tag/politics/", "/author/ana-lopez/",
				"/corrections/", "/rss/", "/tag/politics/rss/", "/author/ana-lopez/rss/", "/corrections/rss/",
				"/sitemap.xml", "/sitemap-news.xml", "/no-such-article/", "/tag/nope/", "/robots.txt"}
			for _, file := range sitemapFiles(t, g, s) {
				doors = append(doors, file)
			}
			for _, path := range doors {
				res, body := g.fetch(t, s, "GET", path)
				if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNotFound {
					t.Errorf("%s, %s: status %d", g.name, path, res.StatusCode)
				}
				checkMarkers(t, g, path, "", body)
			}
			// The lead story's page shows the members' piece as next: its headline, no text.
			if _, body := g.fetch(t, s, "GET", "/lead-story/"); !strings.Contains(body, `href="/members-piece/"`) {
				t.Errorf("%s: the lead story does not show the members' piece as next", g.name)
			}
			// Feeds carry the gated articles' previews, never more (checked above).
			for _, feed := range []string{"/rss/", "/tag/politics/rss/", "/author/ana-lopez/rss/"} {
				_, body := g.fetch(t, s, "GET", feed)
				for _, slug := range []string{"members-piece", "paid-piece"} {
					for _, w := range previewMarkers[slug] {
						if !strings.Contains(body, w) {
							t.Errorf("%s, %s: lacks the preview of %s (%s)", g.name, feed, slug, w)
						}
					}
				}
			}
			// Sitemaps hold addresses only.
			for _, path := range append([]string{"/sitemap.xml", "/sitemap-news.xml"}, sitemapFiles(t, g, s)...) {
				_, body := g.fetch(t, s, "GET", path)
				for _, words := range previewMarkers {
					for _, w := range words {
						if strings.Contains(body, w) {
							t.Errorf("%s, %s: carries article text %s", g.name, path, w)
						}
					}
				}
			}
		}

		// ETags: no reader's version stands for another's.
		for _, path := range []string{"/members-piece/", "/paid-piece/"} {
			slug := strings.Trim(path, "/")
			for _, g := range readers {
				for _, other := range readers {
					tag := etags[other.name][path]
					if g == other || tag == "" {
						continue
					}
					if g.can(slug) != other.can(slug) && tag == etags[g.name][path] {
						t.Errorf("%s and %s share the ETag of %s though they see different text", g.name, other.name, path)
					}
					for _, h := range []string{tag, "W/" + tag} {
						res, body := g.fetch(t, s, "GET", path, "If-None-Match", h)
						if g.can(slug) != other.can(slug) && res.StatusCode == http.StatusNotModified {
							t.Errorf("%s, %s with %s's ETag %s: 304", g.name, path, other.name, h)
						}
						if res.StatusCode == http.StatusOK {
							checkMarkers(t, g, path+" (If-None-Match)", slug, body)
						}
					}
					// A compressed copy's ETag is the body's too.
					gz := strings.TrimSuffix(tag, `"`) + `-gz"`
					if res, _ := g.fetch(t, s, "GET", path, "If-None-Match", gz, "Accept-Encoding", "gzip"); g.can(slug) != other.can(slug) && res.StatusCode == http.StatusNotModified {
						t.Errorf("%s, %s with %s's gzip ETag: 304", g.name, path, other.name)
					}
				}
				// HEAD: the same answer as GET, without a body.
				res, body := g.fetch(t, s, "HEAD", path)
				if res.StatusCode != http.StatusOK || body != "" || res.Header.Get("ETag") != etags[g.name][path] {
					t.Errorf("%s, HEAD %s: status %d, ETag %q, want 200 and the GET's %q", g.name, path, res.StatusCode, res.Header.Get("ETag"), etags[g.name][path])
				}
			}
		}
		if etags[anon.name]["/paid-piece/"] == etags[paid.name]["/paid-piece/"] || etags[free.name]["/paid-piece/"] == etags[paid.name]["/paid-piece/"] {
			t.Error("the paid piece has one ETag for readers who see different text")
		}
	})
}

// TestGatedPageCache: whichever reader comes first to a cold page, a member's page never
// goes into the shared cache, and the cached page never reaches a member.
func TestGatedPageCache(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := gatedSite(t, db)
		anon := &gatedReader{name: "anonymous", client: newGatedClient()}
		paid := &gatedReader{name: "paid member", client: signInAs(t, s, db, "paid@example.org", byline.MemberPaid), member: true, paid: true}
		free := &gatedReader{name: "free member", client: signInAs(t, s, db, "free@example.org", byline.MemberFree), member: true}
		// The paid member first, then the others, then the paid member again.
		for i, g := range []*gatedReader{paid, anon, free, anon, paid} {
			for _, slug := range []string{"paid-piece", "members-piece"} {
				_, body := g.fetch(t, s, "GET", "/"+slug+"/")
				checkMarkers(t, g, "/"+slug+"/ (read "+string(rune('1'+i))+")", slug, body)
			}
		}
		// A stale session cookie is an anonymous reader: the shared page, never the text.
		stale := &gatedReader{name: "stale cookie", client: &http.Client{}}
		_, body := stale.fetch(t, s, "GET", "/paid-piece/", "Cookie", "byline_member=not-a-session")
		checkMarkers(t, stale, "/paid-piece/", "paid-piece", body)
	})
}

// sitemapFiles lists the sitemap files the index names, as paths.
func sitemapFiles(t *testing.T, g *gatedReader, s *site) []string {
	t.Helper()
	_, body := g.fetch(t, s, "GET", "/sitemap.xml")
	var index struct {
		Maps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal([]byte(body), &index); err != nil {
		t.Fatalf("sitemap index: %v", err)
	}
	var paths []string
	for _, m := range index.Maps {
		paths = append(paths, strings.TrimPrefix(m.Loc, base))
	}
	if len(paths) == 0 {
		t.Fatal("the sitemap index names no file")
	}
	return paths
}

// checkCallToAction: a reader without access gets the call to action that fits them, in a
// labelled section with real links; a reader with access gets none.
func checkCallToAction(t *testing.T, g *gatedReader, slug, body string) {
	t.Helper()
	doc := pageDoc(t, body)
	wall := doc.Find("section.paywall")
	if g.can(slug) {
		if wall.Length() != 0 {
			t.Errorf("%s, %s: a call to action for a reader who may read it", g.name, slug)
		}
		return
	}
	id, _ := wall.Attr("aria-labelledby")
	if wall.Length() != 1 || id == "" || wall.Find("h2#"+id).Length() != 1 {
		t.Fatalf("%s, %s: no call to action labelled by its heading", g.name, slug)
	}
	var hrefs []string
	wall.Find("a[href]").Each(func(_ int, a *goquery.Selection) { hrefs = append(hrefs, a.AttrOr("href", "")) })
	var want []string
	if g.member {
		want = []string{"/membership/"}
	} else {
		want = []string{"/members/signup?return=/" + slug + "/", "/members/signin?return=/" + slug + "/"}
	}
	if len(hrefs) != len(want) {
		t.Fatalf("%s, %s: links %q, want %q", g.name, slug, hrefs, want)
	}
	for i, h := range hrefs {
		if u, err := url.QueryUnescape(h); err != nil || u != want[i] {
			t.Errorf("%s, %s: link %q, want %q", g.name, slug, h, want[i])
		}
	}
}

// checkHead: the meta and OpenGraph tags carry the standfirst, and the JSON-LD carries no
// text of the article, marks it not free and names its gated part.
func checkHead(t *testing.T, g *gatedReader, slug, body string) {
	t.Helper()
	doc := pageDoc(t, body)
	all := append(append([]string{}, gatedMarkers[slug]...), previewMarkers[slug]...)
	doc.Find("head meta").Each(func(_ int, m *goquery.Selection) {
		content := m.AttrOr("content", "")
		for _, w := range all {
			if strings.Contains(content, w) {
				t.Errorf("%s, %s: a meta tag carries %s: %q", g.name, slug, w, content)
			}
		}
	})
	for _, name := range []string{`meta[name="description"]`, `meta[property="og:description"]`, `meta[name="twitter:description"]`} {
		if got := doc.Find(name).AttrOr("content", ""); got != "About "+map[string]string{"members-piece": "Members Piece", "paid-piece": "Paid Piece"}[slug]+"." {
			t.Errorf("%s, %s: %s = %q, want the standfirst", g.name, slug, name, got)
		}
	}
	raw := doc.Find(`script[type="application/ld+json"]`).Text()
	for _, w := range all {
		if strings.Contains(raw, w) {
			t.Errorf("%s, %s: the JSON-LD carries %s", g.name, slug, w)
		}
	}
	var ld struct {
		ArticleBody *string `json:"articleBody"`
		Free        *bool   `json:"isAccessibleForFree"`
		HasPart     struct {
			Free     *bool  `json:"isAccessibleForFree"`
			Selector string `json:"cssSelector"`
		} `json:"hasPart"`
	}
	if err := json.Unmarshal([]byte(raw), &ld); err != nil {
		t.Fatalf("%s, %s: JSON-LD: %v", g.name, slug, err)
	}
	if ld.ArticleBody != nil || ld.Free == nil || *ld.Free || ld.HasPart.Free == nil || *ld.HasPart.Free || ld.HasPart.Selector == "" {
		t.Errorf("%s, %s: JSON-LD %s, want not free, no articleBody, a gated part", g.name, slug, raw)
	} else if doc.Find(ld.HasPart.Selector).Length() != 1 {
		t.Errorf("%s, %s: the gated part's selector %q names %d elements", g.name, slug, ld.HasPart.Selector, doc.Find(ld.HasPart.Selector).Length())
	}
}
