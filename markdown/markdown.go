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
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
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

// Render returns the sanitised HTML of src: a balanced fragment, in which every element
// opened is closed, so that nothing written after it on a page ends up inside it. Its text
// is valid UTF-8 without the control characters XML forbids (a feed must carry it).
func (r *Renderer) Render(src string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(cleanText(src)), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return balance(r.policy.Sanitize(unswallow(buf.String())))
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

// FirstParagraph returns the first <p> element of rendered HTML, whole and balanced, or "".
func FirstParagraph(fragment string) string {
	nodes, err := html.ParseFragment(strings.NewReader(fragment), divContext())
	if err != nil {
		return ""
	}
	var first *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.P {
			first = n
			return
		}
		for c := n.FirstChild; c != nil && first == nil; c = c.NextSibling {
			find(c)
		}
	}
	for _, n := range nodes {
		if find(n); first != nil {
			break
		}
	}
	if first == nil {
		return ""
	}
	var b strings.Builder
	if err := html.Render(&b, first); err != nil {
		return ""
	}
	return b.String()
}
