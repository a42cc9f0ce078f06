package byline

import "context"

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
