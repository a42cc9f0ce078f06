// Package mediatest builds photo files for tests: real JPEG, PNG, GIF and WebP files, with
// the IPTC, XMP and EXIF (GPS included) blocks that agencies and cameras write.
package mediatest

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// Tags are the metadata written into a test photo; empty fields are left out.
type Tags struct {
	// EXIF (IFD0) and its GPS directory.
	Artist, Copyright, Description string
	GPS                            bool
	// IPTC-IIM (record 2).
	ByLine, Credit, Source, IPTCCopyright, Caption string
	// XMP.
	XMPCreator, XMPDescription, XMPRights, XMPCredit, XMPSource, XMPAlt string
	XMPGPS                                                              bool
}

// Picture returns a w × h picture with some detail, so that encoders have work to do.
func Picture(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / max(1, w)), uint8(y * 255 / max(1, h)), uint8((x ^ y) & 0xFF), 255})
		}
	}
	return img
}

// JPEG returns a w × h JPEG carrying the tags.
func JPEG(w, h int, t Tags) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Picture(w, h), &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	data := buf.Bytes()
	var segs []byte
	if tiff := EXIF(t); tiff != nil {
		segs = append(segs, segment(0xE1, append([]byte("Exif\x00\x00"), tiff...))...)
	}
	if x := XMP(t); x != nil {
		segs = append(segs, segment(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), x...))...)
	}
	if iim := IIM(t); iim != nil {
		res := []byte("Photoshop 3.0\x00")
		res = append(res, "8BIM"...)
		res = binary.BigEndian.AppendUint16(res, 0x0404)
		res = append(res, 0, 0) // empty name, padded
		res = binary.BigEndian.AppendUint32(res, uint32(len(iim)))
		res = append(res, iim...)
		if len(iim)%2 == 1 {
			res = append(res, 0)
		}
		segs = append(segs, segment(0xED, res)...)
	}
	// After SOI (and Go's encoder writes no APP0).
	out := append([]byte{}, data[:2]...)
	out = append(out, segs...)
	return append(out, data[2:]...)
}

func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker}
	s = binary.BigEndian.AppendUint16(s, uint16(len(payload)+2))
	return append(s, payload...)
}

// EXIF returns a little-endian TIFF structure with IFD0's Artist, Copyright and
// ImageDescription, and a GPS directory with a latitude when t.GPS; nil when there is none.
func EXIF(t Tags) []byte {
	type entry struct {
		tag uint16
		s   string
	}
	var es []entry
	for _, e := range []entry{{0x010E, t.Description}, {0x013B, t.Artist}, {0x8298, t.Copyright}} {
		if e.s != "" {
			es = append(es, e)
		}
	}
	if len(es) == 0 && !t.GPS {
		return nil
	}
	n := len(es)
	if t.GPS {
		n++
	}
	le := binary.LittleEndian
	b := []byte("II*\x00")
	b = le.AppendUint32(b, 8)
	ifdEnd := 8 + 2 + 12*n + 4
	var extra []byte
	b = le.AppendUint16(b, uint16(n))
	for _, e := range es {
		v := append([]byte(e.s), 0)
		b = le.AppendUint16(b, e.tag)
		b = le.AppendUint16(b, 2)
		b = le.AppendUint32(b, uint32(len(v)))
		if len(v) <= 4 {
			v = append(v, make([]byte, 4-len(v))...)
			b = append(b, v...)
		} else {
			b = le.AppendUint32(b, uint32(ifdEnd+len(extra)))
			extra = append(extra, v...)
		}
	}
	if t.GPS {
		gps := ifdEnd + len(extra)
		b = le.AppendUint16(b, 0x8825)
		b = le.AppendUint16(b, 4)
		b = le.AppendUint32(b, 1)
		b = le.AppendUint32(b, uint32(gps))
		// The GPS directory: GPSLatitudeRef "N".
		extra = le.AppendUint16(extra, 1)
		extra = le.AppendUint16(extra, 1)
		extra = le.AppendUint16(extra, 2)
		extra = le.AppendUint32(extra, 2)
		extra = append(extra, 'N', 0, 0, 0)
		extra = le.AppendUint32(extra, 0)
	}
	b = le.AppendUint32(b, 0) // no IFD1
	return append(b, extra...)
}

// IIM returns IPTC-IIM datasets (UTF-8, declared in 1:90) for the tags; nil when none.
func IIM(t Tags) []byte {
	var b []byte
	add := func(rec, ds byte, v string) {
		b = append(b, 0x1C, rec, ds)
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	add(1, 90, "\x1b%G")
	n := 0
	for _, d := range []struct {
		ds byte
		v  string
	}{{80, t.ByLine}, {110, t.Credit}, {115, t.Source}, {116, t.IPTCCopyright}, {120, t.Caption}} {
		if d.v != "" {
			add(2, d.ds, d.v)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return b
}

// XMP returns an XMP packet for the tags; nil when none.
func XMP(t Tags) []byte {
	if t.XMPCreator == "" && t.XMPDescription == "" && t.XMPRights == "" && t.XMPCredit == "" && t.XMPSource == "" && t.XMPAlt == "" && !t.XMPGPS {
		return nil
	}
	var b bytes.Buffer
	esc := func(s string) string {
		var e bytes.Buffer
		xmlEscape(&e, s)
		return e.String()
	}
	b.WriteString(`<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`)
	b.WriteString(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" xmlns:exif="http://ns.adobe.com/exif/1.0/"`)
	if t.XMPCredit != "" {
		b.WriteString(` photoshop:Credit="` + esc(t.XMPCredit) + `"`)
	}
	if t.XMPGPS {
		b.WriteString(` exif:GPSLatitude="48,51.5N"`)
	}
	b.WriteString(`>`)
	if t.XMPCreator != "" {
		b.WriteString(`<dc:creator><rdf:Seq><rdf:li>` + esc(t.XMPCreator) + `</rdf:li></rdf:Seq></dc:creator>`)
	}
	if t.XMPDescription != "" {
		b.WriteString(`<dc:description><rdf:Alt><rdf:li xml:lang="x-default">` + esc(t.XMPDescription) + `</rdf:li></rdf:Alt></dc:description>`)
	}
	if t.XMPRights != "" {
		b.WriteString(`<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">` + esc(t.XMPRights) + `</rdf:li></rdf:Alt></dc:rights>`)
	}
	if t.XMPSource != "" {
		b.WriteString(`<photoshop:Source>` + esc(t.XMPSource) + `</photoshop:Source>`)
	}
	if t.XMPAlt != "" {
		b.WriteString(`<Iptc4xmpCore:AltTextAccessibility><rdf:Alt><rdf:li xml:lang="x-default">` + esc(t.XMPAlt) + `</rdf:li></rdf:Alt></Iptc4xmpCore:AltTextAccessibility>`)
	}
	b.WriteString(`</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
	return b.Bytes()
}

func xmlEscape(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
}

// PNG returns a w × h PNG carrying the tags' EXIF (an eXIf chunk) and XMP (an iTXt chunk).
func PNG(w, h int, t Tags) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, Picture(w, h)); err != nil {
		panic(err)
	}
	data := buf.Bytes()
	// After the signature and IHDR (8 + 25 bytes).
	out := append([]byte{}, data[:33]...)
	if tiff := EXIF(t); tiff != nil {
		out = append(out, chunk("eXIf", tiff)...)
	}
	if x := XMP(t); x != nil {
		out = append(out, chunk("iTXt", append([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), x...))...)
	}
	return append(out, data[33:]...)
}

func chunk(typ string, p []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(p)))
	c = append(c, typ...)
	c = append(c, p...)
	return binary.BigEndian.AppendUint32(c, crc(append([]byte(typ), p...)))
}

// crc is PNG's CRC-32 (IEEE).
func crc(b []byte) uint32 {
	c := ^uint32(0)
	for _, x := range b {
		c ^= uint32(x)
		for range 8 {
			if c&1 == 1 {
				c = c>>1 ^ 0xEDB88320
			} else {
				c >>= 1
			}
		}
	}
	return ^c
}

// GIF returns a w × h GIF.
func GIF(w, h int) []byte {
	var buf bytes.Buffer
	if err := gif.Encode(&buf, Picture(w, h), nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// webpPixel is a 1 × 1 lossless WebP (a VP8L bitstream).
const webpPixel = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="

// WebP returns a 1 × 1 WebP; with the tags' EXIF and XMP it is an extended file (VP8X).
func WebP(t Tags) []byte {
	simple, _ := base64.StdEncoding.DecodeString(webpPixel)
	tiff, x := EXIF(t), XMP(t)
	if tiff == nil && x == nil {
		return simple
	}
	var flags byte
	if tiff != nil {
		flags |= 0x08
	}
	if x != nil {
		flags |= 0x04
	}
	vp8x := []byte{flags, 0, 0, 0, 0, 0, 0, 0, 0, 0} // canvas 1 × 1 (stored minus one)
	body := []byte("WEBP")
	body = append(body, riffChunk("VP8X", vp8x)...)
	body = append(body, simple[12:]...) // the VP8L chunk
	if tiff != nil {
		body = append(body, riffChunk("EXIF", tiff)...)
	}
	if x != nil {
		body = append(body, riffChunk("XMP ", x)...)
	}
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

func riffChunk(typ string, p []byte) []byte {
	c := append([]byte(typ), binary.LittleEndian.AppendUint32(nil, uint32(len(p)))...)
	c = append(c, p...)
	if len(p)%2 == 1 {
		c = append(c, 0)
	}
	return c
}
