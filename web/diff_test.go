package web

import (
	"strings"
	"testing"
)

// TestDiffText: short texts differ word by word, long ones line by line, and the parts
// always rebuild both texts.
func TestDiffText(t *testing.T) {
	long := func(word string) string { return strings.Repeat(word+" in a line of the body.\n", 5000) }
	for _, c := range []struct{ old, cur string }{
		{"Strikes in Marseille", "Dockers strike in Marseille"},
		{long("alpha"), long("beta")},
		{long("alpha"), long("alpha") + "A last line.\n"},
		{"", "New text."},
	} {
		var old, cur strings.Builder
		for _, p := range diffText(c.old, c.cur) {
			if !p.Ins {
				old.WriteString(p.Text)
			}
			if !p.Del {
				cur.WriteString(p.Text)
			}
		}
		if old.String() != c.old || cur.String() != c.cur {
			t.Errorf("the parts of a %d-byte diff do not rebuild its texts", len(c.old)+len(c.cur))
		}
	}
}

// BenchmarkDiffUnrelatedBodies: two unrelated bodies of 120 KB, the worst case a revision
// page meets.
func BenchmarkDiffUnrelatedBodies(b *testing.B) {
	x := strings.Repeat("The council met on Tuesday and voted for the plan.\n", 2400)
	y := strings.Repeat("Dockers walked out at dawn; the port is shut.\n", 2600)
	for b.Loop() {
		diffText(x, y)
	}
}
