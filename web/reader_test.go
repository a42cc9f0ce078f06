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
			s, err := New(Config{Store: db, BaseURL: "http://news.test", Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			s.readerOf = func(r *http.Request) byline.Reader {
				if r.Header.Get("X-Test-Member") != "" {
					return byline.Reader{MemberID: 7}
				}
				return byline.Reader{}
			}
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
