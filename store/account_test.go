package store_test

import (
	"context"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
)

// TestInvitationNeedsItsInviter: the store makes an invitation's account only while the
// account that sent it may give its role; removing or demoting that account withdraws the
// invitations it may no longer give; the audit log keeps a removed account's name.
func TestInvitationNeedsItsInviter(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
		add := func(email string, role byline.Role) *byline.Staff {
			s := &byline.Staff{Email: email, Name: "Name of " + email, Role: role, PasswordHash: "x"}
			if err := db.CreateStaff(ctx, s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		add("olga@news.example", byline.RoleOwner)
		editor := add("ed@news.example", byline.RoleEditor)
		admin := add("dan@news.example", byline.RoleAdministrator)
		invite := func(by *byline.Staff, email string, role byline.Role) string {
			token := "hash-of-" + email
			inv := &byline.Invitation{TokenHash: token, Email: email, Name: "N", Role: role, InvitedBy: by.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
			if err := db.CreateInvitation(ctx, inv); err != nil {
				t.Fatal(err)
			}
			return token
		}
		accept := func(token string) error {
			return db.AcceptInvitation(ctx, token, &byline.Staff{Name: "New", PasswordHash: "x"}, at)
		}

		// An invitation beyond its sender's role (the store does not judge at creation):
		// refused at acceptance.
		if err := accept(invite(editor, "x1@news.example", byline.RoleAdministrator)); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("an editor's invitation as administrator accepted: %v", err)
		}
		if err := accept(invite(editor, "x2@news.example", byline.RoleAuthor)); err != nil {
			t.Fatalf("an editor's invitation as author: %v", err)
		}

		// Demoted: the invitations the new role may not give go.
		keep := invite(admin, "x3@news.example", byline.RoleAuthor)
		lose := invite(admin, "x4@news.example", byline.RoleEditor)
		if err := db.UpdateStaffRole(ctx, admin.ID, byline.RoleAdministrator, byline.RoleEditor); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindInvitation(ctx, lose); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("a demoted account's invitation as editor stays: %v", err)
		}
		if _, err := db.FindInvitation(ctx, keep); err != nil {
			t.Fatalf("a demoted account's invitation as author went: %v", err)
		}

		// Removed: all of them go, and the log still names the account.
		if err := db.Audit(ctx, &byline.AuditEntry{StaffID: admin.ID, Action: "did something", At: at}); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteStaff(ctx, admin.ID, byline.RoleEditor); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindInvitation(ctx, keep); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("a removed account's invitation stays: %v", err)
		}
		entries, err := db.FindAuditLog(ctx, byline.AuditFilter{Action: "did something"})
		if err != nil || len(entries) != 1 {
			t.Fatalf("audit: %v %v", entries, err)
		}
		if e := entries[0]; e.StaffID != 0 || e.StaffName != "Name of dan@news.example" || e.StaffEmail != "dan@news.example" {
			t.Fatalf("the removed account's entry: %+v", e)
		}
	})
}
