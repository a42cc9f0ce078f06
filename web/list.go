package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"byline"
	"byline/markdown"
)

// perPage is how many articles a list page shows.
const perPage = 20

// pageNumber reads {n} of /page/{n}/; page 1 has no number in its address.
func pageNumber(r *http.Request) (int, error) {
	v := r.PathValue("n")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 2 || strconv.Itoa(n) != v {
		return 0, notFound()
	}
	return n, nil
}

// listArticles fills a list page's articles and the links to its neighbours; base is the
// list's first page, like "/tag/politics/".
func (s *Server) listArticles(r *http.Request, data *pageData, f byline.ArticleFilter, base string) error {
	n, err := pageNumber(r)
	if err != nil {
		return err
	}
	f.Status, f.PublishedBy, f.Summary = byline.StatusPublished, s.now(), true
	f.Offset, f.Limit = (n-1)*perPage, perPage+1 // one more tells whether there is a next page
	list, err := s.store.FindArticles(r.Context(), f)
	if err != nil {
		return err
	}
	if len(list) == 0 && n > 1 {
		return notFound()
	}
	if len(list) > perPage {
		list = list[:perPage]
		data.NextURL = fmt.Sprintf("%spage/%d/", base, n+1)
	}
	switch {
	case n == 2:
		data.PrevURL = base
	case n > 2:
		data.PrevURL = fmt.Sprintf("%spage/%d/", base, n-1)
	}
	data.Latest, data.Page = list, n
	if n > 1 {
		data.Title = fmt.Sprintf("%s – page %d", data.Title, n)
	}
	return nil
}

// frontPage serves / and /page/{n}/: the latest featured stories on top of the first page,
// then every article, newest first.
func (s *Server) frontPage(r *http.Request) (*response, error) {
	data := s.basePage(r.Context(), r)
	data.Title, data.Desc, data.Feed = data.Site.Title, data.Site.Description, "/rss/"
	if err := s.listArticles(r, data, byline.ArticleFilter{}, "/"); err != nil {
		return nil, err
	}
	if data.Page == 1 {
		featured, err := s.store.FindArticles(r.Context(), byline.ArticleFilter{
			Status: byline.StatusPublished, PublishedBy: s.now(), Featured: true, Limit: 3, Summary: true})
		if err != nil {
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

// tagPage serves /tag/{slug}/ and its pages.
func (s *Server) tagPage(r *http.Request) (*response, error) {
	t, err := s.store.FindTagBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, orNotFound(err)
	}
	data := s.basePage(r.Context(), r)
	data.Heading, data.Intro = t.Name, t.Description
	data.Title = t.Name + " – " + data.Site.Title
	data.Desc = firstNonEmpty(markdown.Smarten(t.Description), "Articles filed under "+t.Name+".")
	data.Feed = "/tag/" + t.Slug + "/rss/"
	if err := s.listArticles(r, data, byline.ArticleFilter{TagSlug: t.Slug}, "/tag/"+t.Slug+"/"); err != nil {
		return nil, err
	}
	res, err := s.render(http.StatusOK, "list", data)
	if err == nil {
		res.surrogate = "tag-" + strconv.FormatInt(t.ID, 10)
	}
	return res, err
}

// authorPage serves /author/{slug}/ and its pages.
func (s *Server) authorPage(r *http.Request) (*response, error) {
	au, err := s.store.FindAuthorBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, orNotFound(err)
	}
	data := s.basePage(r.Context(), r)
	data.Heading, data.Intro = au.Name, au.Bio
	data.Title = au.Name + " – " + data.Site.Title
	data.Desc = firstNonEmpty(au.Bio, "Articles by "+au.Name+".")
	data.Feed = "/author/" + au.Slug + "/rss/"
	if err := s.listArticles(r, data, byline.ArticleFilter{AuthorSlug: au.Slug}, "/author/"+au.Slug+"/"); err != nil {
		return nil, err
	}
	res, err := s.render(http.StatusOK, "list", data)
	if err == nil {
		res.surrogate = "author-" + strconv.FormatInt(au.ID, 10)
	}
	return res, err
}

// orNotFound turns the store's "no such" into the site's 404 page.
func orNotFound(err error) error {
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return notFound()
	}
	return err
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
