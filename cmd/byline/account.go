package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"byline"
	"byline/mail"
	"byline/newsroom"
	"byline/store"
)

// newNewsroom is the staff service over db: messages go to the outbox, links start with the
// base URL (http://ADDR when none is given, as `byline serve` does).
func newNewsroom(db *store.DB, c config) *newsroom.Newsroom {
	base := c.baseURL
	if base == "" {
		base = "http://" + c.addr
	}
	return &newsroom.Newsroom{Store: db, Sessions: db, Mail: &mail.Outbox{Store: db}, BaseURL: strings.TrimRight(base, "/")}
}

// logSetupCode prints the one-time setup code while the newsroom has no staff: whoever
// runs the server reads it in the log and types it on /admin/, so that a newsroom on a
// public address is not set up by a stranger first.
func logSetupCode(ctx context.Context, n *newsroom.Newsroom, log *slog.Logger) error {
	code, err := n.SetupToken(ctx)
	if err != nil || code == "" {
		return err
	}
	log.Warn("this newsroom has no staff yet: open the admin and type the setup code to create the Owner (or run byline staff add)",
		"admin", n.BaseURL+"/admin/", "setup_code", code)
	return nil
}

// outboxCommand prints the outbox, newest first: with no mail server, how an operator
// reads the reset and invitation links the site has sent (the Owner's reset links only
// here, never on the admin's outbox page). Control characters but newlines and tabs are
// replaced: a message's text cannot steer the terminal.
func outboxCommand(ctx context.Context, c config, args []string, stdout io.Writer) error {
	if len(args) != 0 {
		return usageError{"usage: byline outbox [--limit N]"}
	}
	if c.outboxLimit <= 0 || c.outboxLimit > 1000 {
		return usageError{fmt.Sprintf("--limit %d: give a number of messages from 1 to 1000", c.outboxLimit)}
	}
	db, err := openStore(ctx, c, true)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.FindOutbox(ctx, c.outboxLimit)
	if err != nil {
		return err
	}
	for _, m := range list {
		sent := "not sent by email"
		if !m.SentAt.IsZero() {
			sent = "sent " + m.SentAt.Format("2006-01-02 15:04 UTC")
		} else if j, err := db.FindJobByKey(ctx, mail.SendJob+":"+strconv.FormatInt(m.ID, 10)); err == nil {
			// Queued for the mail server (see byline jobs).
			switch state := j.State(time.Now()); {
			case state == byline.JobFailed:
				sent = "sending failed, given up: byline jobs retry " + j.Key + "; " + printable(firstLine(j.LastError))
			case j.LastError != "":
				sent = fmt.Sprintf("queued, attempt %d failed: %s", j.Attempts, printable(firstLine(j.LastError)))
			default:
				sent = "queued for the mail server"
			}
		}
		fmt.Fprintf(stdout, "#%d  %s  %s  to %s  (%s)\nSubject: %s\n\n%s\n%s\n",
			m.ID, m.CreatedAt.Format("2006-01-02 15:04 UTC"), printable(m.Kind), printable(m.To), sent, printable(m.Subject),
			printable(strings.TrimRight(m.Text, "\n"), '\n', '\t'), strings.Repeat("-", 72))
	}
	fmt.Fprintf(stdout, "%d message(s), newest first; they may hold secret links\n", len(list))
	return nil
}

// staffResetPassword prints a password reset link for the account: an operator's way back
// in for a staff member whose mail does not arrive.
func staffResetPassword(ctx context.Context, c config, stdout io.Writer) error {
	if c.staffEmail == "" {
		return usageError{"usage: byline staff reset-password --email E"}
	}
	db, err := openStore(ctx, c, true)
	if err != nil {
		return err
	}
	defer db.Close()
	link, err := newNewsroom(db, c).PasswordResetLink(ctx, c.staffEmail)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password reset link for %s (works once, for an hour; it opens the account: hand it over safely):\n%s\n",
		strings.ToLower(strings.TrimSpace(c.staffEmail)), link)
	return nil
}
