package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"byline"
	"byline/mail"
	"byline/newsroom"
	"byline/store"
)

// TestOutboxAndResetCommands: byline staff reset-password prints a working reset link for
// an account (and refuses an unknown one); byline outbox prints the messages newest first,
// as many as --limit says.
func TestOutboxAndResetCommands(t *testing.T) {
	data := t.TempDir()
	cmd := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append(args, "--data", data), &out, io.Discard)
		return out.String(), err
	}
	if _, err := cmd("staff", "add", "--email", "olga@news.example", "--name", "Olga", "--role", "owner"); err != nil {
		t.Fatal(err)
	}
	out, err := cmd("staff", "reset-password", "--email", "Olga@news.example", "--base-url", "https://news.example")
	link := regexp.MustCompile(`https://news\.example/admin/reset/([A-Za-z0-9_-]+)`).FindStringSubmatch(out)
	if err != nil || link == nil {
		t.Fatalf("reset-password: %q %v", out, err)
	}
	if _, err := cmd("staff", "reset-password", "--email", "nobody@news.example"); byline.ErrorCode(err) != byline.ENOTFOUND {
		t.Fatalf("reset-password for nobody: %v", err)
	}

	db, err := store.Open(context.Background(), filepath.Join(data, "byline.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	n := &newsroom.Newsroom{Store: db, Sessions: db, Mail: &mail.Outbox{Store: db}, BaseURL: "https://news.example"}
	if err := n.CheckPasswordReset(context.Background(), link[1]); err != nil {
		t.Fatalf("the printed link does not work: %v", err)
	}
	for _, subject := range []string{"First", "Second", "Third"} {
		if err := n.Mail.Send(context.Background(), byline.Message{To: "olga@news.example", Subject: subject, Text: "Body of " + subject + ".", Kind: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out, err = cmd("outbox", "--limit", "2")
	if err != nil {
		t.Fatal(err)
	}
	if third, second := strings.Index(out, "Subject: Third"), strings.Index(out, "Subject: Second"); third < 0 || second < third ||
		strings.Contains(out, "First") || !strings.Contains(out, "Body of Third.") || !strings.Contains(out, "2 message(s)") {
		t.Fatalf("outbox --limit 2:\n%s", out)
	}
	if _, err := cmd("outbox", "--limit", "0"); err == nil {
		t.Error("outbox --limit 0: no error")
	}
}

// TestServePrintsSetupCode: a node with no staff prints the setup code, which the setup
// page asks for; without it nobody becomes the Owner.
func TestServePrintsSetupCode(t *testing.T) {
	n := startNode(t, "--data", t.TempDir())
	m := regexp.MustCompile(`setup_code=([A-Za-z0-9_-]+)`).FindStringSubmatch(n.log.String())
	if m == nil {
		t.Fatalf("no setup code in the log:\n%s", n.log.String())
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"name": {"Olga"}, "email": {"olga@news.example"}, "password": {"a long enough password"}}
	post := func(code string) int {
		form.Set("code", code)
		res, err := client.PostForm(n.base+"/admin/setup", form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if status := post("guess"); status != http.StatusUnprocessableEntity {
		t.Fatalf("setup with a wrong code: status %d, want 422", status)
	}
	if status := post(m[1]); status != http.StatusSeeOther {
		t.Fatalf("setup with the printed code: status %d, want 303", status)
	}
}

// TestOutboxCommandPrintable: byline outbox replaces control characters in what it prints
// (a carriage return, an 8-bit CSI that steers some terminals), keeping newlines and tabs.
func TestOutboxCommandPrintable(t *testing.T) {
	data := t.TempDir()
	if err := run(context.Background(), []string{"staff", "add", "--email", "olga@news.example", "--name", "Olga", "--role", "owner", "--data", data}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(data, "byline.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	msg := byline.Message{To: "olga@news.example", Subject: "Hello \u009b2J there", Kind: "test\u0085",
		Text: "Line one\r\u009b31mred\n\tindented"}
	if err := (&mail.Outbox{Store: db}).Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"outbox", "--data", data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.ContainsAny(got, "\r\u009b\u0085") {
		t.Fatalf("control characters printed: %q", got)
	}
	if !strings.Contains(got, "Subject: Hello ?2J there") || !strings.Contains(got, "Line one??31mred\n\tindented") {
		t.Fatalf("the message as printed: %q", got)
	}
}
