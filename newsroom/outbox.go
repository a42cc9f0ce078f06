package newsroom

import (
	"context"
	"regexp"
	"time"

	"byline"
)

// The outbox holds secret links: a reset link opens the account it is addressed to, an
// invitation link creates an account with the invitation's role. Reading the outbox is an
// Administrator's right (byline.ActionAudit), but a link must never give its reader more
// than their role may: an Administrator reads no other Administrator's reset link, nobody
// reads the Owner's on a page (only the server's shell, `byline outbox`), and an
// invitation is read only by those who could have sent it.

// Kinds of the messages that carry secret links.
const (
	KindReset      = "password reset"
	KindInvitation = "staff invitation"
)

// OutboxEntry is a message as the outbox page shows it to one reader.
type OutboxEntry struct {
	*byline.OutboxMessage
	// Withheld, when not "", says why the message's text is not shown and where to read
	// it; the message's Text and HTML are then empty.
	Withheld string
}

// linkPattern finds the secret links of staff accounts in a message, whatever the address
// before them.
var linkPattern = regexp.MustCompile(`/admin/(reset|invite)/([A-Za-z0-9_-]{20,100})`)

// Messages that withhold a link, and where to read it instead.
const (
	withheldOwner = "This message holds a link that opens the Owner's account, so no page shows it. " +
		"Whoever runs the server reads it with the command byline outbox."
	withheldAdmin = "This message holds a link that opens an Administrator's account: only the Owner reads it here. " +
		"Whoever runs the server also reads it with the command byline outbox."
	withheldHigher = "This message holds a link that gives more than your role may give, so it is not shown to you. " +
		"The Owner reads it here; whoever runs the server reads it with the command byline outbox."
)

// ReadableOutbox returns the messages as reader may see them: a message whose link would
// open an account or grant a role beyond what reader may manage has its text withheld.
// The decision follows the accounts and invitations as they are now, and fails closed: a
// message of a secret-link kind whose link cannot be read is withheld too.
func (n *Newsroom) ReadableOutbox(ctx context.Context, reader *byline.Staff, list []*byline.OutboxMessage) ([]OutboxEntry, error) {
	if !reader.Can(byline.ActionAudit) {
		return nil, byline.Forbidden("read the outbox")
	}
	staff, err := n.Store.FindStaff(ctx)
	if err != nil {
		return nil, err
	}
	roleOf := make(map[string]byline.Role, len(staff))
	for _, s := range staff {
		roleOf[s.Email] = s.Role
	}
	invitations, err := n.Store.FindInvitations(ctx, time.Time{}) // expired ones too: fail closed
	if err != nil {
		return nil, err
	}
	granted := make(map[string]byline.Role, len(invitations))
	for _, inv := range invitations {
		granted[inv.TokenHash] = inv.Role
	}
	entries := make([]OutboxEntry, 0, len(list))
	for _, m := range list {
		why := withheldFrom(reader, m, roleOf, granted)
		if why != "" {
			hidden := *m
			hidden.Text, hidden.HTML = "", ""
			m = &hidden
		}
		entries = append(entries, OutboxEntry{OutboxMessage: m, Withheld: why})
	}
	return entries, nil
}

// withheldFrom says why reader may not read the message's text, or "".
func withheldFrom(reader *byline.Staff, m *byline.OutboxMessage, roleOf map[string]byline.Role, granted map[string]byline.Role) string {
	links := linkPattern.FindAllStringSubmatch(m.Text+"\n"+m.HTML, -1)
	hasReset, hasInvite := m.Kind == KindReset, m.Kind == KindInvitation
	why := ""
	for _, l := range links {
		switch l[1] {
		case "reset":
			hasReset = true
		case "invite":
			if role, ok := granted[tokenHash(l[2])]; ok && !reader.Role.CanManage(role, role) {
				why = withheldHigher
			}
		}
	}
	if (hasReset || hasInvite) && len(links) == 0 {
		return withheldHigher // a secret-link message whose link this reading cannot check
	}
	if hasReset {
		// A reset link opens the account it is sent to, in the role it has now.
		if role, ok := roleOf[m.To]; ok {
			switch {
			case role == byline.RoleOwner:
				return withheldOwner
			case role == byline.RoleAdministrator && reader.Role != byline.RoleOwner:
				return withheldAdmin
			case !reader.Role.CanManage(role, role):
				return withheldHigher
			}
		}
	}
	return why
}
