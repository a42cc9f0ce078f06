package web

import (
	"net/http"
	"slices"
	"strings"

	"byline"
)

// The settings page: the site's settings on one page for staff whose role allows
// ActionSettings, checked by byline.Settings.Problems as `byline settings` checks them,
// every problem shown beside its field with the values kept.

// settingField is one field of the settings page. A later issue adds its setting by adding
// an entry to settingFields (and, for a setting kept in byline.Settings, a check under the
// same key in Settings.Problems); the page, the form's reading and the audit of what
// changed follow from the list.
type settingField struct {
	Key   string // the form field's name, and the field Settings.Problems names
	Label string
	Hint  string
	Type  string // the input's type; "textarea" for a text area
	Max   int    // the most characters the browser lets one type
	get   func(*byline.Settings) string
	set   func(*byline.Settings, string)
}

// settingFields are the settings page's fields, in order.
var settingFields = []settingField{
	{Key: "title", Label: "Site title", Type: "text", Max: byline.MaxTitle,
		get: func(s *byline.Settings) string { return s.Title }, set: func(s *byline.Settings, v string) { s.Title = v }},
	{Key: "description", Label: "Description", Hint: "A sentence under the title, in feeds and search results.", Type: "textarea", Max: byline.MaxStandfirst,
		get: func(s *byline.Settings) string { return s.Description }, set: func(s *byline.Settings, v string) { s.Description = v }},
	{Key: "logo", Label: "Logo address", Hint: "A path on this site like /static/logo.svg, or an https:// address.", Type: "text", Max: 2000,
		get: func(s *byline.Settings) string { return s.Logo }, set: func(s *byline.Settings, v string) { s.Logo = v }},
	{Key: "accent", Label: "Accent colour", Hint: "Like #b3261e, dark enough to read on white; empty for the theme's own. Dark mode keeps the theme's.", Type: "text", Max: 7,
		get: func(s *byline.Settings) string { return s.Accent }, set: func(s *byline.Settings, v string) { s.Accent = strings.ToLower(v) }},
	{Key: "locale", Label: "Locale", Hint: "The site's language, as a tag like en-GB or fr-FR.", Type: "text", Max: 35,
		get: func(s *byline.Settings) string { return s.Locale }, set: func(s *byline.Settings, v string) { s.Locale = v }},
	{Key: "timezone", Label: "Time zone", Hint: "A name like Europe/Paris or America/New_York: dates on the site and in the newsroom are in it.", Type: "text", Max: 64,
		get: func(s *byline.Settings) string { return s.Timezone }, set: func(s *byline.Settings, v string) { s.Timezone = v }},
	{Key: "blocked_email_domains", Label: "Blocked email domains", Hint: "Members cannot sign up or sign in with an address at these domains (or under them): one a line, like mailinator.com.", Type: "textarea", Max: 64 << 10,
		get: func(s *byline.Settings) string { return strings.Join(s.BlockedEmailDomains, "\n") },
		set: func(s *byline.Settings, v string) {
			s.BlockedEmailDomains = nil
			for _, d := range strings.Fields(strings.ToLower(v)) {
				if d = strings.Trim(d, ","); d != "" && !slices.Contains(s.BlockedEmailDomains, d) {
					s.BlockedEmailDomains = append(s.BlockedEmailDomains, d)
				}
			}
		}},
}

// navRowsSpare is how many empty navigation rows the page offers for new links.
const navRowsSpare = 3

// settingsData is what the settings page shows.
type settingsData struct {
	Fields     []settingView
	Navigation []navRow // the links, then navRowsSpare empty rows
	NavError   string
}

// navRow is a row of the navigation's table, numbered from 1 for people.
type navRow struct {
	N int
	byline.NavLink
}

// settingView is a field with its value and its problem, if any.
type settingView struct {
	settingField
	Value string
	Error string
}

// settingsAdmin registers the settings page.
func (s *Server) settingsAdmin(m adminMux) {
	m.staff("GET /admin/settings", s.settingsPage)
	m.staff("POST /admin/settings", s.saveSettings)
}

// settingsPage serves the settings form.
func (s *Server) settingsPage(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionSettings) {
		return nil, byline.Forbidden("change the site's settings")
	}
	site, err := s.store.FindSettings(r.Context())
	if err != nil {
		return nil, err
	}
	a := &adminData{}
	if r.URL.Query().Get("saved") == "1" {
		a.Notice = "The settings are saved; the site shows them now."
	}
	return s.settingsForm(r, staff, a, site, nil, http.StatusOK)
}

// settingsForm renders the settings page with the values and problems given.
func (s *Server) settingsForm(r *http.Request, staff *byline.Staff, a *adminData, site byline.Settings, problems []*byline.Error, status int) (*response, error) {
	errs := map[string]string{}
	for _, p := range problems {
		errs[p.Field] = p.Message
	}
	data := settingsData{NavError: errs["navigation"]}
	for i, l := range append(slices.Clone(site.Navigation), make([]byline.NavLink, navRowsSpare)...) {
		data.Navigation = append(data.Navigation, navRow{i + 1, l})
	}
	for _, f := range settingFields {
		data.Fields = append(data.Fields, settingView{settingField: f, Value: f.get(&site), Error: errs[f.Key]})
	}
	a.Page, a.Title, a.Section, a.Staff, a.Data = "settings", "Settings", "settings", staff, data
	return s.adminPage(r, status, a)
}

// saveSettings checks and saves the form, and audits which settings changed.
func (s *Server) saveSettings(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionSettings) {
		return nil, byline.Forbidden("change the site's settings")
	}
	if err := parseForm(r); err != nil {
		return nil, err
	}
	ctx := r.Context()
	old, err := s.store.FindSettings(ctx)
	if err != nil {
		return nil, err
	}
	site := old
	for _, f := range settingFields {
		f.set(&site, strings.TrimSpace(r.PostForm.Get(f.Key)))
	}
	labels, urls := r.PostForm["nav_label"], r.PostForm["nav_url"]
	site.Navigation = nil
	for i := range max(len(labels), len(urls)) {
		l := byline.NavLink{Label: strings.TrimSpace(at(labels, i)), URL: strings.TrimSpace(at(urls, i))}
		if l.Label != "" || l.URL != "" { // an empty row is no link
			site.Navigation = append(site.Navigation, l)
		}
	}
	if problems := site.Problems(); len(problems) > 0 {
		a := &adminData{Error: "The settings were not saved: see the fields marked below."}
		if len(problems) == 1 {
			a.Error = "The settings were not saved: " + problems[0].Message
		}
		return s.settingsForm(r, staff, a, site, problems, http.StatusUnprocessableEntity)
	}
	var changed []string
	for _, f := range settingFields {
		if f.get(&old) != f.get(&site) {
			changed = append(changed, f.Key)
		}
	}
	if !slices.Equal(old.Navigation, site.Navigation) {
		changed = append(changed, "navigation")
	}
	if len(changed) == 0 {
		return s.settingsForm(r, staff, &adminData{Notice: "Nothing changed."}, site, nil, http.StatusOK)
	}
	if err := s.store.SaveSettings(ctx, site); err != nil {
		return nil, err
	}
	if err := s.auth.Sessions.Audit(ctx, &byline.AuditEntry{StaffID: staff.ID, Action: "changed settings",
		Subject: strings.Join(changed, ", "), IP: clientIP(r)}); err != nil {
		return nil, err
	}
	return redirect("/admin/settings?saved=1"), nil
}

// at returns list[i], or "" past its end.
func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}
