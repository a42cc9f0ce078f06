package byline

import (
	"context"
	"time"
)

// Revision is an article as one save left it. Every save keeps one; the autosaves of one
// editor in a row share one, so that a long session does not keep hundreds.
type Revision struct {
	ID        int64
	ArticleID int64
	Version   int64 // the article's version the save made
	StaffID   int64
	StaffName string // "" when the account is gone or the save was an import
	SavedAt   time.Time
	Autosave  bool
	// Article holds the saved fields: title, slug, standfirst, body, status, visibility,
	// flags, photo and its texts, bylines, tags, meta fields and publish time.
	Article *Article
}

// SaveNote says who saved an article and how, for its revision.
type SaveNote struct {
	StaffID  int64
	Autosave bool
}

// DeskFilter selects articles for the newsroom's lists. Zero fields do not filter.
type DeskFilter struct {
	// State is "draft", "scheduled" (published, time to come) or "published" (visible at
	// Now).
	State      string
	Now        time.Time
	AuthorSlug string
	TagSlug    string
	CreatedBy  int64  // only articles this staff member created
	Query      string // words in the title or standfirst
	Offset     int
	Limit      int
}

// DeskCounts counts the articles by state, as the newsroom's lists show them.
type DeskCounts struct {
	Drafts, Scheduled, Published int
}

// DeskStore keeps what the newsroom's editor needs besides ArticleStore: articles by id with
// versions, their revisions, the old addresses of renamed articles and preview links.
type DeskStore interface {
	// FindArticleByID returns the article with its authors, tags, image and corrections, or
	// ENOTFOUND.
	FindArticleByID(ctx context.Context, id int64) (*Article, error)
	// CreateArticle stores a new article (ECONFLICT when its slug is taken) with version 1,
	// and its first revision.
	CreateArticle(ctx context.Context, a *Article, note SaveNote) error
	// UpdateArticle saves a over the stored article with a.ID if that is still at version
	// from (ECONFLICT otherwise: someone saved meanwhile), moves the version on and keeps a
	// revision. A published article whose slug changes keeps its old address as a redirect.
	UpdateArticle(ctx context.Context, a *Article, from int64, note SaveNote) error
	// KeepAutosave keeps an autosave of a published article as a revision only: what
	// readers see changes when the editor saves, not while they type.
	KeepAutosave(ctx context.Context, a *Article, from int64, note SaveNote) (*Revision, error)
	// DeleteArticle deletes the article, its revisions, redirects and preview links.
	DeleteArticle(ctx context.Context, id int64) error
	// FindRevisions lists an article's revisions, newest first (without their fields when
	// summary is set); FindRevision returns one, or ENOTFOUND.
	FindRevisions(ctx context.Context, articleID int64, limit int) ([]*Revision, error)
	FindRevision(ctx context.Context, id int64) (*Revision, error)
	// FindRedirect returns the slug an old address of a renamed article leads to, or
	// ENOTFOUND.
	FindRedirect(ctx context.Context, oldSlug string) (string, error)
	// FindDeskArticles lists articles for the newsroom, most recently updated first, without
	// their bodies; CountDesk counts them by state.
	FindDeskArticles(ctx context.Context, f DeskFilter) ([]*Article, error)
	CountDesk(ctx context.Context, now time.Time, createdBy int64) (DeskCounts, error)
	// CreatePreviewLink stores the hash of a secret preview token for the article;
	// FindPreviewArticle returns the article a token's hash opens, or ENOTFOUND;
	// DeletePreviewLinks revokes every preview link of the article; CountPreviewLinks counts
	// them.
	CreatePreviewLink(ctx context.Context, articleID int64, tokenHash string, staffID int64) error
	FindPreviewArticle(ctx context.Context, tokenHash string) (*Article, error)
	DeletePreviewLinks(ctx context.Context, articleID int64) error
	CountPreviewLinks(ctx context.Context, articleID int64) (int, error)
	// FindAuthors and FindTags list authors and tags by name, for the editor's choices (the
	// first some thousands).
	FindAuthors(ctx context.Context) ([]*Author, error)
	FindTags(ctx context.Context) ([]*Tag, error)
	// FindTagByID and FindAuthorByID return ENOTFOUND when there is none; UpdateTag and
	// UpdateAuthor change a name and its text (the slug stays: it is the address).
	FindTagByID(ctx context.Context, id int64) (*Tag, error)
	FindAuthorByID(ctx context.Context, id int64) (*Author, error)
	UpdateTag(ctx context.Context, t *Tag) error
	UpdateAuthor(ctx context.Context, au *Author) error
	// FindTagByName and FindAuthorByName find one by its name, whatever its letter case, or
	// return ENOTFOUND: the editor's form names bylines and tags, and a renamed one keeps
	// its slug.
	FindTagByName(ctx context.Context, name string) (*Tag, error)
	FindAuthorByName(ctx context.Context, name string) (*Author, error)
	// AnnounceArticle reports true, to exactly one caller, once the article's current
	// publish time has come: the publication's work (the audit line, later the newsletter)
	// is done once however many nodes or retries ask.
	AnnounceArticle(ctx context.Context, id int64, now time.Time) (bool, error)
}

// Scheduled reports whether the article is published with a publish time still to come.
func (a *Article) Scheduled(now time.Time) bool {
	return a.Status == StatusPublished && a.PublishedAt.After(now)
}
