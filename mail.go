package byline

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// Message is one email the site sends: a password reset, a staff invitation, later the
// members' sign-in links and receipts.
type Message struct {
	To      string // one address
	Subject string
	Text    string // the plain-text body; every message has one
	HTML    string // an HTML body besides the text, optional
	// Kind says what the message is for ("password reset", "staff invitation"): the outbox
	// shows it, a sender may ignore it.
	Kind string
	// Unsubscribe, when not "", is the https address that unsubscribes the recipient in one
	// click (a newsletter, a member's notices): the SMTP sender puts it in the
	// List-Unsubscribe and List-Unsubscribe-Post headers. Messages a person asked for, such
	// as a sign-in link, have none.
	Unsubscribe string
}

// Limits of a message: bodies are short letters, never attachments.
const (
	MaxSubject  = 200
	MaxMailText = 64 << 10 // characters
	MaxMailHTML = 256 << 10
	maxMailKind = 50
	// MaxUnsubscribe bounds a message's unsubscribe address.
	MaxUnsubscribe = 2000
)

// Validate checks a message before it is kept or sent. A subject cannot carry a line
// break: it becomes a mail header.
func (m *Message) Validate() error {
	to, err := NormalizeEmail(m.To)
	if err != nil {
		return err
	}
	m.To = to
	if strings.TrimSpace(m.Subject) == "" {
		return onField("subject", Errorf(EINVALID, "Every message needs a subject."))
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return onField("subject", Errorf(EINVALID, "A message's subject is one line."))
	}
	if err := CheckText("subject", m.Subject, MaxSubject); err != nil {
		return onField("subject", err)
	}
	if strings.TrimSpace(m.Text) == "" {
		return onField("text", Errorf(EINVALID, "Every message needs a plain-text body."))
	}
	if err := CheckText("message text", m.Text, MaxMailText); err != nil {
		return onField("text", err)
	}
	if err := CheckText("message HTML", m.HTML, MaxMailHTML); err != nil {
		return onField("html", err)
	}
	if err := CheckText("message kind", m.Kind, maxMailKind); err != nil {
		return onField("kind", err)
	}
	if m.Unsubscribe != "" {
		if err := checkUnsubscribe(m.Unsubscribe); err != nil {
			return onField("unsubscribe", err)
		}
	}
	return nil
}

// checkUnsubscribe accepts an absolute http(s) address with a host, on one line, without
// the angle brackets and commas that would end it in a List-Unsubscribe header.
func checkUnsubscribe(s string) error {
	if len(s) > MaxUnsubscribe {
		return Errorf(EINVALID, "A message's unsubscribe address is %d bytes long; it can be at most %d.", len(s), MaxUnsubscribe)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		strings.ContainsAny(s, "<>,") || strings.IndexFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		return Errorf(EINVALID, "A message's unsubscribe address must be an absolute https:// address of printable ASCII, without spaces, commas or angle brackets.")
	}
	return nil
}

// Mailer sends email. The outbox (package mail) is the embedded one: it keeps every message
// in the database, where administrators read it; an SMTP sender plugs in behind it.
type Mailer interface {
	// Send sends the message, or keeps it for sending; EINVALID when it is not a message.
	Send(ctx context.Context, msg Message) error
}

// OutboxMessage is a message as the outbox keeps it.
type OutboxMessage struct {
	ID int64
	Message
	CreatedAt time.Time
	SentAt    time.Time // zero until a sender has delivered it
}

// OutboxStore keeps every message the site sends, before it is sent.
type OutboxStore interface {
	// CreateOutboxMessage stores a message and sets its ID.
	CreateOutboxMessage(ctx context.Context, m *OutboxMessage) error
	// FindOutbox lists the newest messages first, at most limit of them.
	FindOutbox(ctx context.Context, limit int) ([]*OutboxMessage, error)
	// FindOutboxMessage returns the message with the ID; ENOTFOUND if none.
	FindOutboxMessage(ctx context.Context, id int64) (*OutboxMessage, error)
	// QueueOutboxMessage stores a message and, in the same transaction, a job of the kind,
	// keyed "KIND:ID", with the payload, due at runAt: the message is not kept without the
	// job that sends it. It sets the message's ID.
	QueueOutboxMessage(ctx context.Context, m *OutboxMessage, kind, payload string, runAt time.Time) error
	// MarkOutboxSent records that the message was delivered at the time. Only the first mark
	// counts: ECONFLICT when the message was already marked sent, ENOTFOUND when there is no
	// such message.
	MarkOutboxSent(ctx context.Context, id int64, at time.Time) error
}
