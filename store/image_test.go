package store_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/media"
	"byline/media/mediatest"
	"byline/store"
	"byline/store/storetest"
)

// savePhoto prepares a test JPEG of the width and saves it as a photo with the fields.
func savePhoto(t *testing.T, db *store.DB, width int, p byline.Photo) *byline.Photo {
	t.Helper()
	prep, err := media.Prepare(mediatest.JPEG(width, 40, mediatest.Tags{}))
	if err != nil {
		t.Fatal(err)
	}
	p.Image = *prep.Image
	created, err := db.SavePhoto(context.Background(), &p, prep.Original, prep.Variants)
	if err != nil || !created {
		t.Fatalf("SavePhoto = %v, %v", created, err)
	}
	return &p
}

func TestPhotoLibrary(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		a := savePhoto(t, db, 100, byline.Photo{Caption: "Riot police in Nantes", Credit: "Jean Dupont / AFP", Source: "AFP", Alt: "Police lines"})
		clock = clock.Add(time.Minute)
		b := savePhoto(t, db, 101, byline.Photo{Caption: "Élysée garden party", Credit: "Ana Lee / Reuters", Source: "Reuters",
			RightsExpireAt: clock.Add(10 * 24 * time.Hour)})
		clock = clock.Add(time.Minute)
		c := savePhoto(t, db, 102, byline.Photo{Caption: "100% sure_thing", Credit: "Staff", RightsExpireAt: clock.Add(-time.Hour)})

		// The same file again is the same photo.
		prep, _ := media.Prepare(mediatest.JPEG(100, 40, mediatest.Tags{}))
		again := &byline.Photo{Image: *prep.Image, Caption: "other"}
		if created, err := db.SavePhoto(ctx, again, prep.Original, prep.Variants); err != nil || created || again.ID != a.ID || again.Caption != a.Caption {
			t.Errorf("second upload: created %v, %v, photo %+v", created, err, again)
		}

		for _, tt := range []struct {
			q    string
			want []int64
		}{
			{"", []int64{c.ID, b.ID, a.ID}},
			{"afp", []int64{a.ID}},
			{"REUTERS", []int64{b.ID}},
			{"police", []int64{a.ID}}, // caption and alt
			{"100%", []int64{c.ID}},
			{"%", []int64{c.ID}}, // a wildcard is a character
			{"_", []int64{c.ID}},
			{"nobody", nil},
		} {
			list, total, err := db.FindPhotos(ctx, byline.PhotoFilter{Query: tt.q, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, p := range list {
				got = append(got, p.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || total != len(tt.want) {
				t.Errorf("FindPhotos(%q) = %v (total %d), want %v", tt.q, got, total, tt.want)
			}
		}
		page, total, err := db.FindPhotos(ctx, byline.PhotoFilter{Limit: 2, Offset: 2})
		if err != nil || len(page) != 1 || page[0].ID != a.ID || total != 3 {
			t.Errorf("second page = %v (total %d, %v), want the oldest", page, total, err)
		}

		expiring, err := db.FindExpiringPhotos(ctx, clock.Add(30*24*time.Hour), 10)
		if err != nil || len(expiring) != 2 || expiring[0].ID != c.ID || expiring[1].ID != b.ID {
			t.Errorf("FindExpiringPhotos = %v, %v; want c then b", expiring, err)
		}
		expired, err := db.ExpiredImages(ctx, []int64{a.ID, b.ID, c.ID}, clock)
		if err != nil || len(expired) != 1 || !expired[c.ID] {
			t.Errorf("ExpiredImages = %v, %v; want only c", expired, err)
		}
		byHash, err := db.ExpiredHashes(ctx, []string{a.Hash, b.Hash, c.Hash, strings.Repeat("f", 64)}, clock)
		if err != nil || len(byHash) != 1 || !byHash[c.Hash] {
			t.Errorf("ExpiredHashes = %v, %v; want only c", byHash, err)
		}
		next, err := db.NextRightsExpiry(ctx, clock)
		if err != nil || !next.Equal(b.RightsExpireAt) {
			t.Errorf("NextRightsExpiry = %v, %v; want %v", next, err, b.RightsExpireAt)
		}

		// Editing the caption leaves public pages as they are; the expiry changes them.
		rev, _ := db.ContentRevision(ctx)
		a.Caption = "  Riot police in Nantes on Tuesday  "
		if err := db.UpdatePhoto(ctx, a); err != nil {
			t.Fatal(err)
		}
		if r, _ := db.ContentRevision(ctx); r != rev {
			t.Error("a caption edit moved the content revision")
		}
		a.RightsExpireAt = clock.Add(time.Hour)
		if err := db.UpdatePhoto(ctx, a); err != nil {
			t.Fatal(err)
		}
		if r, _ := db.ContentRevision(ctx); r == rev {
			t.Error("an expiry edit left the content revision")
		}
		got, err := db.FindPhoto(ctx, a.ID)
		if err != nil || got.Caption != "Riot police in Nantes on Tuesday" || !got.RightsExpireAt.Equal(clock.Add(time.Hour)) {
			t.Errorf("FindPhoto = %+v, %v", got, err)
		}
		if next, _ := db.NextRightsExpiry(ctx, clock); !next.Equal(clock.Add(time.Hour)) {
			t.Errorf("NextRightsExpiry after the edit = %v", next)
		}
		a.Credit = "bad \x00 credit"
		if err := db.UpdatePhoto(ctx, a); byline.ErrorCode(err) != byline.EINVALID {
			t.Errorf("a NUL in the credit: err = %v, want invalid", err)
		}
		if err := db.UpdatePhoto(ctx, &byline.Photo{Image: byline.Image{ID: 999999}}); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Errorf("a missing photo: err = %v, want not found", err)
		}
		if _, err := db.FindPhoto(ctx, 999999); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Errorf("FindPhoto(missing): err = %v", err)
		}
		if orig, err := db.OpenOriginal(ctx, b.Hash); err != nil || len(orig) == 0 {
			t.Errorf("OpenOriginal = %d bytes, %v", len(orig), err)
		}
	})
}

// writingBlobs is a blob store that, during each Put, has another writer save the site
// settings, as an editor would while an import uploads a photo to S3.
type writingBlobs struct {
	byline.BlobStore
	db   *store.DB
	errs []error
}

func (w *writingBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, mime string) error {
	wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	s, err := w.db.FindSettings(wctx)
	if err == nil {
		s.Title = "Changed during " + key
		err = w.db.SaveSettings(wctx, s)
	}
	w.errs = append(w.errs, err)
	return w.BlobStore.Put(ctx, key, r, size, mime)
}

// TestImportUploadsOutsideTheTransaction: an article saved with its photo (the importer's
// way) writes the photo's bytes before it takes the write lock, so other writers are not
// stopped while they travel to the media store; the saved article names the photo, whose
// bytes are all there.
func TestImportUploadsOutsideTheTransaction(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		blobs := &writingBlobs{BlobStore: db.Blobs, db: db}
		db.Blobs = blobs
		prep, err := media.Prepare(mediatest.JPEG(700, 400, mediatest.Tags{}))
		if err != nil {
			t.Fatal(err)
		}
		a := &byline.Article{Slug: "with-photo", Title: "With a photo", Status: byline.StatusPublished,
			Visibility: byline.VisibilityPublic, PublishedAt: time.Now(), ImageAlt: "A photo",
			Authors: []*byline.Author{{Slug: "a", Name: "A"}}}
		if _, err := db.SaveArticle(ctx, a, &byline.ImageUpload{Image: prep.Image, Original: prep.Original, Variants: prep.Variants}); err != nil {
			t.Fatal(err)
		}
		if len(blobs.errs) == 0 {
			t.Fatal("no blob was put")
		}
		for _, err := range blobs.errs {
			if err != nil {
				t.Fatalf("another writer waited on the import's upload: %v", err)
			}
		}
		got, err := db.FindArticleBySlug(ctx, "with-photo")
		if err != nil || got.Image == nil || got.Image.Hash != prep.Image.Hash {
			t.Fatalf("the article's photo: %+v, %v", got, err)
		}
		for _, v := range prep.Variants {
			if _, err := db.FindImageVariant(ctx, prep.Image.Hash, v.Width); err != nil {
				t.Errorf("variant %d: %v", v.Width, err)
			}
		}
		// Saving another article with the same photo uploads nothing again.
		n := len(blobs.errs)
		b := *a
		b.Slug, b.ID = "same-photo", 0
		if _, err := db.SaveArticle(ctx, &b, &byline.ImageUpload{Image: prep.Image, Original: prep.Original, Variants: prep.Variants}); err != nil {
			t.Fatal(err)
		}
		if len(blobs.errs) != n {
			t.Errorf("the stored photo was uploaded again: %d puts", len(blobs.errs)-n)
		}
	})
}
