package publishing

import (
	"context"
	"strings"

	"byline"
)

// EditTag renames a tag and sets its description; editors and above may (ActionTags).
func (d *Desk) EditTag(ctx context.Context, w Who, id int64, name, description string) (*byline.Tag, error) {
	if !w.Staff.Can(byline.ActionTags) {
		return nil, byline.Forbidden("edit tags")
	}
	t, err := d.Store.FindTagByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := oneName(name); err != nil {
		return nil, err
	}
	old := t.Name
	t.Name, t.Description = strings.TrimSpace(name), strings.TrimSpace(description)
	if err := d.Store.UpdateTag(ctx, t); err != nil {
		return nil, err
	}
	return t, d.auditNamed(ctx, w, "edited a tag", old, t.Name, t.Slug)
}

// EditAuthor renames an author and sets their bio; editors and above may (ActionTags).
func (d *Desk) EditAuthor(ctx context.Context, w Who, id int64, name, bio string) (*byline.Author, error) {
	if !w.Staff.Can(byline.ActionTags) {
		return nil, byline.Forbidden("edit authors")
	}
	au, err := d.Store.FindAuthorByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := oneName(name); err != nil {
		return nil, err
	}
	old := au.Name
	au.Name, au.Bio = strings.TrimSpace(name), strings.TrimSpace(bio)
	if err := d.Store.UpdateAuthor(ctx, au); err != nil {
		return nil, err
	}
	return au, d.auditNamed(ctx, w, "edited an author", old, au.Name, au.Slug)
}

// oneName refuses a name with a comma: the editor's fields list names separated by commas,
// and such a name would come back as two.
func oneName(name string) error {
	if strings.Contains(name, ",") {
		return onField("name", "A name cannot hold a comma: the editor lists names separated by commas.")
	}
	return nil
}

func (d *Desk) auditNamed(ctx context.Context, w Who, action, old, name, slug string) error {
	if d.Audit == nil {
		return nil
	}
	subject := name + " (" + slug + ")"
	if old != name {
		subject = old + " → " + subject
	}
	return d.Audit.Audit(ctx, &byline.AuditEntry{StaffID: w.Staff.ID, Action: action, Subject: subject, IP: w.IP})
}
