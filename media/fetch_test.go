package media_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"byline"
	"byline/media"
)

// server is a test web server on 127.0.0.1 that counts the requests it gets.
type server struct {
	*httptest.Server
	hits atomic.Int64
}

// newServer starts a server on 127.0.0.1 that counts requests, closed when the test ends.
func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// addrPort is where the server listens.
func (s *server) addrPort(t *testing.T) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

// allowOnly returns a Fetcher that may, besides public addresses, reach only these servers.
func allowOnly(t *testing.T, servers ...*server) *media.Fetcher {
	t.Helper()
	allowed := map[netip.AddrPort]bool{}
	for _, s := range servers {
		allowed[s.addrPort(t)] = true
	}
	return &media.Fetcher{Allow: func(ap netip.AddrPort) bool { return allowed[ap] }}
}

// wantMessage fails unless err is an invalid error whose message contains want.
func wantMessage(t *testing.T, err error, want string) {
	t.Helper()
	if byline.ErrorCode(err) != byline.EINVALID || !strings.Contains(byline.ErrorMessage(err), want) {
		t.Fatalf("err = %v, want an invalid error saying %q", err, want)
	}
}

// TestFetchRefusesNonPublicAddresses: the default fetcher connects to none of these. The
// refusal comes from the dial-time check, before any packet leaves: no server is needed.
func TestFetchRefusesNonPublicAddresses(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) })
	port := srv.addrPort(t).Port()
	var f media.Fetcher
	for _, url := range []string{
		srv.URL + "/photo.jpg",
		fmt.Sprintf("http://localhost:%d/", port),
		fmt.Sprintf("http://[::1]:%d/", port),
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", port),
		fmt.Sprintf("http://0.0.0.0:%d/", port),
		"http://169.254.169.254/latest/meta-data/",
		"http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
		"http://100.64.0.1/", "http://[fd00::1]/", "http://[fe80::1]/", "http://224.0.0.1/",
		"https://127.0.0.2:8443/",
	} {
		t.Run(url, func(t *testing.T) {
			_, err := f.Fetch(context.Background(), url)
			wantMessage(t, err, "not allowed")
		})
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests, want none", n)
	}
}

func TestFetchRefusesOtherSchemes(t *testing.T) {
	var f media.Fetcher
	for _, url := range []string{"file:///etc/passwd", "ftp://example.com/a.jpg", "gopher://example.com/", "/etc/passwd", "http://"} {
		_, err := f.Fetch(context.Background(), url)
		wantMessage(t, err, "must start with http:// or https://")
	}
}

// TestFetchChecksEveryRedirect: a server the fetcher may reach redirects to one it may not
// (another port on 127.0.0.1, or a name resolving to it). The redirect is refused at dial
// time, and the second server never hears of it.
func TestFetchChecksEveryRedirect(t *testing.T) {
	inner := newServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("internal")) })
	outer := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	f := allowOnly(t, outer)
	for _, to := range []string{inner.URL + "/", fmt.Sprintf("http://localhost:%d/", inner.addrPort(t).Port())} {
		_, err := f.Fetch(context.Background(), outer.URL+"/?to="+to)
		wantMessage(t, err, "not allowed")
	}
	_, err := f.Fetch(context.Background(), outer.URL+"/?to=file:///etc/passwd")
	wantMessage(t, err, "must start with http:// or https://")
	if n := inner.hits.Load(); n != 0 {
		t.Errorf("the server behind the redirect got %d requests, want none", n)
	}
	if n := outer.hits.Load(); n != 3 {
		t.Errorf("the allowed server got %d requests, want 3", n)
	}
}

func TestFetchRedirectLimit(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if n == 0 {
			w.Write([]byte("photo"))
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/?n=%d", n-1), http.StatusFound)
	})
	f := allowOnly(t, srv)
	// Five redirects are followed; a sixth is not.
	if data, err := f.Fetch(context.Background(), srv.URL+"/?n=5"); err != nil || string(data) != "photo" {
		t.Fatalf("five redirects: got %q, %v; want the photo", data, err)
	}
	_, err := f.Fetch(context.Background(), srv.URL+"/?n=6")
	wantMessage(t, err, "redirects more than 5 times")
}

func TestFetch(t *testing.T) {
	img := []byte("\xff\xd8\xff a photo")
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/photo.jpg", http.StatusMovedPermanently)
			return
		}
		w.Write(img)
	})
	f := allowOnly(t, srv)
	for _, url := range []string{srv.URL + "/photo.jpg", srv.URL + "/moved"} {
		data, err := f.Fetch(context.Background(), url)
		if err != nil || string(data) != string(img) {
			t.Errorf("%s: got %q, %v; want the photo", url, data, err)
		}
	}
}

// TestFetchErrorsTellNothing: a server's error page, a closed port and a server that never
// answers all give the same sentence, which quotes none of what the server said.
func TestFetchErrorsTellNothing(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hang":
			<-r.Context().Done()
		default:
			http.Error(w, "secret: database password is hunter2", http.StatusInternalServerError)
		}
	})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	ap := netip.MustParseAddrPort(closedAddr)
	f := &media.Fetcher{Timeout: 200 * time.Millisecond, Allow: func(a netip.AddrPort) bool { return a == srv.addrPort(t) || a == ap }}
	var messages []string
	for _, url := range []string{srv.URL + "/error", "http://" + closedAddr + "/", srv.URL + "/hang", "http://no-such-host.invalid/"} {
		_, err := f.Fetch(context.Background(), url)
		wantMessage(t, err, "could not be fetched from that address")
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "500") || strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: the error %q relays what happened", url, err)
		}
		messages = append(messages, byline.ErrorMessage(err))
	}
	for _, m := range messages[1:] {
		if m != messages[0] {
			t.Errorf("messages differ: %q", messages)
		}
	}
}

func TestFetchSizeCap(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/declared" {
			w.Header().Set("Content-Length", fmt.Sprint(media.MaxBytes+1))
		}
		chunk := make([]byte, 1<<20)
		for written := 0; written <= media.MaxBytes; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	f := allowOnly(t, srv)
	for _, path := range []string{"/declared", "/chunked"} {
		_, err := f.Fetch(context.Background(), srv.URL+path)
		wantMessage(t, err, "larger than 30 MB")
	}
}

func TestFetchStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("\xff\xd8\xff"))
		w.(http.Flusher).Flush()
		cancel() // the reader leaves once the answer has begun
		<-r.Context().Done()
	})
	f := allowOnly(t, srv)
	_, err := f.Fetch(ctx, srv.URL+"/slow.jpg")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:4700::1111": true, "8.8.8.8": true,
		"127.0.0.1": false, "::1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
		"169.254.169.254": false, "fe80::1": false, "10.0.0.1": false, "172.31.255.255": false,
		"192.168.0.1": false, "fc00::1": false, "fd12::1": false, "0.0.0.0": false, "::": false,
		"100.64.0.1": false, "100.127.255.254": false, "224.0.0.251": false, "ff02::1": false,
		"255.255.255.255": false, "240.0.0.1": false, "192.0.2.1": false, "64:ff9b::a00:1": false,
		"2002:a00:1::": false, "2001:db8::1": false,
	} {
		if got := media.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}
