package byline

import (
	"context"
	"strings"
	"time"
)

// Status says whether an article is visible on the public site.
type Status string

// Article statuses. A published article whose PublishedAt lies in the future is scheduled:
// it appears by itself once that time has passed.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == StatusDraft || s == StatusPublished }

// Visibility says who may read an article's full text. Headline, standfirst and lead photo
// are always public; the body is what the visibility guards.
type Visibility string

// Visibilities, from the most open to the most closed.
const (
	VisibilityPublic  Visibility = "public"
	VisibilityMembers Visibility = "members"
	VisibilityPaid    Visibility = "paid"
)

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool {
	return v == VisibilityPublic || v == VisibilityMembers || v == VisibilityPaid
}

// Article is one piece of journalism: a headline, a standfirst, a lead photo and a body,
// written by one or more authors and filed under tags (the first tag is the primary one).
type Article struct {
	ID         int64
	Slug       string
	Title      string
	Standfirst string
	// Body is the Markdown source as written; BodyHTML is its rendered, sanitised form.
	Body     string
	BodyHTML string
	// TeaserHTML is the part of the body anyone may read when the article is for members.
	TeaserHTML string
	Status     Status
	Visibility Visibility
	Featured   bool

	Image        *Image // lead photo, nil when the article has none
	ImageAlt     string
	ImageCaption string
	ImageCredit  string // e.g. "Claire Lebertre / AFP"

	Authors []*Author
	Tags    []*Tag

	PublishedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate checks what every stored article must have.
func (a *Article) Validate() error {
	switch {
	case strings.TrimSpace(a.Title) == "":
		return Errorf(EINVALID, "An article needs a title.")
	case a.Slug == "":
		return Errorf(EINVALID, "An article needs a slug.")
	case !a.Status.Valid():
		return Errorf(EINVALID, "%q is not a status: use draft or published.", a.Status)
	case !a.Visibility.Valid():
		return Errorf(EINVALID, "%q is not a visibility: use public, members or paid.", a.Visibility)
	case a.PublishedAt.IsZero():
		return Errorf(EINVALID, "An article needs a publish time.")
	case a.Image != nil && strings.TrimSpace(a.ImageAlt) == "":
		return Errorf(EINVALID, "The lead photo needs alt text for readers who cannot see it.")
	}
	return nil
}

// PrimaryTag returns the article's first tag, or nil.
func (a *Article) PrimaryTag() *Tag {
	if len(a.Tags) == 0 {
		return nil
	}
	return a.Tags[0]
}

// Modified reports whether the article changed noticeably after it was published; pages show
// an "Updated" time only then.
func (a *Article) Modified() bool { return a.UpdatedAt.Sub(a.PublishedAt) > time.Minute }

// Author is a person credited in a byline.
type Author struct {
	ID   int64
	Slug string
	Name string
	Bio  string
}

// Tag files articles under a topic.
type Tag struct {
	ID          int64
	Slug        string
	Name        string
	Description string
}

// Image is a stored photo. Its bytes live in the store so that every app node can serve it;
// resized variants are made from the original.
type Image struct {
	ID     int64
	Hash   string // hex SHA-256 of the original bytes: names the image in URLs
	Mime   string
	Width  int
	Height int
}

// ImageUpload is a photo not stored yet, saved together with the article that uses it.
type ImageUpload struct {
	Image    *Image
	Original []byte
	Variants []ImageVariant
}

// ImageVariant is a resized copy of an image, at most Width pixels wide.
type ImageVariant struct {
	Width int
	Mime  string
	Data  []byte
}

// SaveResult says what SaveArticle did.
type SaveResult int

// The outcomes of saving an article.
const (
	Unchanged SaveResult = iota
	Created
	Updated
)

// ArticleLink is an article as a sitemap lists it.
type ArticleLink struct {
	Slug      string
	UpdatedAt time.Time
}

// ArticleFilter selects articles. Zero fields do not filter.
type ArticleFilter struct {
	Status      Status
	PublishedBy time.Time // only articles published at or before this time
	Before      *Article  // only articles older than this one (the "next" article below a page)
	TagSlug     string
	AuthorSlug  string
	Featured    bool // only featured articles
	// Summary leaves out the body: all that lists, sitemaps and teasers need.
	Summary bool
	Offset  int
	Limit   int
}

// ArticleStore keeps articles and everything they refer to.
type ArticleStore interface {
	// FindArticleBySlug returns the article with its authors, tags and image, or ENOTFOUND.
	FindArticleBySlug(ctx context.Context, slug string) (*Article, error)
	// FindArticles returns articles, newest first, with authors, tags and image.
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, error)
	// SaveArticle creates the article, or updates the one with the same slug, together with
	// its authors and tags (created by slug when new), all in one transaction. Saving an
	// article identical to the stored one changes nothing, not even its updated time.
	// A non-nil upload is stored in the same transaction and becomes the lead photo.
	SaveArticle(ctx context.Context, a *Article, upload *ImageUpload) (SaveResult, error)
	// FindAuthorBySlug and FindTagBySlug return ENOTFOUND when there is none.
	FindAuthorBySlug(ctx context.Context, slug string) (*Author, error)
	FindTagBySlug(ctx context.Context, slug string) (*Tag, error)
	// FindImageByHash returns the stored image with that hash, or ENOTFOUND.
	FindImageByHash(ctx context.Context, hash string) (*Image, error)
	// FindImageVariant returns the stored variant of the image, or ENOTFOUND.
	FindImageVariant(ctx context.Context, hash string, width int) (*ImageVariant, error)
	// FindArticleLinks returns what a sitemap lists of published articles (slug and
	// update time), newest first, without loading the articles.
	FindArticleLinks(ctx context.Context, publishedBy time.Time, offset, limit int) ([]ArticleLink, error)
	// NextPublication returns the publish time of the first article scheduled after the
	// time, or the zero time when none is. Page caches expire then.
	NextPublication(ctx context.Context, after time.Time) (time.Time, error)
	// CountPublished counts the articles published at or before the time.
	CountPublished(ctx context.Context, publishedBy time.Time) (int, error)
	// CountArticles counts all articles, whatever their status.
	CountArticles(ctx context.Context) (int, error)
	// ContentRevision changes whenever anything a public page shows changes, whichever process
	// or node made the change. Page caches compare it before serving.
	ContentRevision(ctx context.Context) (int64, error)
}
