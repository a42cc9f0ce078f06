package byline

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

	// CommentsOpen says whether members may comment (the comments issue uses it).
	CommentsOpen bool
	// MetaTitle and MetaDescription, when set, stand in for the title and standfirst in
	// search results and link previews; CanonicalURL names another address as the original.
	MetaTitle       string
	MetaDescription string
	CanonicalURL    string
	// Corrections are the corrections, clarifications and updates added since publication,
	// oldest first.
	Corrections []*Correction

	// Version counts the article's saves: an editor's save names the version it started
	// from, and a save of a stale version is refused rather than overwriting another's.
	Version int64
	// CreatedBy is the staff account that created the article (0: imported, or the account
	// is gone). Contributors and Authors may only edit and publish their own.
	CreatedBy int64

	PublishedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// Source names where the article came from: "import:" and the file's absolute path for
	// an imported file, "sample:" and the file's name for the sample newsroom, "" for one
	// written in Byline. An import never overwrites an article another source made unless
	// told to.
	Source string
	// Takeover is no part of the article: it lets SaveArticle overwrite a stored article of
	// another Source (an import with --replace). Without it such a save is a conflict,
	// decided inside the save's transaction, so that two imports at once cannot both win.
	Takeover bool
}

// Visible reports whether readers may see the article at now: it is published and its
// publish time has come. It is the one rule; the store's SQL has its twin (store.visible).
func (a *Article) Visible(now time.Time) bool {
	return a.Status == StatusPublished && !a.PublishedAt.After(now)
}

// Limits on an article's fields, in characters (bytes for the body). They keep a page, a
// feed and the memory that renders them bounded, and say so in the message.
const (
	MaxTitle      = 300
	MaxStandfirst = 1000
	MaxName       = 200 // author and tag names
	MaxCredit     = 300
	MaxCaption    = 1000
	MaxAlt        = 1000
	MaxSlug       = 200
	MaxBodyBytes  = 1 << 20
	MaxAuthors    = 20
	MaxTags       = 30
)

// MinYear and MaxYear bound publish times: years outside them cannot be written in the
// formats feeds, sitemaps and SQLite's text timestamps use.
const (
	MinYear = 1000
	MaxYear = 9999
)

// Validate checks what every stored article must have, and that its text can go into any
// page or feed: valid UTF-8 without characters XML forbids, within the length limits.
func (a *Article) Validate() error {
	if len(a.Body) > MaxBodyBytes {
		return onField("body", Errorf(EINVALID, "The body is %d KB; it can be at most %d KB.", len(a.Body)>>10, MaxBodyBytes>>10))
	}
	for _, f := range []struct {
		field, name, value string
		max                int
	}{
		{"title", "title", a.Title, MaxTitle}, {"standfirst", "standfirst", a.Standfirst, MaxStandfirst},
		{"image_alt", "photo's alt text", a.ImageAlt, MaxAlt}, {"image_caption", "photo's caption", a.ImageCaption, MaxCaption},
		{"image_credit", "photo's credit", a.ImageCredit, MaxCredit}, {"body", "body", a.Body, 0}, {"source", "source", a.Source, 4096},
		{"meta_title", "meta title", a.MetaTitle, MaxTitle}, {"meta_description", "meta description", a.MetaDescription, MaxStandfirst},
		{"canonical_url", "canonical address", a.CanonicalURL, 2000},
	} {
		if err := CheckText(f.name, f.value, f.max); err != nil {
			return onField(f.field, err)
		}
	}
	if err := CheckSlug("article", a.Slug); err != nil {
		return onField("slug", err)
	}
	if len(a.Authors) > MaxAuthors {
		return onField("authors", Errorf(EINVALID, "An article can have at most %d authors (it has %d).", MaxAuthors, len(a.Authors)))
	}
	if len(a.Tags) > MaxTags {
		return onField("tags", Errorf(EINVALID, "An article can have at most %d tags (it has %d).", MaxTags, len(a.Tags)))
	}
	for _, au := range a.Authors {
		if err := au.Validate(); err != nil {
			return onField("authors", err)
		}
	}
	for _, t := range a.Tags {
		if err := t.Validate(); err != nil {
			return onField("tags", err)
		}
	}
	if y := a.PublishedAt.UTC().Year(); !a.PublishedAt.IsZero() && (y < MinYear || y > MaxYear) {
		return onField("published_at", Errorf(EINVALID, "The publish time %s is out of range: use a year from %d to %d.",
			a.PublishedAt.UTC().Format(time.RFC3339), MinYear, MaxYear))
	}
	switch {
	case strings.TrimSpace(a.Title) == "":
		return onField("title", Errorf(EINVALID, "An article needs a title."))
	case !a.Status.Valid():
		return onField("status", Errorf(EINVALID, "%q is not a status: use draft or published.", a.Status))
	case !a.Visibility.Valid():
		return onField("visibility", Errorf(EINVALID, "%q is not a visibility: use public, members or paid.", a.Visibility))
	case a.CanonicalURL != "" && (!LinkTarget(a.CanonicalURL) || SitePath(a.CanonicalURL)):
		return onField("canonical_url", Errorf(EINVALID, "The canonical address must be a full http:// or https:// address."))
	case a.PublishedAt.IsZero():
		return onField("published_at", Errorf(EINVALID, "An article needs a publish time."))
	case a.Image != nil && strings.TrimSpace(a.ImageAlt) == "":
		return onField("image_alt", Errorf(EINVALID, "The lead photo needs alt text for readers who cannot see it."))
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

// MaxBio bounds an author's bio and a tag's description.
const MaxBio = 2000

// Validate checks an author before it is stored: a name and a slug, text that any page or
// feed can carry.
func (au *Author) Validate() error {
	return validateNamed("author", au.Name, "author's bio", au.Bio, au.Slug)
}

// Validate checks a tag before it is stored, as Author.Validate does an author.
func (t *Tag) Validate() error {
	return validateNamed("tag", t.Name, "tag description", t.Description, t.Slug)
}

// validateNamed checks what authors and tags share: a name, a text about them, a slug.
func validateNamed(what, name, aboutName, about, slug string) error {
	if strings.TrimSpace(name) == "" {
		return Errorf(EINVALID, "Every %s needs a name.", what)
	}
	if err := CheckText(what+" name", name, MaxName); err != nil {
		return err
	}
	if err := CheckText(aboutName, about, MaxBio); err != nil {
		return err
	}
	return CheckSlug(what, slug)
}

// Tag files articles under a topic.
type Tag struct {
	ID          int64
	Slug        string
	Name        string
	Description string
}

// Image is a stored photo: its row in the database, its bytes (the original and resized
// variants) in the blob store (see BlobStore), which every app node reads.
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
	Status Status
	// VisibleAt, when set, selects only the articles readers may see at that time (see
	// Article.Visible); Status is then ignored.
	VisibleAt  time.Time
	Before     *Article // only articles older than this one (the "next" article below a page)
	TagSlug    string
	AuthorSlug string
	Featured   bool // only featured articles
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
	// SaveArticle creates the article, or updates the one with the same slug (ECONFLICT when
	// that one has another Source and a.Takeover is not set), together with
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
	// FindArticleLinks returns what a sitemap lists of the articles visible at the time (slug
	// and update time), newest first, without loading the articles.
	FindArticleLinks(ctx context.Context, visibleAt time.Time, offset, limit int) ([]ArticleLink, error)
	// NextPublication returns the publish time of the first article scheduled after the
	// time, or the zero time when none is. Page caches expire then.
	NextPublication(ctx context.Context, after time.Time) (time.Time, error)
	// CountVisible counts the articles visible at the time.
	CountVisible(ctx context.Context, at time.Time) (int, error)
	// CountArticles counts all articles, whatever their status.
	CountArticles(ctx context.Context) (int, error)
	// ContentRevision changes whenever anything a public page shows changes, whichever process
	// or node made the change. Page caches compare it before serving.
	ContentRevision(ctx context.Context) (int64, error)
}

// CheckText checks a piece of text before it is stored: valid UTF-8, no character that
// XML 1.0 forbids (a feed carrying one is not XML), and at most max characters (no limit
// when max is 0). name says what the text is, in the message, which gives the line.
func CheckText(name, s string, max int) error {
	if max > 0 && len(s) > 4*max { // more bytes than max characters can take
		return Errorf(EINVALID, "The %s is longer than %d characters.", name, max)
	}
	line, n := 1, 0
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return Errorf(EINVALID, "The %s is not valid UTF-8 text at line %d (is it in another encoding, such as Windows-1252?).", name, line)
		case !XMLChar(r):
			return Errorf(EINVALID, "The %s holds the character %U at line %d, which no page or feed may carry.", name, r, line)
		case r == '\n':
			line++
		}
		n++
	}
	if max > 0 && n > max {
		return Errorf(EINVALID, "The %s is %d characters long; it can be at most %d.", name, n, max)
	}
	return nil
}

// XMLChar reports whether XML 1.0 allows the character (https://www.w3.org/TR/xml/#charsets):
// the one rule for text that pages and feeds may carry.
func XMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// CheckSlug checks the slug of an article, author or tag (what names it): lower-case
// letters, digits and single hyphens, at most MaxSlug bytes, as addresses need them.
func CheckSlug(what, slug string) error {
	if slug == "" {
		return Errorf(EINVALID, "The %s needs a slug.", what)
	}
	if len(slug) > MaxSlug {
		return Errorf(EINVALID, "The %s's slug is %d bytes long; it can be at most %d.", what, len(slug), MaxSlug)
	}
	if !utf8.ValidString(slug) || strings.HasPrefix(slug, "-") || strings.HasSuffix(slug, "-") || strings.Contains(slug, "--") {
		return Errorf(EINVALID, "The %s's slug %q is not valid: use lower-case letters, digits and single hyphens.", what, slug)
	}
	for _, r := range slug {
		if r != '-' && !unicode.IsDigit(r) && !(unicode.IsLetter(r) && !unicode.IsUpper(r)) {
			return Errorf(EINVALID, "The %s's slug %q is not valid: use lower-case letters, digits and single hyphens.", what, slug)
		}
	}
	return nil
}
