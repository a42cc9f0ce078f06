package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"byline"
	"byline/blob"
	"byline/media"
)

// Photos: the records live in the images table, the bytes in the blob store (db.Blobs):
// the original under byline.OriginalKey, each variant under byline.VariantKey. Blobs are
// written before the row that names them: a failed save may leave blobs that no row names,
// which are harmless (the same photo uploaded again reuses them), while a row never names a
// photo whose bytes are missing.

// blobs returns the blob store, opening a SQLite store's default folder at first use.
func (db *DB) blobs() (byline.BlobStore, error) {
	db.blobMu.Lock()
	defer db.blobMu.Unlock()
	if db.Blobs != nil {
		return db.Blobs, nil
	}
	if db.mediaDir == "" {
		return nil, byline.Errorf(byline.EINVALID, "No media store is set for this PostgreSQL database's photos: set BYLINE_MEDIA_URL (or --media-url) to the bucket or folder the nodes use.")
	}
	f, err := blob.NewFolder(db.mediaDir)
	if err != nil {
		return nil, err
	}
	db.Blobs = f
	return f, nil
}

// maxVariantBytes bounds a variant read back from the blob store: a JPEG of 1920 pixels
// wide is far smaller, and a corrupted store must not fill memory.
const maxVariantBytes = 16 << 20

// photoColumns are the columns every photo query reads.
const photoColumns = `id, hash, mime, width, height, caption, credit, source, copyright, alt,
	rights_expires_at, uploaded_by, created_at`

func scanPhoto(row interface{ Scan(...any) error }) (*byline.Photo, error) {
	var p byline.Photo
	var expires sql.NullTime
	var by sql.NullInt64
	if err := row.Scan(&p.ID, &p.Hash, &p.Mime, &p.Width, &p.Height, &p.Caption, &p.Credit, &p.Source,
		&p.Copyright, &p.Alt, &expires, &by, &p.CreatedAt); err != nil {
		return nil, err
	}
	if expires.Valid {
		p.RightsExpireAt = expires.Time.UTC()
	}
	p.UploadedBy, p.CreatedAt = by.Int64, p.CreatedAt.UTC()
	return &p, nil
}

// FindImageByHash returns the image with that hash.
func (db *DB) FindImageByHash(ctx context.Context, hash string) (*byline.Image, error) {
	var img byline.Image
	err := db.queryRow(ctx, `SELECT id, hash, mime, width, height FROM images WHERE hash = $1`, hash).
		Scan(&img.ID, &img.Hash, &img.Mime, &img.Width, &img.Height)
	if err != nil {
		return nil, db.dialect.classify(err, "image")
	}
	return &img, nil
}

// FindPhoto returns the photo with that id.
func (db *DB) FindPhoto(ctx context.Context, id int64) (*byline.Photo, error) {
	p, err := scanPhoto(db.queryRow(ctx, `SELECT `+photoColumns+` FROM images WHERE id = $1`, id))
	if err != nil {
		return nil, db.dialect.classify(err, "photo")
	}
	return p, nil
}

// FindPhotoByHash returns the photo with that hash.
func (db *DB) FindPhotoByHash(ctx context.Context, hash string) (*byline.Photo, error) {
	p, err := scanPhoto(db.queryRow(ctx, `SELECT `+photoColumns+` FROM images WHERE hash = $1`, hash))
	if err != nil {
		return nil, db.dialect.classify(err, "photo")
	}
	return p, nil
}

// putPhoto writes an image's original and variants to the blob store.
func (db *DB) putPhoto(ctx context.Context, hash, mime string, original []byte, variants []byline.ImageVariant) error {
	blobs, err := db.blobs()
	if err != nil {
		return err
	}
	if err := blobs.Put(ctx, byline.OriginalKey(hash), bytes.NewReader(original), int64(len(original)), mime); err != nil {
		return err
	}
	for _, v := range variants {
		if err := blobs.Put(ctx, byline.VariantKey(hash, v.Width), bytes.NewReader(v.Data), int64(len(v.Data)), v.Mime); err != nil {
			return err
		}
	}
	return nil
}

// insertImage adds an image's row and its variants' rows inside tx, or finds the row of the
// image with the same hash; it reports whether it added it.
func (db *DB) insertImage(ctx context.Context, tx *tx, p *byline.Photo, variants []byline.ImageVariant) (bool, error) {
	var uploadedBy, expires any
	if p.UploadedBy != 0 {
		uploadedBy = p.UploadedBy
	}
	if !p.RightsExpireAt.IsZero() {
		expires = p.RightsExpireAt.UTC()
	}
	p.CreatedAt = db.now()
	err := tx.QueryRowContext(ctx, `INSERT INTO images (hash, mime, width, height, data, created_at, caption, credit,
		source, copyright, alt, rights_expires_at, uploaded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (hash) DO NOTHING RETURNING id`,
		p.Hash, p.Mime, p.Width, p.Height, []byte{}, p.CreatedAt, p.Caption, p.Credit, p.Source, p.Copyright, p.Alt,
		expires, uploadedBy).Scan(&p.ID)
	if err == sql.ErrNoRows {
		old, err := scanPhoto(tx.QueryRowContext(ctx, `SELECT `+photoColumns+` FROM images WHERE hash = $1`, p.Hash))
		if err != nil {
			return false, db.dialect.classify(err, "photo")
		}
		*p = *old
		return false, nil
	} else if err != nil {
		return false, db.dialect.classify(err, "photo")
	}
	for _, v := range variants {
		if _, err := tx.ExecContext(ctx, `INSERT INTO image_variants (image_id, width, mime, data) VALUES ($1, $2, $3, $4)
			ON CONFLICT (image_id, width) DO NOTHING`, p.ID, v.Width, v.Mime, []byte{}); err != nil {
			return false, fmt.Errorf("save image variant: %w", err)
		}
	}
	return true, nil
}

// putUpload writes the bytes of an image uploaded with an article (the importer's way) to
// the blob store, the original without its location, unless a row already names that image
// (its bytes are then there: a row never names missing bytes). SaveArticle calls it before
// its transaction, so that SQLite's write lock is not held during uploads to S3.
func (db *DB) putUpload(ctx context.Context, up *byline.ImageUpload) error {
	if _, err := db.FindImageByHash(ctx, up.Image.Hash); err == nil {
		return nil
	} else if byline.ErrorCode(err) != byline.ENOTFOUND {
		return err
	}
	original, err := media.StripLocation(up.Original)
	if err != nil {
		original = up.Original
	}
	return db.putPhoto(ctx, up.Image.Hash, up.Image.Mime, original, up.Variants)
}

// saveImage records an image uploaded with an article inside tx, its bytes already in the
// blob store (putUpload), and sets its ID; an image with the same hash is already there and
// kept.
func (db *DB) saveImage(ctx context.Context, tx *tx, up *byline.ImageUpload) error {
	p := &byline.Photo{Image: *up.Image}
	if _, err := db.insertImage(ctx, tx, p, up.Variants); err != nil {
		return err
	}
	up.Image.ID = p.ID
	return nil
}

// SavePhoto stores a new photo of the library; see byline.PhotoStore.
func (db *DB) SavePhoto(ctx context.Context, p *byline.Photo, original []byte, variants []byline.ImageVariant) (bool, error) {
	p.Trim()
	if err := p.Validate(); err != nil {
		return false, err
	}
	if old, err := db.FindPhotoByHash(ctx, p.Hash); err == nil {
		*p = *old
		return false, nil
	} else if byline.ErrorCode(err) != byline.ENOTFOUND {
		return false, err
	}
	// The bytes first, outside the transaction: the write lock is not held during uploads.
	if err := db.putPhoto(ctx, p.Hash, p.Mime, original, variants); err != nil {
		return false, err
	}
	var created bool
	err := db.inTx(ctx, func(tx *tx) error {
		var err error
		created, err = db.insertImage(ctx, tx, p, variants)
		return err
	})
	return created, err
}

// UpdatePhoto saves the desk's fields of a photo. A change of its rights' expiry changes
// what public pages show: the content revision moves then.
func (db *DB) UpdatePhoto(ctx context.Context, p *byline.Photo) error {
	p.Trim()
	if err := p.Validate(); err != nil {
		return err
	}
	var expires any
	if !p.RightsExpireAt.IsZero() {
		p.RightsExpireAt = p.RightsExpireAt.UTC().Truncate(time.Microsecond)
		expires = p.RightsExpireAt
	}
	return db.inTx(ctx, func(tx *tx) error {
		var old sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT rights_expires_at FROM images WHERE id = $1`, p.ID).Scan(&old); err != nil {
			return db.dialect.classify(err, "photo")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE images SET caption = $1, credit = $2, source = $3, copyright = $4,
			alt = $5, rights_expires_at = $6 WHERE id = $7`,
			p.Caption, p.Credit, p.Source, p.Copyright, p.Alt, expires, p.ID); err != nil {
			return db.dialect.classify(err, "photo")
		}
		if old.Valid != !p.RightsExpireAt.IsZero() || old.Valid && !old.Time.Equal(p.RightsExpireAt) {
			return db.bumpRevision(ctx, tx)
		}
		return nil
	})
}

// FindPhotos returns a page of the library, newest first, and the count of all the photos
// the filter selects.
func (db *DB) FindPhotos(ctx context.Context, f byline.PhotoFilter) ([]*byline.Photo, int, error) {
	var where string
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		// LIKE with the query's own wildcards escaped; lower() on both sides ignores case on
		// both engines (SQLite's LIKE only does so for ASCII).
		q = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q))
		args = append(args, "%"+q+"%")
		where = ` WHERE (lower(caption) LIKE $1 ESCAPE '\' OR lower(credit) LIKE $1 ESCAPE '\'
			OR lower(source) LIKE $1 ESCAPE '\' OR lower(alt) LIKE $1 ESCAPE '\')`
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM images`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count photos: %w", err)
	}
	q := `SELECT ` + photoColumns + ` FROM images` + where + ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(0, f.Offset))
	}
	list, err := db.photos(ctx, q, args...)
	return list, total, err
}

// FindExpiringPhotos returns the photos whose rights end before until, soonest first.
func (db *DB) FindExpiringPhotos(ctx context.Context, until time.Time, limit int) ([]*byline.Photo, error) {
	return db.photos(ctx, `SELECT `+photoColumns+` FROM images WHERE rights_expires_at IS NOT NULL
		AND rights_expires_at < $1 ORDER BY rights_expires_at, id LIMIT $2`, until.UTC(), max(1, limit))
}

func (db *DB) photos(ctx context.Context, q string, args ...any) ([]*byline.Photo, error) {
	return collect(ctx, db, "find photos", scanPhoto, q, args...)
}

// ExpiredImages returns which of the images have rights that ended at at.
func (db *DB) ExpiredImages(ctx context.Context, ids []int64, at time.Time) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{at.UTC()}
	marks := make([]string, 0, len(ids))
	for _, id := range ids[:min(len(ids), 500)] {
		args = append(args, id)
		marks = append(marks, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := db.query(ctx, `SELECT id FROM images WHERE rights_expires_at <= $1 AND id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("find expired images: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	if len(ids) > 500 {
		rest, err := db.ExpiredImages(ctx, ids[500:], at)
		if err != nil {
			return nil, err
		}
		for id := range rest {
			out[id] = true
		}
	}
	return out, rows.Err()
}

// ExpiredHashes returns which of the images with the hashes have rights that ended at at.
func (db *DB) ExpiredHashes(ctx context.Context, hashes []string, at time.Time) (map[string]bool, error) {
	out := map[string]bool{}
	for len(hashes) > 0 {
		batch := hashes[:min(len(hashes), 500)]
		hashes = hashes[len(batch):]
		args := []any{at.UTC()}
		marks := make([]string, 0, len(batch))
		for _, h := range batch {
			args = append(args, h)
			marks = append(marks, fmt.Sprintf("$%d", len(args)))
		}
		rows, err := db.query(ctx, `SELECT hash FROM images WHERE rights_expires_at <= $1 AND hash IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("find expired images: %w", err)
		}
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return nil, err
			}
			out[h] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find expired images: %w", err)
		}
	}
	return out, nil
}

// NextRightsExpiry returns the first rights' expiry after the time, or the zero time.
func (db *DB) NextRightsExpiry(ctx context.Context, after time.Time) (time.Time, error) {
	var next time.Time
	err := db.queryRow(ctx, `SELECT rights_expires_at FROM images WHERE rights_expires_at > $1
		ORDER BY rights_expires_at LIMIT 1`, after.UTC()).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, fmt.Errorf("next rights expiry: %w", err)
	}
	return next.UTC(), nil
}

// FindImageVariant returns one variant of the image with that hash, read from the blob
// store: ENOTFOUND when the image has no variant of that width.
func (db *DB) FindImageVariant(ctx context.Context, hash string, width int) (*byline.ImageVariant, error) {
	v := byline.ImageVariant{Width: width}
	err := db.queryRow(ctx, `SELECT v.mime FROM image_variants v JOIN images i ON i.id = v.image_id
		WHERE i.hash = $1 AND v.width = $2`, hash, width).Scan(&v.Mime)
	if err != nil {
		return nil, db.dialect.classify(err, "image")
	}
	v.Data, err = db.readBlob(ctx, byline.VariantKey(hash, width), maxVariantBytes)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// OpenOriginal returns the stored original of the image with that hash.
func (db *DB) OpenOriginal(ctx context.Context, hash string) ([]byte, error) {
	if _, err := db.FindImageByHash(ctx, hash); err != nil {
		return nil, err
	}
	return db.readBlob(ctx, byline.OriginalKey(hash), media.MaxBytes)
}

// readBlob reads a blob of at most limit bytes.
func (db *DB) readBlob(ctx context.Context, key string, limit int64) ([]byte, error) {
	blobs, err := db.blobs()
	if err != nil {
		return nil, err
	}
	rc, err := blobs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("read %s: larger than %d bytes", key, limit)
	}
	return data, nil
}

// MovePhotosToBlobs moves the photos an older Byline kept in the database to the blob
// store: originals (without their location) and variants are written there, then their
// bytes in the database are emptied, one photo per transaction. It returns how many photos
// it moved. It may run on several nodes at once (each write is the same) and be stopped at
// any point: the next run goes on where it stopped. Byline runs it at every start.
func (db *DB) MovePhotosToBlobs(ctx context.Context) (int, error) {
	blobs, err := db.blobs()
	if err != nil {
		return 0, err
	}
	moved := 0
	for {
		rows, err := db.query(ctx, `SELECT id, hash, mime FROM images WHERE length(data) > 0 ORDER BY id LIMIT 50`)
		if err != nil {
			return moved, fmt.Errorf("find photos to move: %w", err)
		}
		type image struct {
			id         int64
			hash, mime string
		}
		var batch []image
		for rows.Next() {
			var im image
			if err := rows.Scan(&im.id, &im.hash, &im.mime); err != nil {
				rows.Close()
				return moved, err
			}
			batch = append(batch, im)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(batch) == 0 {
			return moved, err
		}
		for _, im := range batch {
			if err := db.movePhoto(ctx, im.id, im.hash, im.mime); err != nil {
				return moved, fmt.Errorf("move photo %s to %s: %w", im.hash, blobs.Describe(), err)
			}
			moved++
		}
	}
}

// movePhoto moves one photo's bytes to the blob store.
func (db *DB) movePhoto(ctx context.Context, id int64, hash, mime string) error {
	var original []byte
	if err := db.queryRow(ctx, `SELECT data FROM images WHERE id = $1`, id).Scan(&original); err != nil {
		return err
	}
	if len(original) == 0 {
		return nil // another node moved it meanwhile
	}
	if stripped, err := media.StripLocation(original); err == nil {
		original = stripped
	}
	rows, err := db.query(ctx, `SELECT width, mime, data FROM image_variants WHERE image_id = $1 AND length(data) > 0`, id)
	if err != nil {
		return err
	}
	var variants []byline.ImageVariant
	for rows.Next() {
		var v byline.ImageVariant
		if err := rows.Scan(&v.Width, &v.Mime, &v.Data); err != nil {
			rows.Close()
			return err
		}
		variants = append(variants, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := db.putPhoto(ctx, hash, mime, original, variants); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE images SET data = $1 WHERE id = $2`, []byte{}, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE image_variants SET data = $1 WHERE image_id = $2`, []byte{}, id)
		return err
	})
}
