package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/andybalholm/brotli"
)

// response is a rendered page, feed or file, held whole so that it can be cached, compressed
// once and answered with 304 Not Modified.
type response struct {
	status       int
	contentType  string
	cacheControl string
	surrogate    []string // Surrogate-Key: space-separated keys a CDN can purge by
	cacheTag     []string // Cache-Tag: the same keys, comma-separated
	body         []byte
	cookies      []*http.Cookie // set by forms (sign-in); such a response is never cached
	location     string         // a redirect's target: a path on this site
	etag         string         // strong ETag of body; the compressed bodies add a suffix
	compress     bool           // whether compressing the body pays

	// The compressed bodies are made on first demand, once: most responses are only ever
	// asked for in one encoding.
	gzipOnce, brOnce sync.Once
	gzip, br         []byte
	compressed       atomic.Int64           // their bytes, once made
	grown            atomic.Pointer[growth] // told of them; set by the page cache
}

// redirect answers a form with a 303 to a path on this site (POST, then redirect).
func redirect(path string, cookies ...*http.Cookie) *response {
	return &response{status: http.StatusSeeOther, location: path, cookies: cookies}
}

// growth is told how many bytes a response grew by when it made a compressed copy, so that
// the page cache counts what it really holds.
type growth struct{ add func(n int64) }

// responseOverhead is what a response costs besides its body and headers, rounded up.
const responseOverhead = 256

// size returns the bytes the response holds: body, compressed copies made so far, headers.
func (res *response) size() int64 {
	n := responseOverhead + cap(res.body) + len(res.contentType) + len(res.etag)
	for _, v := range res.surrogate {
		n += len(v)
	}
	for _, v := range res.cacheTag {
		n += len(v)
	}
	return int64(n) + res.compressed.Load()
}

// madeCopy counts a compressed copy of n bytes, and tells the cache holding the response.
func (res *response) madeCopy(n int) {
	res.compressed.Add(int64(n))
	if g := res.grown.Load(); g != nil {
		g.add(int64(n))
	}
}

// minCompress is the size below which compressing costs more than it saves.
const minCompress = 512

// newResponse prepares a response: its ETag, a hash of the body, and whether to compress it.
func newResponse(status int, contentType, cacheControl string, body []byte) *response {
	sum := sha256.Sum256(body)
	return newTaggedResponse(status, contentType, cacheControl, body, base64.RawURLEncoding.EncodeToString(sum[:12]))
}

// newTaggedResponse prepares a response whose identity is known without hashing it, such as a
// content-addressed photo; tag must be made of URL-safe characters.
func newTaggedResponse(status int, contentType, cacheControl string, body []byte, tag string) *response {
	if cap(body) > len(body)+len(body)/8 {
		// A rendering buffer grows by doubling: a cached page must not hold its spare half.
		body = bytes.Clone(body)
	}
	res := &response{status: status, contentType: contentType, cacheControl: cacheControl, body: body, etag: `"` + tag + `"`}
	res.compress = len(body) >= minCompress && compressible(contentType)
	return res
}

func (res *response) gzipped() []byte {
	res.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(res.body)
		zw.Close()
		res.gzip = bytes.Clone(buf.Bytes()) // no spare capacity, held as long as the page
		res.madeCopy(len(res.gzip))
	})
	return res.gzip
}

func (res *response) brotlied() []byte {
	res.brOnce.Do(func() {
		var buf bytes.Buffer
		bw := brotli.NewWriterLevel(&buf, 6)
		bw.Write(res.body)
		bw.Close()
		res.br = bytes.Clone(buf.Bytes())
		res.madeCopy(len(res.br))
	})
	return res.br
}

// private marks a response rendered for one signed-in reader: no shared cache (a CDN, a
// proxy) may keep it, and it carries no purge keys. A response that no cache may keep at all
// (no-store) stays so.
func (res *response) private() *response {
	if res.cacheControl != "no-store" {
		res.cacheControl = "private, no-cache"
	}
	res.surrogate, res.cacheTag = nil, nil
	return res
}

// tag names what the response shows, by keys, for a CDN's purge by key: Fastly reads
// Surrogate-Key (space-separated), Cloudflare Cache-Tag (comma-separated). The first key is
// the page's own; boundKeys keeps the headers within what proxies accept.
func (res *response) tag(keys ...string) {
	keys = boundKeys(keys)
	res.surrogate = []string{strings.Join(keys, " ")}
	res.cacheTag = []string{strings.Join(keys, ",")}
}

// maxKeyBytes bounds each purge-key header. Proxies refuse responses whose headers outgrow
// their buffer (nginx's proxy_buffer_size is 4 or 8 KB by default) and CDNs cap the header
// (16 KB at Fastly and Cloudflare); an article within the domain's limits on authors and
// tags needs well under 1 KB.
const maxKeyBytes = 2048

// boundKeys returns the first key and as many of the following ones, in order and whole,
// as fit in maxKeyBytes with their separators. A page whose keys are cut stays purgeable by
// its own key, and expires with its s-maxage.
func boundKeys(keys []string) []string {
	n := 0
	for i, k := range keys {
		if n += len(k) + min(i, 1); n > maxKeyBytes && i > 0 {
			return keys[:i]
		}
	}
	return keys
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.Contains(contentType, "xml") ||
		strings.Contains(contentType, "javascript") || strings.Contains(contentType, "json") ||
		strings.HasPrefix(contentType, "image/svg")
}

// write sends the response, compressed as the client accepts, or 304 when the client's
// copy is current. HEAD gets the headers only.
func (res *response) write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for _, c := range res.cookies {
		http.SetCookie(w, c)
	}
	if res.location != "" {
		h["Cache-Control"] = []string{"no-store"}
		http.Redirect(w, r, res.location, res.status)
		return
	}
	body, etag := res.body, res.etag
	if res.compress {
		h["Vary"] = append(h["Vary"], "Accept-Encoding")
		switch encoding(r.Header.Get("Accept-Encoding")) {
		case "br":
			etag = res.etag[:len(res.etag)-1] + `-br"`
			h.Set("Content-Encoding", "br")
			if !match(r.Header.Get("If-None-Match"), etag) {
				body = res.brotlied()
			}
		case "gzip":
			etag = res.etag[:len(res.etag)-1] + `-gz"`
			h.Set("Content-Encoding", "gzip")
			if !match(r.Header.Get("If-None-Match"), etag) {
				body = res.gzipped()
			}
		}
	}
	h["Content-Type"] = []string{res.contentType}
	if res.cacheControl != "" {
		h["Cache-Control"] = []string{res.cacheControl}
	}
	if res.surrogate != nil {
		h["Surrogate-Key"], h["Cache-Tag"] = res.surrogate, res.cacheTag
	}
	if res.status == http.StatusOK {
		h["Etag"] = []string{etag}
		if match(r.Header.Get("If-None-Match"), etag) {
			h.Del("Content-Type")
			h.Del("Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(res.status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// encoding returns the coding to send a compressible body in, "br", "gzip" or "" (as it
// is), as an Accept-Encoding header asks (RFC 9110, section 12.5.3): the coding of highest
// weight, brotli on a tie; q=0 refuses a coding, * stands for those not named, and identity
// wins when it weighs more than either.
func encoding(header string) string {
	if header == "" {
		return ""
	}
	br, gz, id, star := -1, -1, -1, -1 // weights in thousandths; -1: not named
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		q := 1000
		for p := range strings.SplitSeq(params, ";") {
			if k, v, _ := strings.Cut(p, "="); strings.EqualFold(strings.TrimSpace(k), "q") {
				q = qvalue(strings.TrimSpace(v))
			}
		}
		switch name = strings.TrimSpace(name); {
		case strings.EqualFold(name, "br"):
			br = q
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			gz = q
		case strings.EqualFold(name, "identity"):
			id = q
		case name == "*":
			star = q
		}
	}
	if br < 0 {
		br = star
	}
	if gz < 0 {
		gz = star
	}
	if id < 0 {
		id = 1 // acceptable unless refused, but the least preferred
	}
	switch {
	case br > 0 && br >= gz && br >= id:
		return "br"
	case gz > 0 && gz >= id:
		return "gzip"
	}
	return ""
}

// qvalue reads a weight (RFC 9110, section 12.4.2: "0" to "1" with at most three decimals)
// in thousandths; anything else weighs 0, refusing the coding rather than guessing.
func qvalue(s string) int {
	whole, frac, _ := strings.Cut(s, ".")
	if (whole != "0" && whole != "1") || len(frac) > 3 {
		return 0
	}
	q := int(whole[0]-'0') * 1000
	for i, scale := 0, 100; i < len(frac); i, scale = i+1, scale/10 {
		if frac[i] < '0' || frac[i] > '9' {
			return 0
		}
		q += int(frac[i]-'0') * scale
	}
	if q > 1000 {
		return 0
	}
	return q
}

// match reports whether an If-None-Match header names the ETag (weak comparison, as RFC 9110
// asks for If-None-Match).
func match(header, etag string) bool {
	if header == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	for tag := range strings.SplitSeq(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(tag), "W/") == etag {
			return true
		}
	}
	return false
}
