package publishing

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"byline"
	"byline/markdown"
)

// DeskStore is what the desk needs from storage.
type DeskStore interface {
	byline.ArticleStore
	byline.DeskStore
}

// Scheduler queues the work a publication sets off (at its time, once, on one node); nil
// means there is none.
type Scheduler interface {
	// Published is told that the article is (or will be, at its publish time) published.
	Published(ctx context.Context, a *byline.Article) error
	// Withdrawn is told that the article is no longer published or scheduled.
	Withdrawn(ctx context.Context, articleID int64) error
}

// Desk is the newsroom's editor: it creates, saves, publishes, schedules, unpublishes and
// deletes articles for staff, checking on every call what the staff member's role allows.
type Desk struct {
	Store     DeskStore
	Markdown  *markdown.Renderer
	Audit     Auditor
	Scheduler Scheduler
	Now       func() time.Time
}

func (d *Desk) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

// Edit is an article as the editor's form sends it.
type Edit struct {
	Title, Slug, Standfirst, Body string
	// Authors and Tags are names, in order (the first tag is the primary one).
	Authors, Tags                         []string
	Visibility                            byline.Visibility
	Featured, CommentsOpen                bool
	Image                                 string // the lead photo's hash, "" for none
	ImageAlt, ImageCaption, ImageCredit   string
	MetaTitle, MetaDescription, Canonical string
}

// Who is the staff member acting, and from where, for permissions and the audit log.
type Who struct {
	Staff *byline.Staff
	IP    string
}

// own reports whether the article is the staff member's.
func own(w Who, a *byline.Article) bool { return a.CreatedBy != 0 && a.CreatedBy == w.Staff.ID }

// MayEdit reports whether the staff member may change the article: everyone's with
// ActionEditAny; their own drafts as a writer, their own published pieces only if they may
// publish them.
func MayEdit(st *byline.Staff, a *byline.Article) bool {
	w := Who{Staff: st}
	return st.Can(byline.ActionEditAny) ||
		own(w, a) && st.Can(byline.ActionWrite) && (a.Status == byline.StatusDraft || st.Can(byline.ActionPublishOwn))
}

// MayPublish reports whether the staff member may publish, schedule or unpublish the article.
func MayPublish(st *byline.Staff, a *byline.Article) bool {
	return st.Can(byline.ActionPublishAny) || own(Who{Staff: st}, a) && st.Can(byline.ActionPublishOwn)
}

// MayDelete reports whether the staff member may delete the article: everyone's with
// ActionDeleteAny, their own with ActionDeleteOwn, and a writer their own draft.
func MayDelete(st *byline.Staff, a *byline.Article) bool {
	o := own(Who{Staff: st}, a)
	return st.Can(byline.ActionDeleteAny) || o && st.Can(byline.ActionDeleteOwn) ||
		o && a.Status == byline.StatusDraft && st.Can(byline.ActionWrite)
}

// apply fills a from the edit: slug from the title when empty, bylines and tags by name,
// the body rendered as every body is.
func (d *Desk) apply(ctx context.Context, a *byline.Article, e Edit) error {
	a.Title, a.Standfirst, a.Body = strings.TrimSpace(e.Title), strings.TrimSpace(e.Standfirst), e.Body
	a.Slug = strings.TrimSpace(e.Slug)
	if a.Slug == "" {
		a.Slug = Slugify(a.Title)
	}
	if a.Slug == "" && a.Title != "" {
		return onField("slug", "No address can be made from this title: write a slug with letters or digits.")
	}
	if a.Slug != "" && !ValidSlug(a.Slug) {
		return onField("slug", "The slug %q is not valid: use lower-case letters, digits and single hyphens, at most %d characters (try %q).", a.Slug, maxSlugLen, Slugify(a.Slug))
	}
	if Reserved(a.Slug) {
		return onField("slug", "The address /%s/ belongs to the site itself: choose another slug.", a.Slug)
	}
	if e.Visibility == "" {
		e.Visibility = byline.VisibilityPublic
	}
	a.Visibility, a.Featured, a.CommentsOpen = e.Visibility, e.Featured, e.CommentsOpen
	a.ImageAlt, a.ImageCaption, a.ImageCredit = strings.TrimSpace(e.ImageAlt), strings.TrimSpace(e.ImageCaption), strings.TrimSpace(e.ImageCredit)
	a.MetaTitle, a.MetaDescription, a.CanonicalURL = strings.TrimSpace(e.MetaTitle), strings.TrimSpace(e.MetaDescription), strings.TrimSpace(e.Canonical)
	a.Image = nil
	if e.Image != "" {
		img, err := d.Store.FindImageByHash(ctx, e.Image)
		if byline.ErrorCode(err) == byline.ENOTFOUND {
			return onField("image", "The chosen photo is not in the library (was it deleted?): choose another.")
		} else if err != nil {
			return err
		}
		a.Image = img
	}
	a.Authors, a.Tags = nil, nil
	for _, name := range e.Authors {
		slug, err := d.slugOf(ctx, "authors", name, func(ctx context.Context, n string) (string, error) {
			au, err := d.Store.FindAuthorByName(ctx, n)
			if err != nil {
				return "", err
			}
			return au.Slug, nil
		})
		if err != nil {
			return err
		}
		if slug != "" && !slices.ContainsFunc(a.Authors, func(au *byline.Author) bool { return au.Slug == slug }) {
			a.Authors = append(a.Authors, &byline.Author{Slug: slug, Name: strings.TrimSpace(name)})
		}
	}
	for _, name := range e.Tags {
		slug, err := d.slugOf(ctx, "tags", name, func(ctx context.Context, n string) (string, error) {
			t, err := d.Store.FindTagByName(ctx, n)
			if err != nil {
				return "", err
			}
			return t.Slug, nil
		})
		if err != nil {
			return err
		}
		if slug != "" && !slices.ContainsFunc(a.Tags, func(t *byline.Tag) bool { return t.Slug == slug }) {
			a.Tags = append(a.Tags, &byline.Tag{Slug: slug, Name: strings.TrimSpace(name)})
		}
	}
	var err error
	if a.BodyHTML, a.TeaserHTML, err = d.Markdown.RenderArticle(a.Body); err != nil {
		if byline.ErrorCode(err) == byline.EINVALID {
			return byline.WithField(err, "body")
		}
		return err
	}
	return nil
}

// slugOf returns the slug of the author or tag the editor names: an existing one's own
// (renamed ones keep their address, whatever the name now makes), or one made from the
// name; "" for an empty name.
func (d *Desk) slugOf(ctx context.Context, field, name string, existing func(context.Context, string) (string, error)) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil
	}
	slug, err := existing(ctx, name)
	if err == nil {
		return slug, nil
	} else if byline.ErrorCode(err) != byline.ENOTFOUND {
		return "", err
	}
	if slug = Slugify(name); slug == "" {
		return "", onField(field, "No address can be made from the name %q: use letters.", name)
	}
	return slug, nil
}

// onField is an invalid-input error about one field of the editor's form.
func onField(field, format string, args ...any) error {
	return byline.WithField(byline.Errorf(byline.EINVALID, format, args...), field)
}

// Create makes a new draft for the staff member.
func (d *Desk) Create(ctx context.Context, w Who, e Edit) (*byline.Article, error) {
	if !w.Staff.Can(byline.ActionWrite) {
		return nil, byline.Forbidden("write articles")
	}
	a := &byline.Article{Status: byline.StatusDraft, CreatedBy: w.Staff.ID, PublishedAt: d.now()}
	if err := d.apply(ctx, a, e); err != nil {
		return nil, err
	}
	if err := d.Store.CreateArticle(ctx, a, byline.SaveNote{StaffID: w.Staff.ID}); err != nil {
		return nil, err
	}
	return a, nil
}

// load returns the article for a staff member who may edit it.
func (d *Desk) load(ctx context.Context, w Who, id int64) (*byline.Article, error) {
	a, err := d.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !MayEdit(w.Staff, a) {
		if a.Status == byline.StatusPublished && own(w, a) {
			return nil, byline.Forbidden("change an article once it is published: ask an editor")
		}
		return nil, byline.Forbidden("edit this article")
	}
	return a, nil
}

// Save saves the edit over article id, which the editor opened at version from. An autosave
// of a published or scheduled article is kept as a revision only, for readers must not see
// half-made changes; an explicit save of one changes the public page.
func (d *Desk) Save(ctx context.Context, w Who, id, from int64, e Edit, autosave bool) (*byline.Article, error) {
	a, err := d.load(ctx, w, id)
	if err != nil {
		return nil, err
	}
	if err := d.current(ctx, a, from); err != nil {
		return nil, err
	}
	if err := d.apply(ctx, a, e); err != nil {
		return nil, err
	}
	note := byline.SaveNote{StaffID: w.Staff.ID, Autosave: autosave}
	if autosave && a.Status == byline.StatusPublished {
		if _, err := d.Store.KeepAutosave(ctx, a, from, note); err != nil {
			return nil, err
		}
		return a, nil
	}
	if err := d.Store.UpdateArticle(ctx, a, from, note); err != nil {
		return nil, err
	}
	if a.Status == byline.StatusPublished {
		if err := d.audit(ctx, w, "updated a published article", a); err != nil {
			return nil, err
		}
		// Its publish time may have moved with the slug's article: tell the scheduler again.
		if d.Scheduler != nil {
			if err := d.Scheduler.Published(ctx, a); err != nil {
				return nil, err
			}
		}
	}
	return a, nil
}

// Publish saves the edit and publishes the article at the time: now when at is zero or
// past, later (scheduled) otherwise.
func (d *Desk) Publish(ctx context.Context, w Who, id, from int64, e Edit, at time.Time) (*byline.Article, error) {
	a, err := d.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !MayPublish(w.Staff, a) {
		return nil, byline.Forbidden("publish this article: save it as a draft and ask an editor")
	}
	if err := d.current(ctx, a, from); err != nil {
		return nil, err
	}
	if err := d.apply(ctx, a, e); err != nil {
		return nil, err
	}
	now := d.now()
	action := "published"
	switch {
	case at.IsZero() || !at.After(now):
		if a.Status != byline.StatusPublished || a.PublishedAt.After(now) {
			a.PublishedAt = now // published now, or a scheduled one brought forward
		}
	default:
		y := at.UTC().Year()
		if y > byline.MaxYear {
			return nil, onField("publish_at", "Schedule for a year up to %d.", byline.MaxYear)
		}
		a.PublishedAt, action = at.UTC().Truncate(time.Minute), "scheduled"
	}
	a.Status = byline.StatusPublished
	if err := d.Store.UpdateArticle(ctx, a, from, byline.SaveNote{StaffID: w.Staff.ID}); err != nil {
		return nil, err
	}
	if d.Scheduler != nil {
		if err := d.Scheduler.Published(ctx, a); err != nil {
			return nil, err
		}
	}
	if action == "scheduled" {
		return a, d.audit(ctx, w, "scheduled an article for "+a.PublishedAt.Format(time.RFC3339), a)
	}
	return a, d.audit(ctx, w, action+" an article", a)
}

// Unpublish takes the article off the site (or out of the schedule) and makes it a draft.
func (d *Desk) Unpublish(ctx context.Context, w Who, id, from int64) (*byline.Article, error) {
	a, err := d.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !MayPublish(w.Staff, a) {
		return nil, byline.Forbidden("unpublish this article")
	}
	if err := d.current(ctx, a, from); err != nil {
		return nil, err
	}
	if a.Status != byline.StatusPublished {
		return nil, byline.Errorf(byline.ECONFLICT, "This article is not published.")
	}
	a.Status = byline.StatusDraft
	if err := d.Store.UpdateArticle(ctx, a, from, byline.SaveNote{StaffID: w.Staff.ID}); err != nil {
		return nil, err
	}
	if d.Scheduler != nil {
		if err := d.Scheduler.Withdrawn(ctx, a.ID); err != nil {
			return nil, err
		}
	}
	return a, d.audit(ctx, w, "unpublished an article", a)
}

// Delete deletes the article for good.
func (d *Desk) Delete(ctx context.Context, w Who, id int64) error {
	a, err := d.Store.FindArticleByID(ctx, id)
	if err != nil {
		return err
	}
	if !MayDelete(w.Staff, a) {
		return byline.Forbidden("delete this article")
	}
	if err := d.Store.DeleteArticle(ctx, id); err != nil {
		return err
	}
	if d.Scheduler != nil {
		if err := d.Scheduler.Withdrawn(ctx, a.ID); err != nil {
			return err
		}
	}
	return d.audit(ctx, w, "deleted an article", a)
}

// Restore makes a revision's fields the article's again (as a new save, so nothing is
// lost), keeping the article's status and publish time: restoring never publishes.
func (d *Desk) Restore(ctx context.Context, w Who, revisionID, from int64) (*byline.Article, error) {
	rev, err := d.Store.FindRevision(ctx, revisionID)
	if err != nil {
		return nil, err
	}
	a, err := d.load(ctx, w, rev.ArticleID)
	if err != nil {
		return nil, err
	}
	if err := d.current(ctx, a, from); err != nil {
		return nil, err
	}
	old := rev.Article
	e := EditOf(old)
	if err := d.apply(ctx, a, e); err != nil {
		return nil, err
	}
	if err := d.Store.UpdateArticle(ctx, a, from, byline.SaveNote{StaffID: w.Staff.ID}); err != nil {
		return nil, err
	}
	if a.Status == byline.StatusPublished {
		return a, d.audit(ctx, w, "restored a revision of a published article", a)
	}
	return a, nil
}

// current refuses a save made from another version than the one loaded: the role was
// checked against the article as loaded, so the save must write over that very version
// (the store checks again that nobody saved in between).
func (d *Desk) current(ctx context.Context, a *byline.Article, from int64) error {
	if a.Version == from {
		return nil
	}
	revs, err := d.Store.FindRevisions(ctx, a.ID, 1)
	if err != nil {
		return err
	}
	if len(revs) == 1 && revs[0].StaffName != "" {
		return byline.Errorf(byline.ECONFLICT, "%s saved this article at %s UTC, after you opened it: your save was refused so that neither version is lost. Reload the article to see their changes, then make yours again.",
			revs[0].StaffName, revs[0].SavedAt.UTC().Format("15:04:05"))
	}
	return byline.Errorf(byline.ECONFLICT, "This article changed since you opened it (version %d, you had %d): nothing was overwritten. Reload it to see the changes.", a.Version, from)
}

// EditOf is the edit that would save the article as it is.
func EditOf(a *byline.Article) Edit {
	e := Edit{Title: a.Title, Slug: a.Slug, Standfirst: a.Standfirst, Body: a.Body, Visibility: a.Visibility,
		Featured: a.Featured, CommentsOpen: a.CommentsOpen, ImageAlt: a.ImageAlt, ImageCaption: a.ImageCaption,
		ImageCredit: a.ImageCredit, MetaTitle: a.MetaTitle, MetaDescription: a.MetaDescription, Canonical: a.CanonicalURL}
	if a.Image != nil {
		e.Image = a.Image.Hash
	}
	for _, au := range a.Authors {
		e.Authors = append(e.Authors, au.Name)
	}
	for _, t := range a.Tags {
		e.Tags = append(e.Tags, t.Name)
	}
	return e
}

// PreviewLink makes a secret link that shows the article to someone without an account,
// until revoked. It returns the token; the store keeps only its hash.
func (d *Desk) PreviewLink(ctx context.Context, w Who, id int64) (string, error) {
	a, err := d.load(ctx, w, id)
	if err != nil {
		return "", err
	}
	if !w.Staff.Can(byline.ActionPreviewLink) {
		return "", byline.Forbidden("share preview links")
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	if err := d.Store.CreatePreviewLink(ctx, a.ID, PreviewHash(token), w.Staff.ID); err != nil {
		return "", err
	}
	return token, d.audit(ctx, w, "shared a preview link", a)
}

// RevokePreviews ends every preview link of the article.
func (d *Desk) RevokePreviews(ctx context.Context, w Who, id int64) error {
	a, err := d.load(ctx, w, id)
	if err != nil {
		return err
	}
	if err := d.Store.DeletePreviewLinks(ctx, a.ID); err != nil {
		return err
	}
	return d.audit(ctx, w, "revoked preview links", a)
}

// Preview returns the article a preview token opens, or ENOTFOUND.
func (d *Desk) Preview(ctx context.Context, token string) (*byline.Article, error) {
	if len(token) != 32 {
		return nil, byline.Errorf(byline.ENOTFOUND, "This preview link does not exist or was revoked.")
	}
	return d.Store.FindPreviewArticle(ctx, PreviewHash(token))
}

// PreviewHash is what the store keeps of a preview token.
func PreviewHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// audit records what a staff member did to an article.
func (d *Desk) audit(ctx context.Context, w Who, action string, a *byline.Article) error {
	if d.Audit == nil {
		return nil
	}
	return d.Audit.Audit(ctx, &byline.AuditEntry{StaffID: w.Staff.ID, Action: action, Subject: a.Title + " (/" + a.Slug + "/)", IP: w.IP})
}
