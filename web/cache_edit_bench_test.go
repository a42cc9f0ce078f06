package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"byline"
	"byline/markdown"
	"byline/publishing"
	"byline/store"
	"byline/web"
)

// renderCounter counts the queries that rendering a front page or an article page makes.
type renderCounter struct {
	*store.DB
	lists, articles atomic.Int64
}

func (c *renderCounter) FindArticles(ctx context.Context, f byline.ArticleFilter) ([]*byline.Article, error) {
	if f.Before == nil { // an article page asks for its next one; the front page does not
		c.lists.Add(1)
	}
	return c.DB.FindArticles(ctx, f)
}

func (c *renderCounter) FindArticleBySlug(ctx context.Context, slug string) (*byline.Article, error) {
	c.articles.Add(1)
	return c.DB.FindArticleBySlug(ctx, slug)
}

// BenchmarkCacheWhileEditing measures the page cache's hit rate on the front page and on
// 200 article pages while an editor saves every 10 seconds, as autosave does: for
// BYLINE_EDIT_LOAD_SECONDS (30 by default) per case, readers on every core read the pages
// and the editor (a) autosaves a draft, (b) autosaves a published article (kept as a
// revision), (c) saves a published article (Update). It reports the hit rates and what
// each save re-rendered.
func BenchmarkCacheWhileEditing(b *testing.B) {
	seconds, _ := strconv.Atoi(os.Getenv("BYLINE_EDIT_LOAD_SECONDS"))
	if seconds <= 0 {
		seconds = 30
	}
	ctx := context.Background()
	db, err := store.Open(ctx, b.TempDir()+"/byline.db", true)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	clock := func() time.Time { return time.Now().UTC() }
	db.Now = clock
	rc := &renderCounter{DB: db}
	h, err := web.New(web.Config{Store: rc, BaseURL: base, Now: clock})
	if err != nil {
		b.Fatal(err)
	}
	desk := &publishing.Desk{Store: db, Markdown: markdown.New(), Audit: db, Now: clock}
	ed := &byline.Staff{Email: "ed@news.example", Name: "Ed", Role: byline.RoleEditor, PasswordHash: "x"}
	if err := db.CreateStaff(ctx, ed); err != nil {
		b.Fatal(err)
	}
	who := publishing.Who{Staff: ed}
	var live *byline.Article
	for i := range 200 {
		a, err := desk.Create(ctx, who, publishing.Edit{Title: fmt.Sprintf("Story %d", i), Body: "Text."})
		if err != nil {
			b.Fatal(err)
		}
		if a, err = desk.Publish(ctx, who, a.ID, a.Version, publishing.EditOf(a), time.Time{}); err != nil {
			b.Fatal(err)
		}
		live = a
	}
	draft, err := desk.Create(ctx, who, publishing.Edit{Title: "A draft", Body: "Text."})
	if err != nil {
		b.Fatal(err)
	}
	paths := []string{"/"}
	for i := range 200 {
		paths = append(paths, fmt.Sprintf("/story-%d/", i))
	}
	for _, c := range []struct {
		name string
		save func(n int) error
	}{
		{"draft-autosave", func(n int) error {
			d, err := db.FindArticleByID(ctx, draft.ID)
			if err != nil {
				return err
			}
			_, err = desk.Save(ctx, who, d.ID, d.Version, publishing.Edit{Title: "A draft", Body: fmt.Sprint("Text ", n)}, true)
			return err
		}},
		{"published-autosave", func(n int) error {
			a, err := db.FindArticleByID(ctx, live.ID)
			if err != nil {
				return err
			}
			e := publishing.EditOf(a)
			e.Body = fmt.Sprint("Text ", n)
			_, err = desk.Save(ctx, who, a.ID, a.Version, e, true)
			return err
		}},
		{"published-update", func(n int) error {
			a, err := db.FindArticleByID(ctx, live.ID)
			if err != nil {
				return err
			}
			e := publishing.EditOf(a)
			e.Body = fmt.Sprint("Text ", n)
			_, err = desk.Save(ctx, who, a.ID, a.Version, e, false)
			return err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for _, p := range paths { // warm
				h.ServeHTTP(&discard{h: http.Header{}}, mustRequest(p))
			}
			rc.lists.Store(0)
			rc.articles.Store(0)
			var requests, front atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						p := paths[i%len(paths)]
						if i%2 == 0 {
							p = "/" // half the traffic is the front page
							front.Add(1)
						}
						h.ServeHTTP(&discard{h: http.Header{}}, mustRequest(p))
						requests.Add(1)
					}
				}()
			}
			saves := 0
			deadline := time.After(time.Duration(seconds) * time.Second)
			tick := time.NewTicker(10 * time.Second)
		loop:
			for {
				select {
				case <-tick.C:
					if err := c.save(saves); err != nil {
						b.Error(err)
					}
					saves++
				case <-deadline:
					break loop
				}
			}
			tick.Stop()
			close(stop)
			wg.Wait()
			n, f := requests.Load(), front.Load()
			lists, articles := rc.lists.Load(), rc.articles.Load()
			b.ReportMetric(float64(n)/float64(seconds), "req/s")
			b.ReportMetric(100*(1-float64(lists)/float64(f)), "front-hit%")
			b.ReportMetric(100*(1-float64(articles)/float64(n-f)), "article-hit%")
			b.ReportMetric(float64(saves), "saves")
			b.ReportMetric(float64(articles)/float64(max(saves, 1)), "article-renders/save")
			b.ReportMetric(float64(lists)/float64(max(saves, 1)), "front-renders/save")
		})
	}
}

func mustRequest(p string) *http.Request {
	r, _ := http.NewRequest("GET", p, nil)
	return r
}
