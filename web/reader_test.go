package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/markdown"
	"byline/store/storetest"
)

// TestMemberPagesStayPrivate: a signed-in member who may read a members-only article gets its
// full text on a private page, and that page never reaches the shared cache: the anonymous
// readers before and after get the teaser only. (Sign-in comes later; the test says who reads
// through the same hook the sessions will use.)
func TestMemberPagesStayPrivate(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := storetest.MustOpen(t, engine)
			now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
			body, teaser, _ := markdown.New().RenderArticle("Free part.\n\n<!--members-only-->\n\nSECRET part.")
			a := &byline.Article{Slug: "guide", Title: "Guide", Body: "x", BodyHTML: body, TeaserHTML: teaser,
				Status: byline.StatusPublished, Visibility: byline.VisibilityMembers, PublishedAt: now.Add(-time.Hour)}
			if _, err := db.SaveArticle(context.Background(), a, nil); err != nil {
				t.Fatal(err)
			}
			s := memberServer(t, db, now)
			get := func(member bool) (string, string) {
				req := httptest.NewRequest(http.MethodGet, "/guide/", nil)
				if member {
					req.Header.Set("X-Test-Member", "yes")
				}
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				b, _ := io.ReadAll(w.Body)
				return string(b), w.Header().Get("Cache-Control")
			}
			if page, cc := get(false); strings.Contains(page, "SECRET") || !strings.Contains(cc, "public") {
				t.Fatalf("anonymous: secret shown or not public (%q)", cc)
			}
			page, cc := get(true)
			if !strings.Contains(page, "SECRET part.") || strings.Contains(page, `class="paywall"`) {
				t.Error("the member does not get the full article")
			}
			if cc != "private, no-cache" {
				t.Errorf("member page Cache-Control = %q, want private", cc)
			}
			if page, _ := get(false); strings.Contains(page, "SECRET") {
				t.Error("an anonymous reader after the member got the member's page")
			}
		})
	}
}

// TestErrorPagesDependOnTheReader: an error page is a page like the others: a signed-in
// reader's is rendered for them, private, and never taken from or put in the shared cache;
// anonymous readers still share one cached 404 page, and never get one made for a member.
func TestErrorPagesDependOnTheReader(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := storetest.MustOpen(t, engine)
			now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
			a := &byline.Article{Slug: "story", Title: "Story", Body: "x", BodyHTML: "<p>x</p>",
				Status: byline.StatusPublished, Visibility: byline.VisibilityPublic, PublishedAt: now.Add(-time.Hour)}
			if _, err := db.SaveArticle(context.Background(), a, nil); err != nil {
				t.Fatal(err)
			}
			counting := &countingFinds{Store: db}
			s := memberServer(t, counting, now)
			// get fetches a missing page and says whether it was rendered (the 404 page asks
			// for the latest articles) or taken from the cache.
			get := func(who, path string) (cacheControl string, rendered bool) {
				t.Helper()
				req := httptest.NewRequest(http.MethodGet, path, nil)
				if who == "member" {
					req.Header.Set("X-Test-Member", "yes")
				}
				before := counting.count()
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				if w.Code != http.StatusNotFound {
					t.Fatalf("%s %s: status %d, want 404", who, path, w.Code)
				}
				return w.Header().Get("Cache-Control"), counting.count() > before
			}
			for i, path := range []string{"/no-such-story/", "/nor-this-one/", "/a/b/c/"} {
				if cc, rendered := get("member", path); cc != "private, no-cache" || !rendered {
					t.Errorf("member's 404 #%d: Cache-Control %q, rendered %v; want private, rendered for them", i, cc, rendered)
				}
			}
			if cc, rendered := get("anonymous", "/no-such-story/"); cc != "public, max-age=60" || !rendered {
				t.Errorf("anonymous 404 after a member's: Cache-Control %q, rendered %v; want public, rendered afresh", cc, rendered)
			}
			if cc, rendered := get("anonymous", "/nor-this-one/"); cc != "public, max-age=60" || rendered {
				t.Errorf("second anonymous 404: Cache-Control %q, rendered %v; want the cached page", cc, rendered)
			}
			if cc, rendered := get("member", "/no-such-story/"); cc != "private, no-cache" || !rendered {
				t.Errorf("member's 404 with one cached: Cache-Control %q, rendered %v; want private, rendered for them", cc, rendered)
			}
		})
	}
}

// memberServer serves st at the clock now; a request with an X-Test-Member header is read by
// member 7, as the sign-in issue's sessions will say through readerOf.
func memberServer(t *testing.T, st Store, now time.Time) *Server {
	t.Helper()
	s, err := New(Config{Store: st, BaseURL: "http://news.test", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	s.readerOf = func(r *http.Request) byline.Reader {
		if r.Header.Get("X-Test-Member") != "" {
			return byline.Reader{MemberID: 7}
		}
		return byline.Reader{}
	}
	return s
}
