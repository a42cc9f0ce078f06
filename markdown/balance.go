package markdown

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"byline"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// rawTextElements are the elements after whose start tag an HTML tokenizer reads raw text
// up to the matching end tag, or to the end of the input when there is none: an unclosed
// one swallows the rest of the body. These are the tokenizer's own list
// (golang.org/x/net/html, which bluemonday uses too).
var rawTextElements = map[string]bool{
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true,
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
}

// maxRestarts bounds the precise repairs unswallow makes; past it, the rest of the input is
// escaped wholesale, so that the work stays linear in the input's length.
const maxRestarts = 16

// unswallow makes sure that no construct of the HTML in s runs to the end of the input and
// takes the rest with it: a raw-text element without its end tag, a comment that is never
// closed, or a tag cut short. The '<' that starts such a construct becomes "&lt;", so that
// it shows as text, and what follows it is read as HTML again. A raw-text element that is
// closed is left for the sanitiser, which drops it. s is read with the same tokenizer the
// sanitiser uses, so both see the same tokens.
func unswallow(s string) string {
	var out strings.Builder
	unclosed := map[string]bool{} // raw-text elements seen running to the end of the input
	restarts := 0
	for {
		cut, ok := firstSwallower(s, unclosed)
		if !ok {
			out.WriteString(s)
			return out.String()
		}
		out.WriteString(s[:cut])
		s = s[cut:]
		if restarts++; restarts > maxRestarts {
			out.WriteString(strings.ReplaceAll(s, "<", "&lt;"))
			return out.String()
		}
		out.WriteString("&lt;")
		s = s[1:]
	}
}

// firstSwallower returns the offset of the first construct in s that runs to the end of
// the input, if any. Raw-text elements of a name in unclosed are taken to run to the end
// without looking again (one of them did; the rest are escaped too, which is safe and keeps
// the work linear); the map learns each name that does.
func firstSwallower(s string, unclosed map[string]bool) (int, bool) {
	z := html.NewTokenizer(strings.NewReader(s))
	pos := 0
	for {
		tt := z.Next()
		raw := len(z.Raw())
		switch tt {
		case html.ErrorToken:
			// A tag cut short by the end of the input is dropped by the tokenizer, with all
			// that it reached.
			return pos, raw > 0
		case html.StartTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if !rawTextElements[tag] {
				break
			}
			if unclosed[tag] || tag == "plaintext" {
				return pos, true
			}
			start := pos
			pos += raw
			for {
				tt = z.Next()
				raw = len(z.Raw())
				if tt != html.TextToken {
					break
				}
				pos += raw
			}
			if tt == html.ErrorToken {
				unclosed[tag] = true
				return start, true
			}
			// The raw text ended at its end tag.
		case html.CommentToken:
			if !closedComment(string(z.Raw())) {
				return pos, true
			}
		}
		pos += raw
	}
}

// closedComment reports whether a comment token's raw text, as the tokenizer gave it,
// ends properly rather than at the end of the input.
func closedComment(raw string) bool {
	if strings.HasPrefix(raw, "<!--") {
		return raw == "<!-->" || raw == "<!--->" || len(raw) >= 7 && (strings.HasSuffix(raw, "-->") || strings.HasSuffix(raw, "--!>"))
	}
	return strings.HasSuffix(raw, ">") // a bogus comment such as <!x> or <?x> ends at the first '>'
}

// divContext is the element article bodies are parsed in: they go inside one on the page.
func divContext() *html.Node {
	return &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
}

// balance parses a sanitised fragment the way a browser would inside a <div> and writes it
// out again: every element is closed, stray end tags are gone, and the text is cleaned of
// characters XML forbids. The result renders back to itself.
func balance(fragment string) (string, error) {
	out := fragment
	// One pass nearly always gives a fixed point; a second settles the rare tree the
	// parser builds differently from its own rendering.
	for range 3 {
		nodes, err := html.ParseFragment(strings.NewReader(out), divContext())
		if err != nil {
			// The parser's one refusal: elements nested more than 512 deep.
			return "", byline.Errorf(byline.EINVALID, "The body nests its HTML elements too deeply (more than 500 levels) for a page to show it.")
		}
		var b strings.Builder
		for _, n := range nodes {
			cleanNode(n)
			if err := html.Render(&b, n); err != nil {
				return "", fmt.Errorf("balance html: %w", err)
			}
		}
		if b.String() == out {
			break
		}
		out = b.String()
	}
	return out, nil
}

// cleanNode cleans the text and attribute values of n and its descendants.
func cleanNode(n *html.Node) {
	switch n.Type {
	case html.TextNode, html.CommentNode:
		n.Data = cleanText(n.Data)
	case html.ElementNode:
		for i := range n.Attr {
			n.Attr[i].Val = cleanText(n.Attr[i].Val)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		cleanNode(c)
	}
}

// cleanText makes s valid UTF-8 without the characters XML 1.0 forbids, each replaced by
// U+FFFD, as CommonMark does with NUL.
func cleanText(s string) string {
	clean := utf8.ValidString(s)
	if clean {
		for _, r := range s {
			if !byline.XMLChar(r) {
				clean = false
				break
			}
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if !byline.XMLChar(r) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}
