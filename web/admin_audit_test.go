package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
)

// TestAuditPage lists the audit log newest first with names ("—" for nobody), times in the
// newsroom's time zone and addresses, pages through it, filters it, and is forbidden to an
// Editor.
func TestAuditPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := deskSite(t, db)
		admin := signIn(t, s, byline.RoleAdministrator)
		editor := signIn(t, s, byline.RoleEditor)
		ctx := context.Background()
		for i := range 60 {
			if err := db.Audit(ctx, &byline.AuditEntry{At: now.Add(-time.Duration(i+1) * time.Hour), Action: "failed sign-in", Subject: "x@news.example", IP: "198.51.100.7"}); err != nil {
				t.Fatal(err)
			}
		}

		doc := admin.doc(admin.get("/admin/audit"), 200)
		rows := doc.Find("tbody tr")
		if rows.Length() != 50 {
			t.Fatalf("first page has %d rows, want 50", rows.Length())
		}
		// Newest first: the two sign-ins at the test clock, the editor's last.
		first := rows.First().Find("td")
		if who := first.Eq(1).Text(); who != editor.staff.Name || first.Eq(2).Text() != "signed in" {
			t.Errorf("first row: %q %q, want the editor's sign-in", who, first.Eq(2).Text())
		}
		if when := first.Eq(0).Text(); when != "27 Nov 2026, 13:00:00 CET" { // Europe/Paris, the default
			t.Errorf("first row's time %q, want it in the newsroom's time zone", when)
		}
		third := rows.Eq(2).Find("td")
		if third.Eq(1).Text() != "—" || third.Eq(4).Text() != "198.51.100.7" {
			t.Errorf("third row: who %q, from %q", third.Eq(1).Text(), third.Eq(4).Text())
		}
		next, ok := doc.Find(`a[rel="next"]`).Attr("href")
		if !ok || !strings.Contains(next, "before=") {
			t.Fatalf("no link to older entries (%q)", next)
		}
		if n := admin.doc(admin.get(next), 200).Find("tbody tr").Length(); n != 12 {
			t.Errorf("second page has %d rows, want 12", n)
		}
		if n := admin.doc(admin.get("/admin/audit?action=signed+in"), 200).Find("tbody tr").Length(); n != 2 {
			t.Errorf("filtered by action: %d rows, want 2", n)
		}
		mine := admin.doc(admin.get("/admin/audit?staff="+strconv.FormatInt(admin.staff.ID, 10)), 200).Find("tbody tr")
		if mine.Length() != 1 || mine.Find("td").Eq(1).Text() != admin.staff.Name {
			t.Errorf("filtered by staff: %d rows", mine.Length())
		}
		for _, path := range []string{"/admin/audit?before=abc", "/admin/audit?staff=0", "/admin/audit?before=99999999999999999999999"} {
			if res := admin.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
			}
		}
		if res := editor.get("/admin/audit"); res.StatusCode != http.StatusForbidden {
			t.Errorf("an editor reads the audit log: status %d, want 403", res.StatusCode)
		}
	})
}
