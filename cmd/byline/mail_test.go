package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/mail"
	"byline/mail/mailtest"
	"byline/store"
)

// TestMailSettingsRefused: a mail server URL that does not parse, or one without a From
// address, stops serve before it opens the database, with a message that names the
// setting and never shows the password; the start log shows the URL with the password
// hidden.
func TestMailSettingsRefused(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "smtp")
	os.WriteFile(secretFile, []byte("smtps://news:Hunter2secret@mail.example:465\n"), 0o600)
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no From", map[string]string{"BYLINE_SMTP_URL": "smtp://news:Hunter2secret@mail.example:587"}, nil, "BYLINE_MAIL_FROM"},
		{"no From, URL from a file", map[string]string{"BYLINE_SMTP_URL_FILE": secretFile}, nil, "BYLINE_MAIL_FROM"},
		{"a bad From", map[string]string{"BYLINE_SMTP_URL": "smtp://news:Hunter2secret@mail.example:587", "BYLINE_MAIL_FROM": "the newsroom"}, nil, "not an email address"},
		{"a bad scheme", map[string]string{"BYLINE_MAIL_FROM": "news@daily.example"}, []string{"--smtp-url", "http://news:Hunter2secret@mail.example"}, "must start with smtp://"},
		{"a # in the password", map[string]string{"BYLINE_SMTP_URL": "smtp://news:Hunter2#secret@mail.example:587", "BYLINE_MAIL_FROM": "news@daily.example"}, nil, "does not parse"},
		{"a bad port", map[string]string{"BYLINE_SMTP_URL": "smtp://news:Hunter2secret@mail.example:70000", "BYLINE_MAIL_FROM": "news@daily.example"}, nil, "not a port number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			data := t.TempDir()
			var logs strings.Builder
			err := run(context.Background(), append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, c.args...), io.Discard, &logs)
			if err == nil {
				t.Fatal("serve started")
			}
			if exitCode(err) != 2 || !strings.Contains(err.Error(), "BYLINE_SMTP_URL") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q (exit %d), want a usage error naming BYLINE_SMTP_URL and saying %q", err, exitCode(err), c.want)
			}
			if strings.Contains(err.Error()+logs.String(), "Hunter2") {
				t.Fatalf("the password shows:\n%v\n%s", err, logs.String())
			}
			if _, err := os.Stat(filepath.Join(data, "byline.db")); err == nil {
				t.Fatal("a database was made before the mail settings were checked")
			}
		})
	}
}

// TestServeSendsMail: `byline serve` with a mail server sends a staff password reset
// through the job queue to a real SMTP server; the request answers without waiting on it.
func TestServeSendsMail(t *testing.T) {
	pit := mailtest.Start(t)
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := run(ctx, []string{"staff", "add", "--data", data, "--email", "olga@daily.example", "--name", "Olga Owner", "--role", "owner"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BYLINE_SMTP_URL", pit.URL())
	t.Setenv("BYLINE_MAIL_FROM", "The Daily <news@daily.example>")
	logs := &syncBuffer{}
	addr := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)/`)
	started := make(chan string, 1)
	logWriter := writerFunc(func(p []byte) (int, error) {
		logs.Write(p)
		if m := addr.FindStringSubmatch(logs.String()); m != nil {
			select {
			case started <- m[1]:
			default:
			}
		}
		return len(p), nil
	})
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--access-log=false", "--sample=false"}, io.Discard, logWriter)
	}()
	var base string
	select {
	case base = <-started:
	case err := <-done:
		t.Fatalf("the server stopped before serving (%v):\n%s", err, logs.String())
	case <-time.After(time.Minute):
		t.Fatalf("the server did not start within a minute:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "smtp_url="+pit.URL()) {
		t.Errorf("the start log does not name the mail server:\n%s", logs.String())
	}
	start := time.Now()
	res, err := http.PostForm(base+"/admin/reset", url.Values{"email": {"Olga@Daily.Example"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reset request: %s", res.Status)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the reset request took %s", took)
	}
	list := pit.Wait(t, 1, 20*time.Second)
	m := pit.Message(t, list[0].ID)
	if len(m.To) != 1 || m.To[0].Address != "olga@daily.example" || m.From.Address != "news@daily.example" ||
		!strings.Contains(m.Text, "/admin/reset/") {
		t.Fatalf("arrived: to %+v from %+v text %q", m.To, m.From, m.Text)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the server did not shut down within a minute")
	}
}

// TestOutboxCommandQueued: byline outbox says which messages wait for the mail server, and
// why the last attempt failed.
func TestOutboxCommandQueued(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(data, "byline.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	relay, err := mail.NewSMTP("smtp://127.0.0.1:1", "news@daily.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := (&mail.Outbox{Store: db, Relay: relay}).Send(ctx, byline.Message{To: "olga@daily.example", Subject: "Reset", Text: "A link."}); err != nil {
		t.Fatal(err)
	}
	outbox := func() string {
		t.Helper()
		var out strings.Builder
		if err := run(ctx, []string{"outbox", "--data", data}, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if got := outbox(); !strings.Contains(got, "(queued for the mail server)") {
		t.Fatalf("a queued message: %q", got)
	}
	j, err := db.ClaimJob(ctx, "node", time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FailJob(ctx, j, time.Now(), "dial failed: connection refused", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if got := outbox(); !strings.Contains(got, "(queued, attempt 1 failed: dial failed: connection refused)") {
		t.Fatalf("a message whose send failed: %q", got)
	}
}
