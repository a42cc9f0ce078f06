package web

import (
	"net/http"

	"byline"
)

// adminAreas lists the admin's areas beyond its door; each registers its routes in its own
// file (admin_<area>.go) and renders templates/admin/<area>.html.
func (s *Server) adminAreas() []func(adminMux) {
	return []func(adminMux){}
}

// dashboardData is what the admin's home shows.
type dashboardData struct{}

// dashboard serves the admin's home to a signed-in staff member.
func (s *Server) dashboard(r *http.Request, staff *byline.Staff) (*response, error) {
	return s.adminPage(r, http.StatusOK, &adminData{Page: "home", Title: "Newsroom", Section: "home", Staff: staff, Data: dashboardData{}})
}
