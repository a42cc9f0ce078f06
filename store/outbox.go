package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"byline"
)

// CreateOutboxMessage stores a message in the outbox.
func (db *DB) CreateOutboxMessage(ctx context.Context, m *byline.OutboxMessage) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = db.now()
	}
	return db.inTx(ctx, func(tx *tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO outbox (kind, to_address, subject, text_body, html_body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, m.Kind, m.To, m.Subject, m.Text, m.HTML, m.CreatedAt.UTC()).Scan(&m.ID)
		return db.dialect.classify(err, "message")
	})
}

// QueueOutboxMessage stores a message and the job that sends it, in one transaction (see
// byline.OutboxStore). The job's key is new, as the message's ID is.
func (db *DB) QueueOutboxMessage(ctx context.Context, m *byline.OutboxMessage, kind, payload string, runAt time.Time) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := byline.CheckJob(kind, kind+":0", payload); err != nil {
		return err
	}
	if runAt.IsZero() {
		return byline.Errorf(byline.EINVALID, "A job needs a time to run at.")
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = db.now()
	}
	return db.inTx(ctx, func(tx *tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO outbox (kind, to_address, subject, text_body, html_body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, m.Kind, m.To, m.Subject, m.Text, m.HTML, m.CreatedAt.UTC()).Scan(&id)
		if err != nil {
			return db.dialect.classify(err, "message")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO jobs (kind, key, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $5)`,
			kind, kind+":"+strconv.FormatInt(id, 10), payload, jobTime(runAt), db.now())
		if err != nil {
			return db.dialect.classify(err, "job")
		}
		m.ID = id
		return nil
	})
}

const outboxColumns = `id, kind, to_address, subject, text_body, html_body, created_at, sent_at`

func scanOutbox(row rowScanner) (*byline.OutboxMessage, error) {
	var m byline.OutboxMessage
	var sent sql.NullTime
	if err := row.Scan(&m.ID, &m.Kind, &m.To, &m.Subject, &m.Text, &m.HTML, &m.CreatedAt, &sent); err != nil {
		return nil, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	if sent.Valid {
		m.SentAt = sent.Time.UTC()
	}
	return &m, nil
}

// FindOutboxMessage returns one message of the outbox.
func (db *DB) FindOutboxMessage(ctx context.Context, id int64) (*byline.OutboxMessage, error) {
	m, err := scanOutbox(db.queryRow(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, id))
	if err != nil {
		return nil, db.dialect.classify(err, "message")
	}
	return m, nil
}

// maxOutboxList bounds one listing of the outbox.
const maxOutboxList = 1000

// FindOutbox lists the newest messages first.
func (db *DB) FindOutbox(ctx context.Context, limit int) ([]*byline.OutboxMessage, error) {
	if limit <= 0 || limit > maxOutboxList {
		limit = maxOutboxList
	}
	return collect(ctx, db, "find the outbox", scanOutbox,
		`SELECT `+outboxColumns+` FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
}

// MarkOutboxSent records that a message was delivered, unless it already was: of two
// senders racing, only the first mark succeeds.
func (db *DB) MarkOutboxSent(ctx context.Context, id int64, at time.Time) error {
	return db.inTx(ctx, func(tx *tx) error {
		n, err := rowsChanged(tx.ExecContext(ctx, `UPDATE outbox SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL`, at.UTC(), id))
		if err != nil {
			return db.dialect.classify(err, "message")
		}
		if n == 1 {
			return nil
		}
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM outbox WHERE id = $1`, id).Scan(&one); err != nil {
			return db.dialect.classify(err, "message")
		}
		return byline.Errorf(byline.ECONFLICT, "The message %d was already marked sent.", id)
	})
}
