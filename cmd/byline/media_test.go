package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"byline"
	"byline/blob"
	"byline/media"
	"byline/media/mediatest"
	"byline/store/storetest"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// TestMediaOnS3 imports an article with a photo into a newsroom whose media store is an
// S3 bucket (gofakes3, started here): the photo lands in the bucket, not in the data
// folder, with the keys read from BYLINE_MEDIA_*_FILE; without keys, or with a bucket
// that is not there, every command stops with a clear message.
func TestMediaOnS3(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("newsroom"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	ctx := context.Background()
	data, dir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.jpg"), mediatest.JPEG(700, 400, mediatest.Tags{GPS: true}), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "---\ntitle: A story\ndate: 2026-11-20T10:00:00Z\nauthors: [Ana López]\nimage: p.jpg\nimage_alt: A photo\n---\nThe body.\n"
	if err := os.WriteFile(filepath.Join(dir, "a.md"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mediaURL := "s3://newsroom?endpoint=" + srv.URL + "&region=us-east-1"
	var out bytes.Buffer
	// No keys at all.
	err := run(ctx, []string{"import", "markdown", dir, "--data", data, "--media-url", mediaURL}, &out, io.Discard)
	if byline.ErrorCode(err) != byline.EINVALID || !strings.Contains(byline.ErrorMessage(err), "AWS_ACCESS_KEY_ID") {
		t.Fatalf("import without keys: %v", err)
	}
	keys := t.TempDir()
	os.WriteFile(filepath.Join(keys, "id"), []byte("key-id\n"), 0o600)
	os.WriteFile(filepath.Join(keys, "secret"), []byte("s3cr3t\n"), 0o600)
	t.Setenv("BYLINE_MEDIA_ACCESS_KEY_FILE", filepath.Join(keys, "id"))
	t.Setenv("BYLINE_MEDIA_SECRET_KEY_FILE", filepath.Join(keys, "secret"))
	if err := run(ctx, []string{"import", "markdown", dir, "--data", data, "--media-url", mediaURL}, &out, io.Discard); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(data, "media")); err == nil {
		t.Error("with an S3 media store the photo went to the data folder")
	}
	s3, err := blob.Open(ctx, mediaURL, "", blob.Credentials{AccessKey: "key-id", SecretKey: "s3cr3t"})
	if err != nil {
		t.Fatal(err)
	}
	list, err := backend.ListBucket("newsroom", nil, gofakes3.ListBucketPage{})
	if err != nil || len(list.Contents) < 2 {
		t.Fatalf("the bucket holds %v (%v), want the original and its variants", list, err)
	}
	for _, obj := range list.Contents {
		if ok, err := s3.Exists(ctx, obj.Key); !ok || err != nil {
			t.Errorf("%s: exists %v, %v", obj.Key, ok, err)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"backup", filepath.Join(t.TempDir(), "b.db"), "--data", data, "--media-url", mediaURL}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "not included: the photos, kept in the bucket newsroom") || strings.Contains(out.String(), "s3cr3t") {
		t.Errorf("backup says:\n%s", out.String())
	}
	// A bucket that is not there.
	err = run(ctx, []string{"migrate", "--data", data, "--media-url", "s3://missing?endpoint=" + srv.URL}, &out, io.Discard)
	if err == nil || !strings.Contains(byline.ErrorMessage(err), "no bucket") {
		t.Errorf("migrate with a missing bucket: %v", err)
	}
}

// TestBackupNamesThePhotos: a backup of a newsroom with its photos in the data folder says
// that the folder must be backed up too.
func TestBackupNamesThePhotos(t *testing.T) {
	data := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"backup", filepath.Join(t.TempDir(), "b.db"), "--data", data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if want := "not included: the photos, kept in the folder " + filepath.Join(data, "media"); !strings.Contains(out.String(), want) {
		t.Errorf("backup says:\n%s\nwant %q", out.String(), want)
	}
}

// TestPostgresNeedsAMediaStore: on PostgreSQL, serve, migrate and import refuse to start
// without --media-url, saying why and what to set, and leave the photos an older Byline kept
// in the database where they are (no ./byline-data/media on this machine, which a throwaway
// container would take with it). With a folder chosen as file:///…, migrate moves them
// there. SQLite keeps its default folder beside the database.
func TestPostgresNeedsAMediaStore(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		data := t.TempDir()
		var out bytes.Buffer
		if err := run(ctx, []string{"migrate", "--data", data}, &out, io.Discard); err != nil {
			t.Fatalf("migrate on SQLite without --media-url: %v", err)
		}
	})
	if !strings.Contains(strings.Join(storetest.Engines(t), " "), "postgres") {
		t.Skip("BYLINE_TEST_POSTGRES_URL is not set")
	}
	url := storetest.URL(t, "postgres")
	if err := run(ctx, []string{"migrate", "--database-url", url, "--media-url", "file://" + filepath.ToSlash(t.TempDir())}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	// A photo as an older Byline stored it: its bytes in the row.
	original := mediatest.JPEG(700, 400, mediatest.Tags{})
	img, _, err := media.Process(original)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, `INSERT INTO images (hash, mime, width, height, data, created_at)
		VALUES ($1, $2, $3, $4, $5, now())`, img.Hash, img.Mime, img.Width, img.Height, original); err != nil {
		t.Fatal(err)
	}
	stored := func() int {
		var n int
		if err := raw.QueryRowContext(ctx, `SELECT length(data) FROM images WHERE hash = $1`, img.Hash).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Chdir(t.TempDir()) // where ./byline-data would appear
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.md"), []byte("---\ntitle: A story\ndate: 2026-11-20T10:00:00Z\n---\nThe body.\n"), 0o644)
	for _, args := range [][]string{{"migrate"}, {"serve", "--addr", "127.0.0.1:0"}, {"import", "markdown", dir}} {
		var out bytes.Buffer
		err := run(ctx, append(args, "--database-url", url), &out, &out)
		if err == nil || exitCode(err) != 2 {
			t.Fatalf("%s without --media-url: err = %v, want a refusal\n%s", args[0], err, out.String())
		}
		for _, want := range []string{"BYLINE_MEDIA_URL", "s3://", "file:///", "several nodes", "single node"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: the message lacks %q: %v", args[0], want, err)
			}
		}
		if n := stored(); n != len(original) {
			t.Fatalf("after %s the database holds %d bytes of the photo, want its %d", args[0], n, len(original))
		}
		if _, err := os.Stat("byline-data"); err == nil {
			t.Fatalf("%s made ./byline-data", args[0])
		}
	}
	// Commands that write no photo still run, without a media store.
	if err := run(ctx, []string{"settings", "--database-url", url}, io.Discard, io.Discard); err != nil {
		t.Errorf("settings without --media-url: %v", err)
	}

	chosen := filepath.Join(t.TempDir(), "media")
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate", "--database-url", url, "--media-url", "file://" + filepath.ToSlash(chosen)}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "moved 1 photo(s) from the database to the folder "+chosen) {
		t.Errorf("migrate says:\n%s", out.String())
	}
	if n := stored(); n != 0 {
		t.Errorf("the database still holds %d bytes of the moved photo", n)
	}
	if _, err := os.Stat(filepath.Join(chosen, filepath.FromSlash(byline.OriginalKey(img.Hash)))); err != nil {
		t.Errorf("the photo is not in the chosen folder: %v", err)
	}
}
