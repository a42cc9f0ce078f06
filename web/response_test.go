package web

import (
	"fmt"
	"strings"
	"testing"
)

// TestBoundKeys: purge keys are cut to fit the header's budget, whole keys only, the first
// (the page's own) always kept.
func TestBoundKeys(t *testing.T) {
	many := []string{"article-1"}
	for i := range 20000 {
		many = append(many, fmt.Sprintf("tag-%d", i))
	}
	got := boundKeys(many)
	if joined := strings.Join(got, " "); len(joined) > maxKeyBytes || got[0] != "article-1" || len(got) < 100 {
		t.Errorf("20,001 keys: kept %d in %d bytes, first %q; want the article's and as many as fit in %d bytes", len(got), len(joined), got[0], maxKeyBytes)
	}
	for i, k := range got[1:] {
		if k != many[i+1] {
			t.Fatalf("key %d = %q, want %q: keys must be kept whole and in order", i+1, k, many[i+1])
		}
	}
	huge := []string{"article-" + strings.Repeat("9", 3000), "tag-1"}
	if got := boundKeys(huge); len(got) != 1 || got[0] != huge[0] {
		t.Errorf("a first key beyond the budget: kept %d keys, want that key alone", len(got))
	}
	few := []string{"article-1", "author-2", "tag-3"}
	if got := boundKeys(few); strings.Join(got, " ") != "article-1 author-2 tag-3" {
		t.Errorf("three keys: kept %q", got)
	}
}

// FuzzEncoding: whatever a client sends as Accept-Encoding, the answer is one of the codings
// the server has, and a coding given weight 0 is never chosen.
func FuzzEncoding(f *testing.F) {
	for _, s := range []string{"", "br", "gzip, deflate, br", "br;q=0", "br;Q=0.000", "*;q=0", "br;q=0, *", "identity;q=1, br;q=0.5",
		"gzip;q=1.", "br;q=1.0001", ";;,,", "br;q", "br;q=", "br;=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got := encoding(header)
		if got != "" && got != "br" && got != "gzip" {
			t.Fatalf("encoding(%q) = %q", header, got)
		}
		// A header that names br once, as "br;q=0" however spaced or cased, refuses it.
		named, refused := 0, false
		for part := range strings.SplitSeq(header, ",") {
			if name, _, _ := strings.Cut(part, ";"); strings.EqualFold(strings.TrimSpace(name), "br") {
				named++
				refused = strings.ToLower(strings.Join(strings.Fields(part), "")) == "br;q=0"
			}
		}
		if named == 1 && refused && got == "br" {
			t.Fatalf("encoding(%q) = br, refused with q=0", header)
		}
	})
}
