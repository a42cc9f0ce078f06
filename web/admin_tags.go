package web

import (
	"net/http"
	"strconv"

	"byline"
)

// Tags and authors: the names and texts readers see on section and author pages. Editors
// and above edit them (byline.ActionTags); new ones come from the editor's fields.

// tagsAdmin registers the tags and authors pages.
func (s *Server) tagsAdmin(m adminMux) {
	if s.desk == nil {
		return
	}
	m.staff("GET /admin/tags/{$}", s.adminTags)
	m.staff("GET /admin/tags/{id}", s.adminTag("tag"))
	m.staff("POST /admin/tags/{id}", s.adminSaveTag("tag"))
	m.staff("GET /admin/authors/{id}", s.adminTag("author"))
	m.staff("POST /admin/authors/{id}", s.adminSaveTag("author"))
}

// tagsData is what the tags page shows.
type tagsData struct {
	Tags    []*byline.Tag
	Authors []*byline.Author
}

// adminTags lists the tags and authors.
func (s *Server) adminTags(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionTags) {
		return nil, byline.Forbidden("edit tags and authors")
	}
	d := &tagsData{}
	var err error
	if d.Tags, err = s.desk.Store.FindTags(r.Context()); err != nil {
		return nil, err
	}
	if d.Authors, err = s.desk.Store.FindAuthors(r.Context()); err != nil {
		return nil, err
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "tags", Title: "Tags and authors", Section: "tags", Staff: staff, Data: d,
		Notice: map[string]string{"saved": "Saved: pages that show it are made again."}[r.URL.Query().Get("done")]})
}

// tagData is what a tag's or author's page shows.
type tagData struct {
	Kind  string // "tag" or "author"
	ID    int64
	Slug  string
	Name  string
	About string
}

// adminTag shows a tag's or an author's form.
func (s *Server) adminTag(kind string) staffHandler {
	return func(r *http.Request, staff *byline.Staff) (*response, error) {
		if !staff.Can(byline.ActionTags) {
			return nil, byline.Forbidden("edit tags and authors")
		}
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		d := &tagData{Kind: kind, ID: id}
		if kind == "tag" {
			t, err := s.desk.Store.FindTagByID(r.Context(), id)
			if err != nil {
				return nil, orNotFound(err)
			}
			d.Slug, d.Name, d.About = t.Slug, t.Name, t.Description
		} else {
			au, err := s.desk.Store.FindAuthorByID(r.Context(), id)
			if err != nil {
				return nil, orNotFound(err)
			}
			d.Slug, d.Name, d.About = au.Slug, au.Name, au.Bio
		}
		return s.adminPage(r, http.StatusOK, &adminData{Page: "tag", Title: d.Name, Section: "tags", Staff: staff, Data: d})
	}
}

// adminSaveTag saves a tag's or an author's form.
func (s *Server) adminSaveTag(kind string) staffHandler {
	return func(r *http.Request, staff *byline.Staff) (*response, error) {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		if err := parseForm(r); err != nil {
			return nil, err
		}
		name, about := r.PostForm.Get("name"), r.PostForm.Get("about")
		w := who(r, staff)
		if kind == "tag" {
			_, err = s.desk.EditTag(r.Context(), w, id, name, about)
		} else {
			_, err = s.desk.EditAuthor(r.Context(), w, id, name, about)
		}
		if code := byline.ErrorCode(err); code == byline.EINVALID {
			d := &tagData{Kind: kind, ID: id, Name: name, About: about}
			return s.adminPage(r, http.StatusUnprocessableEntity, &adminData{Page: "tag", Title: "Edit " + kind, Section: "tags", Staff: staff, Data: d, Error: byline.ErrorMessage(err)})
		} else if err != nil {
			return nil, orNotFound(err)
		}
		return redirect("/admin/tags/?done=saved#" + kind + "-" + strconv.FormatInt(id, 10)), nil
	}
}
