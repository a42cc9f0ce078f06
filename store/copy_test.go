package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
)

// TestCopyFromPostgresStoresUTC: copying from PostgreSQL to SQLite on a machine whose time
// zone is not UTC must still store UTC: SQLite compares timestamps as text, so a local time
// breaks the order of articles and the moment scheduled ones appear.
func TestCopyFromPostgresStoresUTC(t *testing.T) {
	if len(storetest.Engines(t)) < 2 {
		t.Skip("needs PostgreSQL")
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	local := time.Local
	time.Local = paris // as under TZ=Europe/Paris; CI runs in UTC and would never see it
	t.Cleanup(func() { time.Local = local })

	ctx := context.Background()
	src := storetest.MustOpen(t, "postgres")
	at := time.Date(2026, 11, 27, 23, 40, 0, 0, time.UTC)
	for i, slug := range []string{"first", "second"} {
		if _, err := src.SaveArticle(ctx, article(slug, at.Add(time.Duration(i)*time.Hour)), nil); err != nil {
			t.Fatal(err)
		}
	}
	path := storetest.URL(t, "sqlite")
	dst, err := store.Open(ctx, path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if err := store.Copy(ctx, src, dst, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT slug, published_at, created_at, updated_at FROM articles UNION ALL
		SELECT slug, created_at, created_at, created_at FROM authors UNION ALL SELECT slug, created_at, created_at, created_at FROM tags`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var slug string
		var times [3]string
		if err := rows.Scan(&slug, &times[0], &times[1], &times[2]); err != nil {
			t.Fatal(err)
		}
		for _, v := range times {
			if !strings.HasSuffix(v, "+00:00") && !strings.HasSuffix(v, "Z") {
				t.Errorf("%s: stored %q, want a UTC time", slug, v)
			}
		}
	}
	if next, err := dst.NextPublication(ctx, at.Add(30*time.Minute)); err != nil || !next.Equal(at.Add(time.Hour)) {
		t.Errorf("next publication after the copy: %v %v, want %v", next, err, at.Add(time.Hour))
	}
	list, err := dst.FindArticles(ctx, byline.ArticleFilter{VisibleAt: at.Add(30 * time.Minute)})
	if err != nil || len(list) != 1 || list[0].Slug != "first" {
		t.Errorf("visible half an hour after the first: %v %v, want only first", list, err)
	}
}
