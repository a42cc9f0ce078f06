package web

import (
	"net/http"
	"net/url"
	"strconv"

	"byline"
	"byline/markdown"
	"byline/media"
)

// reader returns who is reading. Until members can sign in, everyone is anonymous; the
// sign-in issue sets readerOf from the session.
func (s *Server) reader(r *http.Request) byline.Reader {
	if s.readerOf == nil {
		return byline.Reader{}
	}
	return s.readerOf(r)
}

// articlePage serves /{slug}/: the article, then the next (older) one's teaser.
func (s *Server) articlePage(r *http.Request) (*response, error) {
	ctx := r.Context()
	a, err := s.store.FindArticleBySlug(ctx, r.PathValue("slug"))
	if byline.ErrorCode(err) == byline.ENOTFOUND && s.desk != nil {
		// A renamed article's old address leads to its new one, for good.
		// It leads only to an article readers may see: a renamed piece taken off the site
		// must not give away its draft's new address.
		if to, rerr := s.desk.Store.FindRedirect(ctx, r.PathValue("slug")); rerr == nil {
			target, terr := s.store.FindArticleBySlug(ctx, to)
			if terr == nil && target.Visible(s.now()) {
				return &response{status: http.StatusMovedPermanently, location: escapedPath("/" + to + "/")}, nil
			} else if terr != nil && byline.ErrorCode(terr) != byline.ENOTFOUND {
				return nil, terr
			}
		} else if byline.ErrorCode(rerr) != byline.ENOTFOUND {
			return nil, rerr
		}
	}
	if err != nil {
		return nil, orNotFound(err)
	}
	if !a.Visible(s.now()) {
		return nil, notFound()
	}
	next, err := s.store.FindArticles(ctx, byline.ArticleFilter{
		VisibleAt: s.now(), Before: a, Limit: 1, Summary: true})
	if err != nil {
		return nil, err
	}
	if err := hideExpired(ctx, s.store, s.now(), append(next, a)...); err != nil {
		return nil, err
	}
	data, err := s.basePage(ctx, r)
	if err != nil {
		return nil, err
	}
	data.Article = a
	data.Reader, data.Membership = s.reader(r), s.members != nil
	data.CanRead = data.Reader.CanRead(a.Visibility)
	data.Title = markdown.Smarten(a.Title) + " – " + data.Site.Title
	data.Desc = markdown.Smarten(a.Standfirst)
	data.Canonical = s.articleURL(a)
	if a.MetaTitle != "" {
		data.Title = markdown.Smarten(a.MetaTitle)
	}
	if a.MetaDescription != "" {
		data.Desc = markdown.Smarten(a.MetaDescription)
	}
	if a.CanonicalURL != "" {
		data.Canonical = a.CanonicalURL
	}
	data.JSONLD = s.newsArticleLD(a, data)
	if len(next) > 0 {
		data.Next = next[0]
	}
	res, err := s.render(http.StatusOK, "article", data)
	if err != nil {
		return nil, err
	}
	keys := surrogateKeys(a)
	if data.Next != nil {
		// The page shows the next article's teaser: a change to it changes this page.
		keys = append(keys[:1], append([]string{"article-" + strconv.FormatInt(data.Next.ID, 10)}, keys[1:]...)...)
	}
	res.tag(keys...)
	return res, nil
}

// articleURL is an article's canonical address.
func (s *Server) articleURL(a *byline.Article) string { return s.baseURL + escapedPath("/"+a.Slug+"/") }

// escapedPath escapes a site path for an absolute address (canonical links, feeds, sitemaps),
// which must carry a slug in Cyrillic or Greek escaped, as the sitemap protocol asks.
func escapedPath(p string) string { return (&url.URL{Path: p}).EscapedPath() }

// surrogateKeys name what a page shows, so that a CDN in front can purge by key; the
// article's own comes first.
func surrogateKeys(a *byline.Article) []string {
	keys := make([]string, 0, 1+len(a.Authors)+len(a.Tags))
	keys = append(keys, "article-"+strconv.FormatInt(a.ID, 10))
	for _, au := range a.Authors {
		keys = append(keys, "author-"+strconv.FormatInt(au.ID, 10))
	}
	for _, t := range a.Tags {
		keys = append(keys, "tag-"+strconv.FormatInt(t.ID, 10))
	}
	return keys
}

// ldThing is one node of schema.org JSON-LD.
type ldThing struct {
	Type string   `json:"@type"`
	ID   string   `json:"@id,omitempty"`
	Name string   `json:"name,omitempty"`
	URL  string   `json:"url,omitempty"`
	Logo *ldThing `json:"logo,omitempty"`
}

// newsArticle is the JSON-LD of an article page, as search engines read it.
type newsArticle struct {
	Context             string    `json:"@context"`
	Type                string    `json:"@type"`
	Headline            string    `json:"headline"`
	Description         string    `json:"description,omitempty"`
	Image               []string  `json:"image,omitempty"`
	DatePublished       string    `json:"datePublished"`
	DateModified        string    `json:"dateModified"`
	Author              []ldThing `json:"author,omitempty"`
	Publisher           ldThing   `json:"publisher"`
	IsAccessibleForFree bool      `json:"isAccessibleForFree"`
	// HasPart marks the gated part of a members' article, as search engines ask of pages
	// behind a paywall; the JSON-LD never carries the article's text.
	HasPart          *ldPart `json:"hasPart,omitempty"`
	MainEntityOfPage ldThing `json:"mainEntityOfPage"`
	// Correction carries the article's corrections and clarifications; updates (the story
	// moved on) are no correction, and only move dateModified.
	Correction []ldCorrection `json:"correction,omitempty"`
}

// ldPart is a schema.org WebPageElement: the part of the page a CSS selector names.
type ldPart struct {
	Type                string `json:"@type"`
	IsAccessibleForFree bool   `json:"isAccessibleForFree"`
	CSSSelector         string `json:"cssSelector"`
}

// ldCorrection is a schema.org CorrectionComment: a note on what was wrong or unclear.
type ldCorrection struct {
	Type          string `json:"@type"`
	Text          string `json:"text"`
	DatePublished string `json:"datePublished"`
}

// newsArticleLD is the article's JSON-LD; its dateModified is the article's updated time,
// which the latest note moves on.
func (s *Server) newsArticleLD(a *byline.Article, data *pageData) newsArticle {
	ld := newsArticle{
		Context: "https://schema.org", Type: "NewsArticle",
		Headline:      markdown.Smarten(a.Title),
		Description:   markdown.Smarten(a.Standfirst),
		DatePublished: a.PublishedAt.UTC().Format("2006-01-02T15:04:05Z07:00"),
		DateModified:  a.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z07:00"),
		Publisher: ldThing{Type: "NewsMediaOrganization", Name: data.Site.Title, URL: s.baseURL + "/",
			Logo: &ldThing{Type: "ImageObject", URL: s.absolute(data.Site.Logo)}},
		IsAccessibleForFree: a.Visibility == byline.VisibilityPublic,
		MainEntityOfPage:    ldThing{Type: "WebPage", ID: s.articleURL(a)},
	}
	if !ld.IsAccessibleForFree {
		ld.HasPart = &ldPart{Type: "WebPageElement", CSSSelector: ".gated-body"}
	}
	if a.Image != nil {
		ws := media.Widths(a.Image.Width)
		ld.Image = []string{s.baseURL + media.VariantURL(a.Image, ws[len(ws)-1])}
	}
	for _, au := range a.Authors {
		ld.Author = append(ld.Author, ldThing{Type: "Person", Name: au.Name, URL: s.baseURL + escapedPath("/author/"+au.Slug+"/")})
	}
	for _, c := range a.Corrections {
		if c.Kind != byline.KindUpdate {
			ld.Correction = append(ld.Correction, ldCorrection{Type: "CorrectionComment",
				Text: c.Kind.Label() + ": " + c.Text, DatePublished: c.At.UTC().Format("2006-01-02T15:04:05Z07:00")})
		}
	}
	return ld
}

// absolute makes a site path absolute; http(s) URLs stay as they are, and anything else
// ("//evil.example/" is another host, not a path) is no address at all.
func (s *Server) absolute(p string) string {
	switch {
	case byline.SitePath(p):
		return s.baseURL + p
	case byline.LinkTarget(p):
		return p
	}
	return ""
}

// maxWidth bounds the width in a photo variant's name before the store is asked for it.
const maxWidth = 100_000

// parseMediaWidth reads the width from a variant's file name, "{width}.jpg", in the canonical
// spelling only: 0640.jpg or +640.jpg would be a second address for a file kept for a year.
// Whether the photo has a variant of that width is the store's to say.
func parseMediaWidth(name string) (int, bool) { return parseNamedNumber(name, ".jpg", maxWidth) }

func isHex(s string) bool {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return len(s) == 64
}
