package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"byline"
	"byline/markdown"
)

// feedSize is how many articles a feed carries.
const feedSize = 30

type rss struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Content string     `xml:"xmlns:content,attr"`
	DC      string     `xml:"xmlns:dc,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         plainText `xml:"title"`
	Link          string    `xml:"link"`
	Self          atomLink  `xml:"atom:link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Generator     string    `xml:"generator"`
	Items         []rssItem `xml:"item"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       plainText   `xml:"title"`
	Link        string      `xml:"link"`
	GUID        rssGUID     `xml:"guid"`
	PubDate     string      `xml:"pubDate"`
	Creators    []plainText `xml:"dc:creator"`
	Categories  []plainText `xml:"category"`
	Description string      `xml:"description"`
	Content     *cdata      `xml:"content:encoded"`
	Enclosure   *enclosure  `xml:"enclosure"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// plainText is text in an RSS element that holds plain text (a title, a name). RSS never
// said whether such elements may hold HTML, and readers differ; the RSS Best Practices
// Profile asks for & and < (and >) as hexadecimal character references, which the most
// readers show as the characters.
type plainText struct {
	XML string `xml:",innerxml"`
}

// plainTextEscaper writes text as the RSS Best Practices Profile asks for plain text.
var plainTextEscaper = strings.NewReplacer("&", "&#x26;", "<", "&#x3C;", ">", "&#x3E;", "\r", "&#xD;")

// plain makes plain text for an RSS element. Characters XML forbids (the store refuses them)
// become U+FFFD, so that the feed stays XML whatever reaches it.
func plain(s string) plainText {
	return plainText{XML: plainTextEscaper.Replace(strings.Map(func(r rune) rune {
		if byline.XMLChar(r) {
			return r
		}
		return utf8.RuneError
	}, s))}
}

// htmlText makes plain text into the HTML an RSS description holds: readers render a
// description as HTML, so a standfirst's "<img onerror=...>" must arrive as text, not markup.
// The XML encoder then escapes it once more, as the RSS specification's examples do.
func htmlText(s string) string { return html.EscapeString(s) }

type cdata struct {
	Value string `xml:",cdata"`
}

type enclosure struct {
	URL    string `xml:"url,attr"`
	Type   string `xml:"type,attr"`
	Length int    `xml:"length,attr"`
}

// gatedLinkText is what a feed's preview of a gated article says of the rest.
func gatedLinkText(v byline.Visibility) string {
	if v == byline.VisibilityPaid {
		return "The rest of this article is for paying members: read it on the site."
	}
	return "The rest of this article is for members: read it on the site."
}

// feed renders an RSS 2.0 feed. Public articles carry their full text; gated (members' and
// paid) articles carry their preview (TeaserHTML) and a link, never the rest of their body. A section's feed (emptyOK false)
// with nothing visible is a 404, as the section's page is.
func (s *Server) feed(r *http.Request, title, link, desc string, f byline.ArticleFilter, emptyOK bool) (*response, error) {
	f.VisibleAt, f.Limit = s.now(), feedSize
	list, err := s.store.FindArticles(r.Context(), f)
	if err != nil {
		return nil, err
	}
	if err := hideExpired(r.Context(), s.store, f.VisibleAt, list...); err != nil {
		return nil, err
	}
	if len(list) == 0 && !emptyOK {
		return nil, notFound()
	}
	site, err := s.settings(r.Context())
	if err != nil {
		return nil, err
	}
	ch := rssChannel{Title: plain(title), Link: s.baseURL + escapedPath(link), Description: htmlText(desc), Language: site.Locale,
		Self:      atomLink{Href: s.baseURL + escapedPath(r.URL.Path), Rel: "self", Type: "application/rss+xml"},
		Generator: "Byline " + byline.Version}
	var last time.Time
	for _, a := range list {
		if a.UpdatedAt.After(last) {
			last = a.UpdatedAt
		}
	}
	if !last.IsZero() {
		ch.LastBuildDate = last.UTC().Format(time.RFC1123Z)
	}
	for _, a := range list {
		it := rssItem{Title: plain(markdown.Smarten(a.Title)), Link: s.articleURL(a),
			GUID:        rssGUID{IsPermaLink: true, Value: s.articleURL(a)},
			PubDate:     a.PublishedAt.UTC().Format(time.RFC1123Z),
			Description: htmlText(markdown.Smarten(a.Standfirst))}
		for _, au := range a.Authors {
			it.Creators = append(it.Creators, plain(au.Name))
		}
		for _, t := range a.Tags {
			it.Categories = append(it.Categories, plain(t.Name))
		}
		content := a.BodyHTML
		if anonymous := (byline.Reader{}); !anonymous.CanRead(a.Visibility) {
			// A feed is read by anyone: a gated article gives its preview only.
			content = a.TeaserHTML + `<p><a href="` + html.EscapeString(s.articleURL(a)) + `">` + gatedLinkText(a.Visibility) + `</a></p>`
		}
		it.Content = &cdata{Value: strings.ReplaceAll(content, "]]>", "]]&gt;")}
		if a.Image != nil {
			it.Enclosure = &enclosure{URL: s.absolute(srcURL(a.Image, 960)), Type: "image/jpeg"}
		}
		ch.Items = append(ch.Items, it)
	}
	doc := rss{Version: "2.0", Content: "http://purl.org/rss/1.0/modules/content/",
		DC: "http://purl.org/dc/elements/1.1/", Atom: "http://www.w3.org/2005/Atom", Channel: ch}
	res, err := xmlResponse(doc)
	if res != nil {
		res.contentType = "application/rss+xml; charset=utf-8"
	}
	return res, err
}

func xmlResponse(doc any) (*response, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode xml: %w", err)
	}
	return newResponse(http.StatusOK, "application/xml; charset=utf-8", pageCacheControl, buf.Bytes()), nil
}

// siteFeed serves /rss/.
func (s *Server) siteFeed(r *http.Request) (*response, error) {
	site, err := s.settings(r.Context())
	if err != nil {
		return nil, err
	}
	return s.feed(r, site.Title, "/", site.Description, byline.ArticleFilter{}, true)
}

// sectionFeed serves /tag/{slug}/rss/ and /author/{slug}/rss/.
func (s *Server) sectionFeed(kind string) handlerFunc {
	return func(r *http.Request) (*response, error) {
		sec, err := s.findSection(r, kind)
		if err != nil {
			return nil, err
		}
		res, err := s.feed(r, sec.name, sec.path(), sec.description(), sec.filter, false)
		if res != nil {
			res.tag(sec.surrogateKey())
		}
		return res, err
	}
}

// correctionsFeed serves /corrections/rss/: the newest notes of the articles readers may
// see. An item is the note alone, linked to its place on the article: never the article's
// body, which may be for members.
func (s *Server) correctionsFeed(r *http.Request) (*response, error) {
	list, err := s.store.FindCorrections(r.Context(), byline.CorrectionFilter{VisibleAt: s.now(), Limit: feedSize})
	if err != nil {
		return nil, err
	}
	site, err := s.settings(r.Context())
	if err != nil {
		return nil, err
	}
	ch := rssChannel{Title: plain("Corrections and updates – " + site.Title), Link: s.baseURL + "/corrections/",
		Description: htmlText("Every correction, clarification and update to our articles, newest first."), Language: site.Locale,
		Self:      atomLink{Href: s.baseURL + "/corrections/rss/", Rel: "self", Type: "application/rss+xml"},
		Generator: "Byline " + byline.Version}
	if len(list) > 0 {
		ch.LastBuildDate = list[0].At.UTC().Format(time.RFC1123Z)
	}
	for _, c := range list {
		link := s.articleURL(c.Article) + fmt.Sprintf("#correction-%d", c.ID)
		ch.Items = append(ch.Items, rssItem{
			Title:       plain(c.Kind.Label() + ": " + markdown.Smarten(c.Article.Title)),
			Link:        link,
			GUID:        rssGUID{IsPermaLink: true, Value: link},
			PubDate:     c.At.UTC().Format(time.RFC1123Z),
			Description: htmlText(c.Text),
		})
	}
	doc := rss{Version: "2.0", Content: "http://purl.org/rss/1.0/modules/content/",
		DC: "http://purl.org/dc/elements/1.1/", Atom: "http://www.w3.org/2005/Atom", Channel: ch}
	res, err := xmlResponse(doc)
	if res != nil {
		res.contentType = "application/rss+xml; charset=utf-8"
		res.tag(correctionsKey)
	}
	return res, err
}

type urlset struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	News    string       `xml:"xmlns:news,attr,omitempty"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string       `xml:"loc"`
	LastMod string       `xml:"lastmod,omitempty"`
	News    *sitemapNews `xml:"news:news"`
}

type sitemapNews struct {
	Publication struct {
		Name     string `xml:"news:name"`
		Language string `xml:"news:language"`
	} `xml:"news:publication"`
	PublicationDate string `xml:"news:publication_date"`
	Title           string `xml:"news:title"`
}

// sitemapLimit is the most URLs one sitemap file may list, by the sitemap protocol.
const sitemapLimit = 50000

type sitemapIndex struct {
	XMLName  xml.Name `xml:"sitemapindex"`
	NS       string   `xml:"xmlns,attr"`
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

// sitemap serves /sitemap.xml: the front page and every published article; past 50,000
// articles, an index of /sitemap/{n}.xml files instead.
func (s *Server) sitemap(r *http.Request) (*response, error) {
	n, err := s.store.CountVisible(r.Context(), s.now())
	if err != nil {
		return nil, err
	}
	if n+1 <= s.sitemapSize {
		return s.sitemapPart(r, 0, s.sitemapSize)
	}
	idx := sitemapIndex{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for part := 1; (part-1)*s.sitemapSize < n+1; part++ { // n articles and the front page
		idx.Sitemaps = append(idx.Sitemaps, struct {
			Loc string `xml:"loc"`
		}{fmt.Sprintf("%s/sitemap/%d.xml", s.baseURL, part)})
	}
	return xmlResponse(idx)
}

// maxSitemapPart bounds the number of a sitemap file before the store is asked how many
// there are: 50,000 files of 50,000 addresses are more than any newsroom writes.
const maxSitemapPart = 50_000

// parseSitemapPart reads the number of a sitemap file from its name, "{n}.xml", in the
// canonical spelling only.
func parseSitemapPart(name string) (int, bool) { return parseNamedNumber(name, ".xml", maxSitemapPart) }

// sitemapFile serves /sitemap/{n}.xml, the n-th file the sitemap index names. There are
// such files only when the index exists, and only as many as it names.
func (s *Server) sitemapFile(r *http.Request) (*response, error) {
	part, ok := parseSitemapPart(r.PathValue("file"))
	if !ok {
		return nil, notFound()
	}
	n, err := s.store.CountVisible(r.Context(), s.now())
	if err != nil {
		return nil, err
	}
	urls := n + 1 // the articles and the front page
	if urls <= s.sitemapSize || part > (urls+s.sitemapSize-1)/s.sitemapSize {
		return nil, notFound()
	}
	res, err := s.sitemapPart(r, (part-1)*s.sitemapSize, s.sitemapSize)
	if err == nil && res == nil {
		return nil, notFound()
	}
	return res, err
}

// sitemapPart lists limit URLs from offset; the first part also lists the front page.
// It returns nil, nil when there is nothing to list past the first part.
func (s *Server) sitemapPart(r *http.Request, offset, limit int) (*response, error) {
	set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	// The front page comes first and takes one place of the first file.
	if offset == 0 {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.baseURL + "/"})
		limit--
	} else {
		offset--
	}
	links, err := s.store.FindArticleLinks(r.Context(), s.now(), offset, limit)
	if err != nil {
		return nil, err
	}
	if len(links) == 0 && offset > 0 {
		return nil, nil
	}
	for _, l := range links {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.baseURL + escapedPath("/"+l.Slug+"/"), LastMod: l.UpdatedAt.Format(time.RFC3339)})
	}
	return xmlResponse(set)
}

// newsSitemap serves /sitemap-news.xml: Google News' sitemap of the last 48 hours.
func (s *Server) newsSitemap(r *http.Request) (*response, error) {
	now := s.now()
	list, err := s.store.FindArticles(r.Context(), byline.ArticleFilter{
		VisibleAt: now, Limit: 1000, Summary: true})
	if err != nil {
		return nil, err
	}
	site, err := s.settings(r.Context())
	if err != nil {
		return nil, err
	}
	lang, _, _ := strings.Cut(strings.ToLower(site.Locale), "-")
	set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", News: "http://www.google.com/schemas/sitemap-news/0.9"}
	for _, a := range list {
		if now.Sub(a.PublishedAt) > 48*time.Hour {
			break
		}
		n := &sitemapNews{PublicationDate: a.PublishedAt.UTC().Format(time.RFC3339), Title: markdown.Smarten(a.Title)}
		n.Publication.Name, n.Publication.Language = site.Title, lang
		set.URLs = append(set.URLs, sitemapURL{Loc: s.articleURL(a), News: n})
	}
	return xmlResponse(set)
}

// robots serves /robots.txt.
func (s *Server) robots(r *http.Request) (*response, error) {
	body := fmt.Sprintf("User-agent: *\nAllow: /\n\nSitemap: %s/sitemap.xml\nSitemap: %s/sitemap-news.xml\n", s.baseURL, s.baseURL)
	return newResponse(http.StatusOK, "text/plain; charset=utf-8", pageCacheControl, []byte(body)), nil
}
