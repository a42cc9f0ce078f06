package byline

import (
	"context"
	"strings"
	"time"
)

// Settings are the newsroom's site settings, kept in the store and edited by staff.
type Settings struct {
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Logo        string    `json:"logo"`     // path or URL of the logo, served by Byline
	Locale      string    `json:"locale"`   // BCP 47, e.g. "en-GB"
	Timezone    string    `json:"timezone"` // IANA name, e.g. "Europe/Paris"
	Navigation  []NavLink `json:"navigation"`
}

// NavLink is one entry of the site's navigation.
type NavLink struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// DefaultSettings are the settings of a newsroom that has set nothing yet.
func DefaultSettings() Settings {
	return Settings{
		Title:       "Byline",
		Description: "Independent journalism, funded by our members.",
		Logo:        "/static/logo.svg",
		Locale:      "en-GB",
		Timezone:    "Europe/Paris",
		Navigation:  []NavLink{{Label: "Latest", URL: "/"}},
	}
}

// SettingsStore keeps the site settings.
type SettingsStore interface {
	// FindSettings returns the stored settings, with defaults for anything never set.
	FindSettings(ctx context.Context) (Settings, error)
	// SaveSettings replaces the stored settings.
	SaveSettings(ctx context.Context, s Settings) error
}

// Validate checks the settings before they are saved: a title, a time zone Go knows, a
// locale that looks like a language tag, and navigation links that lead somewhere.
func (s Settings) Validate() error {
	if strings.TrimSpace(s.Title) == "" {
		return Errorf(EINVALID, "The site needs a title.")
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"site title", s.Title, MaxTitle}, {"site description", s.Description, MaxStandfirst}, {"logo address", s.Logo, 2000}} {
		if err := CheckText(f.name, f.value, f.max); err != nil {
			return err
		}
	}
	if !LinkTarget(s.Logo) {
		return Errorf(EINVALID, "The logo must be a path on this site like /static/logo.svg, or an http(s) address.")
	}
	if len(s.Navigation) > 50 {
		return Errorf(EINVALID, "The navigation can have at most 50 links (it has %d).", len(s.Navigation))
	}
	if _, err := time.LoadLocation(s.Timezone); err != nil || s.Timezone == "" {
		return Errorf(EINVALID, "%q is not a time zone; use a name like Europe/Paris.", s.Timezone)
	}
	if !validLocale(s.Locale) {
		return Errorf(EINVALID, "%q is not a locale; use a language tag like en-GB or fr-FR.", s.Locale)
	}
	for _, l := range s.Navigation {
		if strings.TrimSpace(l.Label) == "" {
			return Errorf(EINVALID, "Every navigation link needs a label.")
		}
		if err := CheckText("navigation label", l.Label, MaxName); err != nil {
			return err
		}
		if err := CheckText("navigation address", l.URL, 2000); err != nil {
			return err
		}
		if !LinkTarget(l.URL) {
			return Errorf(EINVALID, "The navigation link %q must lead to a path like /tag/politics/ or to an http(s) address.", l.Label)
		}
	}
	return nil
}

// validLocale accepts language tags of letters and digits in parts joined by hyphens, the
// first of two or three letters: "en", "en-GB", "zh-Hant-TW".
func validLocale(tag string) bool {
	parts := strings.Split(tag, "-")
	if len(parts[0]) < 2 || len(parts[0]) > 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 8 {
			return false
		}
		for _, r := range p {
			if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
				return false
			}
		}
	}
	return true
}

// SitePath reports whether u is a path on this site ("/tag/politics/"), not an address that
// a browser reads as another host ("//evil.example/", "/\\evil.example/").
func SitePath(u string) bool {
	return strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") && !strings.HasPrefix(u, "/\\") &&
		!strings.ContainsAny(u, "\x00\r\n\t")
}

// LinkTarget reports whether u may stand in a link or an image the site shows: a path on
// this site, or an http(s) address, without spaces or control characters.
func LinkTarget(u string) bool {
	if strings.ContainsFunc(u, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return false
	}
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(u, "http://")
	}
	return SitePath(u) || ok && rest != "" && !strings.HasPrefix(rest, "/")
}
