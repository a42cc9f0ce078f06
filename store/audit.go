package store

import (
	"context"
	"fmt"
	"strings"

	"byline"
)

// FindAuditLog lists the audit log's entries the filter selects, newest first. Paging goes
// by the entry's id (Before): ids grow with time, and each filter has an index in (at, id)
// order, so any page is a short range scan.
func (db *DB) FindAuditLog(ctx context.Context, f byline.AuditFilter) ([]*byline.AuditEntry, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.StaffID != 0 {
		where = append(where, "staff_id = "+arg(f.StaffID))
	}
	if f.Action != "" {
		where = append(where, "action = "+arg(f.Action))
	}
	if f.Before != 0 {
		// The entry's own time bounds the scan; the id breaks ties and skips what was shown.
		b := arg(f.Before)
		at := "(SELECT at FROM audit_log WHERE id = " + b + ")"
		where = append(where, "at <= "+at+" AND (at < "+at+" OR id < "+b+")")
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, id DESC"
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
	}
	return collect(ctx, db, "find audit log", scanAudit, q, args...)
}
