package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"byline"
)

// The desk: articles as the newsroom's editor saves them, by id and version, with a
// revision for every save.

// FindArticleByID returns the article with that id, whatever its status.
func (db *DB) FindArticleByID(ctx context.Context, id int64) (*byline.Article, error) {
	return db.findArticle(ctx, "a.id", id)
}

// publicState reports whether a change to an article in that state can change a public page
// or when pages expire: it is published, now or at a time to come.
func publicState(status byline.Status) bool { return status == byline.StatusPublished }

// CreateArticle stores a new article with version 1 and its first revision.
func (db *DB) CreateArticle(ctx context.Context, a *byline.Article, note byline.SaveNote) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.PublishedAt = a.PublishedAt.UTC().Truncate(time.Microsecond)
	now := db.now()
	return db.inTx(ctx, func(tx *tx) error {
		a.CreatedAt, a.UpdatedAt, a.Version = now, now, 1
		if a.PublishedAt.Before(now) && publicState(a.Status) {
			a.UpdatedAt = a.PublishedAt
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO articles (slug, title, standfirst, body, body_html,
			teaser_html, status, visibility, featured, image_id, image_alt, image_caption, image_credit,
			published_at, created_at, updated_at, source, version, comments_open, meta_title, meta_description,
			canonical_url, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1, $18, $19, $20, $21, $22)
			RETURNING id`,
			a.Slug, a.Title, a.Standfirst, a.Body, a.BodyHTML, a.TeaserHTML, string(a.Status), string(a.Visibility),
			a.Featured, imageID(a), a.ImageAlt, a.ImageCaption, a.ImageCredit, a.PublishedAt, a.CreatedAt, a.UpdatedAt,
			a.Source, a.CommentsOpen, a.MetaTitle, a.MetaDescription, a.CanonicalURL, nullID(a.CreatedBy)).Scan(&a.ID)
		if err != nil {
			return db.slugTaken(err, a.Slug)
		}
		if err := db.claimAddress(ctx, tx, a); err != nil {
			return err
		}
		if err := db.saveBylinesAndTags(ctx, tx, a, now); err != nil {
			return err
		}
		if err := db.keepRevision(ctx, tx, a, note, now, false); err != nil {
			return err
		}
		if publicState(a.Status) {
			return db.bumpRevision(ctx, tx)
		}
		return nil
	})
}

// claimAddress lets the article take its slug, inside tx. An old address of the same
// article (renamed back) is its own again; one that leads readers to another article stays
// that article's: taking it would break links readers and search engines keep.
func (db *DB) claimAddress(ctx context.Context, tx *tx, a *byline.Article) error {
	var other int64
	err := tx.QueryRowContext(ctx, `SELECT article_id FROM slug_redirects WHERE slug = $1`, a.Slug).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("find redirect: %w", err)
	case other != a.ID:
		return byline.WithField(byline.Errorf(byline.ECONFLICT, "The address /%s/ was another article's and now leads readers to it: choose another slug.", a.Slug), "slug")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM slug_redirects WHERE slug = $1`, a.Slug); err != nil {
		return fmt.Errorf("clear redirect: %w", err)
	}
	return nil
}

// slugTaken turns a unique violation on the slug into a message an editor can act on.
func (db *DB) slugTaken(err error, slug string) error {
	err = db.dialect.classify(err, "article")
	if byline.ErrorCode(err) == byline.ECONFLICT {
		return byline.Errorf(byline.ECONFLICT, "Another article already has the address /%s/: choose another slug.", slug)
	}
	return err
}

// UpdateArticle saves a over the stored article if that is still at version from.
func (db *DB) UpdateArticle(ctx context.Context, a *byline.Article, from int64, note byline.SaveNote) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.PublishedAt = a.PublishedAt.UTC().Truncate(time.Microsecond)
	now := db.now()
	return db.inTx(ctx, func(tx *tx) error {
		var oldSlug, oldStatus string
		var version int64
		var createdAt, oldPublished time.Time
		err := tx.QueryRowContext(ctx, `SELECT slug, status, version, created_at, published_at FROM articles WHERE id = $1`, a.ID).
			Scan(&oldSlug, &oldStatus, &version, &createdAt, &oldPublished)
		if err != nil {
			return db.dialect.classify(err, "article")
		}
		if version != from {
			return db.staleSave(ctx, tx, a.ID, from, version)
		}
		a.CreatedAt, a.UpdatedAt, a.Version = createdAt.UTC(), now, from+1
		// The version in WHERE settles a race with a save between the read above and here.
		res, err := tx.ExecContext(ctx, `UPDATE articles SET slug = $1, title = $2, standfirst = $3, body = $4,
			body_html = $5, teaser_html = $6, status = $7, visibility = $8, featured = $9, image_id = $10,
			image_alt = $11, image_caption = $12, image_credit = $13, published_at = $14, updated_at = $15,
			comments_open = $16, meta_title = $17, meta_description = $18, canonical_url = $19, version = $20
			WHERE id = $21 AND version = $22`,
			a.Slug, a.Title, a.Standfirst, a.Body, a.BodyHTML, a.TeaserHTML, string(a.Status), string(a.Visibility),
			a.Featured, imageID(a), a.ImageAlt, a.ImageCaption, a.ImageCredit, a.PublishedAt, a.UpdatedAt,
			a.CommentsOpen, a.MetaTitle, a.MetaDescription, a.CanonicalURL, a.Version, a.ID, from)
		if err != nil {
			return db.slugTaken(err, a.Slug)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update article: %w", err)
		} else if n == 0 {
			return db.staleSave(ctx, tx, a.ID, from, 0)
		}
		if oldSlug != a.Slug {
			// Readers and search engines know a published article's address: it leads on.
			// A draft's address was never public and is simply given up.
			if publicState(byline.Status(oldStatus)) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO slug_redirects (slug, article_id, created_at) VALUES ($1, $2, $3)
					ON CONFLICT (slug) DO UPDATE SET article_id = excluded.article_id, created_at = excluded.created_at`,
					oldSlug, a.ID, now); err != nil {
					return fmt.Errorf("keep redirect: %w", err)
				}
			}
			if err := db.claimAddress(ctx, tx, a); err != nil {
				return err
			}
		}
		for _, table := range []string{"article_authors", "article_tags"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE article_id = $1`, a.ID); err != nil {
				return fmt.Errorf("clear %s: %w", table, err)
			}
		}
		if err := db.saveBylinesAndTags(ctx, tx, a, now); err != nil {
			return err
		}
		if err := db.keepRevision(ctx, tx, a, note, now, note.Autosave); err != nil {
			return err
		}
		return db.bumpFor(ctx, tx, a, byline.Status(oldStatus), oldPublished.UTC(), now)
	})
}

// bumpFor tells page caches what a save changed. A draft's saves change no public page and
// no page's expiry: the caches keep everything. An edit of an article that stays visible at
// the same publish time changes its own page and the lists (every page that names it);
// every other article's page stays cached. Anything else (publishing, unpublishing, a new
// publish time) moves the articles around it: any page may change.
func (db *DB) bumpFor(ctx context.Context, tx *tx, a *byline.Article, oldStatus byline.Status, oldPublished, now time.Time) error {
	switch {
	case !publicState(oldStatus) && !publicState(a.Status):
		return nil
	case publicState(oldStatus) && publicState(a.Status) && oldPublished.Equal(a.PublishedAt) && !oldPublished.After(now):
		return db.bumpChanged(ctx, tx, "article-"+strconv.FormatInt(a.ID, 10))
	}
	return db.bumpRevision(ctx, tx)
}

// staleSave explains why a save of version from was refused: the article moved on (to
// version now, or read again when 0) or is gone.
func (db *DB) staleSave(ctx context.Context, tx *tx, id, from, now int64) error {
	var who sql.NullString
	var at time.Time
	err := tx.QueryRowContext(ctx, `SELECT s.name, r.saved_at FROM article_revisions r LEFT JOIN staff s ON s.id = r.staff_id
		WHERE r.article_id = $1 ORDER BY r.id DESC LIMIT 1`, id).Scan(&who, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return byline.Errorf(byline.ECONFLICT, "This article changed since you opened it (version %d, you had %d): nothing was overwritten. Reload it to see the changes.", now, from)
	} else if err != nil {
		return fmt.Errorf("find last save: %w", err)
	}
	name := "someone"
	if who.Valid {
		name = who.String
	}
	return byline.Errorf(byline.ECONFLICT, "%s saved this article at %s UTC, after you opened it: your save was refused so that neither version is lost. Reload the article to see their changes, then make yours again.",
		name, at.UTC().Format("15:04:05"))
}

// KeepAutosave keeps a published article's autosave as a revision only.
func (db *DB) KeepAutosave(ctx context.Context, a *byline.Article, from int64, note byline.SaveNote) (*byline.Revision, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	now := db.now()
	var rev *byline.Revision
	err := db.inTx(ctx, func(tx *tx) error {
		var version int64
		if err := tx.QueryRowContext(ctx, `SELECT version FROM articles WHERE id = $1`, a.ID).Scan(&version); err != nil {
			return db.dialect.classify(err, "article")
		}
		if version != from {
			return db.staleSave(ctx, tx, a.ID, from, version)
		}
		a.Version = version
		note.Autosave = true
		if err := db.keepRevision(ctx, tx, a, note, now, true); err != nil {
			return err
		}
		rev = &byline.Revision{ArticleID: a.ID, Version: version, StaffID: note.StaffID, SavedAt: now, Autosave: true, Article: a}
		return nil
	})
	return rev, err
}

// revisionData is what a revision keeps of an article, as JSON: the fields an editor edits.
type revisionData struct {
	Slug            string            `json:"slug"`
	Title           string            `json:"title"`
	Standfirst      string            `json:"standfirst"`
	Body            string            `json:"body"`
	Status          byline.Status     `json:"status"`
	Visibility      byline.Visibility `json:"visibility"`
	Featured        bool              `json:"featured"`
	Image           string            `json:"image,omitempty"` // the photo's hash
	ImageAlt        string            `json:"image_alt,omitempty"`
	ImageCaption    string            `json:"image_caption,omitempty"`
	ImageCredit     string            `json:"image_credit,omitempty"`
	Authors         []namedSlug       `json:"authors"`
	Tags            []namedSlug       `json:"tags"`
	CommentsOpen    bool              `json:"comments_open"`
	MetaTitle       string            `json:"meta_title,omitempty"`
	MetaDescription string            `json:"meta_description,omitempty"`
	CanonicalURL    string            `json:"canonical_url,omitempty"`
	PublishedAt     time.Time         `json:"published_at"`
}

type namedSlug struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// keepRevision records the article as saved. An autosave replaces the article's latest
// revision when that is an autosave by the same person: a revision per save, not per
// keystroke pause.
func (db *DB) keepRevision(ctx context.Context, tx *tx, a *byline.Article, note byline.SaveNote, now time.Time, autosave bool) error {
	d := revisionData{Slug: a.Slug, Title: a.Title, Standfirst: a.Standfirst, Body: a.Body, Status: a.Status,
		Visibility: a.Visibility, Featured: a.Featured, Image: imageHash(a), ImageAlt: a.ImageAlt,
		ImageCaption: a.ImageCaption, ImageCredit: a.ImageCredit, CommentsOpen: a.CommentsOpen,
		MetaTitle: a.MetaTitle, MetaDescription: a.MetaDescription, CanonicalURL: a.CanonicalURL, PublishedAt: a.PublishedAt.UTC()}
	for _, au := range a.Authors {
		d.Authors = append(d.Authors, namedSlug{au.Slug, au.Name})
	}
	for _, t := range a.Tags {
		d.Tags = append(d.Tags, namedSlug{t.Slug, t.Name})
	}
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode revision: %w", err)
	}
	if autosave {
		var id int64
		var last bool
		var staff sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT id, autosave, staff_id FROM article_revisions WHERE article_id = $1
			ORDER BY id DESC LIMIT 1`, a.ID).Scan(&id, &last, &staff)
		if err == nil && last && staff.Int64 == note.StaffID {
			_, err := tx.ExecContext(ctx, `UPDATE article_revisions SET version = $1, saved_at = $2, data = $3 WHERE id = $4`,
				a.Version, now, string(data), id)
			if err != nil {
				return fmt.Errorf("keep autosave: %w", err)
			}
			return nil
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find last revision: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO article_revisions (article_id, version, staff_id, saved_at, autosave, data)
		VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, a.Version, nullID(note.StaffID), now, autosave, string(data))
	if err != nil {
		return fmt.Errorf("keep revision: %w", err)
	}
	return nil
}

// DeleteArticle deletes the article; its revisions, redirects, links and preview links go
// with it (ON DELETE CASCADE).
func (db *DB) DeleteArticle(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM articles WHERE id = $1`, id).Scan(&status); err != nil {
			return db.dialect.classify(err, "article")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = $1`, id); err != nil {
			return db.dialect.classify(err, "article")
		}
		if publicState(byline.Status(status)) {
			return db.bumpRevision(ctx, tx)
		}
		return nil
	})
}

// FindRevisions lists an article's revisions, newest first, without their fields.
func (db *DB) FindRevisions(ctx context.Context, articleID int64, limit int) ([]*byline.Revision, error) {
	rows, err := db.query(ctx, `SELECT r.id, r.article_id, r.version, r.staff_id, s.name, r.saved_at, r.autosave
		FROM article_revisions r LEFT JOIN staff s ON s.id = r.staff_id
		WHERE r.article_id = $1 ORDER BY r.id DESC LIMIT $2`, articleID, limit)
	if err != nil {
		return nil, fmt.Errorf("find revisions: %w", err)
	}
	defer rows.Close()
	var list []*byline.Revision
	for rows.Next() {
		r, err := scanRevision(rows, nil)
		if err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// FindRevision returns one revision with its fields.
func (db *DB) FindRevision(ctx context.Context, id int64) (*byline.Revision, error) {
	var data string
	r, err := scanRevision(db.queryRow(ctx, `SELECT r.id, r.article_id, r.version, r.staff_id, s.name, r.saved_at, r.autosave, r.data
		FROM article_revisions r LEFT JOIN staff s ON s.id = r.staff_id WHERE r.id = $1`, id), &data)
	if err != nil {
		return nil, db.dialect.classify(err, "revision")
	}
	var d revisionData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return nil, fmt.Errorf("decode revision %d: %w", id, err)
	}
	a := &byline.Article{ID: r.ArticleID, Slug: d.Slug, Title: d.Title, Standfirst: d.Standfirst, Body: d.Body,
		Status: d.Status, Visibility: d.Visibility, Featured: d.Featured, ImageAlt: d.ImageAlt,
		ImageCaption: d.ImageCaption, ImageCredit: d.ImageCredit, CommentsOpen: d.CommentsOpen,
		MetaTitle: d.MetaTitle, MetaDescription: d.MetaDescription, CanonicalURL: d.CanonicalURL,
		PublishedAt: d.PublishedAt.UTC(), Version: r.Version}
	if d.Image != "" {
		if img, err := db.FindImageByHash(ctx, d.Image); err == nil {
			a.Image = img
		} else if byline.ErrorCode(err) != byline.ENOTFOUND {
			return nil, err
		}
	}
	for _, au := range d.Authors {
		a.Authors = append(a.Authors, &byline.Author{Slug: au.Slug, Name: au.Name})
	}
	for _, t := range d.Tags {
		a.Tags = append(a.Tags, &byline.Tag{Slug: t.Slug, Name: t.Name})
	}
	r.Article = a
	return r, nil
}

func scanRevision(row interface{ Scan(...any) error }, data *string) (*byline.Revision, error) {
	var r byline.Revision
	var staff sql.NullInt64
	var name sql.NullString
	dest := []any{&r.ID, &r.ArticleID, &r.Version, &staff, &name, &r.SavedAt, &r.Autosave}
	if data != nil {
		dest = append(dest, data)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	r.StaffID, r.StaffName, r.SavedAt = staff.Int64, name.String, r.SavedAt.UTC()
	return &r, nil
}

// FindRedirect returns the slug an old address leads to.
func (db *DB) FindRedirect(ctx context.Context, oldSlug string) (string, error) {
	var slug string
	err := db.queryRow(ctx, `SELECT a.slug FROM slug_redirects r JOIN articles a ON a.id = r.article_id WHERE r.slug = $1`, oldSlug).Scan(&slug)
	if err != nil {
		return "", db.dialect.classify(err, "redirect")
	}
	return slug, nil
}

// deskLink is a tag or byline a desk list is filtered by, found beforehand.
type deskLink struct {
	table, column string
	id            int64
	few           bool // it has few articles
}

// fewLinks is the number of articles under which a tag's or byline's articles are gathered
// and sorted; above it, the list walks the index in order and tests each article's links,
// stopping at its limit (a big tag: 67 ms gathered, under 1 ms walked, at 100,000).
const fewLinks = 2000

// deskWhere returns the WHERE clause (with a leading space, or "") of a desk filter. like
// is the engine's case-insensitive LIKE.
func deskWhere(f byline.DeskFilter, args []any, like string, links []deskLink) (string, []any) {
	var where []string
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	now := f.Now.UTC()
	switch f.State {
	case "draft":
		where = append(where, "a.status = 'draft'")
	case "scheduled":
		where = append(where, "a.status = 'published' AND a.published_at > "+arg(now))
	case "published":
		where = append(where, fmt.Sprintf(visible, arg(now)))
	}
	if f.CreatedBy != 0 {
		where = append(where, "a.created_by = "+arg(f.CreatedBy))
	}
	for _, l := range links {
		if l.few {
			// Few articles: gather them and sort those.
			where = append(where, "a.id IN (SELECT article_id FROM "+l.table+" WHERE "+l.column+" = "+arg(l.id)+")")
		} else {
			// Many: walk the list in order and stop at its limit.
			where = append(where, "EXISTS (SELECT 1 FROM "+l.table+" l WHERE l.article_id = a.id AND l."+l.column+" = "+arg(l.id)+")")
		}
	}
	words := strings.Fields(f.Query)
	if len(words) > 8 { // words enough to find any article; more only cost time
		words = words[:8]
	}
	if like == "ILIKE" {
		// PostgreSQL: the words, each as the start of a word, through the full-text index of
		// titles and standfirsts (a scan of every row took 144 ms at 100,000 articles);
		// FindDeskArticles has made f.Query a tsquery.
		if f.Query != "" {
			where = append(where, "to_tsvector('simple', a.title || ' ' || a.standfirst) @@ to_tsquery('simple', "+arg(f.Query)+")")
		}
	} else {
		for _, word := range words {
			p := arg("%" + likeEscape(word) + "%")
			where = append(where, "(a.title "+like+" "+p+" ESCAPE '\\' OR a.standfirst "+like+" "+p+" ESCAPE '\\')")
		}
	}
	if len(where) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// likeEscape escapes LIKE's wildcards in s, so that a search for "50%" finds "50%".
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindDeskArticles lists articles for the newsroom, most recently updated first.
func (db *DB) FindDeskArticles(ctx context.Context, f byline.DeskFilter) ([]*byline.Article, error) {
	like := "LIKE" // SQLite's LIKE ignores the case of ASCII letters
	if db.dialect.name() == "postgres" {
		like = "ILIKE"
	}
	var links []deskLink
	for _, l := range []struct{ slug, table, column, named string }{
		{f.TagSlug, "article_tags", "tag_id", "tags"}, {f.AuthorSlug, "article_authors", "author_id", "authors"},
	} {
		if l.slug == "" {
			continue
		}
		link := deskLink{table: l.table, column: l.column}
		err := db.queryRow(ctx, `SELECT id FROM `+l.named+` WHERE slug = $1`, l.slug).Scan(&link.id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil // no such tag or byline: no article has it
		} else if err != nil {
			return nil, fmt.Errorf("find %s: %w", l.named, err)
		}
		var n int
		err = db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+l.table+` WHERE `+l.column+` = $1 LIMIT `+fmt.Sprint(fewLinks)+`) x`, link.id).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("count %s: %w", l.table, err)
		}
		link.few = n < fewLinks
		links = append(links, link)
	}
	if like == "ILIKE" && strings.TrimSpace(f.Query) != "" {
		// The words as PostgreSQL's parser splits them, as it split the titles ("O'Brien",
		// "covid-19"), each quoted as a prefix: no input is tsquery syntax. Made first, so
		// that the planner sees the query and uses the full-text index (inside the search
		// it walked every row: 582 ms). No words, no articles, as on SQLite.
		words := strings.Fields(f.Query)
		if len(words) > 8 { // words enough to find any article; more only cost time
			words = words[:8]
		}
		var q sql.NullString
		if err := db.queryRow(ctx, `SELECT string_agg(quote_literal(lexeme) || ':*', ' & ') FROM unnest(to_tsvector('simple', $1))`,
			strings.Join(words, " ")).Scan(&q); err != nil {
			return nil, fmt.Errorf("make search query: %w", err)
		}
		if !q.Valid {
			return nil, nil
		}
		f.Query = q.String
	}
	where, args := deskWhere(f, nil, like, links)
	order := " ORDER BY a.updated_at DESC, a.id DESC"
	switch f.State {
	case "scheduled":
		order = " ORDER BY a.published_at, a.id" // the next to appear first
	case "published":
		order = " ORDER BY a.published_at DESC, a.id DESC" // the newest publication first, as on the site
	}
	cols := strings.Replace(articleColumns, "a.body, a.body_html, a.teaser_html", "'', '', ''", 1)
	args = append(args, f.Limit, f.Offset)
	list, err := collect(ctx, db, "find desk articles", scanArticle, `SELECT `+cols+` FROM articles a LEFT JOIN images i ON i.id = a.image_id`+where+order+
		fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(args)-1, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return list, db.attachBylinesAndTags(ctx, list)
}

// CountDesk counts the articles by state (only those createdBy made, when not 0): three
// counts that each read a range of an index, not every article.
func (db *DB) CountDesk(ctx context.Context, now time.Time, createdBy int64) (byline.DeskCounts, error) {
	var c byline.DeskCounts
	for _, q := range []struct {
		where string
		n     *int
	}{
		{"a.status = 'draft'", &c.Drafts},
		{"a.status = 'published' AND a.published_at > $1", &c.Scheduled},
		{"a.status = 'published' AND a.published_at <= $1", &c.Published},
	} {
		sql, args := `SELECT COUNT(*) FROM articles a WHERE `+q.where, []any{now.UTC()}
		if createdBy != 0 {
			sql += " AND a.created_by = $2"
			args = append(args, createdBy)
		}
		if !strings.Contains(q.where, "$1") {
			sql = strings.Replace(sql, "$2", "$1", 1)
			args = args[1:]
		}
		if err := db.queryRow(ctx, sql, args...).Scan(q.n); err != nil {
			return c, fmt.Errorf("count desk: %w", err)
		}
	}
	return c, nil
}

// CreatePreviewLink stores a preview token's hash.
func (db *DB) CreatePreviewLink(ctx context.Context, articleID int64, tokenHash string, staffID int64) error {
	return db.inTx(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO preview_links (token_hash, article_id, staff_id, created_at) VALUES ($1, $2, $3, $4)`,
			tokenHash, articleID, nullID(staffID), db.now())
		return db.dialect.classify(err, "article")
	})
}

// FindPreviewArticle returns the article a preview token's hash opens.
func (db *DB) FindPreviewArticle(ctx context.Context, tokenHash string) (*byline.Article, error) {
	var id int64
	if err := db.queryRow(ctx, `SELECT article_id FROM preview_links WHERE token_hash = $1`, tokenHash).Scan(&id); err != nil {
		return nil, db.dialect.classify(err, "preview link")
	}
	return db.FindArticleByID(ctx, id)
}

// DeletePreviewLinks revokes every preview link of the article.
func (db *DB) DeletePreviewLinks(ctx context.Context, articleID int64) error {
	return db.inTx(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM preview_links WHERE article_id = $1`, articleID)
		return err
	})
}

// CountPreviewLinks counts the article's preview links.
func (db *DB) CountPreviewLinks(ctx context.Context, articleID int64) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM preview_links WHERE article_id = $1`, articleID).Scan(&n)
	return n, db.dialect.classify(err, "preview links")
}

// maxNamed bounds the authors and tags the editor offers to choose from: a newsroom has some
// hundreds; the editor's field takes any name.
const maxNamed = 2000

// FindAuthors lists the authors by name (at most maxNamed).
func (db *DB) FindAuthors(ctx context.Context) ([]*byline.Author, error) {
	return findNamed(ctx, db, `SELECT id, slug, name, bio FROM authors ORDER BY name, id LIMIT `+strconv.Itoa(maxNamed),
		func(id int64, slug, name, about string) *byline.Author {
			return &byline.Author{ID: id, Slug: slug, Name: name, Bio: about}
		})
}

// FindTags lists the tags by name (at most maxNamed).
func (db *DB) FindTags(ctx context.Context) ([]*byline.Tag, error) {
	return findNamed(ctx, db, `SELECT id, slug, name, description FROM tags ORDER BY name, id LIMIT `+strconv.Itoa(maxNamed),
		func(id int64, slug, name, about string) *byline.Tag {
			return &byline.Tag{ID: id, Slug: slug, Name: name, Description: about}
		})
}

func findNamed[T any](ctx context.Context, db *DB, q string, make func(id int64, slug, name, about string) T) ([]T, error) {
	rows, err := db.query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("find names: %w", err)
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		var id int64
		var slug, name, about string
		if err := rows.Scan(&id, &slug, &name, &about); err != nil {
			return nil, err
		}
		list = append(list, make(id, slug, name, about))
	}
	return list, rows.Err()
}

// imageID is the article's photo's id for a query, or NULL.
func imageID(a *byline.Article) any {
	if a.Image == nil {
		return nil
	}
	return a.Image.ID
}

// nullID is an id for a query, NULL when 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// AnnounceArticle records, once per publication, that the article's publication at its
// publish time has been announced: it reports true to exactly one caller for each publish
// time that has come, however many nodes or retries ask.
func (db *DB) AnnounceArticle(ctx context.Context, id int64, now time.Time) (bool, error) {
	var done bool
	err := db.inTx(ctx, func(tx *tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE articles SET announced_at = published_at
			WHERE id = $1 AND status = 'published' AND published_at <= $2
			AND (announced_at IS NULL OR announced_at <> published_at)`, id, now.UTC())
		if err != nil {
			return fmt.Errorf("announce article: %w", err)
		}
		n, err := res.RowsAffected()
		done = n == 1
		return err
	})
	return done, err
}
