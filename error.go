package byline

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in web/error.go and nowhere else.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ELIMITED      = "rate_limited" // too many attempts: try again later
	EINTERNAL     = "internal"
)

// Error is an error a reader may see: its Message is a full sentence meant for people.
// Any other error is reported to people as an internal error and logged.
type Error struct {
	Code    string
	Message string
	// Field names the field at fault, when one is ("title", "slug", "authors", …): forms and
	// the importer show the message beside it.
	Field string
}

// ErrorField returns the Field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Field
	}
	return ""
}

// WithField sets the field an *Error concerns (when it is one) and returns it: forms show
// the message beside that field.
func WithField(err error, field string) error { return onField(field, err) }

// onField sets the field an error concerns and returns it.
func onField(field string, err error) error {
	if e, ok := err.(*Error); ok {
		e.Field = field
	}
	return err
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns "" for nil, the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a generic sentence
// for internal errors, whose details are for the log only.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "Something went wrong on our side. Please try again in a moment."
}
