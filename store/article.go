package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"byline"
)

// visible is the SQL twin of byline.Article.Visible: the article is published and its time
// has come. %s is the parameter holding that time; a. names the articles table.
const visible = "a.status = 'published' AND a.published_at <= %s"

// articleColumns are the columns every article query reads, image included.
const articleColumns = `a.id, a.slug, a.title, a.standfirst, a.body, a.body_html, a.teaser_html, a.status,
	a.visibility, a.featured, a.image_alt, a.image_caption, a.image_credit, a.published_at, a.created_at,
	a.updated_at, a.source, a.version, a.comments_open, a.meta_title, a.meta_description, a.canonical_url,
	a.created_by, i.id, i.hash, i.mime, i.width, i.height`

func scanArticle(row interface{ Scan(...any) error }) (*byline.Article, error) {
	var a byline.Article
	var imgID sql.NullInt64
	var hash, mime sql.NullString
	var w, h, createdBy sql.NullInt64
	err := row.Scan(&a.ID, &a.Slug, &a.Title, &a.Standfirst, &a.Body, &a.BodyHTML, &a.TeaserHTML, &a.Status,
		&a.Visibility, &a.Featured, &a.ImageAlt, &a.ImageCaption, &a.ImageCredit, &a.PublishedAt, &a.CreatedAt,
		&a.UpdatedAt, &a.Source, &a.Version, &a.CommentsOpen, &a.MetaTitle, &a.MetaDescription, &a.CanonicalURL,
		&createdBy, &imgID, &hash, &mime, &w, &h)
	if err != nil {
		return nil, err
	}
	a.CreatedBy = createdBy.Int64
	if imgID.Valid {
		a.Image = &byline.Image{ID: imgID.Int64, Hash: hash.String, Mime: mime.String,
			Width: int(w.Int64), Height: int(h.Int64)}
	}
	a.PublishedAt, a.CreatedAt, a.UpdatedAt = a.PublishedAt.UTC(), a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return &a, nil
}

// FindArticleBySlug returns the article with that slug, whatever its status.
func (db *DB) FindArticleBySlug(ctx context.Context, slug string) (*byline.Article, error) {
	return db.findArticle(ctx, "a.slug", slug)
}

// findArticle returns the article whose column (a.slug or a.id) holds v, with its bylines,
// tags, photo and corrections.
func (db *DB) findArticle(ctx context.Context, column string, v any) (*byline.Article, error) {
	a, err := scanArticle(db.queryRow(ctx, `SELECT `+articleColumns+`
		FROM articles a LEFT JOIN images i ON i.id = a.image_id WHERE `+column+` = $1`, v))
	if err != nil {
		return nil, db.dialect.classify(err, "article")
	}
	if err := db.attachBylinesAndTags(ctx, []*byline.Article{a}); err != nil {
		return nil, err
	}
	if err := db.attachCorrections(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// filterWhere returns the WHERE clause (with a leading space, or "") that selects what the
// filter asks, and its arguments $1, $2…; from, when not nil, starts the list at that
// position (inclusive).
func filterWhere(f byline.ArticleFilter, from *position) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	// keyset bounds the list by a position, with the time first so that both engines
	// range-scan the index from there (PostgreSQL would filter an OR form row by row).
	keyset := func(p position, idOp string) {
		t := arg(p.at.UTC())
		where = append(where, fmt.Sprintf("a.published_at <= %s AND (a.published_at < %s OR a.id %s %s)", t, t, idOp, arg(p.id)))
	}
	bounded := false // a keyset bound at or before VisibleAt makes the visible time bound redundant
	if from != nil {
		keyset(*from, "<=")
		bounded = !f.VisibleAt.IsZero() && !from.at.After(f.VisibleAt)
	}
	if f.Before != nil {
		keyset(position{f.Before.PublishedAt, f.Before.ID}, "<")
		bounded = bounded || !f.VisibleAt.IsZero() && !f.Before.PublishedAt.After(f.VisibleAt)
	}
	switch {
	case !f.VisibleAt.IsZero() && bounded:
		// Only the status: SQLite would otherwise range-scan by the visible bound instead.
		where = append(where, "a.status = 'published'")
	case !f.VisibleAt.IsZero():
		where = append(where, fmt.Sprintf(visible, arg(f.VisibleAt.UTC())))
	case f.Status != "":
		where = append(where, "a.status = "+arg(string(f.Status)))
	}
	if f.Featured {
		where = append(where, "a.featured = "+arg(true))
	}
	if f.TagSlug != "" {
		where = append(where, "a.id IN (SELECT at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE t.slug = "+arg(f.TagSlug)+")")
	}
	if f.AuthorSlug != "" {
		where = append(where, "a.id IN (SELECT aa.article_id FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE au.slug = "+arg(f.AuthorSlug)+")")
	}
	if len(where) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// FindArticles returns the articles the filter selects, newest first.
func (db *DB) FindArticles(ctx context.Context, f byline.ArticleFilter) ([]*byline.Article, error) {
	var fromPos *position
	if f.Limit > 0 && f.Offset >= anchorFrom && !f.VisibleAt.IsZero() && f.Before == nil {
		// Deep in the archive: start from the nearest remembered position (see anchor.go).
		from, ok, err := db.anchor(ctx, f, f.Offset)
		if err != nil || !ok {
			return nil, err
		}
		fromPos, f.Offset = &from, f.Offset%anchorStep
	}
	where, args := filterWhere(f, fromPos)
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	cols := articleColumns
	if f.Summary {
		cols = strings.Replace(cols, "a.body, a.body_html, a.teaser_html", "'', '', ''", 1)
	}
	q := `SELECT ` + cols + ` FROM articles a LEFT JOIN images i ON i.id = a.image_id` + where
	q += " ORDER BY a.published_at DESC, a.id DESC"
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
		if f.Offset > 0 {
			q += " OFFSET " + arg(f.Offset)
		}
	}
	list, err := collect(ctx, db, "find articles", scanArticle, q, args...)
	if err != nil {
		return nil, err
	}
	return list, db.attachBylinesAndTags(ctx, list)
}

// attachBylinesAndTags loads the authors and tags of the articles, two queries per batch.
func (db *DB) attachBylinesAndTags(ctx context.Context, list []*byline.Article) error {
	const batch = 500 // well under both engines' limits on query parameters
	for len(list) > 0 {
		n := min(batch, len(list))
		if err := db.attachBatch(ctx, list[:n]); err != nil {
			return err
		}
		list = list[n:]
	}
	return nil
}

func (db *DB) attachBatch(ctx context.Context, list []*byline.Article) error {
	byID := make(map[int64]*byline.Article, len(list))
	ids := make([]any, 0, len(list))
	marks := make([]string, 0, len(list))
	for _, a := range list {
		a.Authors, a.Tags = nil, nil
		byID[a.ID] = a
		ids = append(ids, a.ID)
		marks = append(marks, fmt.Sprintf("$%d", len(ids)))
	}
	in := strings.Join(marks, ", ")
	// One query for both: bylines ('a') and tags ('t'), each in its order.
	rows, err := db.query(ctx, `
		SELECT 'a', aa.article_id, au.id, au.slug, au.name, au.bio, aa.position
		FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN (`+in+`)
		UNION ALL
		SELECT 't', at.article_id, t.id, t.slug, t.name, t.description, at.position
		FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN (`+in+`)
		ORDER BY 1, 2, 7`, ids...)
	if err != nil {
		return fmt.Errorf("find bylines and tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, slug, name, about string
		var article, id int64
		var pos int
		if err := rows.Scan(&kind, &article, &id, &slug, &name, &about, &pos); err != nil {
			return fmt.Errorf("scan byline or tag: %w", err)
		}
		a := byID[article]
		if kind == "a" {
			a.Authors = append(a.Authors, &byline.Author{ID: id, Slug: slug, Name: name, Bio: about})
		} else {
			a.Tags = append(a.Tags, &byline.Tag{ID: id, Slug: slug, Name: name, Description: about})
		}
	}
	return rows.Err()
}

// SaveArticle creates or updates the article with a.Slug; see byline.ArticleStore.
func (db *DB) SaveArticle(ctx context.Context, a *byline.Article, upload *byline.ImageUpload) (byline.SaveResult, error) {
	if upload != nil {
		a.Image = upload.Image
	}
	if err := a.Validate(); err != nil {
		return 0, err
	}
	a.PublishedAt = a.PublishedAt.UTC().Truncate(time.Microsecond)
	old, err := db.FindArticleBySlug(ctx, a.Slug)
	if err != nil && byline.ErrorCode(err) != byline.ENOTFOUND {
		return 0, err
	}
	if old != nil && sameArticle(old, a) {
		a.ID, a.CreatedAt, a.UpdatedAt = old.ID, old.CreatedAt, old.UpdatedAt
		return byline.Unchanged, nil
	}
	if upload != nil {
		// The photo's bytes first, outside the transaction: SQLite's write lock is not held
		// while they travel to S3. Should the transaction then fail, the blobs stay unnamed by
		// any row: harmless, since a blob's key is its content's hash, and the next save of
		// the same photo finds them in place.
		if err := db.putUpload(ctx, upload); err != nil {
			return 0, err
		}
	}
	now := db.now()
	result := byline.Created
	err = db.inTx(ctx, func(tx *tx) error {
		result = byline.Created // this may run twice (see inTx)
		if upload != nil {
			if err := db.saveImage(ctx, tx, upload); err != nil {
				return err
			}
		}
		var image any
		if a.Image != nil {
			image = a.Image.ID
		}
		// Look again inside the transaction: another process may have created it meanwhile.
		var id int64
		var createdAt sql.NullTime
		var source string
		err := tx.QueryRowContext(ctx, `SELECT id, created_at, source FROM articles WHERE slug = $1`, a.Slug).Scan(&id, &createdAt, &source)
		if err == nil && source != a.Source && !a.Takeover {
			return byline.Errorf(byline.ECONFLICT, "The slug %q is taken by an article from another source; nothing was overwritten.", a.Slug)
		}
		switch {
		case err == sql.ErrNoRows:
			// A new article has not been modified since it was published (or, when it is
			// scheduled, since now): no "Updated" line for it.
			a.CreatedAt, a.UpdatedAt = now, now
			if a.PublishedAt.Before(now) {
				a.UpdatedAt = a.PublishedAt
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO articles (slug, title, standfirst, body, body_html,
				teaser_html, status, visibility, featured, image_id, image_alt, image_caption, image_credit,
				published_at, created_at, updated_at, source)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
				a.Slug, a.Title, a.Standfirst, a.Body, a.BodyHTML, a.TeaserHTML, string(a.Status), string(a.Visibility),
				a.Featured, image, a.ImageAlt, a.ImageCaption, a.ImageCredit, a.PublishedAt, a.CreatedAt, a.UpdatedAt, a.Source).Scan(&a.ID)
			if err != nil {
				return db.dialect.classify(err, "article")
			}
		case err != nil:
			return fmt.Errorf("find article %q: %w", a.Slug, err)
		default:
			result = byline.Updated
			a.ID, a.CreatedAt, a.UpdatedAt = id, createdAt.Time.UTC(), now
			_, err = tx.ExecContext(ctx, `UPDATE articles SET title = $1, standfirst = $2, body = $3, body_html = $4,
				teaser_html = $5, status = $6, visibility = $7, featured = $8, image_id = $9, image_alt = $10,
				image_caption = $11, image_credit = $12, published_at = $13, updated_at = $14, source = $15,
				version = version + 1 WHERE id = $16`,
				a.Title, a.Standfirst, a.Body, a.BodyHTML, a.TeaserHTML, string(a.Status), string(a.Visibility),
				a.Featured, image, a.ImageAlt, a.ImageCaption, a.ImageCredit, a.PublishedAt, a.UpdatedAt, a.Source, a.ID)
			if err != nil {
				return db.dialect.classify(err, "article")
			}
			for _, table := range []string{"article_authors", "article_tags"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE article_id = $1`, a.ID); err != nil {
					return fmt.Errorf("clear %s: %w", table, err)
				}
			}
		}
		if err := db.saveBylinesAndTags(ctx, tx, a, now); err != nil {
			return err
		}
		return db.bumpRevision(ctx, tx)
	})
	if err != nil {
		return 0, err
	}
	return result, nil
}

// saveBylinesAndTags links the article (whose old links are gone) to its authors and tags,
// creating those that are new, inside tx.
func (db *DB) saveBylinesAndTags(ctx context.Context, tx *tx, a *byline.Article, now time.Time) error {
	// Authors, then tags, each in slug order whatever the byline's order: two saves that
	// name the same ones in other orders then lock their rows in the same order and
	// cannot deadlock. Positions keep the order the article gives.
	for _, au := range sortedBySlug(a.Authors, func(au *byline.Author) string { return au.Slug }) {
		err := tx.QueryRowContext(ctx, `INSERT INTO authors (slug, name, bio, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id, name, bio`,
			au.Slug, au.Name, au.Bio, now).Scan(&au.ID, &au.Name, &au.Bio)
		if err != nil {
			return db.dialect.classify(err, "author")
		}
	}
	for _, t := range sortedBySlug(a.Tags, func(t *byline.Tag) string { return t.Slug }) {
		err := tx.QueryRowContext(ctx, `INSERT INTO tags (slug, name, description, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id, name, description`,
			t.Slug, t.Name, t.Description, now).Scan(&t.ID, &t.Name, &t.Description)
		if err != nil {
			return db.dialect.classify(err, "tag")
		}
	}
	for pos, au := range a.Authors {
		if err := link(ctx, tx, "article_authors", "author_id", a.ID, au.ID, pos); err != nil {
			return db.dialect.classify(err, "author")
		}
	}
	for pos, t := range a.Tags {
		if err := link(ctx, tx, "article_tags", "tag_id", a.ID, t.ID, pos); err != nil {
			return db.dialect.classify(err, "tag")
		}
	}
	return nil
}

// sortedBySlug returns the items in slug order, leaving list as it is.
func sortedBySlug[T any](list []T, slug func(T) string) []T {
	out := slices.Clone(list)
	slices.SortFunc(out, func(x, y T) int { return strings.Compare(slug(x), slug(y)) })
	return out
}

// link records, in one of the join tables, that an article has an author or tag at a
// position (0 first).
func link(ctx context.Context, tx *tx, table, column string, article, other int64, pos int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (article_id, `+column+`, position) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, article, other, pos)
	return err
}

// sameArticle reports whether saving b over a would change nothing a reader could see.
func sameArticle(a, b *byline.Article) bool {
	return a.Title == b.Title && a.Standfirst == b.Standfirst && a.Body == b.Body && a.BodyHTML == b.BodyHTML &&
		a.Status == b.Status && a.Visibility == b.Visibility && a.Featured == b.Featured &&
		imageHash(a) == imageHash(b) && a.ImageAlt == b.ImageAlt && a.ImageCaption == b.ImageCaption &&
		a.ImageCredit == b.ImageCredit && a.TeaserHTML == b.TeaserHTML &&
		a.PublishedAt.Equal(b.PublishedAt) && a.Source == b.Source &&
		slices.EqualFunc(a.Authors, b.Authors, func(x, y *byline.Author) bool { return x.Slug == y.Slug }) &&
		slices.EqualFunc(a.Tags, b.Tags, func(x, y *byline.Tag) bool { return x.Slug == y.Slug })
}

func imageHash(a *byline.Article) string {
	if a.Image == nil {
		return ""
	}
	return a.Image.Hash
}

// FindArticleLinks returns the slugs and update times of published articles, newest first.
func (db *DB) FindArticleLinks(ctx context.Context, visibleAt time.Time, offset, limit int) ([]byline.ArticleLink, error) {
	if visibleAt.IsZero() { // no time, nothing visible: never every article
		return nil, nil
	}
	f := byline.ArticleFilter{VisibleAt: visibleAt}
	var fromPos *position
	if offset >= anchorFrom {
		from, ok, err := db.anchor(ctx, f, offset)
		if err != nil || !ok {
			return nil, err
		}
		fromPos, offset = &from, offset%anchorStep
	}
	where, args := filterWhere(f, fromPos)
	args = append(args, limit, offset)
	rows, err := db.query(ctx, `SELECT a.slug, a.updated_at FROM articles a`+where+`
		ORDER BY a.published_at DESC, a.id DESC LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("find article links: %w", err)
	}
	defer rows.Close()
	var links []byline.ArticleLink
	for rows.Next() {
		var l byline.ArticleLink
		if err := rows.Scan(&l.Slug, &l.UpdatedAt); err != nil {
			return nil, fmt.Errorf("scan article link: %w", err)
		}
		l.UpdatedAt = l.UpdatedAt.UTC()
		links = append(links, l)
	}
	return links, rows.Err()
}

// NextPublication returns the publish time of the first article scheduled after the time.
// It reads the column itself, not MIN() of it: SQLite gives an aggregate no declared type,
// and the driver would hand the time back as text.
func (db *DB) NextPublication(ctx context.Context, after time.Time) (time.Time, error) {
	var next time.Time
	err := db.queryRow(ctx, `SELECT a.published_at FROM articles a WHERE a.status = 'published' AND a.published_at > $1
		ORDER BY a.published_at LIMIT 1`, after.UTC()).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, fmt.Errorf("find next publication: %w", err)
	}
	return next.UTC(), nil
}

// CountVisible counts the articles visible at the time.
func (db *DB) CountVisible(ctx context.Context, at time.Time) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM articles a WHERE `+fmt.Sprintf(visible, "$1"), at.UTC()).Scan(&n)
	return n, db.dialect.classify(err, "article count")
}

// CountArticles counts all articles.
func (db *DB) CountArticles(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM articles`).Scan(&n)
	return n, db.dialect.classify(err, "article count")
}

// FindAuthorBySlug returns the author with that slug.
func (db *DB) FindAuthorBySlug(ctx context.Context, slug string) (*byline.Author, error) {
	var au byline.Author
	err := db.queryRow(ctx, `SELECT id, slug, name, bio FROM authors WHERE slug = $1`, slug).
		Scan(&au.ID, &au.Slug, &au.Name, &au.Bio)
	if err != nil {
		return nil, db.dialect.classify(err, "author")
	}
	return &au, nil
}

// FindTagBySlug returns the tag with that slug.
func (db *DB) FindTagBySlug(ctx context.Context, slug string) (*byline.Tag, error) {
	var t byline.Tag
	err := db.queryRow(ctx, `SELECT id, slug, name, description FROM tags WHERE slug = $1`, slug).
		Scan(&t.ID, &t.Slug, &t.Name, &t.Description)
	if err != nil {
		return nil, db.dialect.classify(err, "tag")
	}
	return &t, nil
}
