package web

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"byline"
	"byline/markdown"
	"byline/publishing"
)

// The newsroom's articles: the lists, the editor (save, autosave, publish, schedule,
// unpublish, delete), revisions, preview links, the live preview and pasting. The desk
// (publishing.Desk) decides what each staff member may do; this file only shows it.

// deskPageSize is how many articles a list page shows.
const deskPageSize = 50

// articleAdmin registers the editor's routes.
func (s *Server) articleAdmin(m adminMux) {
	if s.desk == nil {
		return
	}
	m.staff("GET /admin/articles/{$}", s.adminArticles)
	m.staff("GET /admin/articles/new", s.adminNewArticle)
	m.staff("POST /admin/articles/{$}", s.adminCreateArticle)
	m.staff("GET /admin/articles/{id}", s.adminEditArticle)
	m.staff("POST /admin/articles/{id}", s.adminSaveArticle)
	m.staff("GET /admin/articles/{id}/delete", s.adminDeleteArticlePage)
	m.staff("POST /admin/articles/{id}/delete", s.adminDeleteArticle)
	m.staff("GET /admin/articles/{id}/revisions", s.adminRevisions)
	m.staff("GET /admin/revisions/{id}", s.adminRevision)
	m.staff("POST /admin/revisions/{id}/restore", s.adminRestoreRevision)
	m.staff("POST /admin/articles/{id}/preview-link", s.adminPreviewLink)
	m.staff("POST /admin/articles/{id}/preview-link/revoke", s.adminRevokePreview)
	m.staff("POST /admin/preview", s.adminLivePreview)
	m.staff("POST /admin/paste", s.adminPaste)
}

// pathArticle returns the article the address's {id} names, or a 404.
func (s *Server) pathArticle(r *http.Request) (*byline.Article, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	a, err := s.desk.Store.FindArticleByID(r.Context(), id)
	return a, orNotFound(err)
}

// mayOpen reports whether the staff member may open the article in the editor: to change
// it, or, their own, to read it.
func mayOpen(staff *byline.Staff, a *byline.Article) bool {
	return publishing.MayEdit(staff, a) || a.CreatedBy != 0 && a.CreatedBy == staff.ID
}

// who is the staff member acting, for the desk.
func who(r *http.Request, staff *byline.Staff) publishing.Who {
	return publishing.Who{Staff: staff, IP: clientIP(r)}
}

// articlesData is what the list of articles shows.
type articlesData struct {
	List     []*byline.Article
	Counts   byline.DeskCounts
	State    string
	Author   string
	Tag      string
	Query    string
	Mine     bool // the list shows only the staff member's own articles
	Authors  []*byline.Author
	Tags     []*byline.Tag
	Page     int
	PrevURL  string
	NextURL  string
	Now      time.Time
	Location *time.Location
}

// adminArticles lists articles with filters by state, author, tag and words. Staff who may
// not edit everyone's articles see their own.
func (s *Server) adminArticles(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionWrite) {
		return nil, byline.Forbidden("see the articles")
	}
	ctx := r.Context()
	q := r.URL.Query()
	d := &articlesData{State: q.Get("state"), Author: q.Get("author"), Tag: q.Get("tag"), Query: strings.TrimSpace(q.Get("q")), Page: 1, Now: s.now()}
	switch d.State {
	case "", "draft", "scheduled", "published":
	default:
		d.State = ""
	}
	if len(d.Query) > 200 {
		d.Query = d.Query[:200]
	}
	if p := q.Get("page"); p != "" {
		n, ok := parseNumber(p, 1, 100_000)
		if !ok {
			return nil, notFound()
		}
		d.Page = n
	}
	f := byline.DeskFilter{State: d.State, Now: d.Now, AuthorSlug: d.Author, TagSlug: d.Tag, Query: d.Query,
		Offset: (d.Page - 1) * deskPageSize, Limit: deskPageSize + 1}
	if !staff.Can(byline.ActionEditAny) {
		f.CreatedBy, d.Mine = staff.ID, true
	}
	var err error
	if d.List, err = s.desk.Store.FindDeskArticles(ctx, f); err != nil {
		return nil, err
	}
	if d.Counts, err = s.desk.Store.CountDesk(ctx, d.Now, f.CreatedBy); err != nil {
		return nil, err
	}
	if d.Authors, err = s.desk.Store.FindAuthors(ctx); err != nil {
		return nil, err
	}
	if d.Tags, err = s.desk.Store.FindTags(ctx); err != nil {
		return nil, err
	}
	page := func(n int) string {
		v := url.Values{}
		for k, val := range map[string]string{"state": d.State, "author": d.Author, "tag": d.Tag, "q": d.Query} {
			if val != "" {
				v.Set(k, val)
			}
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return "/admin/articles/"
		}
		return "/admin/articles/?" + v.Encode()
	}
	if len(d.List) > deskPageSize {
		d.List, d.NextURL = d.List[:deskPageSize], page(d.Page+1)
	}
	if d.Page > 1 {
		d.PrevURL = page(d.Page - 1)
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "articles", Title: "Articles", Section: "articles", Staff: staff, Data: d,
		Notice: noticeOf(q.Get("done"))})
}

// noticeOf is the message a redirect after an action names.
func noticeOf(done string) string {
	return map[string]string{
		"saved": "Saved.", "published": "Published: the article is on the site.", "scheduled": "Scheduled.",
		"unpublished": "Unpublished: the article is a draft again, off the site.", "deleted": "The article was deleted.",
		"restored": "The revision was restored as a new save.", "revoked": "Every preview link of this article stopped working.",
	}[done]
}

// editorData is what the editor shows.
type editorData struct {
	Article     *byline.Article // nil for a new article
	Edit        publishing.Edit
	AuthorsText string
	TagsText    string
	Version     int64
	State       string // "new", "draft", "scheduled" or "published"
	PublishAt   string // the scheduled time, as a datetime-local value in the newsroom's zone
	Field       string // the field a refusal concerns
	CanPublish  bool
	CanDelete   bool
	CanEdit     bool
	Authors     []*byline.Author
	Tags        []*byline.Tag
	PreviewURL  string // a preview link just made: shown once
	Previews    int
	PublicURL   string
	Revisions   []*byline.Revision
	ImageURL    string
	Zone        string
}

// adminNewArticle shows an empty editor, the byline already the writer's.
func (s *Server) adminNewArticle(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionWrite) {
		return nil, byline.Forbidden("write articles")
	}
	e := publishing.Edit{Authors: []string{staff.Name}, CommentsOpen: true, Visibility: byline.VisibilityPublic}
	// From a photo's page: the new article starts with it as its lead photo.
	if hash := r.URL.Query().Get("image"); isHex(hash) {
		if p, err := s.store.FindPhotoByHash(r.Context(), hash); err == nil && !p.Expired(s.now()) {
			e.Image, e.ImageAlt, e.ImageCaption, e.ImageCredit = p.Hash, p.Alt, p.Caption, p.Credit
			if p.Source != "" && !strings.Contains(p.Credit, p.Source) {
				e.ImageCredit = strings.TrimPrefix(p.Credit+" / "+p.Source, " / ")
			}
		} else if byline.ErrorCode(err) != byline.ENOTFOUND {
			return nil, err
		}
	}
	return s.editor(r, staff, http.StatusOK, nil, e, &adminData{})
}

// editor renders the editor for the article (nil: a new one) with the edit in its fields.
func (s *Server) editor(r *http.Request, staff *byline.Staff, status int, a *byline.Article, e publishing.Edit, ad *adminData) (*response, error) {
	ctx := r.Context()
	site, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	loc := zone(site)
	d := &editorData{Edit: e, AuthorsText: strings.Join(e.Authors, ", "), TagsText: strings.Join(e.Tags, ", "),
		State: "new", CanEdit: staff.Can(byline.ActionWrite), Zone: loc.String()}
	if a != nil {
		d.Article, d.Version, d.CanEdit = a, a.Version, publishing.MayEdit(staff, a)
		d.CanPublish, d.CanDelete = publishing.MayPublish(staff, a), publishing.MayDelete(staff, a)
		switch {
		case a.Scheduled(s.now()):
			d.State = "scheduled"
			d.PublishAt = a.PublishedAt.In(loc).Format("2006-01-02T15:04")
		case a.Status == byline.StatusPublished:
			d.State, d.PublicURL = "published", "/"+a.Slug+"/"
		default:
			d.State = "draft"
		}
		if d.Previews, err = s.desk.Store.CountPreviewLinks(ctx, a.ID); err != nil {
			return nil, err
		}
		if d.Revisions, err = s.desk.Store.FindRevisions(ctx, a.ID, 5); err != nil {
			return nil, err
		}
	} else {
		d.CanPublish = staff.Can(byline.ActionPublishOwn)
	}
	if e.Image != "" {
		if img, err := s.desk.Store.FindImageByHash(ctx, e.Image); err == nil {
			d.ImageURL = srcURL(img, 640)
		}
	}
	if d.Authors, err = s.desk.Store.FindAuthors(ctx); err != nil {
		return nil, err
	}
	if d.Tags, err = s.desk.Store.FindTags(ctx); err != nil {
		return nil, err
	}
	ad.Page, ad.Staff, ad.Data, ad.Section = "editor", staff, d, "articles"
	ad.Title = "New article"
	if a != nil {
		ad.Title = "Edit: " + a.Title
	} else {
		ad.Section = "new"
	}
	return s.adminPage(r, status, ad)
}

// zone is the newsroom's time zone.
func zone(site byline.Settings) *time.Location {
	loc, err := time.LoadLocation(site.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// editOf reads the editor's form.
func editOf(r *http.Request) publishing.Edit {
	f := r.PostForm
	names := func(s string) []string {
		var out []string
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, n)
			}
		}
		return out
	}
	return publishing.Edit{Title: f.Get("title"), Slug: f.Get("slug"), Standfirst: f.Get("standfirst"),
		Body: strings.ReplaceAll(f.Get("body"), "\r\n", "\n"), Authors: names(f.Get("authors")), Tags: names(f.Get("tags")),
		Visibility: byline.Visibility(f.Get("visibility")), Featured: f.Get("featured") == "1",
		CommentsOpen: f.Get("comments_open") == "1", Image: f.Get("image"), ImageAlt: f.Get("image_alt"),
		ImageCaption: f.Get("image_caption"), ImageCredit: f.Get("image_credit"), MetaTitle: f.Get("meta_title"),
		MetaDescription: f.Get("meta_description"), Canonical: f.Get("canonical_url")}
}

// parseEditorForm reads the editor's form, which may carry a whole article (the body alone
// up to byline.MaxBodyBytes).
func parseEditorForm(r *http.Request) error {
	if r.Body == nil {
		return byline.Errorf(byline.EINVALID, "The form is empty.")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, byline.MaxBodyBytes+maxForm)
	if err := r.ParseForm(); err != nil {
		return byline.Errorf(byline.EINVALID, "The form could not be read (the article may be over %d KB).", byline.MaxBodyBytes>>10)
	}
	return nil
}

// wantsJSON reports whether the editor's script sent the form (autosave) and reads JSON.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// savedJSON is what an autosave answers.
type savedJSON struct {
	ID      int64  `json:"id"`
	Version int64  `json:"version"`
	URL     string `json:"url"`
	Message string `json:"message"`
	Error   string `json:"error,omitempty"`
	Field   string `json:"field,omitempty"`
}

// refusal answers a refused save: the form again with the message beside its field, or JSON
// for the script. Errors that are not the editor's to fix travel on.
func (s *Server) refusal(r *http.Request, staff *byline.Staff, a *byline.Article, e publishing.Edit, err error) (*response, error) {
	code := byline.ErrorCode(err)
	if code != byline.EINVALID && code != byline.ECONFLICT && code != byline.EFORBIDDEN {
		return nil, err
	}
	if wantsJSON(r) {
		return adminJSON(statusOf(code), savedJSON{Error: byline.ErrorMessage(err), Field: byline.ErrorField(err)})
	}
	if code == byline.EFORBIDDEN || a != nil && !mayOpen(staff, a) {
		return nil, err // the editor, with the stored article, only for those who may open it
	}
	ad := &adminData{Error: byline.ErrorMessage(err)}
	res, rerr := s.editor(r, staff, statusOf(code), a, e, ad)
	if rerr == nil {
		res.body = bytes.Replace(res.body, []byte(`data-field=""`), []byte(`data-field="`+byline.ErrorField(err)+`"`), 1)
	}
	return res, rerr
}

// adminCreateArticle creates a draft from the form (the first save or autosave of a new
// article).
func (s *Server) adminCreateArticle(r *http.Request, staff *byline.Staff) (*response, error) {
	if err := parseEditorForm(r); err != nil {
		return nil, err
	}
	e := editOf(r)
	a, err := s.desk.Create(r.Context(), who(r, staff), e)
	if err != nil {
		return s.refusal(r, staff, nil, e, err)
	}
	url := "/admin/articles/" + strconv.FormatInt(a.ID, 10)
	if wantsJSON(r) {
		return adminJSON(http.StatusCreated, savedJSON{ID: a.ID, Version: a.Version, URL: url, Message: "Saved as a draft at " + s.clock(r, a.UpdatedAt) + "."})
	}
	switch r.PostForm.Get("action") {
	case "publish", "schedule":
		// Writing and publishing in one go: the draft exists now; publish it as the form asks.
		r.SetPathValue("id", strconv.FormatInt(a.ID, 10))
		r.PostForm.Set("version", strconv.FormatInt(a.Version, 10))
		return s.adminSaveArticle(r, staff)
	}
	return redirect(url + "?done=saved"), nil
}

// clock formats a time for the editor's messages in the newsroom's zone.
func (s *Server) clock(r *http.Request, t time.Time) string {
	site, err := s.settings(r.Context())
	if err != nil {
		return t.UTC().Format("15:04:05") + " UTC"
	}
	return t.In(zone(site)).Format("15:04:05")
}

// adminEditArticle shows the editor for an article.
func (s *Server) adminEditArticle(r *http.Request, staff *byline.Staff) (*response, error) {
	a, err := s.pathArticle(r)
	if err != nil {
		return nil, err
	}
	if !mayOpen(staff, a) {
		return nil, byline.Forbidden("open this article")
	}
	ad := &adminData{Notice: noticeOf(r.URL.Query().Get("done"))}
	return s.editor(r, staff, http.StatusOK, a, publishing.EditOf(a), ad)
}

// adminSaveArticle saves the editor's form: a save or an autosave, publish, schedule or
// unpublish, as its action says.
func (s *Server) adminSaveArticle(r *http.Request, staff *byline.Staff) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if r.PostForm == nil {
		if err := parseEditorForm(r); err != nil {
			return nil, err
		}
	}
	ctx := r.Context()
	from, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || from < 1 {
		return nil, byline.Errorf(byline.EINVALID, "The form does not say which version of the article it edits: reload the article.")
	}
	e := editOf(r)
	w := who(r, staff)
	// Who may do what is the desk's to decide; asking here too, before anything else is read
	// from the form, keeps a refusal about the form (a bad time) from showing the stored
	// article to someone who may not see it.
	stored, err := s.desk.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, orNotFound(err)
	}
	action := r.PostForm.Get("action")
	switch action {
	case "publish", "schedule", "unpublish":
		if !publishing.MayPublish(staff, stored) {
			return s.refusal(r, staff, stored, e, byline.Forbidden("publish this article: save it as a draft and ask an editor"))
		}
	default:
		if !publishing.MayEdit(staff, stored) {
			return s.refusal(r, staff, stored, e, byline.Forbidden("edit this article"))
		}
	}
	var a *byline.Article
	done := "saved"
	switch action {
	case "", "save", "autosave":
		a, err = s.desk.Save(ctx, w, id, from, e, action == "autosave")
	case "publish":
		a, err = s.desk.Publish(ctx, w, id, from, e, time.Time{})
		done = "published"
	case "schedule":
		var at time.Time
		if at, err = s.publishTime(r); err == nil {
			a, err = s.desk.Publish(ctx, w, id, from, e, at)
			done = "scheduled"
		}
	case "unpublish":
		a, err = s.desk.Unpublish(ctx, w, id, from)
		done = "unpublished"
	default:
		return nil, byline.Errorf(byline.EINVALID, "The editor does not know the action %q.", action)
	}
	if err != nil {
		stored, ferr := s.desk.Store.FindArticleByID(ctx, id)
		if ferr != nil {
			return nil, orNotFound(ferr)
		}
		if byline.ErrorCode(err) == byline.ECONFLICT {
			// The form keeps what this editor wrote; the version stays theirs, so that a
			// second click is refused again until they reload.
			stored.Version = from
		}
		return s.refusal(r, staff, stored, e, err)
	}
	url := "/admin/articles/" + strconv.FormatInt(a.ID, 10)
	if wantsJSON(r) {
		msg := "Saved at " + s.clock(r, s.now()) + "."
		if a.Status == byline.StatusPublished && r.PostForm.Get("action") == "autosave" {
			msg = "Changes kept at " + s.clock(r, s.now()) + " (not yet on the site: press Update to publish them)."
		}
		return adminJSON(http.StatusOK, savedJSON{ID: a.ID, Version: a.Version, URL: url, Message: msg})
	}
	return redirect(url + "?done=" + done), nil
}

// publishTime reads the schedule's time, given in the newsroom's time zone.
func (s *Server) publishTime(r *http.Request) (time.Time, error) {
	site, err := s.settings(r.Context())
	if err != nil {
		return time.Time{}, err
	}
	v := strings.TrimSpace(r.PostForm.Get("publish_at"))
	t, err := time.ParseInLocation("2006-01-02T15:04", v, zone(site))
	if err != nil {
		return time.Time{}, byline.WithField(byline.Errorf(byline.EINVALID, "Give the date and time to publish at, such as 2026-03-02 08:30."), "publish_at")
	}
	if !t.After(s.now()) {
		return time.Time{}, byline.WithField(byline.Errorf(byline.EINVALID, "%s has passed: to publish now, press Publish now.", t.Format("2 January 2006, 15:04")), "publish_at")
	}
	return t, nil
}

// adminDeleteArticlePage asks for confirmation before deleting.
func (s *Server) adminDeleteArticlePage(r *http.Request, staff *byline.Staff) (*response, error) {
	a, err := s.pathArticle(r)
	if err != nil {
		return nil, err
	}
	if !publishing.MayDelete(staff, a) {
		return nil, byline.Forbidden("delete this article")
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "delete", Title: "Delete “" + a.Title + "”?", Section: "articles", Staff: staff, Data: a})
}

// adminDeleteArticle deletes an article once confirmed.
func (s *Server) adminDeleteArticle(r *http.Request, staff *byline.Staff) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if err := parseForm(r); err != nil {
		return nil, err
	}
	if r.PostForm.Get("confirm") != "yes" {
		return redirect("/admin/articles/" + strconv.FormatInt(id, 10) + "/delete"), nil
	}
	if err := s.desk.Delete(r.Context(), who(r, staff), id); err != nil {
		return nil, orNotFound(err)
	}
	return redirect("/admin/articles/?done=deleted"), nil
}

// revisionsData is what the list of an article's revisions shows.
type revisionsData struct {
	Article   *byline.Article
	Revisions []*byline.Revision
}

// adminRevisions lists an article's revisions.
func (s *Server) adminRevisions(r *http.Request, staff *byline.Staff) (*response, error) {
	a, err := s.pathArticle(r)
	if err != nil {
		return nil, err
	}
	if !mayOpen(staff, a) {
		return nil, byline.Forbidden("see this article's revisions")
	}
	revs, err := s.desk.Store.FindRevisions(r.Context(), a.ID, 200)
	if err != nil {
		return nil, err
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "revisions", Title: "Revisions of “" + a.Title + "”", Section: "articles", Staff: staff,
		Data: &revisionsData{Article: a, Revisions: revs}})
}

// revisionData is what one revision's page shows: its differences from the article now.
type revisionData struct {
	Article  *byline.Article
	Revision *byline.Revision
	Changes  []fieldDiff
	CanEdit  bool
}

// adminRevision shows a revision against the article as it is, field by field.
func (s *Server) adminRevision(r *http.Request, staff *byline.Staff) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	rev, err := s.desk.Store.FindRevision(r.Context(), id)
	if err != nil {
		return nil, orNotFound(err)
	}
	a, err := s.desk.Store.FindArticleByID(r.Context(), rev.ArticleID)
	if err != nil {
		return nil, orNotFound(err)
	}
	if !mayOpen(staff, a) {
		return nil, byline.Forbidden("see this article's revisions")
	}
	d := &revisionData{Article: a, Revision: rev, Changes: diffArticles(rev.Article, a), CanEdit: publishing.MayEdit(staff, a)}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "revision", Title: "Revision of “" + a.Title + "”", Section: "articles", Staff: staff, Data: d})
}

// adminRestoreRevision makes a revision the article's text again.
func (s *Server) adminRestoreRevision(r *http.Request, staff *byline.Staff) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if err := parseForm(r); err != nil {
		return nil, err
	}
	from, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil {
		return nil, byline.Errorf(byline.EINVALID, "The form does not say which version of the article it restores over: reload the page.")
	}
	a, err := s.desk.Restore(r.Context(), who(r, staff), id, from)
	if err != nil {
		return nil, orNotFound(err)
	}
	return redirect("/admin/articles/" + strconv.FormatInt(a.ID, 10) + "?done=restored"), nil
}

// adminPreviewLink makes a secret preview link and shows it once in the editor.
func (s *Server) adminPreviewLink(r *http.Request, staff *byline.Staff) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if err := parseEditorForm(r); err != nil {
		return nil, err
	}
	token, err := s.desk.PreviewLink(r.Context(), who(r, staff), id)
	if err != nil {
		return nil, orNotFound(err)
	}
	a, err := s.desk.Store.FindArticleByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	ad := &adminData{Notice: "Anyone with this link can read the article as it is saved, until you revoke it."}
	res, err := s.editor(r, staff, http.StatusOK, a, publishing.EditOf(a), ad)
	if err != nil {
		return nil, err
	}
	// The link appears in this one response, which nothing caches.
	link := s.baseURL + "/preview/" + token
	res.body = bytes.Replace(res.body, []byte(`data-preview-link=""`), []byte(`data-preview-link="`+link+`"`), 1)
	res.body = bytes.Replace(res.body, []byte(`<output id="preview-link"></output>`), []byte(`<output id="preview-link">`+link+`</output>`), 1)
	return res, nil
}

// adminRevokePreview ends every preview link of an article.
func (s *Server) adminRevokePreview(r *http.Request, staff *byline.Staff) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if err := s.desk.RevokePreviews(r.Context(), who(r, staff), id); err != nil {
		return nil, orNotFound(err)
	}
	return redirect("/admin/articles/" + strconv.FormatInt(id, 10) + "?done=revoked"), nil
}

// adminLivePreview renders the editor's unsaved form as the public article page renders it,
// for the preview beside the editor.
func (s *Server) adminLivePreview(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionWrite) {
		return nil, byline.Forbidden("preview articles")
	}
	if err := parseEditorForm(r); err != nil {
		return nil, err
	}
	e := editOf(r)
	a := &byline.Article{Title: e.Title, Standfirst: e.Standfirst, Body: e.Body, Status: byline.StatusPublished,
		Visibility: e.Visibility, ImageAlt: e.ImageAlt, ImageCaption: e.ImageCaption, ImageCredit: e.ImageCredit,
		PublishedAt: s.now(), UpdatedAt: s.now(), Slug: "preview"}
	if a.Visibility == "" {
		a.Visibility = byline.VisibilityPublic
	}
	for _, n := range e.Authors {
		a.Authors = append(a.Authors, &byline.Author{Name: n, Slug: publishing.Slugify(n)})
	}
	for _, n := range e.Tags {
		a.Tags = append(a.Tags, &byline.Tag{Name: n, Slug: publishing.Slugify(n)})
	}
	if e.Image != "" {
		if img, err := s.desk.Store.FindImageByHash(r.Context(), e.Image); err == nil {
			a.Image = img
		}
	}
	var err error
	if a.BodyHTML, a.TeaserHTML, err = s.desk.Markdown.RenderArticle(a.Body); err != nil {
		if byline.ErrorCode(err) != byline.EINVALID {
			return nil, err
		}
		a.BodyHTML = "<p><strong>" + html.EscapeString(byline.ErrorMessage(err)) + "</strong></p>"
	}
	return s.previewPage(r, a, true)
}

// pasteSlots bounds the pastes one node converts at once: a paste of hostile markup at the
// limit takes a second and some hundreds of MB.
var pasteSlots = make(chan struct{}, 2)

// adminPaste turns pasted HTML into Markdown for the editor's script.
func (s *Server) adminPaste(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionWrite) {
		return nil, byline.Forbidden("write articles")
	}
	if r.Body == nil {
		return nil, byline.Errorf(byline.EINVALID, "Nothing was pasted.")
	}
	src, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, markdown.MaxPaste+1))
	if err != nil {
		return adminJSON(http.StatusRequestEntityTooLarge, map[string]string{"error": fmt.Sprintf("The pasted text is over %d KB with its formatting: paste it in parts.", markdown.MaxPaste>>10)})
	}
	select {
	case pasteSlots <- struct{}{}:
		defer func() { <-pasteSlots }()
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	md, err := markdown.FromHTML(string(src))
	if err != nil {
		return adminJSON(statusOf(byline.ErrorCode(err)), map[string]string{"error": byline.ErrorMessage(err)})
	}
	return adminJSON(http.StatusOK, map[string]string{"markdown": md})
}
