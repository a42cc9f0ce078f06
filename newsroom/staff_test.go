package newsroom_test

import (
	"context"
	"testing"

	"byline"
	"byline/newsroom"
	"byline/store"
	"byline/store/storetest"
)

func TestAddStaff(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := &newsroom.Newsroom{Store: db}
		const pw = "a long enough password"
		if _, err := n.AddStaff(ctx, "ed@news.example", "Ed", byline.RoleEditor, pw); byline.ErrorCode(err) != byline.EINVALID {
			t.Fatalf("first account not an Owner: %v, want invalid", err)
		}
		owner, err := n.AddStaff(ctx, " Olga.Owner@News.Example ", "Olga Owner", byline.RoleOwner, pw)
		if err != nil {
			t.Fatal(err)
		}
		if owner.Email != "olga.owner@news.example" || owner.ID == 0 {
			t.Errorf("owner stored as %+v", owner)
		}
		if _, err := n.AddStaff(ctx, "second@news.example", "Second", byline.RoleOwner, pw); byline.ErrorCode(err) != byline.ECONFLICT {
			t.Errorf("a second Owner: %v, want conflict", err)
		}
		if _, err := n.AddStaff(ctx, "OLGA.OWNER@news.example", "Twin", byline.RoleEditor, pw); byline.ErrorCode(err) != byline.ECONFLICT {
			t.Errorf("the same email in other case: %v, want conflict", err)
		}
		for _, c := range []struct{ email, name, role, pw string }{
			{"not an email", "X", "editor", pw},
			{"x@news.example", "", "editor", pw},
			{"x@news.example", "X", "chief", pw},
			{"x@news.example", "X", "editor", "short"},
			{"x@news.example", "X\x1b", "editor", pw},
		} {
			if _, err := n.AddStaff(ctx, c.email, c.name, byline.Role(c.role), c.pw); byline.ErrorCode(err) != byline.EINVALID {
				t.Errorf("%+v: %v, want invalid", c, err)
			}
		}
		ed, err := n.AddStaff(ctx, "ed@news.example", "Ed Itor", byline.RoleEditor, pw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.FindStaffByEmail(ctx, "ED@news.example")
		if err != nil || got.ID != ed.ID || got.Role != byline.RoleEditor || !newsroom.VerifyPassword(got.PasswordHash, pw) {
			t.Errorf("found %+v %v", got, err)
		}
		if list, err := db.FindStaff(ctx); err != nil || len(list) != 2 || list[0].Name != "Ed Itor" {
			t.Errorf("staff list %v %v, want Ed Itor then Olga Owner", list, err)
		}
		if _, err := db.FindStaffByID(ctx, 999); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Errorf("missing id: %v, want not found", err)
		}
	})
}
