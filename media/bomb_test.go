package media_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"

	"byline"
	"byline/media"
)

// pngChunk appends one PNG chunk, with its length and checksum, to w.
func pngChunk(w *bytes.Buffer, typ string, data []byte) {
	binary.Write(w, binary.BigEndian, uint32(len(data)))
	c := crc32.NewIEEE()
	c.Write([]byte(typ))
	c.Write(data)
	w.WriteString(typ)
	w.Write(data)
	binary.Write(w, binary.BigEndian, c.Sum32())
}

// pngHeader returns the signature and IHDR chunk of a PNG of the given size, bit depth
// and colour type: all that a header check reads.
func pngHeader(width, height uint32, depth, colorType byte) *bytes.Buffer {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], width)
	binary.BigEndian.PutUint32(ihdr[4:], height)
	ihdr[8], ihdr[9] = depth, colorType
	pngChunk(&b, "IHDR", ihdr)
	return &b
}

// BombPNG writes a complete, valid black-and-white PNG of width × height pixels, one bit
// each, streaming its rows through zlib: a file of a few hundred KB that decodes to
// width × height bytes. Nothing near that size is held while writing it.
func BombPNG(tb testing.TB, width, height int) []byte {
	tb.Helper()
	b := pngHeader(uint32(width), uint32(height), 1, 0)
	var idat bytes.Buffer
	z, err := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	if err != nil {
		tb.Fatal(err)
	}
	row := make([]byte, 1+(width+7)/8) // filter byte "none", then black pixels
	for range height {
		z.Write(row)
	}
	if err := z.Close(); err != nil {
		tb.Fatal(err)
	}
	pngChunk(b, "IDAT", idat.Bytes())
	pngChunk(b, "IEND", nil)
	return b.Bytes()
}

// TestProcessRefusesPixelBomb gives Process a 20000 × 20000 PNG of a few hundred KB. It must
// be refused from its header, without decoding 400 million pixels.
func TestProcessRefusesPixelBomb(t *testing.T) {
	data := BombPNG(t, 20000, 20000)
	if len(data) > 1<<20 {
		t.Fatalf("the bomb is %d bytes; it should be small", len(data))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := media.Process(data)
	runtime.ReadMemStats(&after)
	if byline.ErrorCode(err) != byline.EINVALID || !strings.Contains(byline.ErrorMessage(err), "20000×20000") {
		t.Errorf("err = %v, want an invalid-image error giving the size 20000×20000", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 100<<20 {
		t.Errorf("Process allocated %d MB for a refused image, want under 100 MB", alloc>>20)
	}
}

// TestInspectLimits checks the header limits at their edges, from headers alone.
func TestInspectLimits(t *testing.T) {
	for _, tt := range []struct {
		name          string
		width, height uint32
		depth, color  byte
		want          string // "" when the header passes
	}{
		{"Small", 640, 480, 8, 6, ""},
		{"AtPixelLimit", 10000, 5000, 8, 6, ""},
		{"OverPixelLimit", 10000, 5001, 8, 6, "at most 50 megapixels"},
		{"LongPanorama", 20000, 2500, 8, 2, ""},
		{"TooWide", 20001, 10, 8, 2, "between 1 and 20000 pixels"},
		{"TooTall", 10, 20001, 8, 0, "between 1 and 20000 pixels"},
		{"Huge", 100000, 100000, 8, 6, "between 1 and 20000 pixels"},
		{"Deep16BitSmall", 5000, 5000, 16, 6, ""},
		{"Deep16BitLarge", 6000, 5000, 16, 6, "16 bits a channel"},
		{"Gray16BitLarge", 7000, 7000, 16, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			img, err := media.Inspect(pngHeader(tt.width, tt.height, tt.depth, tt.color).Bytes())
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got %v, want the header accepted", err)
			case tt.want == "" && (img.Width != int(tt.width) || img.Height != int(tt.height) || img.Mime != "image/png"):
				t.Errorf("got %+v, want a %d×%d PNG", img, tt.width, tt.height)
			case tt.want != "" && (byline.ErrorCode(err) != byline.EINVALID || !strings.Contains(byline.ErrorMessage(err), tt.want)):
				t.Errorf("got %v, want an invalid-image error saying %q", err, tt.want)
			}
		})
	}
}

// FuzzInspect feeds the header check arbitrary bytes: it must never panic, must allocate
// little whatever the header claims, and must only accept sizes within the limits.
func FuzzInspect(f *testing.F) {
	var png, jpg bytes.Buffer
	pngEncode(&png, 40, 30)
	jpegEncode(&jpg, 40, 30)
	f.Add(png.Bytes())
	f.Add(jpg.Bytes())
	f.Add(pngHeader(20000, 20000, 1, 0).Bytes())
	f.Add(pngHeader(1<<31-1, 1, 8, 6).Bytes())
	f.Add([]byte("RIFF\x24\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff"))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xff, 0xff, 0xff, 0xff, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01})
	f.Add([]byte("not an image"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		img, err := media.Inspect(data)
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Fatalf("Inspect allocated %d KB for %d bytes of input, want under 1 MB", alloc>>10, len(data))
		}
		if err != nil {
			if byline.ErrorCode(err) != byline.EINVALID {
				t.Fatalf("err = %v, want an invalid-image error", err)
			}
			return
		}
		if img.Width < 1 || img.Height < 1 || img.Width > media.MaxSide || img.Height > media.MaxSide || img.Width*img.Height > media.MaxPixels {
			t.Fatalf("accepted a %d×%d image", img.Width, img.Height)
		}
	})
}

// TestProcessTallImageMemory: a 2500 × 20000 image is within the limits, and its variants
// must not need a scaling buffer of variant width × source height (1.2 GB here).
func TestProcessTallImageMemory(t *testing.T) {
	data := BombPNG(t, 2500, 20000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	img, variants, err := media.Process(data)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if img.Width != 2500 || img.Height != 20000 || len(variants) != 5 || variants[4].Width != 1920 {
		t.Errorf("got %+v with %d variants, want 2500×20000 with five", img, len(variants))
	}
	// The decoded photo (50 MB as grey) and the variants (about 220 MB as RGBA) are needed.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 400<<20 {
		t.Errorf("Process allocated %d MB, want under 400 MB", alloc>>20)
	}
}
