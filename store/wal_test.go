package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"byline/store"
)

// TestRevisionSeesOtherConnections shows that the content revision, which skips its query
// while the WAL-index is unchanged, still sees every commit made through another handle on
// the same file, as another process's would be.
func TestRevisionSeesOtherConnections(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "byline.db")
	reader, err := store.Open(ctx, path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	writer, err := store.Open(ctx, path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	last, err := reader.ContentRevision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		if _, err := writer.SaveArticle(ctx, article("s", time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)), nil); err != nil {
			t.Fatal(err)
		}
		for range 3 { // the cached answer must not hide the commit
			rev, err := reader.ContentRevision(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rev <= last {
				t.Fatalf("after commit %d: revision %d, want more than %d", i, rev, last)
			}
		}
		last, _ = reader.ContentRevision(ctx)
	}
}
