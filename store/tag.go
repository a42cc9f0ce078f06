package store

import (
	"context"
	"fmt"

	"byline"
)

// Tags and authors as the desk edits them: a name and a description or bio; the slug, their
// address, stays.

// UpdateTag renames a tag and sets its description.
func (db *DB) UpdateTag(ctx context.Context, t *byline.Tag) error {
	return db.updateNamed(ctx, "tags", "description", t.ID, t.Name, t.Description, t.Validate)
}

// UpdateAuthor renames an author and sets their bio.
func (db *DB) UpdateAuthor(ctx context.Context, au *byline.Author) error {
	return db.updateNamed(ctx, "authors", "bio", au.ID, au.Name, au.Bio, au.Validate)
}

func (db *DB) updateNamed(ctx context.Context, table, about string, id int64, name, text string, validate func() error) error {
	if err := validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE `+table+` SET name = $1, `+about+` = $2 WHERE id = $3`, name, text, id)
		if err != nil {
			return fmt.Errorf("update %s: %w", table, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return byline.Errorf(byline.ENOTFOUND, "No such entry.")
		}
		// A name shows on every page that lists its articles: any page may change.
		return db.bumpRevision(ctx, tx)
	})
}

// FindTagByID and FindAuthorByID return ENOTFOUND when there is none.
func (db *DB) FindTagByID(ctx context.Context, id int64) (*byline.Tag, error) {
	var t byline.Tag
	err := db.queryRow(ctx, `SELECT id, slug, name, description FROM tags WHERE id = $1`, id).Scan(&t.ID, &t.Slug, &t.Name, &t.Description)
	if err != nil {
		return nil, db.dialect.classify(err, "tag")
	}
	return &t, nil
}

// FindAuthorByID returns the author with that id.
func (db *DB) FindAuthorByID(ctx context.Context, id int64) (*byline.Author, error) {
	var au byline.Author
	err := db.queryRow(ctx, `SELECT id, slug, name, bio FROM authors WHERE id = $1`, id).Scan(&au.ID, &au.Slug, &au.Name, &au.Bio)
	if err != nil {
		return nil, db.dialect.classify(err, "author")
	}
	return &au, nil
}

// FindTagByName and FindAuthorByName return the tag or author with that name, whatever its
// letter case (ASCII letters on SQLite), or ENOTFOUND: the editor names them, and a renamed
// tag keeps its old slug.
func (db *DB) FindTagByName(ctx context.Context, name string) (*byline.Tag, error) {
	var t byline.Tag
	err := db.queryRow(ctx, `SELECT id, slug, name, description FROM tags WHERE LOWER(name) = LOWER($1) ORDER BY id LIMIT 1`, name).
		Scan(&t.ID, &t.Slug, &t.Name, &t.Description)
	if err != nil {
		return nil, db.dialect.classify(err, "tag")
	}
	return &t, nil
}

// FindAuthorByName returns the author with that name (see FindTagByName).
func (db *DB) FindAuthorByName(ctx context.Context, name string) (*byline.Author, error) {
	var au byline.Author
	err := db.queryRow(ctx, `SELECT id, slug, name, bio FROM authors WHERE LOWER(name) = LOWER($1) ORDER BY id LIMIT 1`, name).
		Scan(&au.ID, &au.Slug, &au.Name, &au.Bio)
	if err != nil {
		return nil, db.dialect.classify(err, "author")
	}
	return &au, nil
}

