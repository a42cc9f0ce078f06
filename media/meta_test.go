package media_test

import (
	"bytes"
	"image/jpeg"
	"strings"
	"testing"

	"byline"
	"byline/media"
	"byline/media/mediatest"
)

// agency is what an agency's photo says about itself, in all three formats.
var agency = mediatest.Tags{
	Artist: "EXIF Artist", Copyright: "EXIF Copyright", Description: "EXIF description", GPS: true,
	ByLine: "Claire Lebertre", Credit: "AFP", Source: "AFP Paris", IPTCCopyright: "© AFP 2026",
	Caption:    "Agents leave the embassy in Paris on Monday.",
	XMPCreator: "XMP Creator", XMPDescription: "XMP description", XMPRights: "XMP rights",
	XMPCredit: "XMP Credit", XMPSource: "XMP Source", XMPAlt: "Two agents in dark suits walk out of a gate.", XMPGPS: true,
}

func TestReadMetadataPrecedence(t *testing.T) {
	m := media.ReadMetadata(mediatest.JPEG(64, 48, agency))
	want := media.Metadata{Caption: "Agents leave the embassy in Paris on Monday.", Credit: "Claire Lebertre / AFP",
		Source: "AFP Paris", Copyright: "© AFP 2026", Alt: "Two agents in dark suits walk out of a gate.", Location: true}
	if m != want {
		t.Errorf("IPTC first:\n got %+v\nwant %+v", m, want)
	}
	// Without IPTC, XMP fills the fields.
	x := agency
	x.ByLine, x.Credit, x.Source, x.IPTCCopyright, x.Caption = "", "", "", "", ""
	m = media.ReadMetadata(mediatest.JPEG(64, 48, x))
	want = media.Metadata{Caption: "XMP description", Credit: "XMP Creator / XMP Credit", Source: "XMP Source",
		Copyright: "XMP rights", Alt: "Two agents in dark suits walk out of a gate.", Location: true}
	if m != want {
		t.Errorf("XMP next:\n got %+v\nwant %+v", m, want)
	}
	// EXIF alone.
	e := mediatest.Tags{Artist: "Jean Dupont", Copyright: "Jean Dupont\x00Desk", Description: "A  quiet\tstreet.\x07"}
	m = media.ReadMetadata(mediatest.JPEG(64, 48, e))
	want = media.Metadata{Caption: "A quiet street.", Credit: "Jean Dupont", Copyright: "Jean Dupont"}
	if m != want {
		t.Errorf("EXIF last:\n got %+v\nwant %+v", m, want)
	}
	// PNG carries EXIF and XMP too.
	m = media.ReadMetadata(mediatest.PNG(64, 48, mediatest.Tags{XMPCredit: "Reuters", XMPCreator: "Ana Lee", Description: "A harbour.", GPS: true}))
	want = media.Metadata{Caption: "A harbour.", Credit: "Ana Lee / Reuters", Location: true}
	if m != want {
		t.Errorf("PNG:\n got %+v\nwant %+v", m, want)
	}
	m = media.ReadMetadata(mediatest.WebP(mediatest.Tags{XMPSource: "EPA", Artist: "Bo", GPS: true}))
	want = media.Metadata{Credit: "Bo", Source: "EPA", Location: true}
	if m != want {
		t.Errorf("WebP:\n got %+v\nwant %+v", m, want)
	}
}

func TestReadMetadataLatin1AndLimits(t *testing.T) {
	m := media.ReadMetadata(mediatest.JPEG(16, 16, mediatest.Tags{Caption: "Caf\xe9 de la Gare", ByLine: strings.Repeat("x", 5000)}))
	if m.Caption != "Café de la Gare" {
		t.Errorf("caption = %q, want Latin-1 read as Café de la Gare", m.Caption)
	}
	if n := len([]rune(m.Credit)); n > byline.MaxCredit {
		t.Errorf("credit has %d characters, more than %d", n, byline.MaxCredit)
	}
}

func TestStripLocation(t *testing.T) {
	for name, data := range map[string][]byte{
		"jpeg": mediatest.JPEG(64, 48, agency),
		"png":  mediatest.PNG(64, 48, agency),
		"webp": mediatest.WebP(agency),
	} {
		if !media.ReadMetadata(data).Location {
			t.Fatalf("%s: the test file carries no location", name)
		}
		out, err := media.StripLocation(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if media.ReadMetadata(out).Location {
			t.Errorf("%s: the location is still there", name)
		}
		if bytes.Contains(out, []byte("Exif\x00\x00")) || bytes.Contains(out, []byte("GPSLatitude")) {
			t.Errorf("%s: EXIF or XMP GPS bytes remain", name)
		}
		if _, err := media.Inspect(out); err != nil {
			t.Errorf("%s: the stripped file is no longer an image: %v", name, err)
		}
		if _, _, err := media.Process(out); err != nil {
			t.Errorf("%s: the stripped file does not decode: %v", name, err)
		}
	}
	// The JPEG keeps its IPTC (no position in it) and its pixels exactly.
	data := mediatest.JPEG(64, 48, agency)
	out, _ := media.StripLocation(data)
	if m := media.ReadMetadata(out); m.Caption != agency.Caption || m.Credit != "Claire Lebertre / AFP" {
		t.Errorf("after stripping, IPTC says %+v", m)
	}
	a, _ := jpeg.Decode(bytes.NewReader(data))
	b, _ := jpeg.Decode(bytes.NewReader(out))
	if a == nil || b == nil || a.Bounds() != b.Bounds() {
		t.Fatal("the stripped JPEG does not decode to the same size")
	}
	// Anything else comes back as it is.
	if out, err := media.StripLocation([]byte("original")); err != nil || string(out) != "original" {
		t.Errorf("StripLocation(text) = %q, %v", out, err)
	}
}

func TestPrepare(t *testing.T) {
	for name, data := range map[string][]byte{
		"jpeg": mediatest.JPEG(700, 400, agency),
		"png":  mediatest.PNG(700, 400, agency),
		"gif":  mediatest.GIF(700, 400),
		"webp": mediatest.WebP(agency),
	} {
		p, err := media.Prepare(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Image.Mime != "image/"+name || len(p.Variants) == 0 || p.Meta.Location && name != "gif" && media.ReadMetadata(p.Original).Location {
			t.Errorf("%s: %+v, %d variants", name, p.Image, len(p.Variants))
		}
	}
	// Truncated: the header is whole, the pixels are not.
	data := mediatest.JPEG(700, 400, mediatest.Tags{})
	if _, err := media.Prepare(data[:len(data)/2]); byline.ErrorCode(err) != byline.EINVALID {
		t.Errorf("truncated JPEG: err = %v, want invalid", err)
	}
	png := mediatest.PNG(700, 400, mediatest.Tags{})
	if _, err := media.Prepare(png[:len(png)-300]); byline.ErrorCode(err) != byline.EINVALID {
		t.Errorf("truncated PNG: err = %v, want invalid", err)
	}
}

// FuzzReadMetadata feeds damaged metadata blocks to the readers: they must never panic or
// run away, whatever the offsets and lengths say.
func FuzzReadMetadata(f *testing.F) {
	f.Add(mediatest.JPEG(8, 8, agency))
	f.Add(mediatest.PNG(8, 8, agency))
	f.Add(mediatest.WebP(agency))
	f.Add(mediatest.EXIF(agency))
	f.Fuzz(func(t *testing.T, data []byte) {
		media.ReadMetadata(data)
		// As a JPEG's APP1 and APP13, and as a TIFF: the readers past the container.
		for _, prefix := range []string{"Exif\x00\x00", "Photoshop 3.0\x00", "http://ns.adobe.com/xap/1.0/\x00"} {
			marker := byte(0xE1)
			if prefix[0] == 'P' {
				marker = 0xED
			}
			p := append([]byte(prefix), data[:min(len(data), 60000)]...)
			j := append([]byte{0xFF, 0xD8, 0xFF, marker, byte((len(p) + 2) >> 8), byte(len(p) + 2)}, p...)
			j = append(j, 0xFF, 0xDA)
			media.ReadMetadata(j)
			if out, err := media.StripLocation(j); err == nil && media.ReadMetadata(out).Location {
				t.Error("a stripped file still has a location")
			}
		}
	})
}
