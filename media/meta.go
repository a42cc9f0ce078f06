package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"byline"
)

// Metadata is what a photo file says about itself, as agencies and cameras write it: IPTC
// (IIM, in a JPEG's APP13), XMP and EXIF. The desk's fields are filled from it on upload.
type Metadata struct {
	Caption   string
	Credit    string // "By-line / Credit", e.g. "Claire Lebertre / AFP"
	Source    string
	Copyright string
	Alt       string // IPTC's "Alt Text (Accessibility)", from XMP
	// Location reports whether the file carries a position: an EXIF GPS directory, or GPS
	// coordinates in its XMP. StripLocation removes both.
	Location bool
}

// fields gathers one format's values before they are merged by precedence.
type fields struct {
	caption, byline, credit, source, copyright, alt string
}

// maxXMP bounds the XMP packet read from a PNG's compressed text chunk.
const maxXMP = 1 << 20

// ReadMetadata reads a JPEG's, PNG's or WebP's IPTC, XMP and EXIF fields. IPTC wins over
// XMP, which wins over EXIF, field by field; text is made valid UTF-8 without control
// characters and cut to the lengths the desk's fields take. It never fails: a damaged block
// is skipped.
func ReadMetadata(data []byte) Metadata {
	var iptc, xmp, exif fields
	var m Metadata
	switch http.DetectContentType(data) {
	case "image/jpeg":
		walkJPEG(data, func(marker byte, _, _ int, p []byte) bool {
			switch {
			case marker == 0xE1 && bytes.HasPrefix(p, []byte("Exif\x00\x00")):
				readEXIF(p[6:], &exif, &m)
			case marker == 0xE1 && bytes.HasPrefix(p, []byte(xmpJPEG)):
				readXMP(p[len(xmpJPEG):], &xmp, &m)
			case marker == 0xED && bytes.HasPrefix(p, []byte("Photoshop 3.0\x00")):
				readPhotoshop(p[14:], &iptc)
			}
			return true
		})
	case "image/png":
		walkPNG(data, func(typ string, p []byte) bool {
			switch typ {
			case "eXIf":
				readEXIF(p, &exif, &m)
			case "iTXt":
				if x, ok := pngXMP(p); ok {
					readXMP(x, &xmp, &m)
				}
			}
			return true
		})
	case "image/webp":
		walkWebP(data, func(typ string, p []byte) bool {
			switch typ {
			case "EXIF":
				readEXIF(bytes.TrimPrefix(p, []byte("Exif\x00\x00")), &exif, &m)
			case "XMP ":
				readXMP(p, &xmp, &m)
			}
			return true
		})
	}
	first := func(max int, vs ...string) string {
		for _, v := range vs {
			if v = clean(v, max); v != "" {
				return v
			}
		}
		return ""
	}
	m.Caption = first(byline.MaxCaption, iptc.caption, xmp.caption, exif.caption)
	m.Copyright = first(byline.MaxCopyright, iptc.copyright, xmp.copyright, exif.copyright)
	m.Source = first(byline.MaxSource, iptc.source, xmp.source)
	m.Alt = first(byline.MaxAlt, xmp.alt)
	m.Credit = clean(joinCredit(first(byline.MaxCredit, iptc.byline, xmp.byline, exif.byline),
		first(byline.MaxCredit, iptc.credit, xmp.credit)), byline.MaxCredit)
	return m
}

// joinCredit makes one credit line of the photographer and the provider.
func joinCredit(by, credit string) string {
	switch {
	case by == "":
		return credit
	case credit == "" || strings.Contains(strings.ToLower(by), strings.ToLower(credit)):
		return by
	case strings.Contains(strings.ToLower(credit), strings.ToLower(by)):
		return credit
	}
	return by + " / " + credit
}

// clean makes metadata text fit a field: valid UTF-8 (text that is not is read as Latin-1,
// which older files use), no control or non-XML characters, single spaces for runs of
// space, at most max characters.
func clean(s string, max int) string {
	if !utf8.ValidString(s) {
		r := make([]rune, len(s))
		for i := range len(s) {
			r[i] = rune(s[i])
		}
		s = string(r)
	}
	var b strings.Builder
	n, space := 0, false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) || unicode.IsControl(r) || !byline.XMLChar(r) || r == utf8.RuneError {
			space = true
			continue
		}
		if n+2 > max {
			break
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			n++
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// walkJPEG calls fn with each marker segment before the first scan (its marker, its
// bounds in data from the 0xFF, and its payload) until fn returns false. It returns where
// the first scan starts, or -1 when the markers cannot be read to it.
func walkJPEG(data []byte, fn func(marker byte, start, end int, payload []byte) bool) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return -1
	}
	i := 2
	for i+1 < len(data) {
		if data[i] != 0xFF {
			return -1
		}
		if data[i+1] == 0xFF { // fill byte
			i++
			continue
		}
		marker := data[i+1]
		switch {
		case marker == 0xDA:
			return i
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD7:
			i += 2
			continue
		}
		if i+4 > len(data) {
			return -1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return -1
		}
		if !fn(marker, i, i+2+n, data[i+4:i+2+n]) {
			return i
		}
		i += 2 + n
	}
	return -1
}

// xmpJPEG starts a JPEG's APP1 segment that holds XMP.
const xmpJPEG = "http://ns.adobe.com/xap/1.0/\x00"

// walkPNG calls fn with each chunk's type and data until fn returns false. It returns
// false when the chunks cannot be read to the end.
func walkPNG(data []byte, fn func(typ string, p []byte) bool) bool {
	const sig = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(data, []byte(sig)) {
		return false
	}
	for i := len(sig); i < len(data); {
		if i+12 > len(data) {
			return false
		}
		n := int(binary.BigEndian.Uint32(data[i:]))
		if n < 0 || n > len(data)-i-12 {
			return false
		}
		if !fn(string(data[i+4:i+8]), data[i+8:i+8+n]) {
			return true
		}
		i += 12 + n
	}
	return true
}

// pngXMP returns the XMP packet of an iTXt chunk, when it holds one.
func pngXMP(p []byte) ([]byte, bool) {
	key, rest, ok := bytes.Cut(p, []byte{0})
	if !ok || string(key) != "XML:com.adobe.xmp" || len(rest) < 2 {
		return nil, false
	}
	compressed := rest[0] == 1
	rest = rest[2:]
	for range 2 { // language tag, translated keyword
		if _, rest, ok = bytes.Cut(rest, []byte{0}); !ok {
			return nil, false
		}
	}
	if !compressed {
		return rest, true
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest))
	if err != nil {
		return nil, false
	}
	x, _ := io.ReadAll(io.LimitReader(zr, maxXMP))
	return x, true
}

// walkWebP calls fn with each RIFF chunk's FourCC and data until fn returns false. It
// returns false when the chunks cannot be read to the end.
func walkWebP(data []byte, fn func(typ string, p []byte) bool) bool {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return false
	}
	for i := 12; i < len(data); {
		if i+8 > len(data) {
			return false
		}
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || n > len(data)-i-8 {
			return false
		}
		if !fn(string(data[i:i+4]), data[i+8:i+8+n]) {
			return true
		}
		i += 8 + n + n&1
	}
	return true
}

// readEXIF reads IFD0's ImageDescription, Artist and Copyright from a TIFF structure, and
// notes a GPS directory.
func readEXIF(t []byte, f *fields, m *Metadata) {
	if len(t) < 8 {
		return
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return
	}
	if bo.Uint16(t[2:]) != 42 {
		return
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd > len(t)-2 {
		return
	}
	count := int(bo.Uint16(t[ifd:]))
	for k := range count {
		e := ifd + 2 + 12*k
		if e+12 > len(t) {
			return
		}
		tag, typ, n := bo.Uint16(t[e:]), bo.Uint16(t[e+2:]), int64(bo.Uint32(t[e+4:]))
		if tag == 0x8825 {
			m.Location = true
			continue
		}
		if typ != 2 { // ASCII
			continue
		}
		var v []byte
		if n <= 4 {
			v = t[e+8 : e+8+int(n)]
		} else if off := int64(bo.Uint32(t[e+8:])); off >= 0 && off+n <= int64(len(t)) {
			v = t[off : off+n]
		} else {
			continue
		}
		s, _, _ := strings.Cut(string(v), "\x00") // Copyright: "photographer\0editor"
		switch tag {
		case 0x010E:
			f.caption = s
		case 0x013B:
			f.byline = s
		case 0x8298:
			f.copyright = s
		}
	}
}

// readPhotoshop finds the IPTC-IIM block (resource 0x0404) among Photoshop's image
// resources and reads it.
func readPhotoshop(p []byte, f *fields) {
	for i := 0; i+12 <= len(p); {
		if string(p[i:i+4]) != "8BIM" {
			return
		}
		id := binary.BigEndian.Uint16(p[i+4:])
		nameLen := int(p[i+6])
		j := i + 6 + nameLen + 1
		j += j & 1 // the name, with its length byte, is padded to an even size
		if j+4 > len(p) {
			return
		}
		size := int(binary.BigEndian.Uint32(p[j:]))
		j += 4
		if size < 0 || size > len(p)-j {
			return
		}
		if id == 0x0404 {
			readIIM(p[j:j+size], f)
		}
		i = j + size + size&1
	}
}

// readIIM reads the datasets of IPTC's Information Interchange Model: record 2 holds the
// caption (120), by-line (80), credit (110), source (115) and copyright (116).
func readIIM(p []byte, f *fields) {
	var bylines []string
	for i := 0; i+5 <= len(p) && p[i] == 0x1C; {
		rec, ds := p[i+1], p[i+2]
		size := int(binary.BigEndian.Uint16(p[i+3:]))
		i += 5
		if size&0x8000 != 0 { // extended: the next size&0x7FFF bytes hold the length
			k := size & 0x7FFF
			if k > 4 || i+k > len(p) {
				return
			}
			size = 0
			for _, b := range p[i : i+k] {
				size = size<<8 | int(b)
			}
			i += k
		}
		if size < 0 || size > len(p)-i {
			return
		}
		v := string(p[i : i+size])
		i += size
		if rec != 2 {
			continue
		}
		switch ds {
		case 80:
			bylines = append(bylines, v)
		case 110:
			f.credit = v
		case 115:
			f.source = v
		case 116:
			f.copyright = v
		case 120:
			f.caption = v
		}
	}
	f.byline = strings.Join(bylines, ", ")
}

// XMP's namespaces that hold the fields read.
const (
	nsDC        = "http://purl.org/dc/elements/1.1/"
	nsPhotoshop = "http://ns.adobe.com/photoshop/1.0/"
	nsIPTCCore  = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
	nsEXIF      = "http://ns.adobe.com/exif/1.0/"
	nsRDF       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
)

// xmpField returns where an XMP property goes, or nil.
func xmpField(n xml.Name, f *fields) *string {
	switch {
	case n.Space == nsDC && n.Local == "description":
		return &f.caption
	case n.Space == nsDC && n.Local == "creator":
		return &f.byline
	case n.Space == nsDC && n.Local == "rights":
		return &f.copyright
	case n.Space == nsPhotoshop && n.Local == "Credit":
		return &f.credit
	case n.Space == nsPhotoshop && n.Local == "Source":
		return &f.source
	case n.Space == nsIPTCCore && n.Local == "AltTextAccessibility":
		return &f.alt
	}
	return nil
}

// readXMP reads the fields from an XMP packet, written as elements (with rdf:Alt, rdf:Seq
// or rdf:Bag lists, whose first items are kept) or as attributes of rdf:Description.
// encoding/xml expands no entities beyond XML's own, so a packet cannot blow up in memory.
func readXMP(x []byte, f *fields, m *Metadata) {
	if len(x) > maxXMP {
		x = x[:maxXMP]
	}
	d := xml.NewDecoder(bytes.NewReader(x))
	var (
		into  *string  // the property being read
		depth int      // elements open inside it
		items []string // its list items, or its text
		text  strings.Builder
	)
	for tokens := 0; tokens < 100_000; tokens++ {
		tok, err := d.Token()
		if err != nil {
			return // what was read before stays
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space == nsEXIF && strings.HasPrefix(t.Name.Local, "GPS") {
				m.Location = true
			}
			for _, a := range t.Attr {
				if a.Name.Space == nsEXIF && strings.HasPrefix(a.Name.Local, "GPS") {
					m.Location = true
				}
				if p := xmpField(a.Name, f); p != nil && *p == "" {
					*p = a.Value
				}
			}
			if into != nil {
				depth++
				if t.Name.Space == nsRDF && t.Name.Local == "li" {
					text.Reset()
				}
				continue
			}
			if p := xmpField(t.Name, f); p != nil && *p == "" {
				into, depth, items = p, 0, nil
				text.Reset()
			}
		case xml.CharData:
			if into != nil && text.Len() < maxXMP {
				text.Write(t)
			}
		case xml.EndElement:
			if into == nil {
				continue
			}
			if depth > 0 {
				depth--
				if t.Name.Space == nsRDF && t.Name.Local == "li" {
					if s := strings.TrimSpace(text.String()); s != "" {
						items = append(items, s)
					}
					text.Reset()
				}
				continue
			}
			if len(items) == 0 {
				items = append(items, strings.TrimSpace(text.String()))
			}
			if into == &f.byline {
				*into = strings.Join(items, ", ")
			} else {
				*into = items[0] // rdf:Alt: the first is the default language
			}
			into = nil
		}
	}
}
