package byline

import "testing"

// TestRoleMatrix walks every role × action pair against the rules, written out as a
// table so that a change to grants shows here: Contributors write and never publish;
// Authors publish their own; Moderators look after comments and members only; Editors run
// the desk and manage contributors' and authors' accounts; Administrators add the settings
// and the audit log; the Owner alone hands ownership over.
func TestRoleMatrix(t *testing.T) {
	const (
		C = 1 << iota // contributor
		A             // author
		M             // moderator
		E             // editor
		D             // administrator
		O             // owner
	)
	want := map[Action]int{
		ActionWrite:       C | A | E | D | O,
		ActionPreviewLink: C | A | E | D | O,
		ActionPublishOwn:  A | E | D | O,
		ActionDeleteOwn:   A | E | D | O,
		ActionEditAny:     E | D | O,
		ActionPublishAny:  E | D | O,
		ActionDeleteAny:   E | D | O,
		ActionCorrect:     E | D | O,
		ActionTags:        E | D | O,
		ActionPhotos:      E | D | O,
		ActionModerate:    M | E | D | O,
		ActionStaff:       E | D | O,
		ActionSettings:    D | O,
		ActionAudit:       D | O,
		ActionOwnership:   O,
	}
	bit := map[Role]int{RoleContributor: C, RoleAuthor: A, RoleModerator: M, RoleEditor: E, RoleAdministrator: D, RoleOwner: O}
	if len(want) != len(Actions) {
		t.Fatalf("the table has %d actions, the domain %d: add the new one here", len(want), len(Actions))
	}
	for _, role := range Roles {
		for _, action := range Actions {
			if got, w := role.Allowed(action), want[action]&bit[role] != 0; got != w {
				t.Errorf("%s may %s: %v, want %v", role, action, got, w)
			}
		}
	}
	if Role("intern").Allowed(ActionWrite) || (*Staff)(nil).Can(ActionWrite) {
		t.Error("an unknown role or no staff member may write")
	}
	// Managing accounts: editors the writers only, administrators all but the Owner, nobody
	// makes an Owner (ownership is handed over).
	for _, c := range []struct {
		actor, target, to Role
		ok                bool
	}{
		{RoleEditor, RoleContributor, RoleAuthor, true},
		{RoleEditor, RoleAuthor, RoleEditor, false},
		{RoleEditor, RoleModerator, RoleContributor, false},
		{RoleAdministrator, RoleEditor, RoleAdministrator, true},
		{RoleAdministrator, RoleOwner, RoleAdministrator, false},
		{RoleOwner, RoleAdministrator, RoleOwner, false},
		{RoleOwner, RoleAdministrator, RoleEditor, true},
		{RoleAuthor, RoleContributor, RoleAuthor, false},
		{RoleModerator, RoleContributor, RoleContributor, false},
	} {
		if got := c.actor.CanManage(c.target, c.to); got != c.ok {
			t.Errorf("%s changing a %s to %s: %v, want %v", c.actor, c.target, c.to, got, c.ok)
		}
	}
}
