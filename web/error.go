package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"byline"
)

// errorPage renders an error as a page with the status its code stands for. Only internal
// errors are logged: the others are the reader's, not ours. A store that takes too long is a
// 503. Like any page, an error page for a signed-in reader is rendered for them and private;
// anonymous readers share a cached 404 page.
func (s *Server) errorPage(r *http.Request, err error, requestID string) *response {
	if r.Context().Err() != nil {
		// The reader has gone: nobody will read a page, and their leaving is no fault of ours.
		return newResponse(http.StatusServiceUnavailable, "text/plain; charset=utf-8", "no-store", []byte("The request ended before its page was ready.\n"))
	}
	code := byline.ErrorCode(err)
	status := statusOf(code)
	if errors.Is(err, context.DeadlineExceeded) {
		status = http.StatusServiceUnavailable
	}
	if code == byline.EINTERNAL {
		s.log.Error("request failed", "id", requestID, "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if !s.shared(r) {
		res, _ := s.renderError(r, status, err, status < 500)
		return res.private()
	}
	if status == http.StatusNotFound && s.cache != nil {
		if res := s.sharedNotFound(r, err); res != nil {
			return res
		}
	}
	res, _ := s.renderError(r, status, err, status < 500)
	return res
}

// sharedNotFound returns the 404 page anonymous readers share, or nil when the store cannot
// say its content revision. Every address that names nothing gets the same page: it is
// rendered once per content revision, so that a scan of made-up addresses costs next to
// nothing.
func (s *Server) sharedNotFound(r *http.Request, err error) *response {
	rev, rerr := s.store.ContentRevision(r.Context())
	if rerr != nil {
		return nil
	}
	key, now := notFoundKey+byline.ErrorMessage(err), s.now()
	if res := s.cache.get(key, rev, now); res != nil {
		return res
	}
	res, rerr := s.shareRender(r, strconv.FormatInt(rev, 10)+key, func(ctx context.Context) (*response, error) {
		if res := s.cache.get(key, rev, now); res != nil {
			return res, nil
		}
		res, complete := s.renderError(r.WithContext(ctx), http.StatusNotFound, err, true)
		if complete {
			// Kept until the next scheduled article appears in its list, if that is known.
			next, _ := s.cache.nextPublication(rev, now)
			s.cache.put(key, rev, now, next, res)
		}
		return res, nil
	})
	if rerr != nil {
		// The store hangs: a 404 page without its list of the latest articles.
		res, _ = s.renderError(r, http.StatusNotFound, err, false)
	}
	return res
}

// notFoundKey starts the page cache's keys for 404 pages, followed by their message; no
// path starts so.
const notFoundKey = "\x00404"

// renderError renders an error page. With ask false, or for a server error, it asks the
// store nothing (the store may be what failed) and uses the settings last read. It reports
// whether the page is complete: a 404 page lists the latest articles, and a page without
// them must not be cached.
func (s *Server) renderError(r *http.Request, status int, err error, ask bool) (res *response, complete bool) {
	ask = ask && status < 500
	site, complete := s.knownSettings(), false
	if ask {
		var serr error
		if site, serr = s.settings(r.Context()); serr != nil {
			s.log.Error("load settings", "err", serr)
			site = s.knownSettings()
		}
		complete = serr == nil
	}
	data := s.pageWith(site, r)
	data.Title = http.StatusText(status)
	data.Error = byline.ErrorMessage(err)
	data.Status = status
	data.Canonical = "" // an error page is nobody's canonical
	if status == http.StatusNotFound {
		if ask {
			var ferr error
			data.Latest, ferr = s.store.FindArticles(r.Context(), byline.ArticleFilter{VisibleAt: s.now(), Limit: 5, Summary: true})
			complete = complete && ferr == nil
		}
	}
	res, rerr := s.render(status, "error", data)
	if rerr != nil {
		s.log.Error("render error page", "err", rerr)
		return newResponse(status, "text/plain; charset=utf-8", "no-store", []byte(data.Error+"\n")), false
	}
	res.cacheControl = "no-store"
	if status == http.StatusNotFound {
		res.cacheControl = "public, max-age=60"
	}
	return res, complete
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
	case byline.ELIMITED:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// notFound is the error for an address that names nothing.
func notFound() error {
	return byline.Errorf(byline.ENOTFOUND, "There is no page at this address. It may have moved, or the link may be mistyped.")
}
