// Package storetest opens real stores for tests: SQLite in a temporary folder always, and
// PostgreSQL when BYLINE_TEST_POSTGRES_URL is set, each test in a schema of its own.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"byline/blob"
	"byline/store"
)

// Engines lists the engines tests run on here: "sqlite", and "postgres" when configured.
// In CI (CI=true) PostgreSQL is required: a missing database fails instead of skipping.
func Engines(tb testing.TB) []string {
	tb.Helper()
	engines := []string{"sqlite"}
	if os.Getenv("BYLINE_TEST_POSTGRES_URL") != "" {
		engines = append(engines, "postgres")
	} else if os.Getenv("CI") == "true" && os.Getenv("BYLINE_TEST_SQLITE_ONLY") == "" {
		tb.Fatal("CI=true but BYLINE_TEST_POSTGRES_URL is not set: CI must test PostgreSQL too")
	}
	return engines
}

// ForEach runs fn as a subtest on a fresh, migrated store of every engine.
func ForEach(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range Engines(t) {
		t.Run(engine, func(t *testing.T) { fn(t, MustOpen(t, engine)) })
	}
}

// MustOpen opens a fresh, migrated store of the engine, closed when the test ends. Its
// photos go to a blob folder of its own.
func MustOpen(tb testing.TB, engine string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), URL(tb, engine), true)
	if err != nil {
		tb.Fatalf("open %s store: %v", engine, err)
	}
	tb.Cleanup(func() { db.Close() })
	if db.Blobs, err = blob.NewFolder(filepath.Join(tb.TempDir(), "media")); err != nil {
		tb.Fatal(err)
	}
	return db
}

// MustOpenURL opens the store at url without migrating it, closed when the test ends.
func MustOpenURL(tb testing.TB, url string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), url, false)
	if err != nil {
		tb.Fatalf("open %s: %v", url, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// URL returns the address of a fresh, empty database of the engine: a file in a temporary
// folder, or a new PostgreSQL schema (dropped when the test ends).
func URL(tb testing.TB, engine string) string {
	tb.Helper()
	if engine == "sqlite" {
		return filepath.Join(tb.TempDir(), "byline.db")
	}
	base := os.Getenv("BYLINE_TEST_POSTGRES_URL")
	if base == "" {
		tb.Skip("BYLINE_TEST_POSTGRES_URL is not set")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse BYLINE_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
