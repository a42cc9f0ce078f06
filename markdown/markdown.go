// Package markdown turns the Markdown newsrooms write into safe HTML with the typography a
// newsroom expects: curly quotes and apostrophes, ellipses and dashes. French quotation
// marks (« ») are kept as written.
package markdown

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"byline"

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
	if err := checkShape(src); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(cleanText(src)), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return balance(r.policy.Sanitize(unswallow(buf.String())))
}

// TeaserMarker is the divider a writer types on a line of its own to end the part of a
// members-only article everyone may read (the preview). It renders as nothing.
const TeaserMarker = "<!--members-only-->"

// RenderArticle renders a body and its teaser (the public preview of a gated article): the
// part before the first line holding only TeaserMarker when the source has one; else the
// body up to the end of its second paragraph. A body with nothing after its second
// paragraph gives its first paragraph only, and one with nothing after its first paragraph
// gives no teaser at all: a teaser is never the whole text.
func (r *Renderer) RenderArticle(src string) (body, teaser string, err error) {
	before, after, marked := cutAtMarker(src)
	if body, err = r.Render(before + "\n\n" + after); err != nil {
		return "", "", err
	}
	if !marked {
		return body, Preview(body), nil
	}
	teaser, err = r.Render(before)
	return body, teaser, err
}

// cutAtMarker splits src at the first line that holds only TeaserMarker (spaces aside).
func cutAtMarker(src string) (before, after string, found bool) {
	at := 0
	for line := range strings.Lines(src) {
		if strings.TrimSpace(line) == TeaserMarker {
			return src[:at], src[at+len(line):], true
		}
		at += len(line)
	}
	return src, "", false
}

// Preview returns the start of rendered HTML that a reader without access may read when the
// writer set no divider: its top-level elements up to the end of the second top-level
// paragraph, when something follows it; else up to the end of the first, when something
// follows that; else "".
func Preview(fragment string) string {
	nodes, err := html.ParseFragment(strings.NewReader(fragment), divContext())
	if err != nil {
		return ""
	}
	var ends []int // the index after each top-level paragraph
	for i, n := range nodes {
		if n.Type == html.ElementNode && n.DataAtom == atom.P {
			ends = append(ends, i+1)
		}
	}
	rest := func(from int) bool { // whether anything but white space follows
		for _, n := range nodes[from:] {
			if n.Type == html.ElementNode || n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" {
				return true
			}
		}
		return false
	}
	end := 0
	for i := min(len(ends), 2) - 1; i >= 0; i-- {
		if rest(ends[i]) {
			end = ends[i]
			break
		}
	}
	var b strings.Builder
	for _, n := range nodes[:end] {
		if err := html.Render(&b, n); err != nil {
			return ""
		}
	}
	return b.String()
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

// Shapes of Markdown the parser takes time for in proportion to the square of their size:
// a 64 KB body of nested quotes or of unclosed links took over a second, a 1 MB one minutes.
// No article needs them; bodies with more are refused before parsing.
const (
	maxNesting = 32   // quotes and list items inside each other on one line
	maxOpen    = 1000 // links whose address runs into the next link: "[a]([b]([c](…"
)

// checkShape refuses a body whose shape would make the parser slow (see maxNesting).
func checkShape(src string) error {
	if n := runOnLinks(src); n > maxOpen {
		return byline.Errorf(byline.EINVALID, "The body has %d links whose address is never closed by a \")\"; check the links.", n)
	}
	for line := range strings.Lines(src) {
		if depth := containerDepth(line); depth > maxNesting {
			return byline.Errorf(byline.EINVALID, "The body nests quotes and lists %d levels deep; it can nest at most %d.", depth, maxNesting)
		}
	}
	return nil
}

// runOnLinks counts the links ("](") whose address is not ended, by a ")" or a space,
// before the next link begins: the parser looks ahead from each for the end of them all.
func runOnLinks(src string) int {
	n, open := 0, false
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == ']' && i+1 < len(src) && src[i+1] == '(':
			if open {
				n++
			}
			open = true
			i++
		case c == ')' || c == ' ' || c == '\t' || c == '\n':
			open = false
		}
	}
	return n
}

// containerDepth counts the block quote and list markers that open a line.
func containerDepth(line string) int {
	depth, i := 0, 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		switch {
		case i < len(line) && line[i] == '>':
			i++
		case i+1 < len(line) && strings.IndexByte("-*+", line[i]) >= 0 && (line[i+1] == ' ' || line[i+1] == '\t'):
			i += 2
		default:
			j := i
			for j < len(line) && j-i < 9 && '0' <= line[j] && line[j] <= '9' {
				j++
			}
			if j == i || j+1 >= len(line) || (line[j] != '.' && line[j] != ')') || (line[j+1] != ' ' && line[j+1] != '\t') {
				return depth
			}
			i = j + 2
		}
		depth++
	}
}
