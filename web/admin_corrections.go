package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"byline"
)

// The newsroom's corrections: an article's notes and the form that adds one, and the list
// of recent notes across articles. The publishing service decides who may (ActionCorrect)
// and audits each change.

// maxID bounds the ids read from addresses before the store is asked: far beyond any
// newsroom's rows, and far from overflowing.
const maxID = 1_000_000_000_000_000

// correctionsData is what the corrections pages show.
type correctionsData struct {
	Article *byline.Article      // the article's page: its summary and notes
	Notes   []*byline.Correction // the list of recent notes
	Kinds   []byline.CorrectionKind
	Form    correctionForm
	Errors  map[string]string // by field: kind, text, at
	Names   map[int64]string  // staff names by id
	Public  bool              // the article is visible to readers
	PrevURL string
	NextURL string
}

// correctionForm is the add form as sent, kept after a refusal.
type correctionForm struct {
	Kind string
	Text string
	At   string // datetime-local, in the newsroom's time zone; empty for now
}

// correctionsAdmin registers the corrections pages.
func (s *Server) correctionsAdmin(m adminMux) {
	m.staff("GET /admin/articles/{id}/corrections", s.articleCorrections)
	m.staff("POST /admin/articles/{id}/corrections", s.addCorrection)
	m.staff("POST /admin/corrections/{id}/delete", s.deleteCorrection)
	m.staff("GET /admin/corrections/{$}", s.recentCorrections)
}

// idOf reads the {id} of an admin address, in the canonical spelling only (see parseNumber).
func idOf(r *http.Request) (int64, error) {
	n, ok := parseNumber(r.PathValue("id"), 1, maxID)
	if !ok {
		return 0, notFound()
	}
	return int64(n), nil
}

// articleCorrections serves an article's notes and the form that adds one.
func (s *Server) articleCorrections(r *http.Request, staff *byline.Staff) (*response, error) {
	id, err := idOf(r)
	if err != nil {
		return nil, err
	}
	a := &adminData{}
	switch r.URL.Query().Get("done") {
	case "added":
		a.Notice = "The note was added; readers see it on the article now."
	case "deleted":
		a.Notice = "The note was deleted."
	}
	return s.correctionsForm(r, staff, id, a, correctionForm{Kind: string(byline.KindCorrection)}, nil, http.StatusOK)
}

// correctionsForm renders the article's page of notes with the form as given.
func (s *Server) correctionsForm(r *http.Request, staff *byline.Staff, id int64, a *adminData, form correctionForm, errs map[string]string, status int) (*response, error) {
	art, err := s.corrections.Article(r.Context(), staff, id)
	if err != nil {
		return nil, orNotFound(err)
	}
	names, err := s.staffNames(r)
	if err != nil {
		return nil, err
	}
	a.Page, a.Title, a.Section, a.Staff = "corrections", "Notes on “"+art.Title+"”", "corrections", staff
	a.Data = correctionsData{Article: art, Kinds: byline.CorrectionKinds, Form: form, Errors: errs, Names: names,
		Public: art.Visible(s.now())}
	return s.adminPage(r, status, a)
}

// addCorrection adds a note to the article from the form.
func (s *Server) addCorrection(r *http.Request, staff *byline.Staff) (*response, error) {
	id, err := idOf(r)
	if err != nil {
		return nil, err
	}
	if err := parseForm(r); err != nil {
		return nil, err
	}
	form := correctionForm{Kind: r.PostForm.Get("kind"), Text: r.PostForm.Get("text"), At: strings.TrimSpace(r.PostForm.Get("at"))}
	at, err := s.parseLocalTime(r, form.At)
	if err == nil {
		_, err = s.corrections.Add(r.Context(), staff, id, byline.CorrectionKind(form.Kind), form.Text, at, clientIP(r))
	}
	if code := byline.ErrorCode(err); code == byline.EINVALID {
		field := byline.ErrorField(err)
		if field == "" {
			field = "form"
		}
		return s.correctionsForm(r, staff, id, &adminData{Error: byline.ErrorMessage(err)}, form,
			map[string]string{field: byline.ErrorMessage(err)}, http.StatusUnprocessableEntity)
	} else if err != nil {
		return nil, orNotFound(err)
	}
	return redirect(fmt.Sprintf("/admin/articles/%d/corrections?done=added", id)), nil
}

// parseLocalTime reads a datetime-local value in the newsroom's time zone; empty is the
// zero time (now).
func (s *Server) parseLocalTime(r *http.Request, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	site, err := s.settings(r.Context())
	if err != nil {
		return time.Time{}, err
	}
	loc, err := time.LoadLocation(site.Timezone)
	if err != nil {
		loc = time.UTC
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	e := byline.Errorf(byline.EINVALID, "%q is not a date and time; write it like 2026-11-27T14:30, or leave it empty for now.", v)
	e.Field = "at"
	return time.Time{}, e
}

// deleteCorrection deletes a wrong note, then shows its article's notes.
func (s *Server) deleteCorrection(r *http.Request, staff *byline.Staff) (*response, error) {
	id, err := idOf(r)
	if err != nil {
		return nil, err
	}
	if err := parseForm(r); err != nil {
		return nil, err
	}
	n, err := s.corrections.Delete(r.Context(), staff, id, clientIP(r))
	if err != nil {
		return nil, orNotFound(err)
	}
	return redirect(fmt.Sprintf("/admin/articles/%d/corrections?done=deleted", n.ArticleID)), nil
}

// adminListSize is how many rows an admin list shows a page.
const adminListSize = 50

// recentCorrections serves /admin/corrections/: the newest notes across articles, ?page=n.
func (s *Server) recentCorrections(r *http.Request, staff *byline.Staff) (*response, error) {
	n := 1
	if v := r.URL.Query().Get("page"); v != "" {
		var ok bool
		if n, ok = parsePage(v); !ok {
			return nil, notFound()
		}
	}
	list, err := s.corrections.Recent(r.Context(), staff, (n-1)*adminListSize, adminListSize+1)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 && n > 1 {
		return nil, notFound()
	}
	names, err := s.staffNames(r)
	if err != nil {
		return nil, err
	}
	data := correctionsData{Notes: list, Names: names}
	if len(list) > adminListSize {
		data.Notes = list[:adminListSize]
		data.NextURL = fmt.Sprintf("/admin/corrections/?page=%d", n+1)
	}
	switch {
	case n == 2:
		data.PrevURL = "/admin/corrections/"
	case n > 2:
		data.PrevURL = fmt.Sprintf("/admin/corrections/?page=%d", n-1)
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "corrections", Title: "Corrections and updates",
		Section: "corrections", Staff: staff, Data: data})
}

// staffNames maps every staff account's id to its name, for lists that say who did what
// ("—" for an id not in it: the account is gone).
func (s *Server) staffNames(r *http.Request) (map[int64]string, error) {
	list, err := s.staff.Store.FindStaff(r.Context())
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(list))
	for _, st := range list {
		names[st.ID] = st.Name
	}
	return names, nil
}

// queryWith is the address path with the query values that are not empty.
func queryWith(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
