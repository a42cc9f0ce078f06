package web

import (
	"net/http"
	"strconv"
	"time"

	"byline"
)

// The audit log page: who did what, when and from where, newest first, for staff whose
// role allows ActionAudit. Pages go by the last entry's id (keyset), so the thousandth page
// of a long log costs what the first does; it filters by staff member and by action.

// auditData is what the audit log page shows.
type auditData struct {
	Entries  []auditRow
	Staff    []*byline.Staff // for the filter's choices
	StaffID  int64           // the filter as given
	Action   string
	NextURL  string
	FirstURL string // back to the newest entries, when this page is not the first
}

// auditRow is an entry as the page shows it.
type auditRow struct {
	*byline.AuditEntry
	Who  string // the staff member's name (marked when the account is gone), or "—" when none
	When string // in the newsroom's time zone
}

// auditAdmin registers the audit log page.
func (s *Server) auditAdmin(m adminMux) {
	m.staff("GET /admin/audit", s.auditPage)
}

// auditPage serves /admin/audit?staff=ID&action=A&before=ID.
func (s *Server) auditPage(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionAudit) {
		return nil, byline.Forbidden("read the audit log")
	}
	if s.auditLog == nil {
		return nil, notFound()
	}
	q := r.URL.Query()
	f := byline.AuditFilter{Action: q.Get("action"), Limit: adminListSize + 1}
	for key, dst := range map[string]*int64{"staff": &f.StaffID, "before": &f.Before} {
		if v := q.Get(key); v != "" {
			n, ok := parseNumber(v, 1, maxID)
			if !ok {
				return nil, notFound()
			}
			*dst = int64(n)
		}
	}
	if byline.CheckText("action", f.Action, 200) != nil {
		return nil, notFound()
	}
	ctx := r.Context()
	list, err := s.auditLog.FindAuditLog(ctx, f)
	if err != nil {
		return nil, err
	}
	people, err := s.staff.Store.FindStaff(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(people))
	for _, p := range people {
		names[p.ID] = p.Name
	}
	site, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(site.Timezone)
	if err != nil {
		loc = time.UTC
	}
	staffParam := ""
	if f.StaffID != 0 {
		staffParam = strconv.FormatInt(f.StaffID, 10)
	}
	data := auditData{Staff: people, StaffID: f.StaffID, Action: f.Action}
	if len(list) > adminListSize {
		list = list[:adminListSize]
		data.NextURL = queryWith("/admin/audit", "staff", staffParam, "action", f.Action,
			"before", strconv.FormatInt(list[len(list)-1].ID, 10))
	}
	if f.Before != 0 {
		data.FirstURL = queryWith("/admin/audit", "staff", staffParam, "action", f.Action)
	}
	for _, e := range list {
		who := names[e.StaffID]
		switch {
		case who != "":
		case e.StaffName != "": // the account is gone; the entry keeps its name
			who = e.StaffName + " <" + e.StaffEmail + "> (account removed)"
		default:
			who = "—"
		}
		data.Entries = append(data.Entries, auditRow{AuditEntry: e, Who: who, When: e.At.In(loc).Format("2 Jan 2006, 15:04:05 MST")})
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "audit", Title: "Audit log", Section: "audit", Staff: staff, Data: data})
}
