package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"byline"
	"byline/store/storetest"
)

// BenchmarkArticlePage measures the article page on SQLite through the real router:
// "cached" is the path a reader's request takes (content revision check, cache hit, write);
// "render" renders the page afresh each time, as after any change.
func BenchmarkArticlePage(b *testing.B) {
	db := storetest.MustOpen(b, "sqlite")
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for i := range 10 {
		a := &byline.Article{Slug: fmt.Sprintf("story-%d", i), Title: fmt.Sprintf("Story %d about 'things'", i),
			Standfirst: "A standfirst.", Body: "Body", BodyHTML: "<p>“Body” text.</p>",
			Status: byline.StatusPublished, Visibility: byline.VisibilityPublic, PublishedAt: now.Add(-time.Duration(i+1) * time.Hour),
			Authors: []*byline.Author{{Slug: "ana", Name: "Ana"}}, Tags: []*byline.Tag{{Slug: "politics", Name: "Politics"}}}
		if _, err := db.SaveArticle(context.Background(), a, nil); err != nil {
			b.Fatal(err)
		}
	}
	s, err := New(Config{Store: db, BaseURL: "http://news.test", Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, h http.Handler) {
		req := httptest.NewRequest(http.MethodGet, "/story-5/", nil)
		req.SetPathValue("slug", "story-5")
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	}
	b.Run("cached", func(b *testing.B) { run(b, s) })
	// Readers on every core at once: the page cache's lock is what they share.
	b.Run("cached-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			req := httptest.NewRequest(http.MethodGet, "/story-5/", nil)
			for pb.Next() {
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Errorf("status %d", w.Code)
					return
				}
			}
		})
	})
	b.Run("render", func(b *testing.B) { run(b, s.handle(s.articlePage)) })
}
