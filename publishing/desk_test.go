package publishing_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/markdown"
	"byline/publishing"
	"byline/store"
	"byline/store/storetest"
)

// mustStaff creates a staff account with the role.
func mustStaff(t *testing.T, db *store.DB, role byline.Role, name string) *byline.Staff {
	t.Helper()
	s := &byline.Staff{Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@news.example", Name: name, Role: role, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA"}
	if err := db.CreateStaff(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

func newDesk(db *store.DB, clock *time.Time) *publishing.Desk {
	db.Now = func() time.Time { return *clock }
	return &publishing.Desk{Store: db, Markdown: markdown.New(), Audit: db, Now: func() time.Time { return *clock }}
}

// TestDeskCycle walks an article through the desk on both engines: create, save, autosave,
// a stale save refused, publish, a published autosave kept apart, slug change with redirect,
// revisions and restore, schedule, unpublish, delete.
func TestDeskCycle(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		desk := newDesk(db, &clock)
		ed := publishing.Who{Staff: mustStaff(t, db, byline.RoleEditor, "Claire Editor"), IP: "192.0.2.1"}
		other := publishing.Who{Staff: mustStaff(t, db, byline.RoleEditor, "Marc Other"), IP: "192.0.2.2"}

		e := publishing.Edit{Title: "Strikes in Marseille", Standfirst: "Dockers walk out.", Body: "First *draft*.",
			Authors: []string{"Claire Editor", "Marc Other"}, Tags: []string{"Politics", "Marseille"}, CommentsOpen: true}
		a, err := desk.Create(ctx, ed, e)
		if err != nil {
			t.Fatal(err)
		}
		if a.Slug != "strikes-in-marseille" || a.Version != 1 || a.Status != byline.StatusDraft {
			t.Fatalf("created %q version %d status %s, want strikes-in-marseille, 1, draft", a.Slug, a.Version, a.Status)
		}
		rev0, _ := db.ContentRevision(ctx)

		// Two editors open version 1; the first saves, the second's save is refused.
		clock = clock.Add(time.Minute)
		e.Body = "Second draft."
		if a, err = desk.Save(ctx, ed, a.ID, 1, e, true); err != nil {
			t.Fatal(err)
		}
		e2 := e
		e2.Body = "Marc's version."
		_, err = desk.Save(ctx, other, a.ID, 1, e2, false)
		if byline.ErrorCode(err) != byline.ECONFLICT || !strings.Contains(byline.ErrorMessage(err), "Claire Editor saved this article") {
			t.Fatalf("stale save: %v, want a conflict naming Claire Editor", err)
		}
		if got, _ := db.FindArticleByID(ctx, a.ID); got.Body != "Second draft." || got.Version != 2 {
			t.Fatalf("after the refused save: body %q version %d, want the first editor's, 2", got.Body, got.Version)
		}
		// A draft's saves leave the page caches alone.
		if rev, _ := db.ContentRevision(ctx); rev != rev0 {
			t.Errorf("a draft's save moved the content revision %d → %d", rev0, rev)
		}
		// Autosaves in a row by one editor share a revision.
		e.Body = "Third draft."
		if a, err = desk.Save(ctx, ed, a.ID, 2, e, true); err != nil {
			t.Fatal(err)
		}
		revs, _ := db.FindRevisions(ctx, a.ID, 50)
		if len(revs) != 2 || !revs[0].Autosave || revs[0].Version != 3 {
			t.Fatalf("revisions after two autosaves: %d, want 2 (create, one autosave at version 3)", len(revs))
		}

		// Publish now: visible, audited.
		clock = clock.Add(time.Minute)
		if a, err = desk.Publish(ctx, ed, a.ID, 3, e, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if !a.Visible(clock) || !a.PublishedAt.Equal(clock) {
			t.Fatalf("published: visible %v at %v, want visible now", a.Visible(clock), a.PublishedAt)
		}
		if rev, _ := db.ContentRevision(ctx); rev == rev0 {
			t.Error("publishing did not move the content revision")
		}
		// An autosave of a published article does not reach readers.
		e.Body = "Half-typed change"
		if _, err = desk.Save(ctx, ed, a.ID, 4, e, true); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindArticleBySlug(ctx, a.Slug); got.Body != "Third draft." {
			t.Fatalf("published body after an autosave: %q, want it unchanged", got.Body)
		}
		// Saving it with a new slug leaves a redirect from the old address.
		e.Body, e.Slug = "Final text.", "dockers-strike-in-marseille"
		if a, err = desk.Save(ctx, ed, a.ID, 4, e, false); err != nil {
			t.Fatal(err)
		}
		if to, err := db.FindRedirect(ctx, "strikes-in-marseille"); err != nil || to != "dockers-strike-in-marseille" {
			t.Fatalf("redirect from the old slug: %q, %v", to, err)
		}
		// Restore the first revision: its text comes back as a new version, still published.
		revs, _ = db.FindRevisions(ctx, a.ID, 50)
		first := revs[len(revs)-1]
		if a, err = desk.Restore(ctx, ed, first.ID, a.Version); err != nil {
			t.Fatal(err)
		}
		if a.Body != "First *draft*." || a.Status != byline.StatusPublished || a.Slug != "strikes-in-marseille" {
			t.Fatalf("restored: body %q status %s slug %q", a.Body, a.Status, a.Slug)
		}
		// Renaming back takes the address over again: no redirect loops.
		if _, err := db.FindRedirect(ctx, "strikes-in-marseille"); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("redirect from the article's own slug: %v, want none", err)
		}

		// Schedule for later: not visible now, visible at its time.
		at := clock.Add(2 * time.Hour)
		e = publishing.EditOf(a)
		if a, err = desk.Publish(ctx, ed, a.ID, a.Version, e, at); err != nil {
			t.Fatal(err)
		}
		if a.Visible(clock) || !a.Visible(at) || !a.Scheduled(clock) {
			t.Fatalf("scheduled for %v: visible now %v, at its time %v", at, a.Visible(clock), a.Visible(at))
		}
		if next, _ := db.NextPublication(ctx, clock); !next.Equal(at) {
			t.Fatalf("next publication %v, want %v", next, at)
		}
		counts, _ := db.CountDesk(ctx, clock, 0)
		if counts.Scheduled != 1 {
			t.Fatalf("counts %+v, want one scheduled", counts)
		}
		if a, err = desk.Unpublish(ctx, ed, a.ID, a.Version); err != nil || a.Status != byline.StatusDraft {
			t.Fatalf("unpublish: %v", err)
		}
		if err := desk.Delete(ctx, ed, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindArticleByID(ctx, a.ID); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("deleted article: %v, want not found", err)
		}
		audit, _ := db.FindAudit(ctx, 50)
		var actions []string
		for _, e := range audit {
			actions = append(actions, e.Action)
		}
		for _, want := range []string{"published an article", "scheduled an article", "unpublished an article", "deleted an article"} {
			if !strings.Contains(strings.Join(actions, "|"), want) {
				t.Errorf("audit log %q lacks %q", actions, want)
			}
		}
	})
}

// TestDeskRoles walks every role × action pair of the desk on articles of one's own and of
// others', against the rules of the issue: Contributors write and edit their own drafts but
// never publish; Authors publish their own; Moderators stay out; Editors and above do
// everything.
func TestDeskRoles(t *testing.T) {
	type want struct{ createOwn, editOwnDraft, publishOwn, editOwnPublished, editOthers, publishOthers, deleteOthers, preview bool }
	cases := map[byline.Role]want{
		byline.RoleContributor:   {true, true, false, false, false, false, false, true},
		byline.RoleAuthor:        {true, true, true, true, false, false, false, true},
		byline.RoleModerator:     {false, false, false, false, false, false, false, false},
		byline.RoleEditor:        {true, true, true, true, true, true, true, true},
		byline.RoleAdministrator: {true, true, true, true, true, true, true, true},
		byline.RoleOwner:         {true, true, true, true, true, true, true, true},
	}
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	desk := newDesk(db, &clock)
	boss := publishing.Who{Staff: mustStaff(t, db, byline.RoleEditor, "Chief Editor")}
	n := 0
	newArticle := func(w publishing.Who) *byline.Article {
		n++
		a, err := desk.Create(ctx, w, publishing.Edit{Title: fmt.Sprintf("Piece %d", n), Body: "Text."})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, role := range byline.Roles {
		w := want{}
		if role != byline.RoleOwner {
			w = cases[role]
		} else {
			w = cases[byline.RoleOwner]
		}
		t.Run(string(role), func(t *testing.T) {
			who := publishing.Who{Staff: mustStaff(t, db, role, "Staff "+string(role))}
			check := func(what string, allowed bool, err error) {
				t.Helper()
				switch {
				case allowed && err != nil:
					t.Errorf("%s: %v, want allowed", what, err)
				case !allowed && byline.ErrorCode(err) != byline.EFORBIDDEN:
					t.Errorf("%s: %v, want forbidden", what, err)
				}
			}
			a, err := desk.Create(ctx, who, publishing.Edit{Title: "Mine " + string(role), Body: "Text."})
			check("create", w.createOwn, err)
			if a == nil {
				a = newArticle(boss)
				a.CreatedBy = who.Staff.ID // an article of theirs, made for them
				if err := db.UpdateArticle(ctx, a, a.Version, byline.SaveNote{}); err != nil {
					t.Fatal(err)
				}
				a, _ = db.FindArticleByID(ctx, a.ID)
			}
			a2, err := desk.Save(ctx, who, a.ID, a.Version, publishing.EditOf(a), false)
			check("edit own draft", w.editOwnDraft, err)
			if a2 != nil {
				a = a2
			}
			_, err = desk.PreviewLink(ctx, who, a.ID)
			check("preview link", w.preview, err)
			a2, err = desk.Publish(ctx, who, a.ID, a.Version, publishing.EditOf(a), time.Time{})
			check("publish own", w.publishOwn, err)
			if a2 == nil {
				a, _ = desk.Publish(ctx, boss, a.ID, a.Version, publishing.EditOf(a), time.Time{})
			} else {
				a = a2
			}
			_, err = desk.Save(ctx, who, a.ID, a.Version, publishing.EditOf(a), false)
			check("edit own published", w.editOwnPublished, err)
			theirs := newArticle(boss)
			_, err = desk.Save(ctx, who, theirs.ID, theirs.Version, publishing.EditOf(theirs), false)
			check("edit another's", w.editOthers, err)
			theirs, _ = db.FindArticleByID(ctx, theirs.ID)
			_, err = desk.Publish(ctx, who, theirs.ID, theirs.Version, publishing.EditOf(theirs), time.Time{})
			check("publish another's", w.publishOthers, err)
			check("delete another's", w.deleteOthers, desk.Delete(ctx, who, newArticle(boss).ID))
		})
	}
}
