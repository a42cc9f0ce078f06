package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"byline"
	"byline/media"
)

// The photo library: upload (a form, or a script asking for JSON), the library with its
// search and its list of expired and soon-to-expire rights, the picker's JSON, and each
// photo's page where the desk corrects what the file said. Staff who write (ActionWrite) see
// the library, upload and edit their own photos; editing others' needs ActionPhotos.

// photosPerPage is the length of a page of the library and of the picker.
const photosPerPage = 24

// expiryWarning is how far ahead the library lists photos whose rights are ending.
const expiryWarning = 30 * 24 * time.Hour

// maxUploadForm bounds an upload's request: the photo and a few short fields.
const maxUploadForm = media.MaxBytes + 256<<10

// photoSlots bounds the uploads one node decodes at once: a photo may take 200 MB decoded.
var photoSlots = make(chan struct{}, 2)

// uploadBuffers bounds the uploads one node reads into memory at once (each up to
// maxUploadForm, before it waits for one of photoSlots): a slow connection holds its buffer
// for as long as it sends, up to uploadReadTimeout, and a crowd of them must not fill memory.
var uploadBuffers = make(chan struct{}, 8)

// uploadBufferWait is how long an upload waits for one of uploadBuffers before it is turned
// away with 503.
var uploadBufferWait = 30 * time.Second

// uploadReadTimeout is how long an upload's body may take to arrive, once its sender is
// known to be staff: 30 MB at 1 Mbit/s. The server's own read timeout (30 s), which every
// other request keeps, would cut off a large photo sent from a slow connection.
var uploadReadTimeout = 5 * time.Minute

// uploadControl is the request context's key for the upload's http.ResponseController.
type uploadControl struct{}

// upload registers a staff route that receives a photo: as staff does, and with the
// response's controller in the request's context, so that the handler can give the body a
// longer read deadline once it knows who sends it (extendUpload). A stranger's request
// keeps the server's timeouts.
func (m adminMux) upload(pattern string, h staffHandler) {
	inner := m.protect.Handler(m.s.handle(m.s.staffOnly(h)))
	m.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), uploadControl{}, http.NewResponseController(w))
		inner.ServeHTTP(w, r.WithContext(ctx))
	}))
}

// extendUpload gives the upload's body uploadReadTimeout from now to arrive, and its answer
// a minute more to be written.
func extendUpload(r *http.Request) {
	rc, ok := r.Context().Value(uploadControl{}).(*http.ResponseController)
	if !ok {
		return
	}
	// A writer that cannot (http.ErrNotSupported) keeps the server's timeouts: the upload
	// still works from a fast connection.
	rc.SetReadDeadline(time.Now().Add(uploadReadTimeout))
	rc.SetWriteDeadline(time.Now().Add(uploadReadTimeout + time.Minute))
}

// photosData is what the library's pages show.
type photosData struct {
	Photos   []*byline.Photo
	Expiring []*byline.Photo // expired, then soon to expire
	Query    string
	Total    int
	Page     int
	PrevURL  string
	NextURL  string
	Photo    *byline.Photo // the photo's page
	Form     photoForm
	Errors   map[string]string
	CanEdit  bool
	Uploader string
	Now      time.Time
	Soon     time.Time
	loc      *time.Location
}

// photoForm is the photo's form as sent, kept after a refusal.
type photoForm struct {
	Caption, Credit, Source, Copyright, Alt string
	Expires                                 string // YYYY-MM-DD, in the newsroom's time zone
}

// Thumb is the address of a photo's smallest variant for the admin's pages, which serve it
// whatever its rights (the desk must see what it replaces).
func (d *photosData) Thumb(p *byline.Photo) string {
	return fmt.Sprintf("/admin/photos/%d/%d.jpg", p.ID, media.Widths(p.Width)[0])
}

// Widths are the variant widths of the photo on its page, smallest first.
func (d *photosData) Widths() []int {
	ws := media.Widths(d.Photo.Width)
	// The page shows the photo up to 960 pixels wide: the variant that fits.
	for i := len(ws) - 1; i > 0; i-- {
		if ws[i] <= 960 {
			return ws[i:]
		}
	}
	return ws
}

// Day formats a time as a date in the newsroom's time zone.
func (d *photosData) Day(t time.Time) string { return t.In(d.loc).Format("2 January 2006") }

// photosAdmin registers the library's routes.
func (s *Server) photosAdmin(m adminMux) {
	m.staff("GET /admin/photos/{$}", s.photoLibrary)
	m.staff("GET /admin/photos.json", s.photoPicker)
	m.upload("POST /admin/photos", s.uploadPhoto)
	m.upload("POST /admin/photos/{$}", s.uploadPhoto)
	m.staff("GET /admin/photos/{id}", s.photoPage)
	m.staff("POST /admin/photos/{id}", s.savePhoto)
	m.staff("GET /admin/photos/{id}/{file}", s.photoPreview)
}

// location returns the newsroom's time zone.
func (s *Server) location(r *http.Request) (*time.Location, error) {
	site, err := s.settings(r.Context())
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(site.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return loc, nil
}

// libraryPage reads the query and page number of the library and the picker.
func libraryPage(r *http.Request) (q string, page int, err error) {
	q = strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	page = 1
	if p := r.URL.Query().Get("page"); p != "" {
		n, ok := parseNumber(p, 1, 100_000)
		if !ok {
			return "", 0, byline.Errorf(byline.ENOTFOUND, "There is no page %q of the library.", p)
		}
		page = n
	}
	return q, page, nil
}

// photoLibrary serves the library: the upload form, the photos whose rights end within 30
// days (or have ended), and the photos, newest first, searched by caption, credit and alt.
func (s *Server) photoLibrary(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionWrite) {
		return nil, byline.Forbidden("see the photo library")
	}
	a := &adminData{}
	switch r.URL.Query().Get("done") {
	case "saved":
		a.Notice = "The photo was saved."
	}
	return s.libraryPage(r, staff, a, http.StatusOK)
}

func (s *Server) libraryPage(r *http.Request, staff *byline.Staff, a *adminData, status int) (*response, error) {
	ctx := r.Context()
	q, page, err := libraryPage(r)
	if err != nil {
		return nil, err
	}
	loc, err := s.location(r)
	if err != nil {
		return nil, err
	}
	now := s.now()
	d := &photosData{Query: q, Page: page, Now: now, Soon: now.Add(expiryWarning), loc: loc}
	d.Photos, d.Total, err = s.store.FindPhotos(ctx, byline.PhotoFilter{Query: q, Offset: (page - 1) * photosPerPage, Limit: photosPerPage})
	if err != nil {
		return nil, err
	}
	if len(d.Photos) == 0 && page > 1 {
		return nil, notFound()
	}
	pageURL := func(n int) string {
		v := url.Values{}
		if q != "" {
			v.Set("q", q)
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return "/admin/photos/"
		}
		return "/admin/photos/?" + v.Encode()
	}
	if page > 1 {
		d.PrevURL = pageURL(page - 1)
	}
	if page*photosPerPage < d.Total {
		d.NextURL = pageURL(page + 1)
	}
	if d.Expiring, err = s.store.FindExpiringPhotos(ctx, d.Soon, 100); err != nil {
		return nil, err
	}
	a.Page, a.Title, a.Section, a.Staff, a.Data = "photos", "Photos", "photos", staff, d
	return s.adminPage(r, status, a)
}

// photoJSON is a photo as the editor's scripts read it.
type photoJSON struct {
	ID        int64  `json:"id"`
	Hash      string `json:"hash"`
	URL       string `json:"url"`   // the public variant for the editor's preview (404 once expired)
	Thumb     string `json:"thumb"` // the admin's thumbnail, served whatever the rights
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Mime      string `json:"mime"`
	Alt       string `json:"alt"`
	Caption   string `json:"caption"`
	Credit    string `json:"credit"`
	Source    string `json:"source"`
	Copyright string `json:"copyright"`
	// RightsExpireAt is RFC 3339 in UTC, or null; Expired says whether it has passed.
	RightsExpireAt *string `json:"rights_expire_at"`
	Expired        bool    `json:"expired"`
	Created        bool    `json:"created,omitempty"` // an upload: false when the file was already in the library
}

func (s *Server) photoJSON(p *byline.Photo) photoJSON {
	j := photoJSON{ID: p.ID, Hash: p.Hash, URL: srcURL(&p.Image, 960), Thumb: (&photosData{}).Thumb(p),
		Width: p.Width, Height: p.Height, Mime: p.Mime, Alt: p.Alt, Caption: p.Caption, Credit: p.Credit,
		Source: p.Source, Copyright: p.Copyright, Expired: p.Expired(s.now())}
	if !p.RightsExpireAt.IsZero() {
		t := p.RightsExpireAt.UTC().Format(time.RFC3339)
		j.RightsExpireAt = &t
	}
	return j
}

// photoPicker serves GET /admin/photos.json?q=&page=: a page of the library for the
// editor's picker.
func (s *Server) photoPicker(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionWrite) {
		return adminJSON(http.StatusForbidden, map[string]string{"error": byline.ErrorMessage(byline.Forbidden("see the photo library"))})
	}
	q, page, err := libraryPage(r)
	if err != nil {
		return adminJSON(http.StatusNotFound, map[string]string{"error": byline.ErrorMessage(err)})
	}
	list, total, err := s.store.FindPhotos(r.Context(), byline.PhotoFilter{Query: q, Offset: (page - 1) * photosPerPage, Limit: photosPerPage})
	if err != nil {
		return nil, err
	}
	out := struct {
		Photos []photoJSON `json:"photos"`
		Total  int         `json:"total"`
		Page   int         `json:"page"`
		More   bool        `json:"more"`
	}{Photos: []photoJSON{}, Total: total, Page: page, More: page*photosPerPage < total}
	for _, p := range list {
		out.Photos = append(out.Photos, s.photoJSON(p))
	}
	return adminJSON(http.StatusOK, out)
}

// uploadPhoto takes a photo from a multipart form (the file in "photo"; "alt", "caption",
// "credit", "source", "copyright" optional, each overriding what the file says). Scripts
// (Accept: application/json) get the photo as JSON, 201 when new and 200 when the file was
// already in the library; people are sent to the photo's page.
func (s *Server) uploadPhoto(r *http.Request, staff *byline.Staff) (*response, error) {
	fail := func(status int, err error) (*response, error) {
		if code := byline.ErrorCode(err); code == byline.EINTERNAL {
			return nil, err
		}
		if wantsJSON(r) {
			return adminJSON(status, map[string]string{"error": byline.ErrorMessage(err), "field": byline.ErrorField(err)})
		}
		return s.libraryPage(r, staff, &adminData{Error: byline.ErrorMessage(err)}, status)
	}
	if !staff.Can(byline.ActionWrite) {
		return fail(http.StatusForbidden, byline.Forbidden("upload photos"))
	}
	data, form, err := s.receiveUpload(r)
	if errors.Is(err, errBusy) {
		return fail(http.StatusServiceUnavailable, byline.Errorf(byline.ELIMITED,
			"Too many photos are being uploaded at once; try again in a minute."))
	} else if errors.Is(err, errTooLarge) {
		return fail(http.StatusRequestEntityTooLarge, byline.WithField(byline.Errorf(byline.EINVALID,
			"The photo is larger than %d MB: export it smaller (a press photo rarely needs more than 10 MB).", media.MaxBytes>>20), "photo"))
	} else if err != nil {
		return fail(statusOf(byline.ErrorCode(err)), err)
	}
	select {
	case photoSlots <- struct{}{}:
		defer func() { <-photoSlots }()
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	prep, err := media.Prepare(data)
	if err != nil {
		return fail(http.StatusUnprocessableEntity, byline.WithField(err, "photo"))
	}
	p := &byline.Photo{Image: *prep.Image, Caption: prep.Meta.Caption, Credit: prep.Meta.Credit, Source: prep.Meta.Source,
		Copyright: prep.Meta.Copyright, Alt: prep.Meta.Alt, UploadedBy: staff.ID}
	for _, f := range []struct {
		name string
		to   *string
	}{{"alt", &p.Alt}, {"caption", &p.Caption}, {"credit", &p.Credit}, {"source", &p.Source}, {"copyright", &p.Copyright}} {
		if v := strings.TrimSpace(form.Get(f.name)); v != "" {
			*f.to = v
		}
	}
	created, err := s.store.SavePhoto(r.Context(), p, prep.Original, prep.Variants)
	if err != nil {
		return fail(statusOf(byline.ErrorCode(err)), err)
	}
	if created {
		if err := s.auth.Sessions.Audit(r.Context(), &byline.AuditEntry{StaffID: staff.ID, Action: "upload photo",
			Subject: fmt.Sprintf("photo %d (%s)", p.ID, p.Hash[:12]), IP: clientIP(r)}); err != nil {
			return nil, err
		}
	}
	if wantsJSON(r) {
		j := s.photoJSON(p)
		j.Created = created
		status := http.StatusCreated
		if !created {
			status = http.StatusOK
		}
		return adminJSON(status, j)
	}
	done := "uploaded"
	if !created {
		done = "existing"
	}
	return redirect(fmt.Sprintf("/admin/photos/%d?done=%s", p.ID, done)), nil
}

// errTooLarge says that an upload is larger than the limit.
var errTooLarge = errors.New("upload too large")

// errBusy says that the node holds as many uploads in memory as it may.
var errBusy = errors.New("too many uploads at once")

// receiveUpload reads an upload from a staff member once one of uploadBuffers is free,
// with the body's longer read deadline. A request that says it is too large, or that is no
// multipart form, is refused before it waits.
func (s *Server) receiveUpload(r *http.Request) ([]byte, url.Values, error) {
	if r.ContentLength > maxUploadForm {
		return nil, nil, errTooLarge
	}
	timer := time.NewTimer(uploadBufferWait)
	defer timer.Stop()
	select {
	case uploadBuffers <- struct{}{}:
		defer func() { <-uploadBuffers }()
	case <-timer.C:
		return nil, nil, errBusy
	case <-r.Context().Done():
		return nil, nil, r.Context().Err()
	}
	extendUpload(r)
	return readUpload(r)
}

// readUpload reads a multipart upload as it streams, without temporary files: the photo
// (at most media.MaxBytes) and short text fields (at most 64 KB in all).
func readUpload(r *http.Request) ([]byte, url.Values, error) {
	if r.ContentLength > maxUploadForm {
		return nil, nil, errTooLarge
	}
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return nil, nil, byline.Errorf(byline.EINVALID, "Send the photo as a file of a multipart form (field \"photo\").")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxUploadForm)
	mr := multipart.NewReader(r.Body, params["boundary"])
	form := url.Values{}
	var data []byte
	textLeft := int64(64 << 10)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return nil, nil, errTooLarge
			}
			return nil, nil, byline.Errorf(byline.EINVALID, "The upload could not be read: it was cut short or is not a multipart form.")
		}
		name := part.FormName()
		if name == "photo" && data == nil {
			// Sized from the request's length when it gives one: no doubling of a 30 MB buffer.
			buf := bytes.NewBuffer(make([]byte, 0, min(max(r.ContentLength, 0), media.MaxBytes+1)+bytes.MinRead))
			_, err := buf.ReadFrom(io.LimitReader(part, media.MaxBytes+1))
			b := buf.Bytes()
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok || len(b) > media.MaxBytes {
				return nil, nil, errTooLarge
			} else if err != nil {
				return nil, nil, byline.Errorf(byline.EINVALID, "The upload could not be read: it was cut short.")
			}
			data = b
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, textLeft+1))
		if err != nil {
			return nil, nil, byline.Errorf(byline.EINVALID, "The upload could not be read: it was cut short.")
		}
		if textLeft -= int64(len(b)); textLeft < 0 {
			return nil, nil, byline.Errorf(byline.EINVALID, "The upload's text fields are too long.")
		}
		form.Add(name, string(b))
	}
	if len(data) == 0 {
		return nil, nil, byline.WithField(byline.Errorf(byline.EINVALID, "Choose a photo to upload (a JPEG, PNG, WebP or GIF file)."), "photo")
	}
	return data, form, nil
}

// photoOf finds the photo the address names.
func (s *Server) photoOf(r *http.Request) (*byline.Photo, error) {
	id, err := idOf(r)
	if err != nil {
		return nil, err
	}
	p, err := s.store.FindPhoto(r.Context(), id)
	return p, orNotFound(err)
}

// canEditPhoto reports whether the staff member may change the photo's fields.
func canEditPhoto(staff *byline.Staff, p *byline.Photo) bool {
	return staff.Can(byline.ActionPhotos) || staff.Can(byline.ActionWrite) && p.UploadedBy == staff.ID && p.UploadedBy != 0
}

// photoPage serves a photo's page: its preview, its fields, its rights.
func (s *Server) photoPage(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionWrite) {
		return nil, byline.Forbidden("see the photo library")
	}
	p, err := s.photoOf(r)
	if err != nil {
		return nil, err
	}
	loc, err := s.location(r)
	if err != nil {
		return nil, err
	}
	form := photoForm{Caption: p.Caption, Credit: p.Credit, Source: p.Source, Copyright: p.Copyright, Alt: p.Alt}
	if !p.RightsExpireAt.IsZero() {
		form.Expires = p.RightsExpireAt.In(loc).Format(time.DateOnly)
	}
	a := &adminData{}
	switch r.URL.Query().Get("done") {
	case "uploaded":
		a.Notice = "The photo was uploaded; its fields come from the file: check them."
	case "existing":
		a.Notice = "This file was already in the library: here it is."
	case "saved":
		a.Notice = "The photo was saved."
	}
	return s.photoForm(r, staff, p, form, nil, a, http.StatusOK)
}

func (s *Server) photoForm(r *http.Request, staff *byline.Staff, p *byline.Photo, form photoForm, errs map[string]string, a *adminData, status int) (*response, error) {
	loc, err := s.location(r)
	if err != nil {
		return nil, err
	}
	now := s.now()
	d := &photosData{Photo: p, Form: form, Errors: errs, CanEdit: canEditPhoto(staff, p), Now: now, Soon: now.Add(expiryWarning), loc: loc}
	if p.UploadedBy != 0 {
		if names, err := s.staffNames(r); err == nil {
			d.Uploader = names[p.UploadedBy]
		}
	}
	a.Page, a.Title, a.Section, a.Staff, a.Data = "photos", "Photo", "photos", staff, d
	return s.adminPage(r, status, a)
}

// savePhoto saves the desk's fields of a photo.
func (s *Server) savePhoto(r *http.Request, staff *byline.Staff) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	p, err := s.photoOf(r)
	if err != nil {
		return nil, err
	}
	if !canEditPhoto(staff, p) {
		return nil, byline.Forbidden("edit photos others uploaded")
	}
	loc, err := s.location(r)
	if err != nil {
		return nil, err
	}
	f := r.PostForm
	form := photoForm{Caption: f.Get("caption"), Credit: f.Get("credit"), Source: f.Get("source"),
		Copyright: f.Get("copyright"), Alt: f.Get("alt"), Expires: strings.TrimSpace(f.Get("expires"))}
	old := p.RightsExpireAt
	p.Caption, p.Credit, p.Source, p.Copyright, p.Alt = form.Caption, form.Credit, form.Source, form.Copyright, form.Alt
	p.RightsExpireAt = time.Time{}
	if form.Expires != "" {
		day, err := time.ParseInLocation(time.DateOnly, form.Expires, loc)
		if err != nil {
			return s.photoForm(r, staff, p, form, map[string]string{"expires": "Give the date as YYYY-MM-DD, or leave it empty when the rights do not expire."},
				&adminData{Error: "The photo was not saved: see the rights' date."}, http.StatusUnprocessableEntity)
		}
		p.RightsExpireAt = day.UTC()
	}
	if err := s.store.UpdatePhoto(r.Context(), p); byline.ErrorCode(err) == byline.EINVALID {
		field := byline.ErrorField(err)
		if field == "rights_expire_at" {
			field = "expires"
		}
		return s.photoForm(r, staff, p, form, map[string]string{field: byline.ErrorMessage(err)},
			&adminData{Error: "The photo was not saved: " + byline.ErrorMessage(err)}, http.StatusUnprocessableEntity)
	} else if err != nil {
		return nil, orNotFound(err)
	}
	if !old.Equal(p.RightsExpireAt) {
		when := "none"
		if !p.RightsExpireAt.IsZero() {
			when = p.RightsExpireAt.Format(time.RFC3339)
		}
		if err := s.auth.Sessions.Audit(r.Context(), &byline.AuditEntry{StaffID: staff.ID, Action: "set photo rights expiry",
			Subject: fmt.Sprintf("photo %d: %s", p.ID, when), IP: clientIP(r)}); err != nil {
			return nil, err
		}
	}
	return redirect(fmt.Sprintf("/admin/photos/%d?done=saved", p.ID)), nil
}

// photoPreview serves /admin/photos/{id}/{width}.jpg: a variant for the desk's eyes only,
// whatever the photo's rights, never kept by a shared cache.
func (s *Server) photoPreview(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionWrite) {
		return nil, byline.Forbidden("see the photo library")
	}
	p, err := s.photoOf(r)
	if err != nil {
		return nil, err
	}
	width, ok := parseMediaWidth(r.PathValue("file"))
	if !ok || !slices.Contains(media.Widths(p.Width), width) {
		return nil, notFound()
	}
	v, err := s.store.FindImageVariant(r.Context(), p.Hash, width)
	if err != nil {
		return nil, orNotFound(err)
	}
	return newResponse(http.StatusOK, v.Mime, "private, max-age=3600", v.Data), nil
}
