package store

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"byline"
)

// rebuildArticles is a migration that rebuilds the articles table the way SQLite changes a
// CHECK constraint: new table, copy, drop, rename, indexes.
const rebuildArticles = `
CREATE TABLE new_articles (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    standfirst    TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    body_html     TEXT NOT NULL DEFAULT '',
    teaser_html   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    visibility    TEXT NOT NULL CHECK (visibility IN ('public', 'members', 'paid')),
    featured      BOOLEAN NOT NULL DEFAULT FALSE,
    image_id      INTEGER REFERENCES images (id),
    image_alt     TEXT NOT NULL DEFAULT '',
    image_caption TEXT NOT NULL DEFAULT '',
    image_credit  TEXT NOT NULL DEFAULT '',
    published_at  TIMESTAMP NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    source        TEXT NOT NULL DEFAULT '',
    version          INTEGER NOT NULL DEFAULT 1,
    comments_open    BOOLEAN NOT NULL DEFAULT TRUE,
    meta_title       TEXT NOT NULL DEFAULT '',
    meta_description TEXT NOT NULL DEFAULT '',
    canonical_url    TEXT NOT NULL DEFAULT '',
    created_by       INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    announced_at     TIMESTAMP
);
INSERT INTO new_articles SELECT id, slug, title, standfirst, body, body_html, teaser_html, status, visibility,
    featured, image_id, image_alt, image_caption, image_credit, published_at, created_at, updated_at, source,
    version, comments_open, meta_title, meta_description, canonical_url, created_by, announced_at FROM articles;
DROP TABLE articles;
ALTER TABLE new_articles RENAME TO articles;
CREATE INDEX articles_by_date ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_featured ON articles (status, featured, published_at DESC, id DESC);
`

// withMigration returns the embedded SQLite migrations plus one more.
func withMigration(t *testing.T, name, script string) fs.FS {
	t.Helper()
	files := fstest.MapFS{}
	err := fs.WalkDir(migrations, "migrations/sqlite", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(migrations, p)
		files[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files["migrations/sqlite/"+name] = &fstest.MapFile{Data: []byte(script)}
	return files
}

// openSQLite opens a fresh SQLite store in a temporary folder, closed when the test ends,
// holding one article with the given bylines and tags.
func openSQLite(t *testing.T, authors []*byline.Author, tags []*byline.Tag) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "byline.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := &byline.Article{Slug: "s", Title: "T", Body: "b", Status: byline.StatusPublished,
		Visibility: byline.VisibilityPublic, PublishedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Authors: authors, Tags: tags}
	if _, err := db.SaveArticle(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestSQLiteTableRebuildKeepsLinks: a migration that rebuilds articles keeps every byline
// and tag link (with foreign keys on inside the transaction, dropping the old table would
// cascade deletes into article_authors and article_tags), and foreign keys are on after.
func TestSQLiteTableRebuildKeepsLinks(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t, []*byline.Author{{Slug: "a", Name: "A"}, {Slug: "b", Name: "B"}}, []*byline.Tag{{Slug: "t", Name: "T"}})
	if err := db.migrate(ctx, withMigration(t, "9000_rebuild_articles.sql", rebuildArticles)); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindArticleBySlug(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Authors) != 2 || len(got.Tags) != 1 {
		t.Fatalf("after rebuilding articles: %d authors, %d tags, want 2 and 1", len(got.Authors), len(got.Tags))
	}
	var on int
	if err := db.write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil || on != 1 {
		t.Errorf("foreign keys after the migration: %d %v, want on", on, err)
	}
	// The rebuilt table still refuses what its references forbid.
	if _, err := db.write.ExecContext(ctx, `INSERT INTO article_tags (article_id, tag_id, position) VALUES (999, 1, 0)`); err == nil {
		t.Error("a link to a missing article was stored after the migration")
	}
}

// TestSQLiteMigrationBreakingReferences: a migration that would leave a reference dangling
// is refused whole by PRAGMA foreign_key_check, and nothing of it stays.
func TestSQLiteMigrationBreakingReferences(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t, nil, []*byline.Tag{{Slug: "t", Name: "T"}})
	err := db.migrate(ctx, withMigration(t, "9000_bad.sql", `CREATE TABLE marker (x INTEGER); DELETE FROM tags;`))
	if err == nil || !strings.Contains(err.Error(), "would break references") {
		t.Fatalf("a migration leaving links to deleted tags: %v, want it refused", err)
	}
	var n int
	if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'marker'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the refused migration left its table behind (%d, %v)", n, err)
	}
	if got, err := db.FindArticleBySlug(ctx, "s"); err != nil || len(got.Tags) != 1 {
		t.Errorf("after the refused migration: %v, %v", got, err)
	}
}

// TestSQLiteMigrationWithOldBrokenReference: a reference broken before a migration (by a
// hand edit with foreign keys off) does not make the migration fail; only new ones do.
func TestSQLiteMigrationWithOldBrokenReference(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t, nil, nil)
	conn, err := db.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`PRAGMA foreign_keys = OFF`, `INSERT INTO article_tags (article_id, tag_id, position) VALUES (404, 404, 0)`, `PRAGMA foreign_keys = ON`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	if err := db.migrate(ctx, withMigration(t, "9000_marker.sql", `CREATE TABLE marker (x INTEGER);`)); err != nil {
		t.Fatalf("a harmless migration beside an old broken reference: %v", err)
	}
}
