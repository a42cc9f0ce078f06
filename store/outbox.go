package store

import (
	"context"
	"database/sql"
	"fmt"
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

// maxOutboxList bounds one listing of the outbox.
const maxOutboxList = 1000

// FindOutbox lists the newest messages first.
func (db *DB) FindOutbox(ctx context.Context, limit int) ([]*byline.OutboxMessage, error) {
	if limit <= 0 || limit > maxOutboxList {
		limit = maxOutboxList
	}
	rows, err := db.query(ctx, `SELECT id, kind, to_address, subject, text_body, html_body, created_at, sent_at
		FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("find the outbox: %w", err)
	}
	defer rows.Close()
	var list []*byline.OutboxMessage
	for rows.Next() {
		var m byline.OutboxMessage
		var sent sql.NullTime
		if err := rows.Scan(&m.ID, &m.Kind, &m.To, &m.Subject, &m.Text, &m.HTML, &m.CreatedAt, &sent); err != nil {
			return nil, fmt.Errorf("scan a message: %w", err)
		}
		m.CreatedAt = m.CreatedAt.UTC()
		if sent.Valid {
			m.SentAt = sent.Time.UTC()
		}
		list = append(list, &m)
	}
	return list, rows.Err()
}

// MarkOutboxSent records that a message was delivered.
func (db *DB) MarkOutboxSent(ctx context.Context, id int64, at time.Time) error {
	return db.inTx(ctx, func(tx *tx) error {
		n, err := rowsChanged(tx.ExecContext(ctx, `UPDATE outbox SET sent_at = $1 WHERE id = $2`, at.UTC(), id))
		if err != nil {
			return db.dialect.classify(err, "message")
		}
		if n == 0 {
			return byline.Errorf(byline.ENOTFOUND, "No such message in the outbox.")
		}
		return nil
	})
}
