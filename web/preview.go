package web

import (
	"net/http"

	"byline"
	"byline/markdown"
)

// Previews: a draft shown through a secret link to someone without an account, and the
// editor's live preview. Both render the public article page exactly, for one reader: never
// cached, never indexed.

// previewPage renders the article as its public page would show it, marked not to be
// indexed and kept by no cache. live marks the editor's preview of an unsaved form.
func (s *Server) previewPage(r *http.Request, a *byline.Article, live bool) (*response, error) {
	if err := hideExpired(r.Context(), s.store, s.now(), a); err != nil { // as the public page would
		return nil, err
	}
	data, err := s.basePage(r.Context(), r)
	if err != nil {
		return nil, err
	}
	data.Article, data.CanRead, data.Preview = a, true, true
	data.Title = "Preview: " + markdown.Smarten(a.Title) + " – " + data.Site.Title
	data.Desc = markdown.Smarten(a.Standfirst)
	data.Canonical = ""
	data.JSONLD = s.newsArticleLD(a, data)
	res, err := s.render(http.StatusOK, "article", data)
	if err != nil {
		return nil, err
	}
	res.cacheControl = "no-store"
	return res.private(), nil
}

// previewLink serves /preview/{token}: the article a secret preview link opens, as saved.
func (s *Server) previewLink(r *http.Request) (*response, error) {
	if s.desk == nil {
		return nil, notFound()
	}
	a, err := s.desk.Preview(r.Context(), r.PathValue("token"))
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return nil, byline.Errorf(byline.ENOTFOUND, "This preview link does not exist, or it was revoked.")
	} else if err != nil {
		return nil, err
	}
	return s.previewPage(r, a, false)
}
