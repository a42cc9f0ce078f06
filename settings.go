package byline

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"
)

// Settings are the newsroom's site settings, kept in the store and edited by staff.
type Settings struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Logo        string `json:"logo"`     // path or URL of the logo, served by Byline
	Locale      string `json:"locale"`   // BCP 47, e.g. "en-GB"
	Timezone    string `json:"timezone"` // IANA name, e.g. "Europe/Paris"
	// Accent is the colour of kickers, section titles and focus rings, "#rrggbb"; "" keeps
	// the theme's own. Dark mode keeps the theme's, made for dark paper.
	Accent     string    `json:"accent,omitempty"`
	Navigation []NavLink `json:"navigation"`
	// BlockedEmailDomains are the email domains members may not sign up or sign in with
	// (throwaway mail services, say), lower-cased, one a line on the settings page. A
	// domain blocks its subdomains too.
	BlockedEmailDomains []string `json:"blocked_email_domains,omitempty"`
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

// Validate checks the settings before they are saved, and returns the first problem
// Problems finds, or nil.
func (s Settings) Validate() error {
	if p := s.Problems(); len(p) > 0 {
		return p[0]
	}
	return nil
}

// Problems lists what is wrong with the settings, at most one problem a field, each naming
// its field (the settings page shows them beside the fields): a title, a time zone Go
// knows, a locale that looks like a language tag, an accent colour readable on white, and
// navigation links that lead somewhere. `byline settings` and the settings page both check
// settings through it.
func (s Settings) Problems() []*Error {
	var list []*Error
	add := func(field string, errs ...error) {
		for _, err := range errs {
			if e, ok := err.(*Error); ok && e != nil {
				e.Field = field
				list = append(list, e)
				return
			}
		}
	}
	var blank, badLogo error
	if strings.TrimSpace(s.Title) == "" {
		blank = Errorf(EINVALID, "The site needs a title.")
	}
	if !LinkTarget(s.Logo) {
		badLogo = Errorf(EINVALID, "The logo must be a path on this site like /static/logo.svg, or an http(s) address.")
	}
	add("title", blank, CheckText("site title", s.Title, MaxTitle))
	add("description", CheckText("site description", s.Description, MaxStandfirst))
	add("logo", CheckText("logo address", s.Logo, 2000), badLogo)
	if err := CheckAccent(s.Accent); err != nil {
		add("accent", err)
	}
	if !validLocale(s.Locale) {
		add("locale", Errorf(EINVALID, "%q is not a locale; use a language tag like en-GB or fr-FR.", s.Locale))
	}
	if _, err := time.LoadLocation(s.Timezone); err != nil || s.Timezone == "" {
		add("timezone", Errorf(EINVALID, "%q is not a time zone; use a name like Europe/Paris.", s.Timezone))
	}
	add("navigation", s.checkNavigation())
	add("blocked_email_domains", checkDomains(s.BlockedEmailDomains))
	return list
}

// checkNavigation checks the navigation links, returning the first problem.
func (s Settings) checkNavigation() error {
	if len(s.Navigation) > MaxNavigation {
		return Errorf(EINVALID, "The navigation can have at most %d links (it has %d).", MaxNavigation, len(s.Navigation))
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

// MaxBlockedDomains bounds the list of blocked email domains.
const MaxBlockedDomains = 1000

// checkDomains checks a list of email domains: lower-case host names like mailinator.com.
func checkDomains(domains []string) error {
	if len(domains) > MaxBlockedDomains {
		return Errorf(EINVALID, "At most %d email domains can be blocked (the list has %d).", MaxBlockedDomains, len(domains))
	}
	for _, d := range domains {
		ok := len(d) <= 253 && strings.Contains(d, ".") && !strings.HasPrefix(d, ".") && !strings.HasSuffix(d, ".") && !strings.Contains(d, "..")
		for _, r := range d {
			ok = ok && ('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '.')
		}
		if !ok {
			return Errorf(EINVALID, "%q is not an email domain; write one a line, like mailinator.com.", d)
		}
	}
	return nil
}

// EmailDomainBlocked reports whether the address's domain, or a domain it is under, is
// blocked.
func (s Settings) EmailDomainBlocked(email string) bool {
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	for _, d := range s.BlockedEmailDomains {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return true
		}
	}
	return false
}

// MaxNavigation bounds the navigation's links.
const MaxNavigation = 50

// CheckAccent accepts no accent (the theme's own) or a colour written #rrggbb that text and
// buttons can use on the white page: at least the 4.5:1 contrast WCAG asks of text.
func CheckAccent(c string) error {
	if c == "" {
		return nil
	}
	var rgb [3]float64
	ok := len(c) == 7 && c[0] == '#'
	for i := 0; ok && i < 3; i++ {
		v, err := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		ok = err == nil
		rgb[i] = float64(v) / 255
	}
	if !ok {
		return Errorf(EINVALID, "%q is not a colour; write it like #b3261e, or leave it empty for the theme's own.", c)
	}
	for i, v := range rgb {
		if v <= 0.04045 {
			rgb[i] = v / 12.92
		} else {
			rgb[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	lum := 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
	if ratio := 1.05 / (lum + 0.05); ratio < 4.5 {
		return Errorf(EINVALID, "The accent colour %s is too light to read on white (contrast %.1f:1; it needs at least 4.5:1): choose a darker one.", c, ratio)
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
