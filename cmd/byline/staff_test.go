package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"byline/newsroom"
	"byline/store"
)

// TestStaffCommand: byline staff add makes the Owner first (with a password made and shown
// once, or read from a file), refuses a second Owner and bad input, and staff list shows them.
func TestStaffCommand(t *testing.T) {
	data := t.TempDir()
	staff := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"staff", "--data", data}, args...), &out, io.Discard)
		return out.String(), err
	}
	if _, err := staff("add", "--email", "ed@news.example", "--name", "Ed", "--role", "editor"); err == nil {
		t.Fatal("the first account may be an editor")
	}
	out, err := staff("add", "--email", "Olga@News.Example", "--name", "Olga Owner", "--role", "Owner")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "added Olga Owner <olga@news.example> as owner") {
		t.Fatalf("output %q: want the account and a password made for it", out)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("a password from a file\n"), 0o600)
	out, err = staff("add", "--email", "ed@news.example", "--name", "Ed Itor", "--role", "editor", "--password-file", pwFile)
	if err != nil || strings.Contains(out, "password:") {
		t.Fatalf("add with a password file: %q %v", out, err)
	}
	for _, args := range [][]string{
		{"add", "--email", "o2@news.example", "--name", "Second", "--role", "owner"},
		{"add", "--email", "x@news.example", "--name", "X", "--role", "chief"},
		{"add", "--email", "nobody", "--name", "X", "--role", "author"},
		{"remove"},
	} {
		if _, err := staff(args...); err == nil {
			t.Errorf("staff %v: no error", args)
		}
	}
	out, err = staff("list")
	if err != nil || !strings.Contains(out, "2 staff account(s)") || !strings.Contains(out, "ed@news.example") {
		t.Fatalf("list: %q %v", out, err)
	}
	db, err := store.Open(context.Background(), filepath.Join(data, "byline.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for email, pw := range map[string]string{"olga@news.example": m[1], "ed@news.example": "a password from a file"} {
		s, err := db.FindStaffByEmail(context.Background(), email)
		if err != nil || !newsroom.VerifyPassword(s.PasswordHash, pw) {
			t.Errorf("%s: the password does not verify (%v)", email, err)
		}
	}
}
