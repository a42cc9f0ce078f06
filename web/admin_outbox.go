package web

import (
	"net/http"
	"strconv"

	"byline"
	"byline/newsroom"
)

// The outbox, /admin/outbox: every message the site sent or will send, newest first. Until
// a mail server is configured it is the delivery itself: administrators pass reset and
// invitation links on by hand. The links are secrets, so only those who may read the audit
// log read the outbox, and each reader sees only the links their role could have given
// (newsroom.ReadableOutbox): no Administrator reads the Owner's or another Administrator's
// reset link here.

// outboxAdmin registers the outbox page.
func (s *Server) outboxAdmin(m adminMux) {
	m.staff("GET /admin/outbox", s.outboxPage)
}

// outboxData is what the outbox page shows.
type outboxData struct {
	// Messages are the newest messages, some with their text withheld from the reader.
	Messages []newsroom.OutboxEntry
	Limit    int
	// Missing says the server's store keeps no outbox.
	Missing bool
}

// Outbox page sizes: the default, and the most one page shows.
const (
	outboxPage    = 50
	outboxPageMax = 500
)

// outboxPage lists the newest messages.
func (s *Server) outboxPage(r *http.Request, staff *byline.Staff) (*response, error) {
	if !staff.Can(byline.ActionAudit) {
		return nil, byline.Forbidden("read the outbox")
	}
	d := outboxData{Limit: outboxPage}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, byline.Errorf(byline.EINVALID, "The limit is a whole number of messages, such as 50.")
		}
		d.Limit = min(n, outboxPageMax)
	}
	// The outbox is read from the Store, which keeps it (store.DB does).
	if outbox, ok := s.store.(byline.OutboxStore); !ok {
		d.Missing = true
	} else {
		list, err := outbox.FindOutbox(r.Context(), d.Limit)
		if err != nil {
			return nil, err
		}
		if d.Messages, err = s.staff.ReadableOutbox(r.Context(), staff, list); err != nil {
			return nil, err
		}
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "outbox", Title: "Outbox", Section: "outbox", Staff: staff, Data: d})
}
