package web

import (
	"math/big"
	"regexp"
	"strings"
	"testing"
)

// canonicalNumber is the one spelling of a positive number in a path: decimal digits
// without sign, leading zero or space.
var canonicalNumber = regexp.MustCompile(`^[1-9][0-9]*$`)

// inRange reports, with arbitrary precision and so independently of the parser under test,
// whether s is a canonical number from lo to hi.
func inRange(s string, lo, hi int64) bool {
	if !canonicalNumber.MatchString(s) {
		return false
	}
	n, _ := new(big.Int).SetString(s, 10)
	return n.Cmp(big.NewInt(lo)) >= 0 && n.Cmp(big.NewInt(hi)) <= 0
}

// numberSeeds are spellings a crawler or an attacker may try.
var numberSeeds = []string{"", "0", "1", "2", "02", "+2", "-2", " 2", "2 ", "2.0", "1e3", "0x10", "abc", "２",
	"999999", "1000000", "1000001", "461168601842738792", "461168601842738793", "9223372036854775807",
	"9223372036854775808", "18446744073709551617", "184467440737097", "99999999999999999999"}

// FuzzPageNumber: a list's page number is accepted only in its canonical spelling and within
// the pages a list can have, so that no number overflows into another page.
func FuzzPageNumber(f *testing.F) {
	for _, s := range numberSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parsePage(s)
		if want := inRange(s, 2, maxPage); ok != want {
			t.Fatalf("parsePage(%q) = %d, %v; want accepted %v", s, n, ok, want)
		}
		if ok && (n < 2 || n > maxPage || (n-1)*perPage < 0) {
			t.Fatalf("parsePage(%q) = %d, out of range", s, n)
		}
	})
}

// FuzzSitemapPart: a sitemap file's name is accepted only as a canonical number followed by
// .xml, within the parts a sitemap may have.
func FuzzSitemapPart(f *testing.F) {
	for _, s := range numberSeeds {
		f.Add(s + ".xml")
		f.Add(s)
	}
	f.Add("1.XML")
	f.Add("1.xml.xml")
	f.Fuzz(func(t *testing.T, name string) {
		n, ok := parseSitemapPart(name)
		num, isXML := strings.CutSuffix(name, ".xml")
		if want := isXML && inRange(num, 1, maxSitemapPart); ok != want {
			t.Fatalf("parseSitemapPart(%q) = %d, %v; want accepted %v", name, n, ok, want)
		}
	})
}

// FuzzMediaWidth: a photo variant's file name is accepted only as a canonical width followed
// by .jpg: 0640.jpg and +640.jpg are not 640.jpg.
func FuzzMediaWidth(f *testing.F) {
	for _, s := range numberSeeds {
		f.Add(s + ".jpg")
	}
	f.Add("0640.jpg")
	f.Add("+640.jpg")
	f.Add("640.jpeg")
	f.Fuzz(func(t *testing.T, name string) {
		n, ok := parseMediaWidth(name)
		num, isJPG := strings.CutSuffix(name, ".jpg")
		if want := isJPG && inRange(num, 1, maxWidth); ok != want {
			t.Fatalf("parseMediaWidth(%q) = %d, %v; want accepted %v", name, n, ok, want)
		}
	})
}
