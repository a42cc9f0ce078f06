package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
)

func TestMigrationsMatch(t *testing.T) {
	list := func(engine string) []string {
		entries, err := os.ReadDir(filepath.Join("migrations", engine))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	sqlite, postgres := list("sqlite"), list("postgres")
	if len(sqlite) == 0 || len(sqlite) != len(postgres) {
		t.Fatalf("migrations: sqlite %v, postgres %v: want the same files", sqlite, postgres)
	}
	for i := range sqlite {
		if sqlite[i] != postgres[i] {
			t.Errorf("migration %d: sqlite %q, postgres %q", i, sqlite[i], postgres[i])
		}
	}
}

func TestMigrateTwice(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("second migration run: %v", err)
		}
	})
}

func article(slug string, at time.Time) *byline.Article {
	return &byline.Article{Slug: slug, Title: "Title " + slug, Body: "b", BodyHTML: "<p>b</p>",
		Status: byline.StatusPublished, Visibility: byline.VisibilityPublic, PublishedAt: at,
		Authors: []*byline.Author{{Slug: "a", Name: "A"}}, Tags: []*byline.Tag{{Slug: "t", Name: "T"}}}
}

func TestSaveAndFind(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
		db.Now = func() time.Time { return clock }
		at := time.Date(2026, 1, 1, 10, 0, 0, 987654321, time.FixedZone("CET", 3600))
		a := article("one", at)
		if res, err := db.SaveArticle(ctx, a, nil); err != nil || res != byline.Created || a.ID == 0 {
			t.Fatalf("save: %v %v id %d", res, err, a.ID)
		}
		got, err := db.FindArticleBySlug(ctx, "one")
		if err != nil {
			t.Fatal(err)
		}
		if !got.PublishedAt.Equal(at.Truncate(time.Microsecond)) || got.PublishedAt.Location() != time.UTC {
			t.Errorf("published = %v, want %v in UTC", got.PublishedAt, at)
		}
		if !got.CreatedAt.Equal(clock.Truncate(time.Microsecond)) {
			t.Errorf("created = %v, want %v", got.CreatedAt, clock)
		}
		if got.Status != byline.StatusPublished || got.Featured || got.Image != nil || got.Authors[0].Name != "A" {
			t.Errorf("got %+v", got)
		}
		if _, err := db.FindArticleBySlug(ctx, "none"); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Errorf("missing slug: %v, want not_found", err)
		}
		if _, err := db.FindAuthorBySlug(ctx, "nobody"); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Errorf("missing author: %v, want not_found", err)
		}
		if _, err := db.SaveArticle(ctx, &byline.Article{Slug: "", Title: "x"}, nil); byline.ErrorCode(err) != byline.EINVALID {
			t.Errorf("no slug: %v, want invalid", err)
		}
		bad := article("bad", at)
		bad.Status = "live"
		if _, err := db.SaveArticle(ctx, bad, nil); err == nil {
			t.Error("an unknown status was stored")
		}
		if _, err := db.FindArticleBySlug(ctx, "bad"); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Errorf("a failed save left a row: %v", err)
		}
	})
}

func TestFindArticlesFilter(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		for i, slug := range []string{"a", "b", "c", "d"} {
			a := article(slug, base.Add(time.Duration(i)*time.Hour))
			a.Featured = slug == "b"
			if slug == "d" {
				a.Tags = []*byline.Tag{{Slug: "other", Name: "Other"}}
			}
			if _, err := db.SaveArticle(ctx, a, nil); err != nil {
				t.Fatal(err)
			}
		}
		// Same time as c, so the id breaks the tie.
		if _, err := db.SaveArticle(ctx, article("c2", base.Add(2*time.Hour)), nil); err != nil {
			t.Fatal(err)
		}
		slugs := func(f byline.ArticleFilter) string {
			list, err := db.FindArticles(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var s string
			for _, a := range list {
				s += a.Slug + " "
			}
			return s
		}
		c, _ := db.FindArticleBySlug(ctx, "c2")
		for _, tt := range []struct {
			name string
			f    byline.ArticleFilter
			want string
		}{
			{"All", byline.ArticleFilter{}, "d c2 c b a "},
			{"Limit", byline.ArticleFilter{Limit: 2, Offset: 1}, "c2 c "},
			{"VisibleAt", byline.ArticleFilter{VisibleAt: base.Add(90 * time.Minute)}, "b a "},
			{"Before", byline.ArticleFilter{Before: c}, "c b a "},
			{"Featured", byline.ArticleFilter{Featured: true}, "b "},
			{"Tag", byline.ArticleFilter{TagSlug: "other"}, "d "},
			{"Author", byline.ArticleFilter{AuthorSlug: "a", Limit: 1}, "d "},
			{"Summary", byline.ArticleFilter{Summary: true, Limit: 1}, "d "},
		} {
			if got := slugs(tt.f); got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
			}
		}
		list, _ := db.FindArticles(ctx, byline.ArticleFilter{Summary: true, Limit: 1})
		if list[0].BodyHTML != "" || len(list[0].Tags) != 1 {
			t.Errorf("summary: body %q tags %d", list[0].BodyHTML, len(list[0].Tags))
		}
	})
}

func TestSettings(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, err := db.FindSettings(ctx)
		if err != nil || s.Title != byline.DefaultSettings().Title {
			t.Fatalf("defaults: %+v %v", s, err)
		}
		rev, _ := db.ContentRevision(ctx)
		s.Title, s.Timezone = "The Riviera Times", "Europe/Paris"
		s.Navigation = []byline.NavLink{{Label: "Politics", URL: "/tag/politics/"}}
		if err := db.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		got, _ := db.FindSettings(ctx)
		if got.Title != "The Riviera Times" || len(got.Navigation) != 1 {
			t.Errorf("settings = %+v", got)
		}
		if rev2, _ := db.ContentRevision(ctx); rev2 <= rev {
			t.Errorf("saving settings did not move the content revision")
		}
	})
}

func TestConcurrentWriters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		errs := make(chan error, 40)
		for i := range 40 {
			go func() {
				a := article("same", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
				a.Title = "writer " + string(rune('a'+i%26))
				_, err := db.SaveArticle(ctx, a, nil)
				errs <- err
			}()
		}
		for range 40 {
			if err := <-errs; err != nil && byline.ErrorCode(err) != byline.ECONFLICT {
				t.Errorf("concurrent save: %v", err)
			}
		}
		if n, _ := db.CountArticles(ctx); n != 1 {
			t.Errorf("articles = %d, want 1", n)
		}
	})
}

// TestConcurrentMigrations starts several nodes on one fresh database at once: each
// migration is applied exactly once and every node starts.
func TestConcurrentMigrations(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			url := storetest.URL(t, engine)
			errs := make(chan error, 4)
			for range 4 {
				go func() {
					db, err := store.Open(context.Background(), url, true)
					if err == nil {
						db.Close()
					}
					errs <- err
				}()
			}
			for range 4 {
				if err := <-errs; err != nil {
					t.Errorf("node start: %v", err)
				}
			}
			db := storetest.MustOpenURL(t, url)
			if n, err := db.CountArticles(context.Background()); err != nil || n != 0 {
				t.Errorf("after concurrent migrations: %d articles, %v", n, err)
			}
		})
	}
}

// TestNextPublication: a scheduled article's publish time is found on both engines (SQLite
// gives an aggregate no type, so MIN(published_at) came back as text and failed to scan).
func TestNextPublication(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		if next, err := db.NextPublication(ctx, now); err != nil || !next.IsZero() {
			t.Fatalf("nothing scheduled: %v %v, want the zero time", next, err)
		}
		for i, slug := range []string{"past", "later", "soon"} {
			at := now.Add(time.Duration(i-1) * time.Hour) // -1 h, +1 h
			if slug == "soon" {
				at = now.Add(30 * time.Minute)
			}
			if _, err := db.SaveArticle(ctx, article(slug, at), nil); err != nil {
				t.Fatal(err)
			}
		}
		draft := article("draft", now.Add(10*time.Minute))
		draft.Status = byline.StatusDraft
		if _, err := db.SaveArticle(ctx, draft, nil); err != nil {
			t.Fatal(err)
		}
		next, err := db.NextPublication(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := now.Add(30 * time.Minute); !next.Equal(want) || next.Location() != time.UTC {
			t.Errorf("next publication = %v, want %v in UTC", next, want)
		}
	})
}

// TestErrorsKeepTheirChain: a query cut short because the reader left reports
// context.Canceled, so that the web layer does not log it as an internal error.
func TestErrorsKeepTheirChain(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for name, err := range map[string]error{
			"FindArticleBySlug": func() error { _, err := db.FindArticleBySlug(ctx, "x"); return err }(),
			"FindTagBySlug":     func() error { _, err := db.FindTagBySlug(ctx, "x"); return err }(),
			"CountArticles":     func() error { _, err := db.CountArticles(ctx); return err }(),
			"FindArticles":      func() error { _, err := db.FindArticles(ctx, byline.ArticleFilter{}); return err }(),
		} {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context: %v, want context.Canceled in the chain", name, err)
			}
		}
	})
}

// TestOppositeOrderSaves: two imports naming the same authors and tags in opposite orders
// must not deadlock each other (PostgreSQL aborts one of two deadlocked transactions).
func TestOppositeOrderSaves(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var authors []*byline.Author
		var tags []*byline.Tag
		for i := range 20 {
			authors = append(authors, &byline.Author{Slug: fmt.Sprintf("author-%02d", i), Name: fmt.Sprintf("Author %d", i)})
			tags = append(tags, &byline.Tag{Slug: fmt.Sprintf("tag-%02d", i), Name: fmt.Sprintf("Tag %d", i)})
		}
		errs := make(chan error, 2*30)
		for w := range 2 {
			go func() {
				for i := range 30 {
					a := article(fmt.Sprintf("w%d-%d", w, i), time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC))
					a.Authors, a.Tags = nil, nil // copies: a save writes ids into them
					for _, au := range authors {
						c := *au
						a.Authors = append(a.Authors, &c)
					}
					for _, t := range tags {
						c := *t
						a.Tags = append(a.Tags, &c)
					}
					if w == 1 {
						slices.Reverse(a.Authors)
						slices.Reverse(a.Tags)
					}
					_, err := db.SaveArticle(ctx, a, nil)
					errs <- err
				}
			}()
		}
		for range 2 * 30 {
			if err := <-errs; err != nil {
				t.Errorf("save: %v", err)
			}
		}
		// Order of bylines and tags is kept as given.
		got, err := db.FindArticleBySlug(ctx, "w1-0")
		if err != nil {
			t.Fatal(err)
		}
		if got.Authors[0].Slug != "author-19" || got.Tags[0].Slug != "tag-19" {
			t.Errorf("first author %s, tag %s: want the order given", got.Authors[0].Slug, got.Tags[0].Slug)
		}
	})
}

// TestSaveKeepsOtherSourcesArticles: an article of another source is not overwritten unless
// the save says Takeover; the store decides it inside its transaction, so that two imports at
// once cannot both pass a check made before.
func TestSaveKeepsOtherSourcesArticles(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		a := article("dup", at)
		a.Source = "import:/news/a.md"
		if _, err := db.SaveArticle(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
		b := article("dup", at)
		b.Source, b.Title = "import:/news/b.md", "By b"
		if _, err := db.SaveArticle(ctx, b, nil); byline.ErrorCode(err) != byline.ECONFLICT {
			t.Fatalf("another source's save: %v, want conflict", err)
		}
		if got, _ := db.FindArticleBySlug(ctx, "dup"); got.Title != a.Title {
			t.Fatalf("title %q after a refused save, want %q", got.Title, a.Title)
		}
		b.Takeover = true
		if res, err := db.SaveArticle(ctx, b, nil); err != nil || res != byline.Updated {
			t.Fatalf("a takeover: %v %v, want updated", res, err)
		}
		if got, _ := db.FindArticleBySlug(ctx, "dup"); got.Source != b.Source || got.Title != "By b" {
			t.Fatalf("after the takeover: source %q title %q", got.Source, got.Title)
		}
	})
}
