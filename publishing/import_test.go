package publishing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/markdown"
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
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		im := newImporter(db)
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
