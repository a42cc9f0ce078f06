package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"byline"
)

// copyTables are the tables a copy carries, parents before children. schema_migrations is
// not among them: each database is migrated by itself.
var copyTables = []struct{ name, order string }{
	{"settings", "key"},
	{"authors", "id"},
	{"tags", "id"},
	{"staff", "id"},
	{"images", "id"}, // uploaded_by names staff; the bytes are in the blob store (see README)
	{"image_variants", "image_id, width"},
	{"articles", "id"},
	{"article_authors", "article_id, author_id"},
	{"article_tags", "article_id, tag_id"},
	{"article_revisions", "id"},
	{"slug_redirects", "slug"},
	{"preview_links", "token_hash"},
	{"staff_sessions", "token_hash"},
	{"audit_log", "id"},
	{"password_resets", "token_hash"},
	{"staff_invitations", "id"},
	{"outbox", "id"},
	{"jobs", "id"}, // scheduled publications must survive the move; done ones are the record
	{"corrections", "id"},
	{"members", "id"},
	{"member_sessions", "token_hash"},
	{"member_links", "token_hash"},
}

// Copy copies a whole newsroom from src to dst, which may be either engine: every row of
// every table, with the same ids, from one consistent snapshot of src, in one transaction on
// dst. dst must be empty. Each table's row count is checked on both sides before commit;
// progress, when not nil, hears each table's count as it is done.
func Copy(ctx context.Context, src, dst *DB, progress func(table string, rows int)) error {
	snap, err := src.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: src.dialect.snapshot()})
	if err != nil {
		return fmt.Errorf("read snapshot: %w", err)
	}
	defer snap.Rollback()
	type count struct {
		table string
		rows  int
	}
	var counts []count
	err = dst.inTx(ctx, func(tx *tx) error {
		counts = counts[:0] // this may run twice (see inTx)
		for _, t := range []string{"articles", "authors", "tags", "images", "staff", "staff_sessions", "audit_log", "jobs", "members"} {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
				return fmt.Errorf("count %s: %w", t, err)
			}
			if n > 0 {
				return byline.Errorf(byline.ECONFLICT, "The destination already holds %d %s; copy only into an empty database.", n, t)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM settings`); err != nil {
			return fmt.Errorf("clear settings: %w", err)
		}
		for _, t := range copyTables {
			n, err := copyTable(ctx, snap, tx, dst.dialect, t.name, t.order)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			var srcN, dstN int
			if err := snap.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&srcN); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&dstN); err != nil {
				return err
			}
			if srcN != n || dstN != n {
				return fmt.Errorf("copy %s: the source has %d rows, %d were read and the destination has %d", t.name, srcN, n, dstN)
			}
			if q := dst.dialect.resetIdentity(t.name); q != "" && t.order == "id" {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("reset %s ids: %w", t.name, err)
				}
			}
			counts = append(counts, count{t.name, n})
		}
		// Anything cached from before the copy is stale.
		var rev int64
		if err := snap.QueryRowContext(ctx, `SELECT revision FROM content_revision WHERE id = 1`).Scan(&rev); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE content_revision SET revision = revision + $1 WHERE id = 1`, rev); err != nil {
			return err
		}
		return dst.bumpRevision(ctx, tx)
	})
	if err == nil && progress != nil {
		for _, c := range counts {
			progress(c.table, c.rows)
		}
	}
	return err
}

// copyTable streams one table from the snapshot into the destination transaction, in
// multi-row INSERTs. It returns the number of rows copied.
func copyTable(ctx context.Context, from *sql.Tx, to *tx, dst dialect, table, order string) (int, error) {
	rows, err := from.QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY `+order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	// The destination's column types tell how to convert values between engines.
	probe, err := to.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table+` WHERE 1 = 0`)
	if err != nil {
		return 0, fmt.Errorf("the destination's %s lacks a source column: %w", table, err)
	}
	types, err := probe.ColumnTypes()
	probe.Close()
	if err != nil {
		return 0, err
	}
	perInsert := max(1, min(500, 30000/len(cols))) // within both engines' parameter limits
	var batch []any
	n, pending := 0, 0
	flush := func() error {
		if pending == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		for r := range pending {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", r*len(cols)+c+1)
			}
			b.WriteByte(')')
		}
		if _, err := to.ExecContext(ctx, b.String(), batch...); err != nil {
			return err
		}
		batch, pending = batch[:0], 0
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			vals[i] = dst.convert(v, types[i].DatabaseTypeName())
		}
		batch = append(batch, vals...)
		pending++
		n++
		if pending == perInsert {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// Backup writes a consistent copy of a SQLite database to path while Byline keeps serving.
// PostgreSQL has pg_dump for this.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect.name() != "sqlite" {
		return byline.Errorf(byline.EINVALID, "Back up PostgreSQL with pg_dump; byline backup is for the SQLite database.")
	}
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	return nil
}
