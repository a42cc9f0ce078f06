package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"byline"
)

// AddCorrection stores a note on a published article; see byline.CorrectionStore.
func (db *DB) AddCorrection(ctx context.Context, c *byline.Correction) error {
	c.At = c.At.UTC().Truncate(time.Microsecond)
	if err := c.Validate(); err != nil {
		return err
	}
	var staff any
	if c.StaffID != 0 {
		staff = c.StaffID
	}
	now := db.now()
	return db.inTx(ctx, func(tx *tx) error {
		a := &byline.Article{ID: c.ArticleID}
		var updated time.Time
		err := tx.QueryRowContext(ctx, `SELECT slug, title, status, visibility, published_at, updated_at FROM articles WHERE id = $1`,
			c.ArticleID).Scan(&a.Slug, &a.Title, &a.Status, &a.Visibility, &a.PublishedAt, &updated)
		if err != nil {
			return db.dialect.classify(err, "article")
		}
		a.PublishedAt = a.PublishedAt.UTC()
		switch {
		case !a.Visible(now):
			return byline.Errorf(byline.EINVALID, "Notes go on published articles only: this one is a draft or scheduled.")
		case c.At.Before(a.PublishedAt):
			e := byline.Errorf(byline.EINVALID, "The note's time is before the article was published.")
			e.Field = "at"
			return e
		}
		if c.At.After(updated.UTC()) {
			// dateModified follows the latest note; it never moves back.
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET updated_at = $1 WHERE id = $2`, c.At, c.ArticleID); err != nil {
				return db.dialect.classify(err, "article")
			}
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO corrections (article_id, kind, text, at, staff_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.ArticleID, string(c.Kind), c.Text, c.At, staff, now).Scan(&c.ID)
		if err != nil {
			return db.dialect.classify(err, "note")
		}
		c.Article = a
		// Corrections are rare: every cached page re-renders, as after any article's save.
		return db.bumpRevision(ctx, tx)
	})
}

// DeleteCorrection deletes a note; see byline.CorrectionStore.
func (db *DB) DeleteCorrection(ctx context.Context, id int64) (*byline.Correction, error) {
	var c *byline.Correction
	err := db.inTx(ctx, func(tx *tx) error {
		var err error
		c, err = scanCorrection(tx.QueryRowContext(ctx, `SELECT `+correctionColumns+`
			FROM corrections c JOIN articles a ON a.id = c.article_id WHERE c.id = $1`, id))
		if err != nil {
			return db.dialect.classify(err, "note")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM corrections WHERE id = $1`, id); err != nil {
			return db.dialect.classify(err, "note")
		}
		return db.bumpRevision(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// correctionColumns are what lists of notes read: the note and its article's summary.
const correctionColumns = `c.id, c.article_id, c.kind, c.text, c.at, c.staff_id,
	a.slug, a.title, a.status, a.visibility, a.published_at`

func scanCorrection(row interface{ Scan(...any) error }) (*byline.Correction, error) {
	var c byline.Correction
	var staff sql.NullInt64
	a := &byline.Article{}
	if err := row.Scan(&c.ID, &c.ArticleID, &c.Kind, &c.Text, &c.At, &staff,
		&a.Slug, &a.Title, &a.Status, &a.Visibility, &a.PublishedAt); err != nil {
		return nil, err
	}
	a.ID, a.PublishedAt = c.ArticleID, a.PublishedAt.UTC()
	c.At, c.StaffID, c.Article = c.At.UTC(), staff.Int64, a
	return &c, nil
}

// FindCorrections lists notes newest first; see byline.CorrectionStore.
func (db *DB) FindCorrections(ctx context.Context, f byline.CorrectionFilter) ([]*byline.Correction, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.ArticleID != 0 {
		where = append(where, "c.article_id = "+arg(f.ArticleID))
	}
	if !f.VisibleAt.IsZero() {
		where = append(where, fmt.Sprintf(visible, arg(f.VisibleAt.UTC())))
	}
	q := `SELECT ` + correctionColumns + ` FROM corrections c JOIN articles a ON a.id = c.article_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.at DESC, c.id DESC"
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
		if f.Offset > 0 {
			q += " OFFSET " + arg(f.Offset)
		}
	}
	return collect(ctx, db, "find notes", scanCorrection, q, args...)
}

// FindArticleWithCorrections returns an article's summary and its notes; see
// byline.CorrectionStore.
func (db *DB) FindArticleWithCorrections(ctx context.Context, id int64) (*byline.Article, error) {
	a := &byline.Article{ID: id}
	err := db.queryRow(ctx, `SELECT slug, title, status, visibility, published_at, updated_at FROM articles WHERE id = $1`, id).
		Scan(&a.Slug, &a.Title, &a.Status, &a.Visibility, &a.PublishedAt, &a.UpdatedAt)
	if err != nil {
		return nil, db.dialect.classify(err, "article")
	}
	a.PublishedAt, a.UpdatedAt = a.PublishedAt.UTC(), a.UpdatedAt.UTC()
	if err := db.attachCorrections(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// attachCorrections loads the article's notes, oldest first, in one query: every reader of
// one article (FindArticleBySlug, the desk's FindArticleByID) calls it.
func (db *DB) attachCorrections(ctx context.Context, a *byline.Article) error {
	rows, err := db.query(ctx, `SELECT id, kind, text, at, staff_id FROM corrections WHERE article_id = $1 ORDER BY at, id`, a.ID)
	if err != nil {
		return fmt.Errorf("find notes of article %d: %w", a.ID, err)
	}
	defer rows.Close()
	a.Corrections = nil
	for rows.Next() {
		c := &byline.Correction{ArticleID: a.ID}
		var staff sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Kind, &c.Text, &c.At, &staff); err != nil {
			return fmt.Errorf("scan note: %w", err)
		}
		c.At, c.StaffID = c.At.UTC(), staff.Int64
		a.Corrections = append(a.Corrections, c)
	}
	return rows.Err()
}
