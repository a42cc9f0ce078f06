package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"byline"
	"byline/markdown"
	"byline/newsroom"
	"byline/publishing"
	"byline/store"
	"byline/web"
)

// BenchmarkAdminLists measures the newsroom's lists through the real handler, as an editor
// opens them: server time per page. With BYLINE_BENCH_DB naming a SQLite newsroom (make
// one with scripts/genarticles -n 100000 and byline import), it runs on a copy of it;
// with BYLINE_BENCH_POSTGRES_URL, on that PostgreSQL database as it is; otherwise on 2,000
// articles made here.
func BenchmarkAdminLists(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "byline.db")
	if src := os.Getenv("BYLINE_BENCH_DB"); src != "" {
		in, err := os.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := os.Create(path)
		if _, err := io.Copy(out, in); err != nil {
			b.Fatal(err)
		}
		in.Close()
		out.Close()
	}
	if pg := os.Getenv("BYLINE_BENCH_POSTGRES_URL"); pg != "" {
		path = pg // a PostgreSQL newsroom as it is (byline copy one there)
	}
	db, err := store.Open(ctx, path, true)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if n, _ := db.CountArticles(ctx); n == 0 {
		for i := range 2000 {
			a := &byline.Article{Slug: fmt.Sprintf("story-%d", i), Title: fmt.Sprintf("Council story %d", i), Body: "Body",
				Status: byline.StatusPublished, Visibility: byline.VisibilityPublic, PublishedAt: now.Add(-time.Duration(i) * time.Hour),
				Authors: []*byline.Author{{Slug: "ana", Name: "Ana"}}, Tags: []*byline.Tag{{Slug: "politics", Name: "Politics"}}}
			if _, err := db.SaveArticle(ctx, a, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	auth := &newsroom.Auth{Staff: db, Sessions: db}
	h, err := web.New(web.Config{Store: db, BaseURL: base, Staff: &newsroom.Newsroom{Store: db}, Auth: auth,
		Desk: &publishing.Desk{Store: db, Markdown: markdown.New(), Audit: db}})
	if err != nil {
		b.Fatal(err)
	}
	st := &byline.Staff{Email: fmt.Sprintf("bench-%d@news.example", time.Now().UnixNano()), Name: "Bench", Role: byline.RoleEditor, PasswordHash: "x"}
	if err := db.CreateStaff(ctx, st); err != nil {
		b.Fatal(err)
	}
	token, err := auth.StartSession(ctx, st, "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	n, _ := db.CountArticles(ctx)
	b.Logf("%d articles", n)
	for _, p := range []string{"/admin/articles/", "/admin/articles/?state=draft", "/admin/articles/?state=scheduled",
		"/admin/articles/?state=published", "/admin/articles/?page=100", "/admin/articles/?q=council",
		"/admin/articles/?tag=politics", "/admin/articles/?q=no+such+words", "/admin/articles/?tag=no-such-tag", "/admin/articles/?author=camille-durand&state=published", "/admin/"} {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				req, _ := http.NewRequest("GET", p, nil)
				req.Header.Set("Cookie", "byline_staff="+token)
				w := &discard{h: http.Header{}}
				h.ServeHTTP(w, req)
				if w.code != http.StatusOK {
					b.Fatalf("%s: status %d", p, w.code)
				}
			}
		})
	}
}

// discard is a ResponseWriter that keeps only the status.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) Write(p []byte) (int, error) {
	if d.code == 0 {
		d.code = http.StatusOK
	}
	return len(p), nil
}
func (d *discard) WriteHeader(code int) { d.code = code }
