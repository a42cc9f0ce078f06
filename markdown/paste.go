package markdown

import (
	"strings"

	"byline"

	htmltomarkdown "github.com/JohannesKaufmann/html-to-markdown/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxPaste bounds the HTML one paste may carry: a long article from Word with its styles
// is a few hundred KB, and hostile markup at a few MB costs seconds and hundreds of MB to
// convert.
const MaxPaste = 1 << 20

// FromHTML turns HTML pasted from Google Docs, Word or a web page into Markdown, keeping
// headings, bold, italics, links, quotes and lists. Google Docs marks bold and italics with
// styles rather than tags, and wraps everything in a bold tag that is not bold: those are
// read first. The Markdown is sanitised later, as every body is, when it is rendered.
func FromHTML(src string) (string, error) {
	if len(src) > MaxPaste {
		return "", byline.Errorf(byline.EINVALID, "The pasted text is over %d KB with its formatting: paste it in parts.", MaxPaste>>10)
	}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return "", byline.Errorf(byline.EINVALID, "The pasted text could not be read as HTML.")
	}
	plain(doc)
	out, err := htmltomarkdown.ConvertNode(doc)
	if err != nil {
		return "", byline.Errorf(byline.EINVALID, "The pasted text could not be turned into Markdown: %v", err)
	}
	return strings.TrimSpace(string(out)) + "\n", nil
}

// plain rewrites styled spans as the tags they stand for and drops what a newsroom's body
// never carries (scripts, styles, Word's comments and metadata).
func plain(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode {
			switch c.DataAtom {
			case atom.Script, atom.Style, atom.Meta, atom.Link, atom.Title, atom.Noscript, atom.Template:
				n.RemoveChild(c)
				c = next
				continue
			}
			style := strings.ReplaceAll(strings.ToLower(attr(c, "style")), " ", "")
			switch {
			case c.DataAtom == atom.B && strings.Contains(style, "font-weight:normal"):
				// Google Docs' wrapper: its children stand in its place.
				plain(c)
				for k := c.FirstChild; k != nil; {
					kn := k.NextSibling
					c.RemoveChild(k)
					n.InsertBefore(k, c)
					k = kn
				}
				n.RemoveChild(c)
				c = next
				continue
			case c.DataAtom == atom.Span:
				bold := strings.Contains(style, "font-weight:700") || strings.Contains(style, "font-weight:bold") ||
					strings.Contains(style, "font-weight:600") || strings.Contains(style, "font-weight:800")
				italic := strings.Contains(style, "font-style:italic")
				wrap(c, italic, atom.Em)
				wrap(c, bold, atom.Strong)
			}
		}
		plain(c)
		c = next
	}
}

// wrap moves c's children into a new element a inside c, when on.
func wrap(c *html.Node, on bool, a atom.Atom) {
	if !on || c.FirstChild == nil {
		return
	}
	el := &html.Node{Type: html.ElementNode, DataAtom: a, Data: a.String()}
	for k := c.FirstChild; k != nil; {
		kn := k.NextSibling
		c.RemoveChild(k)
		el.AppendChild(k)
		k = kn
	}
	c.AppendChild(el)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
