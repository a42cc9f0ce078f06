package web

import (
	"net/http"

	"byline"
)

// adminAreas lists the admin's areas beyond its door; each registers its routes in its own
// file (admin_<area>.go) and renders templates/admin/<area>.html.
func (s *Server) adminAreas() []func(adminMux) {
	return []func(adminMux){s.articleAdmin, s.tagsAdmin, s.correctionsAdmin, s.settingsAdmin, s.auditAdmin, s.staffAdmin, s.accountAdmin, s.outboxAdmin, s.photosAdmin}
}

// dashboardData is what the admin's home shows: the desk's counts, the next scheduled
// publications, the staff member's drafts and the latest published pieces.
type dashboardData struct {
	Counts    byline.DeskCounts
	Scheduled []*byline.Article
	Drafts    []*byline.Article
	Published []*byline.Article
}

// dashboard serves the admin's home to a signed-in staff member.
func (s *Server) dashboard(r *http.Request, staff *byline.Staff) (*response, error) {
	d := &dashboardData{}
	if s.desk != nil && staff.Can(byline.ActionWrite) {
		ctx, now := r.Context(), s.now()
		var mine int64
		if !staff.Can(byline.ActionEditAny) {
			mine = staff.ID
		}
		var err error
		if d.Counts, err = s.desk.Store.CountDesk(ctx, now, mine); err != nil {
			return nil, err
		}
		if d.Scheduled, err = s.desk.Store.FindDeskArticles(ctx, byline.DeskFilter{State: "scheduled", Now: now, CreatedBy: mine, Limit: 10}); err != nil {
			return nil, err
		}
		if d.Drafts, err = s.desk.Store.FindDeskArticles(ctx, byline.DeskFilter{State: "draft", Now: now, CreatedBy: staff.ID, Limit: 10}); err != nil {
			return nil, err
		}
		if d.Published, err = s.desk.Store.FindDeskArticles(ctx, byline.DeskFilter{State: "published", Now: now, CreatedBy: mine, Limit: 10}); err != nil {
			return nil, err
		}
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "home", Title: "Newsroom", Section: "home", Staff: staff, Data: d})
}
