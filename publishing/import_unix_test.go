//go:build unix

package publishing_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"byline/markdown"
	"byline/publishing"
	"byline/store/storetest"
)

// TestImportRefusesFIFO: a named pipe inside the folder, as a photo or as a Markdown file,
// is refused without being opened for a read that would wait for ever.
func TestImportRefusesFIFO(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	dir := t.TempDir()
	for _, name := range []string{"pipe.jpg", "pipe.md"} {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
			t.Skipf("no named pipes here: %v", err)
		}
	}
	write(t, dir, "a.md", "---\ntitle: Piped\nimage: pipe.jpg\nimage_alt: A photo\n---\nText.\n")
	sum, failed, _ := importAll(t, newImporter(db), dir)
	if sum.Failed != 2 || len(failed) != 2 {
		t.Fatalf("summary %+v, failures %q: want both refused", sum, failed)
	}
	if !strings.Contains(failed[0], "a.md:3:") || !strings.Contains(failed[0], "not a regular file") {
		t.Errorf("failure %q: want a.md's image refused as not a regular file", failed[0])
	}
	if !strings.Contains(failed[1], "pipe.md") || !strings.Contains(failed[1], "not a regular file") {
		t.Errorf("failure %q: want pipe.md refused as not a regular file", failed[1])
	}
}

// TestImportThroughSymlinks: a folder reached through a symbolic link is imported (it used to
// import nothing and exit 0), its files keep the source they have through the real path, and
// a folder without Markdown files is an error.
func TestImportThroughSymlinks(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpen(t, "sqlite")
	im := &publishing.Importer{Store: db, Markdown: markdown.New()}
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "a.md"), []byte("---\ntitle: Hello world\n---\nBody.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	sum, err := im.ImportPaths(ctx, []string{filepath.Join(dir, "link")}, nil)
	if err != nil || sum.Imported != 1 {
		t.Fatalf("import through a linked folder: %+v %v, want 1 imported", sum, err)
	}
	sum, err = im.ImportPaths(ctx, []string{real}, nil)
	if err != nil || sum.Unchanged != 1 || sum.Failed != 0 {
		t.Fatalf("the same files by their real path: %+v %v, want 1 unchanged", sum, err)
	}
	empty := filepath.Join(dir, "empty")
	os.MkdirAll(empty, 0o755)
	if _, err := im.ImportPaths(ctx, []string{empty}, nil); err == nil || !strings.Contains(err.Error(), "no Markdown files") {
		t.Errorf("a folder without Markdown files: %v, want an error", err)
	}
}
