package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"byline"
	"byline/markdown"
)

// perPage is how many articles a list page shows.
const perPage = 20

// maxPage is the highest page number a list may have (20 million articles at 20 a page).
// Beyond it no offset is computed, so that no number, however large, wraps around into
// another page.
const maxPage = 1_000_000

// pageNumber reads {n} of /page/{n}/; page 1 has no number in its address.
func pageNumber(r *http.Request) (int, error) {
	v := r.PathValue("n")
	if v == "" {
		return 1, nil
	}
	n, ok := parsePage(v)
	if !ok {
		return 0, notFound()
	}
	return n, nil
}

// parsePage reads a page number from 2 to maxPage, in its canonical spelling only.
func parsePage(s string) (int, bool) { return parseNumber(s, 2, maxPage) }

// parseNamedNumber reads a file name made of a number from 1 to hi and a suffix, such as
// "640.jpg" or "2.xml", in the canonical spelling only (see parseNumber).
func parseNamedNumber(name, suffix string, hi int) (int, bool) {
	num, ok := strings.CutSuffix(name, suffix)
	if !ok {
		return 0, false
	}
	return parseNumber(num, 1, hi)
}

// parseNumber reads a number from lo to hi (both positive) written as a path names it: decimal
// digits without sign or leading zero. Any other spelling, and any number out of range
// however long, is refused before it is converted, so that one thing has one address and no
// arithmetic on the number can overflow.
func parseNumber(s string, lo, hi int) (int, bool) {
	if s == "" || len(s) > len(strconv.Itoa(hi)) || s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	if n < lo || n > hi {
		return 0, false
	}
	return n, true
}

// listArticles fills a list page's articles and the links to its neighbours; base is the
// list's first page, like "/tag/politics/".
func (s *Server) listArticles(r *http.Request, data *pageData, f byline.ArticleFilter, base string) error {
	n, err := pageNumber(r)
	if err != nil {
		return err
	}
	f.VisibleAt, f.Summary = s.now(), true
	f.Offset, f.Limit = (n-1)*perPage, perPage+1 // one more tells whether there is a next page
	list, err := s.store.FindArticles(r.Context(), f)
	if err != nil {
		return err
	}
	if err := hideExpired(r.Context(), s.store, f.VisibleAt, list...); err != nil {
		return err
	}
	if len(list) == 0 && n > 1 {
		return notFound()
	}
	more := len(list) > perPage
	if more {
		list = list[:perPage]
	}
	pageLinks(data, base, n, more)
	data.Latest, data.Page = list, n
	if n > 1 {
		data.Title = fmt.Sprintf("%s – page %d", data.Title, n)
	}
	return nil
}

// frontPage serves / and /page/{n}/: the latest featured stories on top of the first page,
// then every article, newest first.
func (s *Server) frontPage(r *http.Request) (*response, error) {
	data, err := s.basePage(r.Context(), r)
	if err != nil {
		return nil, err
	}
	data.Title, data.Desc, data.Feed = data.Site.Title, data.Site.Description, "/rss/"
	if err := s.listArticles(r, data, byline.ArticleFilter{}, "/"); err != nil {
		return nil, err
	}
	if data.Page == 1 {
		featured, err := s.store.FindArticles(r.Context(), byline.ArticleFilter{
			VisibleAt: s.now(), Featured: true, Limit: 3, Summary: true})
		if err != nil {
			return nil, err
		}
		if err := hideExpired(r.Context(), s.store, s.now(), featured...); err != nil {
			return nil, err
		}
		data.Featured = featured
		// The latest list does not repeat what stands on top.
		data.Latest = slices.DeleteFunc(data.Latest, func(a *byline.Article) bool {
			return slices.ContainsFunc(featured, func(f *byline.Article) bool { return f.ID == a.ID })
		})
	}
	return s.render(http.StatusOK, "front", data)
}

// section is a tag or an author seen as what its pages and feed list: their articles.
type section struct {
	kind   string // "tag" or "author"
	id     int64
	slug   string
	name   string
	about  string // the tag's description or the author's bio
	filter byline.ArticleFilter
}

// findSection reads the tag or author named by the request's {slug}.
func (s *Server) findSection(r *http.Request, kind string) (*section, error) {
	slug := r.PathValue("slug")
	if kind == "tag" {
		t, err := s.store.FindTagBySlug(r.Context(), slug)
		if err != nil {
			return nil, orNotFound(err)
		}
		return &section{kind: kind, id: t.ID, slug: t.Slug, name: t.Name, about: t.Description,
			filter: byline.ArticleFilter{TagSlug: t.Slug}}, nil
	}
	au, err := s.store.FindAuthorBySlug(r.Context(), slug)
	if err != nil {
		return nil, orNotFound(err)
	}
	return &section{kind: kind, id: au.ID, slug: au.Slug, name: au.Name, about: au.Bio,
		filter: byline.ArticleFilter{AuthorSlug: au.Slug}}, nil
}

// path is the section's first page.
func (sec *section) path() string { return "/" + sec.kind + "/" + sec.slug + "/" }

// description says what the section is, in the newsroom's words when it has some.
func (sec *section) description() string {
	if sec.about != "" {
		return markdown.Smarten(sec.about)
	}
	if sec.kind == "tag" {
		return "Articles filed under " + sec.name + "."
	}
	return "Articles by " + sec.name + "."
}

// surrogateKey names the section for a CDN purge, as surrogateKeys names it on articles.
func (sec *section) surrogateKey() string { return sec.kind + "-" + strconv.FormatInt(sec.id, 10) }

// sectionPage serves /tag/{slug}/ and /author/{slug}/ and their pages.
func (s *Server) sectionPage(kind string) handlerFunc {
	return func(r *http.Request) (*response, error) {
		sec, err := s.findSection(r, kind)
		if err != nil {
			return nil, err
		}
		data, err := s.basePage(r.Context(), r)
		if err != nil {
			return nil, err
		}
		data.Heading, data.Intro = sec.name, sec.about
		data.Title = sec.name + " – " + data.Site.Title
		data.Desc = sec.description()
		data.Feed = sec.path() + "rss/"
		if err := s.listArticles(r, data, sec.filter, sec.path()); err != nil {
			return nil, err
		}
		if len(data.Latest) == 0 {
			// Only drafts or scheduled articles: the tag or author is not public yet, and its
			// name may say what is not (a merger, a source).
			return nil, notFound()
		}
		res, err := s.render(http.StatusOK, "list", data)
		if err == nil {
			res.tag(sec.surrogateKey())
		}
		return res, err
	}
}

// orNotFound turns the store's "no such" into the site's 404 page.
func orNotFound(err error) error {
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return notFound()
	}
	return err
}

// pageLinks sets the addresses of the pages before and after page n of the list at base
// (more: there is a page after it). Page 1 is base itself.
func pageLinks(data *pageData, base string, n int, more bool) {
	if more {
		data.NextURL = fmt.Sprintf("%spage/%d/", base, n+1)
	}
	switch {
	case n == 2:
		data.PrevURL = base
	case n > 2:
		data.PrevURL = fmt.Sprintf("%spage/%d/", base, n-1)
	}
}
