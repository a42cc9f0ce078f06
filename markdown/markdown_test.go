package markdown_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"byline"
	"byline/markdown"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func TestRenderTypography(t *testing.T) {
	r := markdown.New()
	for _, tt := range []struct{ name, src, want string }{
		{"CurlyQuotes", `He said "bravo".`, "He said “bravo”."},
		{"Apostrophe", "Quai d'Orsay", "Quai d’Orsay"},
		{"Ellipsis", "Wait...", "Wait…"},
		{"EmDash", "yes---no", "yes—no"},
		{"EnDash", "2026--2027", "2026–2027"},
		{"FrenchQuotesKept", "« C’est beau »", "« C’est beau »"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(html.UnescapeString(got), tt.want) {
				t.Fatalf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestRenderSanitises(t *testing.T) {
	r := markdown.New()
	for _, src := range []string{
		`<script>alert(1)</script>`,
		`[x](javascript:alert(1))`,
		`<a href="#" onclick="alert(1)">x</a>`,
		`<img src=x onerror=alert(1)>`,
		`<iframe src="https://example.com"></iframe>`,
		`<style>body{}</style>`,
	} {
		got, err := r.Render(src)
		if err != nil {
			t.Fatal(err)
		}
		assertSafe(t, got)
	}
}

func TestRenderKeepsStructure(t *testing.T) {
	r := markdown.New()
	got, err := r.Render("## Heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^1].\n\n[^1]: A note.\n\n> A quote.\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<h2 id="heading">`, "<table>", "<blockquote>", `class="footnotes"`} {
		if !strings.Contains(got, want) {
			t.Errorf("got %s, want it to contain %q", got, want)
		}
	}
}

func TestRenderArticleTeaser(t *testing.T) {
	r := markdown.New()
	body, teaser, err := r.RenderArticle("Free part.\n\n<!--members-only-->\n\nSecret part.")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Free part.") || !strings.Contains(body, "Secret part.") {
		t.Errorf("body = %q, want both parts", body)
	}
	if !strings.Contains(teaser, "Free part.") || strings.Contains(teaser, "Secret") {
		t.Errorf("teaser = %q, want only the free part", teaser)
	}
	// Without a divider: up to the end of the second paragraph, never the whole text.
	for _, tt := range []struct{ src, want string }{
		{"One.\n\nTwo.\n\nThree.", "<p>One.</p>\n<p>Two.</p>"},
		{"## Head\n\nOne.\n\n- a list\n\nTwo.\n\nThree.\n\nFour.", "<h2 id=\"head\">Head</h2>\n<p>One.</p>\n<ul>\n<li>a list</li>\n</ul>\n<p>Two.</p>"},
		{"One.\n\nTwo.", "<p>One.</p>"},
		{"One.\n\nTwo.\n\n> A quote.", "<p>One.</p>\n<p>Two.</p>"},
		{"One.", ""},
		{"- only\n- a list", ""},
		{"", ""},
	} {
		if _, teaser, _ := r.RenderArticle(tt.src); teaser != tt.want {
			t.Errorf("RenderArticle(%q) teaser = %q, want %q", tt.src, teaser, tt.want)
		}
	}
	// The divider counts only on a line of its own, and renders as nothing.
	body, teaser, _ = r.RenderArticle("One.\n\n  <!--members-only-->  \n\nTwo.\n\nThree.\n\nFour.")
	if strings.TrimSpace(teaser) != "<p>One.</p>" || strings.Contains(body, "members-only") || !strings.Contains(body, "Four.") {
		t.Errorf("divider: teaser %q, body %q", teaser, body)
	}
	_, teaser, _ = r.RenderArticle("One <!--members-only--> more.\n\nTwo.\n\nThree.")
	if teaser != "<p>One  more.</p>\n<p>Two.</p>" {
		t.Errorf("a divider inside a line: teaser %q, want the two-paragraph rule", teaser)
	}
}

func TestSmarten(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`France expels Russian spies 'operating under diplomatic cover'`, "France expels Russian spies ‘operating under diplomatic cover’"},
		{`"Remarkable," he wrote`, "“Remarkable,” he wrote"},
		{"the Quai d'Orsay ... to be informed", "the Quai d’Orsay … to be informed"},
		{"France's minister -- again", "France’s minister – again"},
		{"« Bonjour »", "« Bonjour »"},
		{"", ""},
	} {
		if got := markdown.Smarten(tt.in); got != tt.want {
			t.Errorf("Smarten(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// assertSafe fails when rendered HTML could run script.
func assertSafe(t testing.TB, out string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatalf("parse output: %v", err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "iframe", "style", "object", "embed", "form":
				t.Fatalf("output %q has a <%s> element", out, n.Data)
			}
			for _, a := range n.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" ||
					(a.Key == "href" || a.Key == "src") && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:")) {
					t.Fatalf("output %q has an unsafe attribute %s=%q", out, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

// TestRenderBalances: whatever the source leaves open, the rendered body closes it, and
// no element that takes raw text (style, script, textarea, …) swallows what follows it.
func TestRenderBalances(t *testing.T) {
	r := markdown.New()
	for _, tt := range []struct {
		name, src string
		want      []string // text the reader must see
		not       []string // text the reader must not see
	}{
		{"UnclosedLinkAtEnd", "Read <a href=\"https://example.com/\">the report", []string{"Read", "the report"}, nil},
		{"UnclosedLinkBlock", "<a href=\"https://example.com/\">\n\nNext paragraph.", []string{"Next paragraph."}, nil},
		{"UnclosedEmphasis", "Some <em>stress\n\nand <strong>more", []string{"stress", "more"}, nil},
		{"UnclosedDiv", "<div>\n\nInside *it*", []string{"Inside it"}, nil},
		{"UnclosedBlockquoteList", "<blockquote><ul><li>one", []string{"one"}, nil},
		{"UnclosedTable", "<table><tr><td>cell", []string{"cell"}, nil},
		{"StrayEndTags", "</div></p></a>text</li>", []string{"text"}, nil},
		{"StyleUnclosedInline", "a <style> b\n\nrest *of* body", []string{"rest of body", "a", "b"}, nil},
		{"StyleUnclosedBlock", "a\n\n<style>\n\nrest of body", []string{"rest of body"}, nil},
		{"StyleClosed", "<style>body{color:red}</style>\n\nafter it", []string{"after it"}, []string{"color:red"}},
		{"ScriptClosed", "<script>alert(1)</script>\n\nafter it", []string{"after it"}, []string{"alert"}},
		{"ScriptUnclosed", "x <script>alert(1)\n\nafter it", []string{"after it"}, nil},
		{"ScriptHiddenEnd", "<script><!--<script>\n</script>\n\nafter it", []string{"after it"}, nil},
		{"TextareaUnclosed", "x <textarea>typed\n\nafter it", []string{"typed", "after it"}, nil},
		{"TitleUnclosed", "x <title>t\n\nafter it", []string{"after it"}, nil},
		{"XmpUnclosed", "x <xmp>a\n\nafter *it*", []string{"after it"}, nil},
		{"PlaintextUnclosed", "x <plaintext>a\n\nafter *it*", []string{"after it"}, nil},
		{"NoscriptUnclosed", "x <noscript>a\n\nafter it", []string{"after it"}, nil},
		{"IframeUnclosed", "x <iframe src=\"https://example.com\">a\n\nafter it", []string{"after it"}, nil},
		{"NoembedNoframes", "x <noembed>a <noframes>b\n\nafter it", []string{"after it"}, nil},
		{"CommentUnclosed", "x\n\n<!-- a note\n\nafter it", []string{"after it"}, nil},
		{"CommentClosed", "x <!-- a note -->\n\nafter it", []string{"after it"}, []string{"a note"}},
		{"TagCutShort", "x\n\n<div title=\"abc\n\nafter *it*", []string{"after it"}, nil},
		{"ManyUnclosed", strings.Repeat("<style><!--<div title=\"", 50) + "\n\nafter it", []string{"after it"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := r.Render(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			assertBalanced(t, out)
			text := textOf(t, out)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("the reader sees %q, want it to include %q (html %q)", text, w, out)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(text, w) {
					t.Errorf("the reader sees %q, want no %q (html %q)", text, w, out)
				}
			}
		})
	}
}

// TestRenderArticleTeaserBalanced: the teaser is a balanced fragment too, marker or not.
func TestRenderArticleTeaserBalanced(t *testing.T) {
	r := markdown.New()
	for _, src := range []string{
		"Free <a href=\"https://example.com/\">part\n\n<!--members-only-->\n\nSecret.",
		"First <em>paragraph\n\nSecond.",
		"<p dir=\"rtl\">first</p>\n\nsecond",
	} {
		_, teaser, err := r.RenderArticle(src)
		if err != nil {
			t.Fatal(err)
		}
		if teaser == "" || strings.Contains(teaser, "Secret") || strings.Contains(teaser, "econd") {
			t.Errorf("%q: teaser %q, want the first part only", src, teaser)
		}
		assertBalanced(t, teaser)
	}
	if got, want := markdown.FirstParagraph("<p>one <em>two</p><p>three</p>"), "<p>one <em>two</em></p>"; got != want {
		t.Errorf("FirstParagraph = %q, want %q", got, want)
	}
}

// TestRenderNoControlCharacters: no character XML forbids reaches the output, whether
// written raw, as an entity, or as bytes that are not UTF-8.
func TestRenderNoControlCharacters(t *testing.T) {
	r := markdown.New()
	out, err := r.Render("a &#12; b &#27; c &#xFFFE; d \x0c e \x1b f \xe9 g <a title=\"&#8;\" href=\"https://example.com/\">h</a>")
	if err != nil {
		t.Fatal(err)
	}
	assertXMLText(t, out)
	if !strings.Contains(textOf(t, out), "h") {
		t.Errorf("output %q lost its text", out)
	}
}

// assertXMLText fails unless s is valid UTF-8 without characters XML 1.0 forbids.
func assertXMLText(t testing.TB, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("output %q is not valid UTF-8", s)
	}
	for i, c := range s {
		if !(c == 0x09 || c == 0x0A || c == 0x0D || c >= 0x20 && c <= 0xD7FF || c >= 0xE000 && c <= 0xFFFD || c >= 0x10000) {
			t.Fatalf("output %q holds %U at byte %d, which XML forbids", s, c, i)
		}
	}
}

// assertBalanced fails unless out is a closed fragment: it renders back to itself, and a
// paragraph written after it in a page stands on its own, outside anything out opened.
func assertBalanced(t testing.TB, out string) {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(out), ctx)
	if err != nil {
		t.Fatalf("parse %q: %v", out, err)
	}
	var b strings.Builder
	for _, n := range nodes {
		html.Render(&b, n)
	}
	if b.String() != out {
		t.Fatalf("output is not stable:\n  %q\nrenders back as\n  %q", out, b.String())
	}
	doc, err := html.Parse(strings.NewReader("<!DOCTYPE html><html><body><div>" + out + "<p>after</p></div><p>last</p></body></html>"))
	if err != nil {
		t.Fatal(err)
	}
	var body *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "body" {
			body = n
		}
		for c := n.FirstChild; c != nil && body == nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	div, last := body.FirstChild, body.LastChild
	if div == nil || div.Data != "div" || div.NextSibling != last || last.Data != "p" || textOfNode(last) != "last" {
		t.Fatalf("output %q leaves the page's later content inside it", out)
	}
	if p := div.LastChild; p == nil || p.Data != "p" || textOfNode(p) != "after" {
		t.Fatalf("output %q leaves a paragraph written after it inside one of its elements", out)
	}
}

// textOf returns the text a reader sees in a fragment.
func textOf(t testing.TB, out string) string {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(out), ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, n := range nodes {
		b.WriteString(textOfNode(n))
	}
	return b.String()
}

// textOfNode returns the text inside n.
func textOfNode(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOfNode(c))
	}
	return b.String()
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"# Title\n\nText", "<script>x</script>", "[a](javascript:b)", "| a |\n|---|\n| b |", "x[^1]\n\n[^1]: y", `<a href="&#106;avascript:x">y</a>`,
		"a <style> b\n\nrest", "<a href=x>open", "<table><tr><td>x", "<!-- open", "<p>a<div>b</div>", "<b><i>x</b></i>", "<pre>\n\nx</pre>", "x &#12; y", "<plaintext>", "<div title=\"x"} {
		f.Add(s)
	}
	r := markdown.New()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.Render(src)
		if err != nil {
			return
		}
		assertSafe(t, out)
		assertXMLText(t, out)
		assertBalanced(t, out)
		if p := markdown.FirstParagraph(out); p != "" {
			assertBalanced(t, p)
		}
	})
}

// TestRenderRefusesDeepNesting: the HTML parser refuses elements nested past 512 levels;
// Render says so in a sentence.
func TestRenderRefusesDeepNesting(t *testing.T) {
	_, err := markdown.New().Render(strings.Repeat("<div>", 600) + "x")
	if byline.ErrorCode(err) != byline.EINVALID || !strings.Contains(byline.ErrorMessage(err), "too deeply") {
		t.Errorf("err = %v, want an invalid error saying the body nests too deeply", err)
	}
}

// TestRenderRefusesSlowShapes: shapes the parser takes quadratic time for (deep quotes and
// lists on one line, thousands of unclosed links) are refused at once, whatever their size;
// ordinary nesting and many links pass.
func TestRenderRefusesSlowShapes(t *testing.T) {
	r := markdown.New()
	for _, tt := range []struct {
		name, src string
		ok        bool
	}{
		{"nested quotes", strings.Repeat("> ", 1<<19), false},
		{"quotes in lists", strings.Repeat("> - ", 1<<18), false},
		{"numbered lists", strings.Repeat("1. ", 1<<18), false},
		{"unclosed links", strings.Repeat("[a](", 1<<18), false},
		{"unclosed photos", strings.Repeat("![a](", 1<<17), false},
		{"a quote in a list in a quote", "> - > quoted\n", true},
		{"a thousand links", strings.Repeat("See [the report](https://example.org/r). ", 1000), true},
		{"hyphens in prose", "- a - b - c - d - e - f\n", true},
	} {
		_, err := r.Render(tt.src)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// BenchmarkRenderLargeBody renders a 1 MB body of ordinary paragraphs with links.
func BenchmarkRenderLargeBody(b *testing.B) {
	r := markdown.New()
	src := strings.Repeat("The council's plan, announced on Tuesday, was \"a long time coming\", said [the mayor](https://example.org/m).\n\n", 1<<20/110)
	for b.Loop() {
		if _, err := r.Render(src); err != nil {
			b.Fatal(err)
		}
	}
}
