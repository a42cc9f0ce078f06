package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/mail"
	"byline/mail/mailtest"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns their files and a
// pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestSMTPTLS: the URL decides TLS. With a login, smtp:// requires STARTTLS (a server that
// does not offer it gets no password), and checks the certificate; smtps:// speaks TLS from
// the first byte.
func TestSMTPTLS(t *testing.T) {
	if mailtest.Binary() == "" {
		mailtest.Start(t) // skips, or fails in CI
	}
	ctx := context.Background()
	certFile, keyFile, pool := selfSigned(t)
	msg := byline.Message{To: "olga@example.org", Subject: "Over TLS", Text: "Hello."}
	sender := func(t *testing.T, url string, trust bool) *mail.SMTP {
		t.Helper()
		s, err := mail.NewSMTP(url, "news@daily.example")
		if err != nil {
			t.Fatal(err)
		}
		s.Timeout = 5 * time.Second
		if trust {
			s.TLSConfig = &tls.Config{RootCAs: pool}
		}
		return s
	}

	t.Run("no STARTTLS offered", func(t *testing.T) {
		pit := mailtest.StartOn(t, mailtest.FreeAddr(t), "--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
		err := sender(t, "smtp://news:s3cret@"+pit.SMTP, true).Send(ctx, msg)
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("a login to a server without STARTTLS: %v, want a refusal naming STARTTLS", err)
		}
		if n := len(pit.Messages(t)); n != 0 {
			t.Fatalf("%d message(s) sent in the clear", n)
		}
	})
	t.Run("STARTTLS", func(t *testing.T) {
		pit := mailtest.StartOn(t, mailtest.FreeAddr(t), "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile,
			"--smtp-require-starttls", "--smtp-auth-accept-any")
		if err := sender(t, "smtp://news:s3cret@"+pit.SMTP, false).Send(ctx, msg); err == nil {
			t.Fatal("a certificate nobody vouches for was accepted")
		}
		if err := sender(t, "smtp://news:s3cret@"+pit.SMTP, true).Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		if list := pit.Wait(t, 1, 5*time.Second); len(list) != 1 || list[0].Subject != "Over TLS" {
			t.Fatalf("arrived %+v", list)
		}
	})
	t.Run("implicit TLS", func(t *testing.T) {
		pit := mailtest.StartOn(t, mailtest.FreeAddr(t), "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile,
			"--smtp-require-tls", "--smtp-auth-accept-any")
		plain := sender(t, "smtp://"+pit.SMTP, true)
		plain.Timeout = time.Second // it waits for a greeting that TLS never sends
		if err := plain.Send(ctx, msg); err == nil {
			t.Fatal("plain smtp:// to a TLS port: no error")
		}
		if err := sender(t, "smtps://news:s3cret@"+pit.SMTP, true).Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		if list := pit.Wait(t, 1, 5*time.Second); len(list) != 1 {
			t.Fatalf("arrived %+v", list)
		}
	})
}
