package store_test

import (
	"context"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
)

// TestCorrections adds notes to a published article on both engines: the article's updated
// time follows the latest, the content revision moves, drafts and scheduled articles take
// none, the public list leaves out articles readers cannot see, deleting one works once.
func TestCorrections(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		pub := article("published", now.Add(-48*time.Hour))
		draft := article("draft", now.Add(-48*time.Hour))
		draft.Status = byline.StatusDraft
		later := article("later", now.Add(48*time.Hour))
		for _, a := range []*byline.Article{pub, draft, later} {
			if _, err := db.SaveArticle(ctx, a, nil); err != nil {
				t.Fatal(err)
			}
		}
		rev, _ := db.ContentRevision(ctx)

		first := &byline.Correction{ArticleID: pub.ID, Kind: byline.KindCorrection, Text: "The minister's name was misspelt.", At: now.Add(-time.Hour)}
		if err := db.AddCorrection(ctx, first); err != nil {
			t.Fatal(err)
		}
		if first.ID == 0 || first.Article == nil || first.Article.Slug != "published" {
			t.Fatalf("added note: id %d, article %+v", first.ID, first.Article)
		}
		if r, _ := db.ContentRevision(ctx); r <= rev {
			t.Errorf("content revision %d after a note, want more than %d", r, rev)
		}
		second := &byline.Correction{ArticleID: pub.ID, Kind: byline.KindUpdate, Text: "The vote was held.", At: now}
		if err := db.AddCorrection(ctx, second); err != nil {
			t.Fatal(err)
		}
		// A note dated before the latest does not move the updated time back.
		if err := db.AddCorrection(ctx, &byline.Correction{ArticleID: pub.ID, Kind: byline.KindClarification, Text: "Earlier.", At: now.Add(-2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		a, err := db.FindArticleBySlug(ctx, "published")
		if err != nil {
			t.Fatal(err)
		}
		if !a.UpdatedAt.Equal(now) {
			t.Errorf("updated at %v, want the latest note's time %v", a.UpdatedAt, now)
		}
		if len(a.Corrections) != 3 || a.Corrections[0].Kind != byline.KindClarification || a.Corrections[2].ID != second.ID {
			t.Fatalf("article's notes %+v, want three, oldest first", a.Corrections)
		}

		for _, target := range []*byline.Article{draft, later} {
			err := db.AddCorrection(ctx, &byline.Correction{ArticleID: target.ID, Kind: byline.KindCorrection, Text: "x", At: now})
			if byline.ErrorCode(err) != byline.EINVALID {
				t.Errorf("a note on %s: %v, want invalid", target.Slug, err)
			}
		}
		if err := db.AddCorrection(ctx, &byline.Correction{ArticleID: 1 << 40, Kind: byline.KindCorrection, Text: "x", At: now}); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Errorf("a note on no article: %v, want not found", err)
		}
		for _, bad := range []*byline.Correction{
			{ArticleID: pub.ID, Kind: "erratum", Text: "x", At: now},
			{ArticleID: pub.ID, Kind: byline.KindCorrection, Text: "  ", At: now},
			{ArticleID: pub.ID, Kind: byline.KindCorrection, Text: "bad \x00 byte", At: now},
			{ArticleID: pub.ID, Kind: byline.KindCorrection, Text: "before publication", At: now.Add(-72 * time.Hour)},
		} {
			if err := db.AddCorrection(ctx, bad); byline.ErrorCode(err) != byline.EINVALID || byline.ErrorField(err) == "" {
				t.Errorf("note %+v: %v (field %q), want invalid with a field", bad, err, byline.ErrorField(err))
			}
		}

		// The article becomes a draft again: its notes leave the public list, not the desk's.
		pub.Status = byline.StatusDraft
		if _, err := db.SaveArticle(ctx, pub, nil); err != nil {
			t.Fatal(err)
		}
		if list, err := db.FindCorrections(ctx, byline.CorrectionFilter{VisibleAt: now, Limit: 10}); err != nil || len(list) != 0 {
			t.Errorf("public notes of a draft: %d (%v), want none", len(list), err)
		}
		list, err := db.FindCorrections(ctx, byline.CorrectionFilter{Limit: 2})
		if err != nil || len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID || list[0].Article.Title != pub.Title {
			t.Fatalf("desk's notes %v (%v), want the two newest, newest first, with the article", list, err)
		}
		if list, _ := db.FindCorrections(ctx, byline.CorrectionFilter{Offset: 2, Limit: 2}); len(list) != 1 {
			t.Errorf("second page: %d notes, want 1", len(list))
		}

		gone, err := db.DeleteCorrection(ctx, first.ID)
		if err != nil || gone.Text != first.Text {
			t.Fatalf("delete: %+v, %v", gone, err)
		}
		if _, err := db.DeleteCorrection(ctx, first.ID); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Errorf("second delete: %v, want not found", err)
		}
		withNotes, err := db.FindArticleWithCorrections(ctx, pub.ID)
		if err != nil || len(withNotes.Corrections) != 2 || withNotes.Body != "" {
			t.Errorf("article with notes: %+v, %v", withNotes, err)
		}
	})
}

// TestAuditLogFilter pages the audit log by id and filters it by staff member and action.
func TestAuditLogFilter(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := &byline.Staff{Email: "o@news.example", Name: "O", Role: byline.RoleOwner, PasswordHash: "x"}
		if err := db.CreateStaff(ctx, st); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
		for i := range 7 {
			e := &byline.AuditEntry{At: at, Action: "signed in", IP: "192.0.2.1"} // same time: ids break the tie
			if i%2 == 0 {
				e.StaffID, e.Action = st.ID, "published"
			}
			if err := db.Audit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		all, err := db.FindAuditLog(ctx, byline.AuditFilter{Limit: 3})
		if err != nil || len(all) != 3 || all[0].ID < all[1].ID {
			t.Fatalf("first page: %v, %v", all, err)
		}
		var seen []int64
		for before := int64(0); ; {
			page, err := db.FindAuditLog(ctx, byline.AuditFilter{Before: before, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				seen = append(seen, e.ID)
			}
			before = page[len(page)-1].ID
		}
		if len(seen) != 7 {
			t.Errorf("paged through %v, want 7 entries once each", seen)
		}
		mine, _ := db.FindAuditLog(ctx, byline.AuditFilter{StaffID: st.ID, Limit: 10})
		acts, _ := db.FindAuditLog(ctx, byline.AuditFilter{Action: "signed in", Limit: 10})
		if len(mine) != 4 || len(acts) != 3 {
			t.Errorf("by staff %d, by action %d, want 4 and 3", len(mine), len(acts))
		}
	})
}
