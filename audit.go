package byline

import "context"

// AuditFilter selects entries of the audit log, newest first. Zero fields do not filter.
type AuditFilter struct {
	StaffID int64  // only what this staff member did
	Action  string // only this action ("published", "changed settings", …)
	// Before, when not zero, starts the list after the entry with this id (keyset paging:
	// a page deep in a long log costs what the first does).
	Before int64
	Limit  int
}

// AuditLog reads the audit log for the newsroom's page of it.
type AuditLog interface {
	// FindAuditLog lists the entries the filter selects, newest first.
	FindAuditLog(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
}
