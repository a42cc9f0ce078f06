package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"byline"
	"byline/blob"
	"byline/media"
	"byline/media/mediatest"
)

// migrationsBefore returns the engine's embedded migrations that sort before name.
func migrationsBefore(t *testing.T, engine, name string) fs.FS {
	t.Helper()
	files := fstest.MapFS{}
	err := fs.WalkDir(migrations, "migrations/"+engine, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(p) >= name {
			return err
		}
		data, err := fs.ReadFile(migrations, p)
		files[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// openEmpty opens an empty, unmigrated database of the engine, closed when the test ends.
func openEmpty(t *testing.T, engine string) *DB {
	t.Helper()
	u := filepath.Join(t.TempDir(), "byline.db")
	if engine == "postgres" {
		base := os.Getenv("BYLINE_TEST_POSTGRES_URL")
		var b [6]byte
		rand.Read(b[:])
		schema := "test_" + hex.EncodeToString(b[:])
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if a, err := sql.Open("pgx", base); err == nil {
				a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
				a.Close()
			}
		})
		pu, _ := url.Parse(base)
		q := pu.Query()
		q.Set("search_path", schema)
		pu.RawQuery = q.Encode()
		u = pu.String()
	}
	db, err := Open(context.Background(), u, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestPhotosMoveOutOnUpgrade: photos an older Byline kept in the database take the alt
// text, caption and credit of their article from the migration, then move to the blob store
// (the original without its GPS position), leaving empty values in the database; a second
// run moves nothing, and the site serves the variants from the blob store.
func TestPhotosMoveOutOnUpgrade(t *testing.T) {
	engines := []string{"sqlite"}
	if os.Getenv("BYLINE_TEST_POSTGRES_URL") != "" {
		engines = append(engines, "postgres")
	}
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := openEmpty(t, engine)
			if err := db.migrate(ctx, migrationsBefore(t, engine, "0008_photos.sql")); err != nil {
				t.Fatal(err)
			}
			original := mediatest.JPEG(700, 400, mediatest.Tags{GPS: true, Artist: "EXIF Artist", ByLine: "Jean Dupont"})
			img, variants, err := media.Process(original)
			if err != nil {
				t.Fatal(err)
			}
			// As 0001_init's store wrote them: the bytes in the rows.
			var id int64
			if err := db.write.QueryRowContext(ctx, `INSERT INTO images (hash, mime, width, height, data, created_at)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, img.Hash, img.Mime, img.Width, img.Height, original, db.now()).Scan(&id); err != nil {
				t.Fatal(err)
			}
			for _, v := range variants {
				if _, err := db.write.ExecContext(ctx, `INSERT INTO image_variants (image_id, width, mime, data) VALUES ($1, $2, $3, $4)`,
					id, v.Width, v.Mime, v.Data); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.write.ExecContext(ctx, `INSERT INTO articles (slug, title, status, visibility, image_id, image_alt,
				image_caption, image_credit, published_at, created_at, updated_at)
				VALUES ('s', 'T', 'published', 'public', $1, 'A street', 'Rue de Rivoli.', 'Jean Dupont', $2, $2, $2)`, id, db.now()); err != nil {
				t.Fatal(err)
			}

			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			p, err := db.FindPhoto(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Alt != "A street" || p.Caption != "Rue de Rivoli." || p.Credit != "Jean Dupont" || !p.RightsExpireAt.IsZero() {
				t.Errorf("after the migration the photo is %+v", p)
			}

			folder, err := blob.NewFolder(filepath.Join(t.TempDir(), "media"))
			if err != nil {
				t.Fatal(err)
			}
			db.Blobs = folder
			n, err := db.MovePhotosToBlobs(ctx)
			if err != nil || n != 1 {
				t.Fatalf("MovePhotosToBlobs = %d, %v; want 1 moved", n, err)
			}
			if n, err := db.MovePhotosToBlobs(ctx); err != nil || n != 0 {
				t.Errorf("a second run = %d, %v; want nothing moved", n, err)
			}
			var left int
			if err := db.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM images WHERE length(data) > 0) +
				(SELECT COUNT(*) FROM image_variants WHERE length(data) > 0)`).Scan(&left); err != nil || left != 0 {
				t.Errorf("%d rows still hold bytes (%v)", left, err)
			}
			stored, err := db.OpenOriginal(ctx, img.Hash)
			if err != nil {
				t.Fatal(err)
			}
			if media.ReadMetadata(stored).Location {
				t.Error("the moved original still carries its GPS position")
			}
			if media.ReadMetadata(stored).Credit != "Jean Dupont" {
				t.Errorf("the moved original lost its pixels or IPTC: %+v", media.ReadMetadata(stored))
			}
			for _, v := range variants {
				got, err := db.FindImageVariant(ctx, img.Hash, v.Width)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Data, v.Data) || got.Mime != "image/jpeg" {
					t.Errorf("variant %d: %d bytes, want the %d it had", v.Width, len(got.Data), len(v.Data))
				}
				rc, err := folder.Get(ctx, byline.VariantKey(img.Hash, v.Width))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(rc)
				rc.Close()
				if !bytes.Equal(b, v.Data) {
					t.Errorf("variant %d in the folder differs", v.Width)
				}
			}
			if _, err := db.FindImageVariant(ctx, img.Hash, 333); byline.ErrorCode(err) != byline.ENOTFOUND {
				t.Errorf("a width the photo lacks: err = %v, want not found", err)
			}
			if !strings.HasPrefix(folder.Describe(), "the folder ") {
				t.Errorf("Describe = %q", folder.Describe())
			}
		})
	}
}
