// Package newsroom is the newsroom's staff: accounts, roles, passwords and what each role may
// do. Members (readers) are another package's; staff sign in with a password, members with
// magic links.
package newsroom

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"byline"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106's second recommendation, memory-hard at 64 MiB): about 50 ms
// a hash on one core of the development machine.
const (
	argonTime    = 1
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 4
	argonKeyLen  = 32
	saltLen      = 16
)

// hashing bounds how many argon2id hashes run at once: each takes 64 MiB, and a crowd of
// sign-ins (by many addresses, each under its limit) must not take the server's memory.
var hashing = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// idKey is argon2.IDKey within the bound above.
func idKey(password, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey(password, salt, t, m, p, n)
}

// Password limits: long enough to resist guessing (NIST SP 800-63B asks for at least 8;
// newsrooms get phished, so 12), short enough that hashing it costs nothing unusual.
const (
	MinPassword = 12
	MaxPassword = 1024 // bytes
)

// CheckPassword checks a new password against the limits.
func CheckPassword(password string) error {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPassword:
		return byline.Errorf(byline.EINVALID, "The password is %d characters long; use at least %d (a few words make a good one).", n, MinPassword)
	case len(password) > MaxPassword:
		return byline.Errorf(byline.EINVALID, "The password is longer than %d bytes.", MaxPassword)
	case !utf8.ValidString(password):
		return byline.Errorf(byline.EINVALID, "The password is not valid UTF-8 text.")
	}
	return nil
}

// HashPassword returns the argon2id hash of password in the PHC string format
// ($argon2id$v=19$m=65536,t=1,p=4$salt$hash), with a new random salt.
func HashPassword(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := idKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the hash, in constant time. A hash that
// does not parse, or asks for more than this build's parameters would spend, never matches.
func VerifyPassword(hash, password string) bool {
	if len(password) > MaxPassword {
		return false
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		m == 0 || t == 0 || p == 0 || m > 4*argonMemory || t > 10 || p > 16 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 || len(key) > 64 {
		return false
	}
	got := idKey([]byte(password), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}
