package newsroom

import (
	"context"
	"strings"

	"byline"
)

// Newsroom manages the staff accounts.
type Newsroom struct {
	Store byline.StaffStore
}

// AddStaff creates a staff account with the password given. The first account of a newsroom
// must be its Owner; only one Owner exists.
func (n *Newsroom) AddStaff(ctx context.Context, email, name string, role byline.Role, password string) (*byline.Staff, error) {
	count, err := n.Store.CountStaff(ctx)
	if err != nil {
		return nil, err
	}
	if count == 0 && role != byline.RoleOwner {
		return nil, byline.Errorf(byline.EINVALID, "The first staff account is the newsroom's Owner: give it the role owner.")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	s := &byline.Staff{Email: email, Name: strings.TrimSpace(name), Role: role, PasswordHash: hash}
	if err := n.Store.CreateStaff(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}
