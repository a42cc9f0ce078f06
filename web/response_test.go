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
