package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"byline"
)

// errorPage renders an error as a page with the status its code stands for. Only internal
// errors are logged: the others are the reader's, not ours.
func (s *Server) errorPage(r *http.Request, err error, requestID string) *response {
	code := byline.ErrorCode(err)
	status := statusOf(code)
	if code == byline.EINTERNAL {
		s.log.Error("request failed", "id", requestID, "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusNotFound && s.cache != nil {
		// Every address that names nothing gets the same page: render it once per content
		// revision, so that a scan of made-up addresses costs next to nothing.
		if rev, rerr := s.store.ContentRevision(r.Context()); rerr == nil {
			key := notFoundKey + byline.ErrorMessage(err)
			v, _, _ := s.renders.Do(strconv.FormatInt(rev, 10)+key, func() (any, error) {
				if res := s.cache.get(key, rev, s.now()); res != nil {
					return res, nil
				}
				res := s.renderError(r.WithContext(context.WithoutCancel(r.Context())), status, err)
				s.cache.put(key, rev, s.now(), time.Time{}, res)
				return res, nil
			})
			return v.(*response)
		}
	}
	return s.renderError(r, status, err)
}

// notFoundKey starts the page cache's keys for 404 pages, followed by their message; no
// path starts so.
const notFoundKey = "\x00404"

func (s *Server) renderError(r *http.Request, status int, err error) *response {
	data := s.basePage(r.Context(), r)
	data.Title = http.StatusText(status)
	data.Error = byline.ErrorMessage(err)
	data.Status = status
	data.Canonical = "" // an error page is nobody's canonical
	if status == http.StatusNotFound {
		data.Latest, _ = s.store.FindArticles(r.Context(), byline.ArticleFilter{
			VisibleAt: s.now(), Limit: 5, Summary: true})
	}
	res, rerr := s.render(status, "error", data)
	if rerr != nil {
		s.log.Error("render error page", "err", rerr)
		return newResponse(status, "text/plain; charset=utf-8", "no-store", []byte(data.Error+"\n"))
	}
	res.cacheControl = "no-store"
	if status == http.StatusNotFound {
		res.cacheControl = "public, max-age=60"
	}
	return res
}

func statusOf(code string) int {
	switch code {
	case byline.EINVALID:
		return http.StatusUnprocessableEntity
	case byline.ENOTFOUND:
		return http.StatusNotFound
	case byline.ECONFLICT:
		return http.StatusConflict
	case byline.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case byline.EFORBIDDEN:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// notFound is the error for an address that names nothing.
func notFound() error {
	return byline.Errorf(byline.ENOTFOUND, "There is no page at this address. It may have moved, or the link may be mistyped.")
}
