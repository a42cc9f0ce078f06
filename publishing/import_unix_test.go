//go:build unix

package publishing_test

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"

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
