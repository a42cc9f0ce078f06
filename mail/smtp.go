package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"byline"
)

// SMTP sends messages to a mail server, the Relay of the Outbox in `byline serve` when
// BYLINE_SMTP_URL is set. Each message is sent on a connection of its own: messages come
// from the job runner one by one, and a connection kept open would only go stale.
type SMTP struct {
	host        string
	port        int
	implicitTLS bool // smtps://: TLS from the first byte
	starttls    gomail.TLSPolicy
	user, pass  string
	from        string // as given, with a display name perhaps
	fromDomain  string // for Message-IDs
	redacted    string
	// Timeout bounds connecting and each exchange with the server (default 30s).
	Timeout time.Duration
	// TLSConfig, when set, is the TLS configuration (a private CA's roots, say); nil checks
	// the server's certificate against the system's roots. The URL's host is the server name
	// unless it names one.
	TLSConfig *tls.Config
}

var _ byline.Mailer = (*SMTP)(nil)

// NewSMTP reads the mail server's URL and the From address:
//
//   - smtp://user:pass@host:587 speaks STARTTLS, and requires it (the credentials never cross
//     in the clear) on port 587 or when the URL carries a user; elsewhere (a relay on port 25
//     without a login) it uses STARTTLS when the server offers it. The default port is 587.
//   - smtps://user:pass@host:465 is TLS from the first byte ("implicit TLS"), default port 465.
//
// A user name or password with reserved characters (@ : / ?) is percent-encoded in the URL.
// from is the From address of every message, such as "The Daily <news@daily.example>".
// The errors are full sentences that do not show the password.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	s := &SMTP{}
	if strings.TrimSpace(rawURL) == "" {
		return nil, errors.New("the SMTP URL is empty: give smtp://user:pass@host:587 or smtps://user:pass@host:465")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url's errors quote the URL, password and all.
		return nil, errors.New("the SMTP URL does not parse: write it as smtp://user:pass@host:587 or smtps://user:pass@host:465, with reserved characters in the user name or password percent-encoded (@ as %40, # as %23)")
	}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicitTLS = 465, true
	default:
		return nil, fmt.Errorf("the SMTP URL must start with smtp:// (STARTTLS) or smtps:// (implicit TLS), not %q", u.Scheme+":")
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("the SMTP URL names no host: write it as smtp://user:pass@host:587")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("the SMTP URL has a path, query or fragment, which mean nothing here: write it as smtp://user:pass@host:587 (a # or ? in the password is percent-encoded: %23, %3F)")
	}
	s.host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("the SMTP URL's port %q is not a port number from 1 to 65535", p)
		}
		s.port = n
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" {
			return nil, errors.New("the SMTP URL has a password but no user name")
		}
	}
	switch {
	case s.implicitTLS:
		s.starttls = gomail.TLSMandatory // TLS from the start: no STARTTLS is asked for inside it
	case s.port == 587 || s.user != "":
		s.starttls = gomail.TLSMandatory
	default:
		s.starttls = gomail.TLSOpportunistic
	}
	if strings.TrimSpace(from) == "" {
		return nil, errors.New("mail needs a From address: set BYLINE_MAIL_FROM (or --mail-from), such as \"The Daily <news@daily.example>\"")
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil || strings.ContainsAny(from, "\r\n") {
		return nil, fmt.Errorf("the From address %q is not an email address, such as news@daily.example or \"The Daily <news@daily.example>\"", from)
	}
	_, domain, _ := strings.Cut(addr.Address, "@")
	if domain == "" {
		return nil, fmt.Errorf("the From address %q has no domain", from)
	}
	s.from, s.fromDomain = from, strings.ToLower(domain)
	red := *u
	if s.pass != "" {
		red.User = url.UserPassword(s.user, "xxxxx")
	}
	s.redacted = red.String()
	return s, nil
}

// String is the server's URL with the password hidden, for logs.
func (s *SMTP) String() string { return s.redacted }

// Send sends the message with a new Message-ID.
func (s *SMTP) Send(ctx context.Context, msg byline.Message) error {
	var b [12]byte
	rand.Read(b[:])
	return s.send(ctx, msg, hex.EncodeToString(b[:])+"@"+s.fromDomain)
}

// SendOutbox sends a message of the outbox with a Message-ID made from its ID and the time
// it was kept: should a job send it twice (a node lost in the middle of a send), the
// recipient's mail program sees the same message.
func (s *SMTP) SendOutbox(ctx context.Context, m *byline.OutboxMessage) error {
	return s.send(ctx, m.Message, fmt.Sprintf("byline.%d.%d@%s", m.ID, m.CreatedAt.UnixMicro(), s.fromDomain))
}

// refused is a refusal of the recipient that no retry mends (a 5xx reply to RCPT TO).
type refused struct{ err error }

func (r refused) Error() string   { return r.err.Error() }
func (r refused) Unwrap() error   { return r.err }
func (r refused) Permanent() bool { return true }

func (s *SMTP) send(ctx context.Context, msg byline.Message, messageID string) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	m := gomail.NewMsg()
	if err := m.From(s.from); err != nil {
		return fmt.Errorf("the From address: %w", err)
	}
	if err := m.To(msg.To); err != nil {
		return refused{fmt.Errorf("the address %s: %w", msg.To, err)}
	}
	m.Subject(msg.Subject)
	m.SetMessageIDWithValue(messageID)
	m.SetDate()
	m.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	if msg.Unsubscribe != "" {
		m.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+msg.Unsubscribe+">")
		m.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && !se.IsTemp() && se.ErrorCode() >= 500 {
			return refused{err}
		}
		return err
	}
	return nil
}

// client makes a client for one send.
func (s *SMTP) client() (*gomail.Client, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(timeout), gomail.WithTLSPolicy(s.starttls)}
	if s.implicitTLS {
		opts = append(opts, gomail.WithSSL())
	}
	if s.TLSConfig != nil {
		tc := s.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = s.host
		}
		opts = append(opts, gomail.WithTLSConfig(tc))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("set up the SMTP client for %s: %w", s.redacted, err)
	}
	return c, nil
}
