-- The audit log names who did each thing as well as pointing at their account: removing an
-- account sets staff_id to NULL, and its entries still say whose they were. Entries written
-- before this migration take the names of the accounts that still exist.
ALTER TABLE audit_log ADD COLUMN staff_name TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN staff_email TEXT NOT NULL DEFAULT '';
UPDATE audit_log SET
    staff_name = COALESCE((SELECT name FROM staff WHERE staff.id = audit_log.staff_id), ''),
    staff_email = COALESCE((SELECT email FROM staff WHERE staff.id = audit_log.staff_id), '')
WHERE staff_id IS NOT NULL;
