package publishing_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"byline"
	"byline/markdown"
	"byline/media"
	"byline/publishing"
	"byline/store"
	"byline/store/storetest"
)

func newImporter(db *store.DB) *publishing.Importer {
	return &publishing.Importer{Store: db, Markdown: markdown.New(), Location: time.UTC,
		Now: func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }}
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func photo(t *testing.T) []byte {
	t.Helper()
	data, err := publishing.SamplePhoto("harbour.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestImportFolder(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		write(t, dir, "img/lead.jpg", string(photo(t)))
		write(t, dir, "a.md", `---
title: "France expels Russian spies 'operating under diplomatic cover'"
date: 2026-05-31T10:00:00+02:00
standfirst: Six agents were declared persona non grata.
authors: [Jean Dupont, Marie Curie]
tags: [Politics, Russia]
image: img/lead.jpg
image_alt: The Quai d'Orsay
image_caption: The foreign ministry in Paris.
image_credit: Claire Lebertre / AFP
---
“In the absence of the Russian ambassador…” the ministry said.
`)
		write(t, dir, "b.markdown", "---\ntitle: Gérald Darmanin praises DGSI\ntags: Politics\nstatus: draft\n---\nText.\n")
		write(t, dir, "bad.md", "---\ntitle: Bad\ndate: tomorrow\n---\nText.\n")
		write(t, dir, "notes.txt", "not markdown")
		write(t, dir, ".hidden/c.md", "---\ntitle: Hidden\n---\nx\n")

		var failed []string
		sum, err := newImporter(db).ImportPaths(ctx, []string{dir}, func(file string, res byline.SaveResult, w []string, err error) {
			if err != nil {
				failed = append(failed, err.Error())
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Imported != 2 || sum.Failed != 1 || sum.Updated != 0 {
			t.Fatalf("summary = %+v, want 2 imported and 1 failed", sum)
		}
		if len(failed) != 1 || !strings.Contains(failed[0], "bad.md:3:") || !strings.Contains(failed[0], "not a date") {
			t.Fatalf("failures = %q, want bad.md line 3 with its reason", failed)
		}
		a, err := db.FindArticleBySlug(ctx, "france-expels-russian-spies-operating-under-diplomatic-cover")
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Authors) != 2 || a.Authors[0].Slug != "jean-dupont" || a.Authors[1].Name != "Marie Curie" {
			t.Errorf("authors = %+v", a.Authors)
		}
		if len(a.Tags) != 2 || a.PrimaryTag().Slug != "politics" {
			t.Errorf("tags = %+v", a.Tags)
		}
		if a.Image == nil || a.Image.Width != 1280 || a.ImageCredit != "Claire Lebertre / AFP" || a.ImageAlt != "The Quai d'Orsay" {
			t.Errorf("image = %+v credit %q alt %q", a.Image, a.ImageCredit, a.ImageAlt)
		}
		if v, err := db.FindImageVariant(ctx, a.Image.Hash, 640); err != nil || len(v.Data) == 0 {
			t.Errorf("640 px variant: %v", err)
		}
		if want := time.Date(2026, 5, 31, 8, 0, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
			t.Errorf("published = %v, want %v", a.PublishedAt, want)
		}
		b, err := db.FindArticleBySlug(ctx, "gerald-darmanin-praises-dgsi")
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != byline.StatusDraft || !b.PublishedAt.Equal(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("b status %q published %v", b.Status, b.PublishedAt)
		}
		if _, err := db.FindArticleBySlug(ctx, "hidden"); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Errorf("hidden folder imported: %v", err)
		}
		if _, err := db.FindArticleBySlug(ctx, "bad"); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Errorf("bad file written: %v", err)
		}
	})
}

func TestReimport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		p := write(t, dir, "a.md", "---\ntitle: First title\nslug: the-story\ntags: [A, B]\nauthors: [X]\n---\nOne.\n")
		im := newImporter(db)
		if res, _, err := im.ImportFile(ctx, p); err != nil || res != byline.Created {
			t.Fatalf("first import: %v %v", res, err)
		}
		rev1, _ := db.ContentRevision(ctx)
		if res, _, err := im.ImportFile(ctx, p); err != nil || res != byline.Unchanged {
			t.Fatalf("same file again: got %v %v, want unchanged", res, err)
		}
		if rev2, _ := db.ContentRevision(ctx); rev2 != rev1 {
			t.Errorf("an unchanged import moved the content revision %d → %d", rev1, rev2)
		}
		write(t, dir, "a.md", "---\ntitle: Second title\nslug: the-story\ntags: [B, C]\nauthors: [Y, X]\n---\nTwo.\n")
		if res, _, err := im.ImportFile(ctx, p); err != nil || res != byline.Updated {
			t.Fatalf("changed file: got %v %v, want updated", res, err)
		}
		if n, _ := db.CountArticles(ctx); n != 1 {
			t.Fatalf("articles = %d, want 1: re-import must not duplicate", n)
		}
		a, _ := db.FindArticleBySlug(ctx, "the-story")
		if a.Title != "Second title" || !strings.Contains(a.BodyHTML, "Two.") || a.Tags[0].Slug != "b" || a.Tags[1].Slug != "c" || a.Authors[0].Slug != "y" {
			t.Errorf("after update: %q %q tags %v authors %v", a.Title, a.BodyHTML, a.Tags, a.Authors)
		}
		if !a.UpdatedAt.After(a.CreatedAt) && !a.UpdatedAt.Equal(a.CreatedAt) {
			t.Errorf("updated %v before created %v", a.UpdatedAt, a.CreatedAt)
		}
	})
}

func TestImportImageByURL(t *testing.T) {
	img := photo(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/photo.jpg":
			w.Write(img)
		case "/text":
			w.Write([]byte("hello, not an image"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	addr := netip.MustParseAddrPort(srv.Listener.Addr().String())
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		im := newImporter(db)
		// The test server is on 127.0.0.1, which a real import refuses
		// (TestImportRefusesLoopbackImages); this fetcher may reach that one server.
		im.Fetcher = &media.Fetcher{Allow: func(ap netip.AddrPort) bool { return ap == addr }}
		good := write(t, dir, "good.md", "---\ntitle: Good\nimage: "+srv.URL+"/photo.jpg\nimage_alt: A photo\n---\nx\n")
		if _, _, err := im.ImportFile(ctx, good); err != nil {
			t.Fatal(err)
		}
		for name, url := range map[string]string{"missing": srv.URL + "/nope.jpg", "text": srv.URL + "/text", "local": "nope.jpg"} {
			p := write(t, dir, name+".md", "---\ntitle: T "+name+"\nimage: "+url+"\nimage_alt: A photo\n---\nx\n")
			_, _, err := im.ImportFile(ctx, p)
			if err == nil || !strings.Contains(err.Error(), name+".md") || !strings.Contains(err.Error(), "image") {
				t.Errorf("%s: err = %v, want a failure naming the file and the image", name, err)
			}
		}
		if n, _ := db.CountArticles(ctx); n != 1 {
			t.Errorf("articles = %d, want only the good one", n)
		}
	})
}

func TestSeed(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	now := time.Now().UTC()
	sum, err := publishing.Seed(context.Background(), newImporter(db), now)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported < 6 {
		t.Fatalf("sample articles = %d, want at least 6", sum.Imported)
	}
	list, err := db.FindArticles(context.Background(), byline.ArticleFilter{VisibleAt: now})
	if err != nil {
		t.Fatal(err)
	}
	var noPhoto, authors, gated int
	seen := map[string]bool{}
	for _, a := range list {
		if a.Image == nil {
			noPhoto++
		} else if a.ImageAlt == "" || a.ImageCaption == "" || a.ImageCredit == "" {
			t.Errorf("%s: photo without alt, caption or credit", a.Slug)
		}
		for _, au := range a.Authors {
			if !seen[au.Slug] {
				seen[au.Slug] = true
				authors++
			}
		}
		if a.Visibility != byline.VisibilityPublic {
			gated++
		}
		if !strings.Contains(a.BodyHTML, "sample content") || a.Tags[len(a.Tags)-1].Slug != "sample-content" {
			t.Errorf("%s is not marked as sample content", a.Slug)
		}
	}
	if len(list) != sum.Imported || noPhoto == 0 || authors < 3 || gated == 0 {
		t.Errorf("published %d, without photo %d, authors %d, gated %d", len(list), noPhoto, authors, gated)
	}
	if now.Sub(list[0].PublishedAt) > 2*time.Hour {
		t.Errorf("newest sample article published %v, want within two hours of now", list[0].PublishedAt)
	}
}

// importAll imports paths and returns the summary and each failure's message.
func importAll(t *testing.T, im *publishing.Importer, paths ...string) (publishing.Summary, []string, []string) {
	t.Helper()
	var failed, warnings []string
	sum, err := im.ImportPaths(context.Background(), paths, func(file string, res byline.SaveResult, w []string, err error) {
		if err != nil {
			failed = append(failed, err.Error())
		}
		warnings = append(warnings, w...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum, failed, warnings
}

// TestImportImagesStayInsideTheFolder: an image path may not leave the folder being
// imported, whether by "..", by a symbolic link, or to a device; the message says so
// without telling whether the outside file exists or what it holds. The rest of the folder
// still imports.
func TestImportImagesStayInsideTheFolder(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	outside := t.TempDir()
	write(t, outside, "secret.jpg", string(photo(t)))
	dir := filepath.Join(outside, "site")
	write(t, dir, "img/ok.jpg", string(photo(t)))
	if err := os.Symlink(filepath.Join(outside, "secret.jpg"), filepath.Join(dir, "img", "link.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../secret.jpg", filepath.Join(dir, "img", "rel.jpg")); err != nil {
		t.Fatal(err)
	}
	rel := func(target string) string {
		r, err := filepath.Rel(filepath.Join(dir, "posts"), target)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.ToSlash(r)
	}
	refs := map[string]string{
		"parent":  "../../secret.jpg",
		"passwd":  rel("/etc/passwd"),
		"nothing": rel("/etc/no-such-file-here"),
		"zero":    rel("/dev/zero"),
		"link":    "../img/link.jpg",
		"rel":     "../img/rel.jpg",
	}
	for name, ref := range refs {
		write(t, dir, "posts/"+name+".md", "---\ntitle: Story "+name+"\nimage: "+ref+"\nimage_alt: A photo\n---\nText.\n")
	}
	write(t, dir, "posts/good.md", "---\ntitle: Good story\nimage: ../img/ok.jpg\nimage_alt: A photo\n---\nText.\n")
	write(t, dir, "posts/rooted.md", "---\ntitle: Rooted story\nimage: /img/ok.jpg\nimage_alt: A photo\n---\nText.\n")
	sum, failed, _ := importAll(t, newImporter(db), dir)
	if sum.Imported != 2 || sum.Failed != len(refs) {
		t.Errorf("summary = %+v, want 2 imported and %d failed", sum, len(refs))
	}
	var messages []string
	for _, msg := range failed {
		if !strings.Contains(msg, "must be a file inside the import folder") || !strings.Contains(msg, ".md:3:") {
			t.Errorf("failure %q: want the file, the image's line and \"must be a file inside the import folder\"", msg)
		}
		if strings.Contains(msg, "text/plain") || strings.Contains(msg, "root:") || strings.Contains(msg, "no such file") {
			t.Errorf("failure %q tells something of a file outside the folder", msg)
		}
		_, reason, _ := strings.Cut(msg, ".md:3: ")
		messages = append(messages, strings.ReplaceAll(reason, refs[strings.TrimSuffix(filepath.Base(strings.SplitN(msg, ":", 2)[0]), ".md")], "REF"))
	}
	for _, m := range messages {
		if m != messages[0] {
			t.Errorf("the refusals differ, so they tell something: %q", messages)
			break
		}
	}
	if n, _ := db.CountArticles(context.Background()); n != 2 {
		t.Errorf("articles = %d, want the 2 with photos inside the folder", n)
	}
}

// TestImportReadsAreBounded: a huge (sparse) file, as a photo or as the Markdown itself,
// is refused after reading a little more than the limit, not read whole.
func TestImportReadsAreBounded(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	dir := t.TempDir()
	for _, name := range []string{"huge.jpg", "huge.md"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(1 << 30); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	write(t, dir, "photo.md", "---\ntitle: Huge photo\nimage: huge.jpg\nimage_alt: A photo\n---\nText.\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sum, failed, _ := importAll(t, newImporter(db), dir)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 100<<20 {
		t.Errorf("the import allocated %d MB for two 1 GB files, want under 100 MB", alloc>>20)
	}
	if sum.Failed != 2 || len(failed) != 2 {
		t.Fatalf("summary = %+v, failures %q; want both files refused", sum, failed)
	}
	if !strings.Contains(failed[0], "huge.md") || !strings.Contains(failed[0], "larger than") {
		t.Errorf("failure %q: want huge.md refused as too large", failed[0])
	}
	if !strings.Contains(failed[1], "photo.md:3:") || !strings.Contains(failed[1], "larger than 30 MB") {
		t.Errorf("failure %q: want photo.md's image refused as larger than 30 MB", failed[1])
	}
}

// TestImportStopsBetweenFiles: once the context ends (SIGTERM in `byline import`), no
// further file is imported.
func TestImportStopsBetweenFiles(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	dir := t.TempDir()
	for _, name := range []string{"a", "b", "c"} {
		write(t, dir, name+".md", "---\ntitle: Story "+name+"\n---\nText.\n")
	}
	ctx, cancel := context.WithCancel(context.Background())
	var reported []string
	sum, err := newImporter(db).ImportPaths(ctx, []string{dir}, func(file string, res byline.SaveResult, w []string, err error) {
		reported = append(reported, filepath.Base(file))
		cancel()
	})
	if !errors.Is(err, context.Canceled) || sum.Imported != 1 || len(reported) != 1 {
		t.Errorf("got %+v, %v, reported %q; want one file imported, then context.Canceled", sum, err, reported)
	}
	if n, _ := db.CountArticles(context.Background()); n != 1 {
		t.Errorf("articles = %d, want 1", n)
	}
}

// bombPNG is a valid 20000 × 20000 black-and-white PNG of about 60 KB, written row by row.
func bombPNG(t *testing.T) []byte {
	t.Helper()
	const side = 20000
	chunk := func(w *bytes.Buffer, typ string, data []byte) {
		binary.Write(w, binary.BigEndian, uint32(len(data)))
		w.WriteString(typ)
		w.Write(data)
		binary.Write(w, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	var b, idat bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], side)
	binary.BigEndian.PutUint32(ihdr[4:], side)
	ihdr[8] = 1 // one bit a pixel, greyscale
	chunk(&b, "IHDR", ihdr)
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+side/8)
	for range side {
		z.Write(row)
	}
	z.Close()
	chunk(&b, "IDAT", idat.Bytes())
	chunk(&b, "IEND", nil)
	return b.Bytes()
}

// TestImportRefusesPixelBomb: a small PNG of 400 million pixels is refused from its header;
// the message names the file and the image, and the next file still imports.
func TestImportRefusesPixelBomb(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	dir := t.TempDir()
	write(t, dir, "bomb.png", string(bombPNG(t)))
	write(t, dir, "a.md", "---\ntitle: Bomb\nimage: bomb.png\nimage_alt: Black\n---\nText.\n")
	write(t, dir, "b.md", "---\ntitle: Fine\n---\nText.\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sum, failed, _ := importAll(t, newImporter(db), dir)
	runtime.ReadMemStats(&after)
	if sum.Imported != 1 || len(failed) != 1 || !strings.Contains(failed[0], "a.md:3:") || !strings.Contains(failed[0], "bomb.png") || !strings.Contains(failed[0], "20000×20000") {
		t.Errorf("summary %+v, failures %q: want a.md refused for its 20000×20000 image, b.md imported", sum, failed)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 100<<20 {
		t.Errorf("the import allocated %d MB, want under 100 MB", alloc>>20)
	}
}

// TestImportSlugConflicts: an import never overwrites an article another source made (another
// file, the sample newsroom, Byline itself) unless told to with Replace, and says whose.
func TestImportSlugConflicts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		a := write(t, dir, "a.md", "---\ntitle: From A\nslug: dup\n---\nA.\n")
		b := write(t, dir, "b.md", "---\ntitle: From B\nslug: dup\n---\nB.\n")
		im := newImporter(db)

		// Two files of one run with one slug: the second fails, naming the first.
		sum, failed, _ := importAll(t, im, dir)
		if sum.Imported != 1 || sum.Updated != 0 || len(failed) != 1 {
			t.Fatalf("summary = %+v, failures %q; want a.md imported and b.md failed", sum, failed)
		}
		if want := "b.md:3: the slug \"dup\" is also used by " + a + ", imported earlier in this run"; !strings.Contains(failed[0], want) {
			t.Errorf("failure %q, want it to contain %q", failed[0], want)
		}
		// Even told to replace, one run does not let its own files overwrite each other.
		im.Replace = true
		if _, failed, _ := importAll(t, im, dir); len(failed) != 1 || !strings.Contains(failed[0], "imported earlier in this run") {
			t.Errorf("with Replace: failures %q, want b.md refused again", failed)
		}
		im.Replace = false
		if got, _ := db.FindArticleBySlug(ctx, "dup"); got.Title != "From A" {
			t.Errorf("title = %q, want A's", got.Title)
		}

		// b.md alone meets the article a.md made.
		_, _, err := im.ImportFile(ctx, b)
		want := "b.md:3: the slug \"dup\" is already used by the article imported from " + a + "; give this file another slug, or run import with --replace to overwrite it"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("b.md alone: err = %v, want %q", err, want)
		}
		// a.md again: unchanged.
		if res, _, err := im.ImportFile(ctx, a); err != nil || res != byline.Unchanged {
			t.Errorf("a.md again: %v %v, want unchanged", res, err)
		}
		// Told to, b.md replaces it, says so, and owns it from then on.
		im.Replace = true
		res, warnings, err := im.ImportFile(ctx, b)
		if err != nil || res != byline.Updated || len(warnings) != 1 || !strings.Contains(warnings[0], "replaced the article imported from "+a) {
			t.Fatalf("b.md with Replace: %v %v %q, want updated with a warning naming a.md", res, err, warnings)
		}
		im.Replace = false
		if res, _, err := im.ImportFile(ctx, b); err != nil || res != byline.Unchanged {
			t.Errorf("b.md again: %v %v, want unchanged", res, err)
		}
		got, _ := db.FindArticleBySlug(ctx, "dup")
		if got.Title != "From B" || got.Source != "import:"+b {
			t.Errorf("article = %q from %q, want B's", got.Title, got.Source)
		}
	})
}

// TestImportKeepsOtherSourcesArticles: the sample newsroom's articles, and articles made in
// Byline or imported before Byline recorded sources (Source ""), are not overwritten by an
// import unless told to; once replaced, the file owns the article.
func TestImportKeepsOtherSourcesArticles(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		im := newImporter(db)
		if _, err := publishing.Seed(ctx, im, time.Now()); err != nil {
			t.Fatal(err)
		}
		sample, err := db.FindArticleBySlug(ctx, "night-trains-return-to-lyon-after-a-decades-absence")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sample.Source, "sample:") {
			t.Errorf("sample article's source = %q, want sample:…", sample.Source)
		}
		old := &byline.Article{Slug: "old-story", Title: "Old story", Body: "Old.", BodyHTML: "<p>Old.</p>",
			Status: byline.StatusPublished, Visibility: byline.VisibilityPublic, PublishedAt: time.Now().Add(-time.Hour)}
		if _, err := db.SaveArticle(ctx, old, nil); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		s := write(t, dir, "s.md", "---\ntitle: Night trains return to Lyon after a decade's absence\n---\nMine.\n")
		o := write(t, dir, "o.md", "---\ntitle: Old story\n---\nNew.\n")
		for file, want := range map[string]string{
			s: "s.md:2: the slug \"night-trains-return-to-lyon-after-a-decades-absence\" is already used by the sample article " + strings.TrimPrefix(sample.Source, "sample:"),
			o: "o.md:2: the slug \"old-story\" is already used by an article made in Byline (or imported before Byline recorded where articles come from)",
		} {
			if _, _, err := im.ImportFile(ctx, file); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--replace") {
				t.Errorf("err = %v, want %q and the advice to use --replace", err, want)
			}
		}
		if got, _ := db.FindArticleBySlug(ctx, "old-story"); got.Body != "Old." {
			t.Errorf("old article's body = %q, want it untouched", got.Body)
		}
		im.Replace = true
		for _, file := range []string{s, o} {
			if res, _, err := im.ImportFile(ctx, file); err != nil || res != byline.Updated {
				t.Errorf("%s with Replace: %v %v, want updated", file, res, err)
			}
		}
		im.Replace = false
		if res, _, err := im.ImportFile(ctx, o); err != nil || res != byline.Unchanged {
			t.Errorf("o.md again: %v %v, want unchanged", res, err)
		}
	})
}

// TestImportFieldMessages: a field the domain refuses is reported with the file and the
// line of its key.
func TestImportFieldMessages(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	dir := t.TempDir()
	long := strings.Repeat("x", byline.MaxTitle+1)
	var tags []string
	for i := range byline.MaxTags + 1 {
		tags = append(tags, fmt.Sprintf("Tag %d", i))
	}
	many := "[" + strings.Join(tags, ", ") + "]"
	for _, tt := range []struct{ name, front, want string }{
		{"title", "title: " + long, "title.md:2: The title is 301 characters long; it can be at most 300."},
		{"standfirst", "title: T\nstandfirst: " + strings.Repeat("s", byline.MaxStandfirst+1), "standfirst.md:3: The standfirst is 1001 characters long"},
		{"tag", "title: T\n\ntags: [" + strings.Repeat("t", byline.MaxName+1) + "]", "tag.md:4: The tag name is 201 characters long"},
		{"tags", "title: T\ntags: " + many, "tags.md:3: An article can have at most 30 tags"},
		{"credit", "title: T\nimage: a.jpg\nimage_alt: A\nimage_credit: " + strings.Repeat("c", byline.MaxCredit+1), "credit.md:5: The photo's credit is 301 characters long"},
	} {
		p := write(t, dir, tt.name+".md", "---\n"+tt.front+"\n---\nText.\n")
		if _, _, err := newImporter(db).ImportFile(context.Background(), p); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestImportRefusesLoopbackImages: an importer as `byline import` makes it fetches no image
// from 127.0.0.1, directly or by a redirect, and never publishes what such a server said.
func TestImportRefusesLoopbackImages(t *testing.T) {
	img := photo(t)
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(img)
	}))
	defer srv.Close()
	db := storetest.MustOpen(t, "sqlite")
	dir := t.TempDir()
	for name, url := range map[string]string{
		"direct": srv.URL + "/photo.jpg",
		"meta":   "http://169.254.169.254/latest/meta-data/",
		"mapped": strings.Replace(srv.URL, "127.0.0.1", "[::ffff:127.0.0.1]", 1) + "/photo.jpg",
	} {
		write(t, dir, name+".md", "---\ntitle: Story "+name+"\nimage: "+url+"\nimage_alt: A photo\n---\nText.\n")
	}
	sum, failed, _ := importAll(t, newImporter(db), dir)
	if sum.Imported != 0 || len(failed) != 3 {
		t.Fatalf("summary %+v: want all three refused", sum)
	}
	for _, msg := range failed {
		if !strings.Contains(msg, ".md:3:") || !strings.Contains(msg, "That address is not allowed") {
			t.Errorf("failure %q: want the file, the image's line and \"That address is not allowed\"", msg)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server on 127.0.0.1 got %d requests, want none", n)
	}
}

// TestImportMarkdownStaysInsideTheFolder: a Markdown file in the folder that is a symbolic
// link to a file outside it is not imported: the folder's content decides nothing outside.
func TestImportMarkdownStaysInsideTheFolder(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	outside := t.TempDir()
	write(t, outside, "private.md", "---\ntitle: Private notes\n---\nNot for publication.\n")
	dir := filepath.Join(outside, "site")
	write(t, dir, "good.md", "---\ntitle: Good story\n---\nText.\n")
	if err := os.Symlink("../private.md", filepath.Join(dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	sum, failed, _ := importAll(t, newImporter(db), dir)
	if sum.Imported != 1 || len(failed) != 1 || !strings.Contains(failed[0], "link.md: The file must be inside the import folder.") {
		t.Errorf("summary %+v, failures %q: want link.md refused as outside the folder", sum, failed)
	}
	if _, err := db.FindArticleBySlug(context.Background(), "private-notes"); byline.ErrorCode(err) != byline.ENOTFOUND {
		t.Errorf("the file outside the folder was imported: %v", err)
	}
}
