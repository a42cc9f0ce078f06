// Package markdown turns the Markdown newsrooms write into safe HTML with the typography a
// newsroom expects: curly quotes and apostrophes, ellipses and dashes. French quotation
// marks (« ») are kept as written.
package markdown

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
)

// Renderer renders article bodies. It is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a Renderer for article bodies: CommonMark with tables, strikethrough, task
// lists, autolinks and footnotes. Raw HTML is allowed in the source and then sanitised.
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote, extension.Typographer),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false) // editorial links are the newsroom's own choice
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^[a-zA-Z0-9_:.-]+$`)).OnElements("h1", "h2", "h3", "h4", "h5", "h6", "li", "sup")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(footnotes|footnote-ref|footnote-backref|task-list-item)$`)).Globally()
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-(noteref|backlink|endnotes)$`)).Globally()
	p.AllowAttrs("type", "checked", "disabled").OnElements("input")
	p.AllowElements("figure", "figcaption")
	return &Renderer{md: md, policy: p}
}

// Render returns the sanitised HTML of src.
func (r *Renderer) Render(src string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return r.policy.Sanitize(buf.String()), nil
}

// TeaserMarker is the line that ends the part of a members-only article everyone may read.
const TeaserMarker = "<!--members-only-->"

// RenderArticle renders a body and its teaser: the part before TeaserMarker when the source
// has one, else the first paragraph. The teaser is all a reader without access ever gets.
func (r *Renderer) RenderArticle(src string) (body, teaser string, err error) {
	before, after, marked := strings.Cut(src, TeaserMarker)
	if body, err = r.Render(before + "\n\n" + after); err != nil {
		return "", "", err
	}
	if !marked {
		return body, FirstParagraph(body), nil
	}
	teaser, err = r.Render(before)
	return body, teaser, err
}

// FirstParagraph returns the first <p> element of rendered HTML, or "".
func FirstParagraph(html string) string {
	start := strings.Index(html, "<p>")
	if start < 0 {
		return ""
	}
	end := strings.Index(html[start:], "</p>")
	if end < 0 {
		return ""
	}
	return html[start : start+end+len("</p>")]
}
