package markdown

import (
	"strings"
	"testing"
)

// TestFromHTML turns what Google Docs and Word put on the clipboard into Markdown that keeps
// headings, bold, italics, links and lists, and drops scripts.
func TestFromHTML(t *testing.T) {
	cases := []struct {
		name, html string
		want       []string
		not        []string
	}{
		{"google docs", `<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1234"><h2 dir="ltr"><span style="font-size:16pt;">Police chiefs respond</span></h2><p dir="ltr"><span style="font-weight:700;">Marseille</span><span> dockers </span><span style="font-style:italic;">walked out</span><span> on </span><a href="https://example.org/strike"><span style="text-decoration:underline;">Monday</span></a>.</p><ul><li><p><span>First point</span></p></li><li><p><span>Second point</span></p></li></ul></b>`,
			[]string{"## Police chiefs respond", "**Marseille**", "*walked out*", "[Monday](https://example.org/strike)", "- First point", "- Second point"},
			[]string{"**Police", "docs-internal"}},
		{"word", `<html><head><style>p.MsoNormal{margin:0}</style></head><body><h1>Strike</h1><p class=MsoNormal><b>Bold</b> and <i>italic</i> text.</p><blockquote>“A quote,” he said.</blockquote><ol><li>One</li><li>Two</li></ol><script>alert(1)</script></body></html>`,
			[]string{"# Strike", "**Bold**", "*italic*", "> “A quote,” he said.", "1. One", "2. Two"},
			[]string{"alert", "MsoNormal", "margin"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := FromHTML(c.html)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("Markdown lacks %q:\n%s", w, got)
				}
			}
			for _, w := range c.not {
				if strings.Contains(got, w) {
					t.Errorf("Markdown holds %q:\n%s", w, got)
				}
			}
		})
	}
	if _, err := FromHTML(strings.Repeat("x", MaxPaste+1)); err == nil {
		t.Error("an oversized paste was taken")
	}
}
