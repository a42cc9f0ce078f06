package web

import (
	"net/http"
	"strconv"

	"byline"
)

// The staff page, /admin/staff/: accounts and their roles, invitations, removal and the
// hand-over of ownership. The newsroom package decides who may do what
// (byline.Role.CanManage); this page only leaves out the forms it would refuse.

// staffAdmin registers the staff page's routes.
func (s *Server) staffAdmin(m adminMux) {
	m.staff("GET /admin/staff/{$}", s.staffPage)
	m.staff("POST /admin/staff/invite", s.staffInvite)
	m.staff("POST /admin/staff/invitations/{id}/revoke", s.staffRevoke)
	m.staff("POST /admin/staff/{id}/role", s.staffRole)
	m.staff("POST /admin/staff/{id}/remove", s.staffRemove)
	m.staff("POST /admin/staff/owner", s.staffOwner)
}

// staffRow is one account on the staff page, with what the reader may do to it.
type staffRow struct {
	*byline.Staff
	Self      bool
	Roles     []byline.Role // the roles the reader may give it; none: no form
	Removable bool
}

// invitationRow is an open invitation, and whether the reader may revoke it.
type invitationRow struct {
	*byline.Invitation
	Revocable bool
}

// staffData is what the staff page shows.
type staffData struct {
	Accounts    []staffRow
	Invitations []invitationRow
	// InviteRoles are the roles the reader may invite someone as.
	InviteRoles []byline.Role
	// Heirs are the accounts the Owner may hand ownership to; empty for anyone else.
	Heirs []*byline.Staff
	// The invitation form's values after a refusal.
	InviteEmail, InviteName string
	InviteRole              byline.Role
}

// staffPageData gathers the staff page for the reader.
func (s *Server) staffPageData(r *http.Request, reader *byline.Staff) (*staffData, error) {
	if !reader.Can(byline.ActionStaff) {
		return nil, byline.Forbidden("manage staff accounts")
	}
	ctx := r.Context()
	list, err := s.staff.Store.FindStaff(ctx)
	if err != nil {
		return nil, err
	}
	invitations, err := s.staff.Invitations(ctx)
	if err != nil {
		return nil, err
	}
	d := &staffData{InviteRole: byline.RoleContributor}
	for _, st := range list {
		row := staffRow{Staff: st, Self: st.ID == reader.ID}
		if !row.Self {
			for _, to := range byline.Roles {
				if to == st.Role || reader.Role.CanManage(st.Role, to) {
					row.Roles = append(row.Roles, to)
				}
			}
			if len(row.Roles) == 1 {
				row.Roles = nil // only its own role: nothing to choose
			}
			row.Removable = reader.Role.CanManage(st.Role, st.Role)
			if reader.Can(byline.ActionOwnership) {
				d.Heirs = append(d.Heirs, st)
			}
		}
		d.Accounts = append(d.Accounts, row)
	}
	for _, inv := range invitations {
		d.Invitations = append(d.Invitations, invitationRow{Invitation: inv, Revocable: reader.Role.CanManage(inv.Role, inv.Role)})
	}
	for _, role := range byline.Roles {
		if reader.Role.CanManage(role, role) {
			d.InviteRoles = append(d.InviteRoles, role)
		}
	}
	return d, nil
}

// staffNotices are what the page says after each change; the redirect names one by key, so
// that no text of the request's comes back on the page.
var staffNotices = map[string]string{
	"invited": "The invitation is sent: its link works for seven days. (Until this site sends email, administrators find it in the outbox.)",
	"revoked": "The invitation is revoked: its link no longer works.",
	"role":    "The role is changed.",
	"removed": "The account is removed and its sessions have ended. Its articles stay.",
	"owner":   "Ownership is handed over: you are now an Administrator.",
}

// staffPage lists the accounts and invitations.
func (s *Server) staffPage(r *http.Request, reader *byline.Staff) (*response, error) {
	d, err := s.staffPageData(r, reader)
	if err != nil {
		return nil, err
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "staff", Title: "Staff", Section: "staff", Staff: reader,
		Notice: staffNotices[r.URL.Query().Get("done")], Data: d})
}

// staffRefuse renders the staff page with a refusal, or passes on an error no form shows.
func (s *Server) staffRefuse(r *http.Request, reader *byline.Staff, err error, keep func(*staffData)) (*response, error) {
	if !formRefusal(err) && byline.ErrorCode(err) != byline.ENOTFOUND {
		return nil, err
	}
	d, derr := s.staffPageData(r, reader)
	if derr != nil {
		return nil, derr
	}
	if keep != nil {
		keep(d)
	}
	return s.refuse(r, &adminData{Page: "staff", Title: "Staff", Section: "staff", Staff: reader, Data: d}, err)
}

// pathID reads the {id} of the path: a positive whole number, or ENOTFOUND.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound()
	}
	return id, nil
}

// staffInvite sends an invitation.
func (s *Server) staffInvite(r *http.Request, reader *byline.Staff) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	f := r.PostForm
	_, err := s.staff.Invite(r.Context(), reader, f.Get("email"), f.Get("name"), byline.Role(f.Get("role")), clientIP(r))
	if err != nil {
		return s.staffRefuse(r, reader, err, func(d *staffData) {
			d.InviteEmail, d.InviteName, d.InviteRole = f.Get("email"), f.Get("name"), byline.Role(f.Get("role"))
		})
	}
	return redirect("/admin/staff/?done=invited"), nil
}

// staffRevoke withdraws an invitation.
func (s *Server) staffRevoke(r *http.Request, reader *byline.Staff) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if err := s.staff.RevokeInvitation(r.Context(), reader, id, clientIP(r)); err != nil {
		return s.staffRefuse(r, reader, err, nil)
	}
	return redirect("/admin/staff/?done=revoked"), nil
}

// staffRole changes an account's role.
func (s *Server) staffRole(r *http.Request, reader *byline.Staff) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if err := parseForm(r); err != nil {
		return nil, err
	}
	if err := s.staff.ChangeRole(r.Context(), reader, id, byline.Role(r.PostForm.Get("role")), clientIP(r)); err != nil {
		return s.staffRefuse(r, reader, err, nil)
	}
	return redirect("/admin/staff/?done=role"), nil
}

// staffRemove removes an account.
func (s *Server) staffRemove(r *http.Request, reader *byline.Staff) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if err := s.staff.RemoveStaff(r.Context(), reader, id, clientIP(r)); err != nil {
		return s.staffRefuse(r, reader, err, nil)
	}
	return redirect("/admin/staff/?done=removed"), nil
}

// staffOwner hands ownership over to the account the form names.
func (s *Server) staffOwner(r *http.Request, reader *byline.Staff) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(r.PostForm.Get("to"), 10, 64)
	if err != nil || id <= 0 {
		return s.staffRefuse(r, reader, byline.Errorf(byline.EINVALID, "Choose the account to hand ownership to."), nil)
	}
	if err := s.staff.HandOverOwnership(r.Context(), reader, id, r.PostForm.Get("current"), clientIP(r)); err != nil {
		return s.staffRefuse(r, reader, err, nil)
	}
	return redirect("/admin/staff/?done=owner"), nil
}
