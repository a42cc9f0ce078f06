package web

import (
	"net/http"

	"byline"
)

// themeCSS serves /theme.css: the newsroom's accent colour from the settings, for light
// pages only (dark mode keeps the theme's accent, made for dark paper). The layout links it
// with the colour in its query, so browsers fetch it again when the colour changes; the
// page security policy allows no inline style, hence a file.
func (s *Server) themeCSS(r *http.Request) (*response, error) {
	site, err := s.settings(r.Context())
	if err != nil {
		return nil, err
	}
	css := "/* The theme's own accent. */\n"
	if site.Accent != "" && byline.CheckAccent(site.Accent) == nil {
		css = "@media not (prefers-color-scheme: dark) { :root { --accent: " + site.Accent + "; } }\n"
	}
	return newResponse(http.StatusOK, "text/css; charset=utf-8", pageCacheControl, []byte(css)), nil
}
