package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"byline"
	"byline/store"
	"byline/store/storetest"
)

// TestSettingsPage saves valid settings through the page (the site shows them, the audit
// log names what changed), refuses invalid ones field by field with 422 and the values
// kept, and is forbidden to an Editor.
func TestSettingsPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := deskSite(t, db)
		admin := signIn(t, s, byline.RoleAdministrator)
		editor := signIn(t, s, byline.RoleEditor)
		ctx := context.Background()

		page := admin.doc(admin.get("/admin/settings"), 200)
		for _, name := range []string{"title", "description", "logo", "accent", "locale", "timezone", "nav_label", "nav_url"} {
			if page.Find(`[name="`+name+`"]`).Length() == 0 {
				t.Errorf("the settings page lacks the field %s", name)
			}
		}
		good := url.Values{"title": {"The Daily Test"}, "description": {"News & views."}, "logo": {"/static/logo.svg"},
			"accent": {"#0B5394"}, "locale": {"fr-FR"}, "timezone": {"America/New_York"},
			"nav_label": {"Latest", "Politics", ""}, "nav_url": {"/", "/tag/politics/", ""}}
		res := admin.post("/admin/settings", good)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/settings?saved=1" {
			t.Fatalf("save: status %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		front := s.page("/", 200)
		if front.Find(".brand span").Text() != "The Daily Test" || front.Find(`nav[aria-label="Sections"] a[href="/tag/politics/"]`).Length() != 1 {
			t.Errorf("the front page does not show the new title and navigation")
		}
		if href, _ := front.Find(`link[href^="/theme.css"]`).Attr("href"); href == "" {
			t.Error("the front page does not link the accent's stylesheet")
		} else if css := body(t, s.get("/theme.css")); !strings.Contains(css, "--accent: #0b5394") {
			t.Errorf("theme.css %q lacks the accent", css)
		}
		log, err := db.FindAuditLog(ctx, byline.AuditFilter{Action: "changed settings", Limit: 5})
		if err != nil || len(log) != 1 || log[0].Subject != "title, description, accent, locale, timezone, navigation" || log[0].StaffID != admin.staff.ID {
			t.Fatalf("audit of the save: %+v (%v)", log, err)
		}

		bad := url.Values{"title": {" "}, "description": {"Fine."}, "logo": {"//evil.example/logo.png"},
			"accent": {"#ffff00"}, "locale": {"fr-FR"}, "timezone": {"Mars/Olympus_Mons"},
			"nav_label": {"Home"}, "nav_url": {"javascript:alert(1)"}}
		doc := admin.doc(admin.post("/admin/settings", bad), http.StatusUnprocessableEntity)
		for _, id := range []string{"title-error", "logo-error", "accent-error", "timezone-error", "nav-error"} {
			if doc.Find("#"+id).Length() != 1 {
				t.Errorf("no %s on the refused form", id)
			}
		}
		if doc.Find("#locale-error").Length() != 0 {
			t.Error("a valid locale is marked wrong")
		}
		if v, _ := doc.Find(`input[name="timezone"]`).Attr("value"); v != "Mars/Olympus_Mons" {
			t.Errorf("time zone kept as %q", v)
		}
		if v, _ := doc.Find(`input[name="nav_url"]`).First().Attr("value"); v != "javascript:alert(1)" {
			t.Errorf("navigation address kept as %q", v)
		}
		if site, _ := db.FindSettings(ctx); site.Title != "The Daily Test" {
			t.Errorf("a refused form changed the title to %q", site.Title)
		}

		if res := editor.get("/admin/settings"); res.StatusCode != http.StatusForbidden {
			t.Errorf("an editor opens the settings: status %d, want 403", res.StatusCode)
		}
		if res := editor.post("/admin/settings", good); res.StatusCode != http.StatusForbidden {
			t.Errorf("an editor saves the settings: status %d, want 403", res.StatusCode)
		}
	})
}
