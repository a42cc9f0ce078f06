package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"byline"
)

// FindSettings returns the site settings; anything never saved keeps its default.
func (db *DB) FindSettings(ctx context.Context) (byline.Settings, error) {
	s := byline.DefaultSettings()
	var raw string
	err := db.queryRow(ctx, `SELECT value FROM settings WHERE key = 'site'`).Scan(&raw)
	if err == sql.ErrNoRows {
		return s, nil
	} else if err != nil {
		return s, fmt.Errorf("find settings: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("decode settings: %w", err)
	}
	return s, nil
}

// SaveSettings replaces the site settings.
func (db *DB) SaveSettings(ctx context.Context, s byline.Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode settings: %w", err)
	}
	return db.inTx(ctx, func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('site', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(raw)); err != nil {
			return fmt.Errorf("save settings: %w", err)
		}
		return db.bumpRevision(ctx, tx)
	})
}
