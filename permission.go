package byline

// Action is something a staff member may be allowed to do. The server checks one for every
// request that changes anything; the admin's pages only hide what the server would refuse.
type Action string

// The actions of the newsroom. "Own" actions concern articles the staff member created;
// the "Any" twin covers everyone's.
const (
	ActionWrite       Action = "write"          // create drafts, edit own drafts, upload photos
	ActionPublishOwn  Action = "publish own"    // publish, schedule, unpublish and edit own published articles
	ActionDeleteOwn   Action = "delete own"     // delete own articles
	ActionEditAny     Action = "edit any"       // edit every article, drafts and published
	ActionPublishAny  Action = "publish any"    // publish, schedule and unpublish every article
	ActionDeleteAny   Action = "delete any"     // delete every article
	ActionCorrect     Action = "correct"        // add corrections, clarifications and updates
	ActionTags        Action = "tags"           // rename and describe tags and authors
	ActionPhotos      Action = "photos"         // edit every photo's credit, rights and expiry
	ActionModerate    Action = "moderate"       // comments and member sanctions
	ActionStaff       Action = "staff"          // manage accounts of lower roles (see CanManage)
	ActionSettings    Action = "settings"       // the site's settings
	ActionAudit       Action = "audit"          // read the audit log and the outbox
	ActionOwnership   Action = "hand ownership" // make another account the Owner
	ActionPreviewLink Action = "preview link"   // make and revoke secret preview links
)

// Actions lists every action, for the role matrix and its test.
var Actions = []Action{ActionWrite, ActionPublishOwn, ActionDeleteOwn, ActionEditAny, ActionPublishAny,
	ActionDeleteAny, ActionCorrect, ActionTags, ActionPhotos, ActionModerate, ActionStaff, ActionSettings,
	ActionAudit, ActionOwnership, ActionPreviewLink}

// grants says what each role may do. Contributors write; Authors publish their own; Moderators
// look after comments and members only; Editors run the desk; Administrators run the site;
// the Owner alone hands ownership over.
var grants = map[Role][]Action{
	RoleContributor:   {ActionWrite, ActionPreviewLink},
	RoleAuthor:        {ActionWrite, ActionPreviewLink, ActionPublishOwn, ActionDeleteOwn},
	RoleModerator:     {ActionModerate},
	RoleEditor:        {ActionWrite, ActionPreviewLink, ActionPublishOwn, ActionDeleteOwn, ActionEditAny, ActionPublishAny, ActionDeleteAny, ActionCorrect, ActionTags, ActionPhotos, ActionModerate, ActionStaff},
	RoleAdministrator: {ActionWrite, ActionPreviewLink, ActionPublishOwn, ActionDeleteOwn, ActionEditAny, ActionPublishAny, ActionDeleteAny, ActionCorrect, ActionTags, ActionPhotos, ActionModerate, ActionStaff, ActionSettings, ActionAudit},
	RoleOwner:         {ActionWrite, ActionPreviewLink, ActionPublishOwn, ActionDeleteOwn, ActionEditAny, ActionPublishAny, ActionDeleteAny, ActionCorrect, ActionTags, ActionPhotos, ActionModerate, ActionStaff, ActionSettings, ActionAudit, ActionOwnership},
}

// Allowed reports whether a staff member with the role may do the action.
func (r Role) Allowed(a Action) bool {
	for _, g := range grants[r] {
		if g == a {
			return true
		}
	}
	return false
}

// Can reports whether the staff member may do the action.
func (s *Staff) Can(a Action) bool { return s != nil && s.Role.Allowed(a) }

// CanManage reports whether a staff member with role actor may change an account that has
// role target, giving it role to (to == target for anything but a role change): Editors
// manage Contributors and Authors, Administrators everyone but the Owner, and the Owner
// everyone. Nobody makes an Owner this way: ownership is handed over (ActionOwnership).
func (actor Role) CanManage(target, to Role) bool {
	if !actor.Allowed(ActionStaff) || target == RoleOwner || to == RoleOwner {
		return false
	}
	switch actor {
	case RoleEditor:
		low := func(r Role) bool { return r == RoleContributor || r == RoleAuthor }
		return low(target) && low(to)
	case RoleAdministrator, RoleOwner:
		return true
	}
	return false
}

// Forbidden is the error for an action the staff member's role does not allow.
func Forbidden(what string) error {
	return Errorf(EFORBIDDEN, "Your role does not allow you to %s.", what)
}
