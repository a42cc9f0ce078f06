package web_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"byline"
	"byline/markdown"
	"byline/publishing"
	"byline/store"
	"byline/store/storetest"
	"byline/web"
)

// countingStore counts the articles the site reads by slug: one per article page rendered.
type countingStore struct {
	*store.DB
	reads atomic.Int64
}

func (c *countingStore) FindArticleBySlug(ctx context.Context, slug string) (*byline.Article, error) {
	c.reads.Add(1)
	return c.DB.FindArticleBySlug(ctx, slug)
}

// TestEditKeepsOtherPagesCached: an editor's save of a published article re-renders that
// article's page, the page that shows it as the next article and the lists; every other
// article's page stays cached. A draft's autosave re-renders nothing. Publishing empties
// the cache, for it moves the articles around it.
func TestEditKeepsOtherPagesCached(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		cs := &countingStore{DB: db}
		d := newDeskSite(t, db)
		h, err := web.New(web.Config{Store: cs, BaseURL: base, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		d.site.srv.Config.Handler = h
		desk := &publishing.Desk{Store: db, Markdown: markdown.New(), Audit: db, Now: func() time.Time { return now }}
		ed := publishing.Who{Staff: d.as(byline.RoleEditor, "Claire Lebertre").staff}
		ctx := context.Background()
		var ids []*byline.Article
		for i, title := range []string{"Oldest story", "Middle story", "Newest story"} {
			a, err := desk.Create(ctx, ed, publishing.Edit{Title: title, Body: "Text of " + title + "."})
			if err != nil {
				t.Fatal(err)
			}
			if a, err = desk.Publish(ctx, ed, a.ID, a.Version, publishing.EditOf(a), time.Time{}); err != nil {
				t.Fatal(err)
			}
			a.PublishedAt = now.Add(time.Duration(i-10) * time.Hour)
			if err := db.UpdateArticle(ctx, a, a.Version, byline.SaveNote{}); err != nil {
				t.Fatal(err)
			}
			a, _ = db.FindArticleByID(ctx, a.ID)
			ids = append(ids, a)
		}
		draft, err := desk.Create(ctx, ed, publishing.Edit{Title: "A draft", Body: "Soon."})
		if err != nil {
			t.Fatal(err)
		}
		pages := []string{"/oldest-story/", "/middle-story/", "/newest-story/", "/"}
		warm := func() {
			for _, p := range pages {
				if res := d.get(p); res.StatusCode != http.StatusOK {
					t.Fatalf("%s: %d", p, res.StatusCode)
				}
			}
		}
		warm()
		rendered := func(what string, want int64) {
			t.Helper()
			before := cs.reads.Load()
			warm()
			if got := cs.reads.Load() - before; got != want {
				t.Errorf("%s: %d article pages rendered again, want %d", what, got, want)
			}
		}
		rendered("nothing changed", 0)

		// A draft's autosave: nothing.
		if _, err := desk.Save(ctx, ed, draft.ID, draft.Version, publishing.Edit{Title: "A draft", Body: "Sooner."}, true); err != nil {
			t.Fatal(err)
		}
		rendered("a draft's autosave", 0)

		// An update of the oldest: its page and the middle one's (which shows it as next).
		oldest := ids[0]
		e := publishing.EditOf(oldest)
		e.Body = "Corrected text."
		if _, err := desk.Save(ctx, ed, oldest.ID, oldest.Version, e, false); err != nil {
			t.Fatal(err)
		}
		rendered("an update of the oldest article", 2)
		if !strings.Contains(d.page("/oldest-story/", http.StatusOK).Text(), "Corrected text.") {
			t.Fatal("the updated article shows its old text")
		}
		// Unpublishing the newest moves the articles around it: every page again.
		newest, _ := db.FindArticleByID(ctx, ids[2].ID)
		if _, err := desk.Unpublish(ctx, ed, newest.ID, newest.Version); err != nil {
			t.Fatal(err)
		}
		before := cs.reads.Load()
		for _, p := range []string{"/oldest-story/", "/middle-story/"} {
			d.get(p)
		}
		if got := cs.reads.Load() - before; got != 2 {
			t.Errorf("after unpublishing: %d pages rendered again, want 2", got)
		}
	})
}
