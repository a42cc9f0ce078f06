package markdown_test

import (
	"strings"
	"testing"

	"byline/markdown"

	"golang.org/x/net/html"
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
	_, teaser, _ = r.RenderArticle("First paragraph.\n\nSecond paragraph.")
	if teaser != "<p>First paragraph.</p>" {
		t.Errorf("teaser = %q, want the first paragraph", teaser)
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

func FuzzRender(f *testing.F) {
	for _, s := range []string{"# Title\n\nText", "<script>x</script>", "[a](javascript:b)", "| a |\n|---|\n| b |", "x[^1]\n\n[^1]: y", `<a href="&#106;avascript:x">y</a>`} {
		f.Add(s)
	}
	r := markdown.New()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.Render(src)
		if err != nil {
			return
		}
		assertSafe(t, out)
	})
}
