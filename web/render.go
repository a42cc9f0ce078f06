package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"byline"
	"byline/markdown"
	"byline/media"
)

// pageData is what every page template gets.
type pageData struct {
	Site      byline.Settings
	Lang      string
	BaseURL   string
	Title     string // the <title>
	Desc      string // meta description
	Canonical string
	Feed      string // the page's own feed, if any
	Status    int
	Error     string

	Admin *adminData // the admin's pages
	// Members is what the members' pages (sign-up, sign-in, account) show.
	Members *membersData
	// Preview marks a page showing an article to one reader before or outside its
	// publication: not indexed, not cached.
	Preview bool

	Article  *byline.Article
	CanRead  bool
	Next     *byline.Article
	JSONLD   any
	Featured []*byline.Article
	Latest   []*byline.Article
	Heading  string // list pages: what the list is
	Intro    string
	Page     int
	PrevURL  string
	NextURL  string
	Notes    []*byline.Correction // /corrections/: the notes of a page, each with its article

	// Reader is who reads the article page, for its call to action; Membership says whether
	// readers can sign in and join here (the members' pages are served).
	Reader     byline.Reader
	Membership bool

	loc *time.Location
}

// cardData is an article shown in a list, with the level of its headline.
type cardData struct {
	*byline.Article
	Level int
}

// settingsAt is the site settings as read at a content revision.
type settingsAt struct {
	revision int64
	site     byline.Settings
}

// settings returns the site settings, read again only when the content revision moves
// (saving settings moves it).
func (s *Server) settings(ctx context.Context) (byline.Settings, error) {
	rev, err := s.store.ContentRevision(ctx)
	if err != nil {
		return byline.Settings{}, err
	}
	if c := s.siteCache.Load(); c != nil && c.revision == rev {
		return c.site, nil
	}
	site, err := s.store.FindSettings(ctx)
	if err != nil {
		return site, err
	}
	site = safeSettings(site)
	s.siteCache.Store(&settingsAt{revision: rev, site: site})
	return site, nil
}

// safeSettings keeps of the stored settings only the links pages may carry: a path on this
// site or an http(s) address. Settings saved before the domain checked them may hold
// "//evil.example/", which a browser reads as another host; such a logo gives way to the
// site's own, such a navigation link is left out.
func safeSettings(site byline.Settings) byline.Settings {
	if !byline.LinkTarget(site.Logo) {
		site.Logo = byline.DefaultSettings().Logo
	}
	nav := make([]byline.NavLink, 0, len(site.Navigation))
	for _, l := range site.Navigation {
		if byline.LinkTarget(l.URL) {
			nav = append(nav, l)
		}
	}
	site.Navigation = nav
	return site
}

// knownSettings returns the settings last read from the store, or the defaults: for pages
// made when the store may be what failed.
func (s *Server) knownSettings() byline.Settings {
	if c := s.siteCache.Load(); c != nil {
		return c.site
	}
	return safeSettings(byline.DefaultSettings())
}

// basePage fills what every page shares. A page whose settings cannot be read fails: made
// with other settings, it would be cached and shown as if it were right.
func (s *Server) basePage(ctx context.Context, r *http.Request) (*pageData, error) {
	site, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	return s.pageWith(site, r), nil
}

// pageWith fills what every page shares, from the given settings.
func (s *Server) pageWith(site byline.Settings, r *http.Request) *pageData {
	loc, err := time.LoadLocation(site.Timezone)
	if err != nil {
		loc = time.UTC
	}
	lang := site.Locale
	if lang == "" {
		lang = "en"
	}
	return &pageData{Site: site, Lang: lang, BaseURL: s.baseURL, Canonical: s.baseURL + escapedPath(r.URL.Path), loc: loc}
}

// Date formats a time for readers, in the newsroom's time zone.
func (p *pageData) Date(t time.Time) string { return t.In(p.loc).Format("2 January 2006, 15:04") }

// pageNames are the public page templates, each parsed with the layout. Every file in
// templates/admin/ but partials.html is an admin page too, named "admin/" and its base name,
// parsed with the layout and the admin's partials.
var pageNames = []string{"front", "list", "article", "error", "corrections", "members"}

func (s *Server) parseTemplates(files fs.FS) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"smart": markdown.Smarten,
		"asset": s.assets.url,
		"srcset": func(img *byline.Image) string {
			var parts []string
			for _, w := range media.Widths(img.Width) {
				parts = append(parts, fmt.Sprintf("%s %dw", media.VariantURL(img, w), w))
			}
			return strings.Join(parts, ", ")
		},
		"src":    srcURL,
		"height": func(img *byline.Image, width int) int { return max(1, img.Height*width/img.Width) },
		"iso":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"html":   func(s string) template.HTML { return template.HTML(s) }, // only for sanitised HTML from the store
		"last":   func(i, n int) bool { return i == n-1 },
		"card":   func(a *byline.Article, level int) cardData { return cardData{a, level} },
		"can":    func(st *byline.Staff, a string) bool { return st.Can(byline.Action(a)) },
	}
	out := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		out[name] = t
	}
	admin, err := fs.Glob(files, "templates/admin/*.html")
	if err != nil {
		return nil, err
	}
	for _, file := range admin {
		name := "admin/" + strings.TrimSuffix(path.Base(file), ".html")
		if name == "admin/partials" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials.html", "templates/admin/partials.html", file)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// render executes a page template into a response with the page cache policy.
func (s *Server) render(status int, name string, data *pageData) (*response, error) {
	t := s.templates[name]
	if s.dev {
		ts, err := s.parseTemplates(osDir())
		if err != nil {
			return nil, err
		}
		t = ts[name]
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return newResponse(status, "text/html; charset=utf-8", pageCacheControl, buf.Bytes()), nil
}

// srcURL is the address of the smallest variant of img at least width pixels wide.
func srcURL(img *byline.Image, width int) string {
	ws := media.Widths(img.Width)
	best := ws[len(ws)-1]
	for _, w := range ws {
		if w >= width {
			best = w
			break
		}
	}
	return media.VariantURL(img, best)
}
