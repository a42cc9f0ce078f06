package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
)

// TestDeepPages: pages deep in the archive, found from remembered positions, hold exactly
// what OFFSET over the whole list holds, for the whole list, a tag and an author, with
// articles that share a publish time; and they follow a new article, a scheduled one whose
// time comes, and a list that ends.
func TestDeepPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		const n = 900
		for i := range n {
			a := article(fmt.Sprintf("a%04d", i), base.Add(time.Duration(i/3)*time.Minute)) // three at each time
			if i%2 == 0 {
				a.Tags = []*byline.Tag{{Slug: "even", Name: "Even"}}
			}
			if i%3 == 0 {
				a.Authors = []*byline.Author{{Slug: "third", Name: "Third"}}
			}
			if _, err := db.SaveArticle(ctx, a, nil); err != nil {
				t.Fatal(err)
			}
		}
		at := base.Add(time.Duration(n) * time.Minute)
		check := func(stage string, f byline.ArticleFilter) {
			t.Helper()
			f.VisibleAt = at
			all, err := db.FindArticles(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, off := range []int{0, 399, 400, 401, 450, 499, 500, 599, 777, len(all) - 21, len(all) - 1, len(all), len(all) + 500} {
				if off < 0 {
					continue
				}
				f.Offset, f.Limit = off, 21
				page, err := db.FindArticles(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				want := all[min(off, len(all)):min(off+21, len(all))]
				if len(page) != len(want) {
					t.Fatalf("%s %+v offset %d: %d articles, want %d", stage, f, off, len(page), len(want))
				}
				for i := range page {
					if page[i].Slug != want[i].Slug {
						t.Fatalf("%s offset %d: article %d is %s, want %s", stage, off, i, page[i].Slug, want[i].Slug)
					}
				}
				links, err := db.FindArticleLinks(ctx, at, off, 21)
				if err != nil {
					t.Fatal(err)
				}
				if f.TagSlug == "" && f.AuthorSlug == "" {
					for i := range links {
						if links[i].Slug != want[i].Slug {
							t.Fatalf("%s links offset %d: %d is %s, want %s", stage, off, i, links[i].Slug, want[i].Slug)
						}
					}
				}
			}
		}
		for _, f := range []byline.ArticleFilter{{}, {TagSlug: "even"}, {AuthorSlug: "third"}} {
			check("first", f)
		}
		// A new article moves every page by one.
		if _, err := db.SaveArticle(ctx, article("new", at.Add(-30*time.Second)), nil); err != nil {
			t.Fatal(err)
		}
		check("after a new article", byline.ArticleFilter{})
		// A scheduled article comes out with no change in the store.
		if _, err := db.SaveArticle(ctx, article("scheduled", at.Add(time.Minute)), nil); err != nil {
			t.Fatal(err)
		}
		check("before the scheduled time", byline.ArticleFilter{})
		at = at.Add(2 * time.Minute)
		check("after the scheduled time", byline.ArticleFilter{})
	})
}
