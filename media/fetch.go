package media

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"syscall"
	"time"

	"byline"
)

// Fetcher downloads photos from the web: the importer's "image: https://…" and, next, the
// staff screens' "photo from URL" go through it, so that one door decides what Byline's
// servers may be made to contact. It speaks only http and https, and connects only to
// public addresses: the check is made on the address actually dialled (so on every
// redirect, and whatever DNS answers at that moment), never on the name in the URL. It
// follows at most MaxRedirects redirects, gives up after Timeout, reads at most MaxBytes,
// uses no proxy, and its errors never relay what the far side said or why a connection
// failed. The zero Fetcher is ready to use and safe for concurrent use.
type Fetcher struct {
	// Timeout bounds a whole fetch, redirects and body included; 0 means 30 seconds.
	Timeout time.Duration
	// Allow, when set, is asked about each address the rules refuse, as dialled (an IPv4
	// address mapped into IPv6 is given as IPv4), and lets the fetcher connect when it says
	// yes: for a newsroom's own photo server on its network, or a test server on
	// 127.0.0.1. It is never asked about public addresses.
	Allow func(netip.AddrPort) bool

	once   sync.Once
	client *http.Client
}

// MaxRedirects is the number of redirects a fetch follows.
const MaxRedirects = 5

// The errors a fetch reports. They are deliberately few and plain: a fetcher that said
// "connection refused" or quoted the server's answer would let anyone who can give it an
// address map the network it runs in.
var (
	errNotAllowed  = byline.Errorf(byline.EINVALID, "That address is not allowed: Byline fetches images only from public web addresses.")
	errFetchFailed = byline.Errorf(byline.EINVALID, "The image could not be fetched from that address.")
	errScheme      = byline.Errorf(byline.EINVALID, "The image address must start with http:// or https://.")
	errTooLarge    = byline.Errorf(byline.EINVALID, "The image at that address is larger than %d MB.", MaxBytes>>20)
	errRedirects   = byline.Errorf(byline.EINVALID, "The image could not be fetched from that address: it redirects more than %d times.", MaxRedirects)
)

// Fetch returns the body of a successful GET of rawURL, at most MaxBytes long. Its errors
// are *byline.Error with one of a few fixed messages, or ctx's error when ctx ended.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || len(rawURL) > 8000 {
		return nil, byline.Errorf(byline.EINVALID, "The image address is not a valid web address.")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, errScheme
	}
	f.once.Do(f.init)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, byline.Errorf(byline.EINVALID, "The image address is not a valid web address.")
	}
	req.Header.Set("Accept", "image/jpeg, image/png, image/webp")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.fail(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errFetchFailed
	}
	if resp.ContentLength > MaxBytes {
		return nil, errTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBytes+1))
	if err != nil {
		return nil, f.fail(ctx, err)
	}
	if len(data) > MaxBytes {
		return nil, errTooLarge
	}
	return data, nil
}

// fail turns a transport error into one of the fetcher's plain errors.
func (f *Fetcher) fail(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, errNotAllowed):
		return errNotAllowed
	case errors.Is(err, errRedirects):
		return errRedirects
	case errors.Is(err, errScheme):
		return errScheme
	}
	return errFetchFailed
}

// init builds the client: a dialer that checks each address, no proxy, and a redirect
// policy that counts and checks schemes.
func (f *Fetcher) init() {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		// Control runs after DNS, on the very address about to be connected to.
		ControlContext: func(_ context.Context, network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !f.allowed(ap) {
				return errNotAllowed
			}
			return nil
		},
	}
	transport := &http.Transport{
		Proxy:                  nil, // a proxy would connect on our behalf, past the check
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           4,
		IdleConnTimeout:        30 * time.Second,
	}
	f.client = &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return errRedirects
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return errScheme
			}
			return nil
		},
	}
}

// allowed reports whether the fetcher may connect to ap.
func (f *Fetcher) allowed(ap netip.AddrPort) bool {
	addr := ap.Addr().Unmap()
	if Public(addr) {
		return true
	}
	return f.Allow != nil && f.Allow(netip.AddrPortFrom(addr, ap.Port()))
}

// nonPublic lists the ranges that netip's own predicates do not cover and that no
// fetch should reach: shared and reserved IPv4 space, documentation and benchmarking
// ranges, and IPv6 prefixes that carry an IPv4 address inside them (a NAT64 or 6to4
// gateway would take a request on to that address, private or not).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated)
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001::/32"),       // Teredo
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

// Public reports whether addr is a public unicast address, one the fetcher may connect to
// without being told: not loopback, link-local (169.254.169.254, where clouds answer with
// their credentials, is one), private (RFC 1918, fc00::/7), unspecified, multicast,
// carrier-grade NAT, or reserved.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || !addr.IsGlobalUnicast() || addr.IsPrivate() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}
