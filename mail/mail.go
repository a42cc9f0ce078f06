// Package mail sends the site's email. Every message goes into the outbox first (the
// database's outbox table): with no mail server configured, the outbox is the delivery, and
// administrators read it at /admin/outbox or with `byline outbox`. A sender that reaches a
// mail server (SMTP, later) is a byline.Mailer too, and plugs in as the outbox's Relay.
package mail

import (
	"context"
	"fmt"
	"time"

	"byline"
)

// Outbox is the site's byline.Mailer: it keeps each message in the outbox and, when it has
// a Relay, hands the message on and records when it was sent.
type Outbox struct {
	Store byline.OutboxStore
	// Relay delivers messages (an SMTP sender); nil keeps them in the outbox for people to
	// read, which is the embedded default.
	Relay byline.Mailer
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

var _ byline.Mailer = (*Outbox)(nil)

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// Send keeps the message in the outbox, then relays it when a Relay is set. A message the
// relay refused stays in the outbox unsent, and the relay's error is returned.
func (o *Outbox) Send(ctx context.Context, msg byline.Message) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	m := &byline.OutboxMessage{Message: msg, CreatedAt: o.now()}
	if err := o.Store.CreateOutboxMessage(ctx, m); err != nil {
		return fmt.Errorf("keep the message in the outbox: %w", err)
	}
	if o.Relay == nil {
		return nil
	}
	if err := o.Relay.Send(ctx, msg); err != nil {
		return fmt.Errorf("relay message %d to %s: %w", m.ID, m.To, err)
	}
	return o.Store.MarkOutboxSent(ctx, m.ID, o.now())
}
