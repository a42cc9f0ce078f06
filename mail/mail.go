// Package mail sends the site's email. Every message goes into the outbox first (the
// database's outbox table): with no mail server configured, the outbox is the delivery, and
// administrators read it at /admin/outbox or with `byline outbox`. With a mail server (the
// SMTP sender), the outbox also queues a job for each message, and a node's job runner hands
// it to the server: no request waits on the mail server, a server that is down loses
// nothing (the job is retried with a growing pause), and a message marked sent is never
// sent again.
package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"byline"
	"byline/jobs"
)

// SendJob is the kind of the jobs that send a message of the outbox, keyed "mail:ID".
const SendJob = "mail"

// Outbox is the site's byline.Mailer: it keeps each message in the outbox and, when it has
// a Relay, queues a job that hands the message on (Deliver is that job's handler).
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

// payload is what a send job carries beside the message's ID: what the outbox table does
// not keep.
type payload struct {
	Unsubscribe string `json:"unsubscribe,omitempty"`
}

// Send keeps the message in the outbox and, when a Relay is set, queues the job that sends
// it, due at once, in the same transaction. It never waits on the mail server: a request
// that sends mail costs one write.
func (o *Outbox) Send(ctx context.Context, msg byline.Message) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	m := &byline.OutboxMessage{Message: msg, CreatedAt: o.now()}
	if o.Relay == nil {
		if err := o.Store.CreateOutboxMessage(ctx, m); err != nil {
			return fmt.Errorf("keep the message in the outbox: %w", err)
		}
		return nil
	}
	p := ""
	if msg.Unsubscribe != "" {
		b, err := json.Marshal(payload{Unsubscribe: msg.Unsubscribe})
		if err != nil {
			return err
		}
		p = string(b)
	}
	if err := o.Store.QueueOutboxMessage(ctx, m, SendJob, p, m.CreatedAt); err != nil {
		return fmt.Errorf("queue the message: %w", err)
	}
	return nil
}

// outboxRelay is a relay that can send a message of the outbox as itself: the SMTP sender
// gives it a Message-ID made from the outbox's, the same at every attempt.
type outboxRelay interface {
	SendOutbox(ctx context.Context, m *byline.OutboxMessage) error
}

// permanentError is an error of a relay that no retry mends, such as an address the mail
// server refuses for good.
type permanentError interface{ Permanent() bool }

// Deliver is the handler of SendJob jobs: it sends the outbox message the job names
// through the Relay and marks it sent. A message already marked sent is not sent again, and
// of two senders only the first marks it (the job's lease keeps a second from running it at
// the same time). A relay's failure is returned, so that the runner retries the job later;
// a refusal no retry can mend gives the job up (it stays listed by `byline jobs`).
func (o *Outbox) Deliver(ctx context.Context, job *byline.Job) error {
	idText, ok := strings.CutPrefix(job.Key, SendJob+":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 {
		return jobs.Permanent(fmt.Errorf("the job key %q names no outbox message", job.Key))
	}
	if o.Relay == nil {
		// A node without a mail server took the job: another may have one.
		return errors.New("this node has no mail server configured (BYLINE_SMTP_URL): give every node the same mail settings")
	}
	m, err := o.Store.FindOutboxMessage(ctx, id)
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return jobs.Permanent(fmt.Errorf("message %d is no longer in the outbox", id))
	}
	if err != nil {
		return err
	}
	if !m.SentAt.IsZero() {
		return nil
	}
	if job.Payload != "" {
		var p payload
		if err := json.Unmarshal([]byte(job.Payload), &p); err != nil {
			return jobs.Permanent(fmt.Errorf("message %d: the job's payload: %w", id, err))
		}
		m.Unsubscribe = p.Unsubscribe
	}
	if r, ok := o.Relay.(outboxRelay); ok {
		err = r.SendOutbox(ctx, m)
	} else {
		err = o.Relay.Send(ctx, m.Message)
	}
	if err != nil {
		err = fmt.Errorf("send message %d (%s) to %s: %w", id, m.Kind, m.To, err)
		var p permanentError
		if errors.As(err, &p) && p.Permanent() {
			return jobs.Permanent(err)
		}
		return err
	}
	// Sent: record it even if the job is being stopped meanwhile.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err = o.Store.MarkOutboxSent(mctx, id, o.now())
	if byline.ErrorCode(err) == byline.ECONFLICT {
		return nil // another sender marked it first
	}
	return err
}
