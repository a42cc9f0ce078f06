//go:build unix

package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestWALWatchActive: on SQLite the revision is answered from the WAL-index while nothing
// changes, and asked of the database again after a commit.
func TestWALWatchActive(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "byline.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.wal == nil {
		t.Fatal("no WAL watch on a SQLite database")
	}
	rev, err := db.ContentRevision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, ok := db.wal.revision(time.Now()); !ok || got != rev {
		t.Fatalf("WAL watch: %d %v, want %d from memory", got, ok, rev)
	}
	if err := db.inTx(ctx, func(tx *tx) error { return db.bumpRevision(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := db.wal.revision(time.Now()); ok {
		t.Fatal("after a commit the WAL watch still answers from memory")
	}
	if got, _ := db.ContentRevision(ctx); got != rev+1 {
		t.Fatalf("revision = %d, want %d", got, rev+1)
	}
}
