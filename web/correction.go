package web

import (
	"fmt"
	"net/http"

	"byline"
)

// correctionsKey names /corrections/ and its feed for a CDN purge.
const correctionsKey = "corrections"

// correctionsPage serves /corrections/ and /corrections/page/{n}/: every note of the
// articles readers may see, newest first, with links to the articles. Pages go by the
// site's rules: page 1 has no number, numbers are read by parsePage, an empty page past the
// first is a 404.
func (s *Server) correctionsPage(r *http.Request) (*response, error) {
	n, err := pageNumber(r)
	if err != nil {
		return nil, err
	}
	list, err := s.store.FindCorrections(r.Context(), byline.CorrectionFilter{
		VisibleAt: s.now(), Offset: (n - 1) * perPage, Limit: perPage + 1})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 && n > 1 {
		return nil, notFound()
	}
	data, err := s.basePage(r.Context(), r)
	if err != nil {
		return nil, err
	}
	const base = "/corrections/"
	more := len(list) > perPage
	if more {
		list = list[:perPage]
	}
	pageLinks(data, base, n, more)
	data.Heading = "Corrections and updates"
	data.Title = data.Heading + " – " + data.Site.Title
	if n > 1 {
		data.Title = fmt.Sprintf("%s – page %d – %s", data.Heading, n, data.Site.Title)
	}
	data.Desc = "Every correction, clarification and update to our articles, newest first."
	data.Feed, data.Notes, data.Page = base+"rss/", list, n
	res, err := s.render(http.StatusOK, "corrections", data)
	if err == nil {
		res.tag(correctionsKey)
	}
	return res, err
}
