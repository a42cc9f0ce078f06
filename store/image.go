package store

import (
	"context"
	"fmt"

	"byline"
)

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

// saveImage stores an uploaded image with its variants inside tx and sets its ID; an image
// with the same hash is already there and kept.
func (db *DB) saveImage(ctx context.Context, tx *tx, up *byline.ImageUpload) error {
	img := up.Image
	err := tx.QueryRowContext(ctx, `INSERT INTO images (hash, mime, width, height, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (hash) DO UPDATE SET hash = excluded.hash RETURNING id`,
		img.Hash, img.Mime, img.Width, img.Height, up.Original, db.now()).Scan(&img.ID)
	if err != nil {
		return db.dialect.classify(err, "image")
	}
	for _, v := range up.Variants {
		if _, err := tx.ExecContext(ctx, `INSERT INTO image_variants (image_id, width, mime, data) VALUES ($1, $2, $3, $4)
			ON CONFLICT (image_id, width) DO NOTHING`, img.ID, v.Width, v.Mime, v.Data); err != nil {
			return fmt.Errorf("save image variant: %w", err)
		}
	}
	return nil
}

// FindImageVariant returns one stored variant of the image with that hash.
func (db *DB) FindImageVariant(ctx context.Context, hash string, width int) (*byline.ImageVariant, error) {
	v := byline.ImageVariant{Width: width}
	err := db.queryRow(ctx, `SELECT v.mime, v.data FROM image_variants v JOIN images i ON i.id = v.image_id
		WHERE i.hash = $1 AND v.width = $2`, hash, width).Scan(&v.Mime, &v.Data)
	if err != nil {
		return nil, db.dialect.classify(err, "image")
	}
	return &v, nil
}
