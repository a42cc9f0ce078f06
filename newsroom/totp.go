package newsroom

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"image/png"
	"strings"
	"time"

	"byline"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Two-factor codes: RFC 6238's defaults, which every authenticator app reads (30-second
// steps, six digits, SHA-1), accepting the step before and after for clocks that drift.
const (
	totpPeriod     = 30
	totpSecretSize = 20 // bytes: 32 base32 characters
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPKey is what an authenticator app needs to make an account's codes.
type TOTPKey struct {
	Secret string // base32, for typing in
	URL    string // otpauth://totp/…, for scanning
	PNG    []byte // the URL as a QR code
}

// NewTOTPKey makes a new two-factor secret for the account; nothing is stored until
// EnableTOTP confirms it with a code.
func (n *Newsroom) NewTOTPKey(s *byline.Staff) (*TOTPKey, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: n.site(), AccountName: s.Email, Period: totpPeriod,
		SecretSize: totpSecretSize, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("two-factor secret: %w", err)
	}
	return n.TOTPKeyOf(s, key.Secret())
}

// TOTPKeyOf describes an existing secret (a form sends it back with the confirming code).
func (n *Newsroom) TOTPKeyOf(s *byline.Staff, secret string) (*TOTPKey, error) {
	raw, err := totpEncoding.DecodeString(secret)
	if err != nil || len(raw) != totpSecretSize {
		return nil, fieldError("secret", byline.Errorf(byline.EINVALID, "The two-factor secret was changed on its way: start again."))
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: n.site(), AccountName: s.Email, Period: totpPeriod,
		Secret: raw, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("two-factor secret: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, fmt.Errorf("two-factor QR code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return &TOTPKey{Secret: key.Secret(), URL: key.URL(), PNG: b.Bytes()}, nil
}

// matchCode returns the time step whose code the code is, among the steps around now.
func matchCode(secret, code string, now time.Time) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 {
		return 0, false
	}
	for _, skew := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(skew*totpPeriod) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / totpPeriod, true
		}
	}
	return 0, false
}

// errWrongCode answers a two-factor code that is not the account's.
var errWrongCode = byline.Errorf(byline.EINVALID, "That code is not right. Type the six digits your authenticator app shows now (its clock must be right).")

// EnableTOTP turns two-factor on for the actor with the secret NewTOTPKey made, once the
// code from their app proves they hold it. When two-factor is on already, the new secret
// replaces the old one only with proof that it is them: a current code of the old secret
// (oldCode) or else their password; a stolen session alone cannot lock them out.
func (n *Newsroom) EnableTOTP(ctx context.Context, actor *byline.Staff, secret, code, oldCode, password, ip string) error {
	if _, err := n.TOTPKeyOf(actor, secret); err != nil {
		return err
	}
	if err := n.limit(ctx, fmt.Sprintf("account:staff:%d", actor.ID), accountWindow, accountTries, actor.ID, ip,
		"Too many tries. Wait a quarter of an hour."); err != nil {
		return err
	}
	step, ok := matchCode(secret, code, n.now())
	if !ok {
		return fieldError("code", errWrongCode)
	}
	if actor.TwoFactor() {
		if err := n.proveOldTOTP(ctx, actor, oldCode, password, ip); err != nil {
			return err
		}
	}
	if err := n.Store.UpdateStaffTOTP(ctx, actor.ID, secret, step); err != nil {
		return err
	}
	if actor.TwoFactor() {
		return n.audit(ctx, actor.ID, "moved two-factor to a new secret", actor.Email, ip)
	}
	return n.audit(ctx, actor.ID, "turned two-factor on", actor.Email, ip)
}

// proveOldTOTP checks that the actor, whose two-factor is on, holds the secret (a current
// code, used once) or else knows the password.
func (n *Newsroom) proveOldTOTP(ctx context.Context, actor *byline.Staff, oldCode, password, ip string) error {
	if strings.TrimSpace(oldCode) == "" {
		if password == "" {
			return fieldError("old-code", byline.Errorf(byline.EINVALID,
				"Two-factor is on already: to move it to a new app, type a code from the old app or your password."))
		}
		return n.checkPassword(ctx, actor, password, ip)
	}
	step, ok := matchCode(actor.TOTPSecret, oldCode, n.now())
	if !ok {
		return fieldError("old-code", byline.Errorf(byline.EINVALID, "That code is not one of your old app's. Type the six digits it shows now, or your password."))
	}
	if used, err := n.Store.UseTOTPStep(ctx, actor.ID, step); err != nil {
		return err
	} else if !used {
		return fieldError("old-code", errCodeUsed)
	}
	return nil
}

// DisableTOTP turns two-factor off for the actor, who proves it is them with a current code
// or their password.
func (n *Newsroom) DisableTOTP(ctx context.Context, actor *byline.Staff, code, password, ip string) error {
	if !actor.TwoFactor() {
		return nil
	}
	if strings.TrimSpace(code) != "" {
		if err := n.limit(ctx, fmt.Sprintf("account:staff:%d", actor.ID), accountWindow, accountTries, actor.ID, ip,
			"Too many tries. Wait a quarter of an hour."); err != nil {
			return err
		}
		step, ok := matchCode(actor.TOTPSecret, code, n.now())
		if !ok {
			return fieldError("code", errWrongCode)
		}
		if used, err := n.Store.UseTOTPStep(ctx, actor.ID, step); err != nil {
			return err
		} else if !used {
			return fieldError("code", errCodeUsed)
		}
	} else if err := n.checkPassword(ctx, actor, password, ip); err != nil {
		return err
	}
	if err := n.Store.UpdateStaffTOTP(ctx, actor.ID, "", 0); err != nil {
		return err
	}
	return n.audit(ctx, actor.ID, "turned two-factor off", actor.Email, ip)
}

// errCodeUsed answers a code that was used already: a code works once.
var errCodeUsed = byline.Errorf(byline.EINVALID, "That code was used already. Wait for your app to show the next one.")
