// Package media turns uploaded or imported photos into what the site serves: the original,
// without the metadata that says where it was taken, and JPEG variants at a few standard
// widths for responsive images. It reads a photo's caption, credit and copyright from its
// IPTC, XMP and EXIF fields.
package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // decode GIF originals (their first frame)
	"image/jpeg"
	_ "image/png" // decode PNG originals
	"net/http"
	"strings"

	"byline"

	_ "golang.org/x/image/webp" // decode WebP originals
)

// widths are the variant widths offered in srcset; an image never gets a variant wider
// than itself.
var widths = []int{320, 640, 960, 1280, 1920}

// MaxBytes bounds the size of an original photo.
const MaxBytes = 30 << 20

// Widths returns the variant widths an image of the given width has, smallest first.
func Widths(original int) []int {
	largest := min(original, widths[len(widths)-1])
	var ws []int
	for _, w := range widths {
		if w < largest {
			ws = append(ws, w)
		}
	}
	return append(ws, largest)
}

// Limits on the photos Byline takes. They bound the memory a photo needs once decoded
// (about four bytes a pixel), which the file size alone does not: a PNG of one colour can
// hold 400 million pixels in 2 MB.
const (
	MaxSide   = 20000      // pixels, either way
	MaxPixels = 50_000_000 // width × height: 50 megapixels, beyond any press camera's output
	// maxDecoded bounds the bytes a decoded photo takes: 16-bit-per-channel PNGs take
	// twice as much a pixel, so they may have half as many pixels.
	maxDecoded = 4 * MaxPixels
)

// Inspect checks what a photo's header says, without decoding its pixels: that data is a
// JPEG, PNG, WebP or GIF file (whatever its name says) of at most MaxBytes, MaxSide pixels
// either way and MaxPixels in all. It returns the image's description (hash, type and size). Process calls it first;
// it is cheap enough to call on anything a user sends.
func Inspect(data []byte) (*byline.Image, error) {
	if len(data) > MaxBytes {
		return nil, byline.Errorf(byline.EINVALID, "The image is larger than %d MB.", MaxBytes>>20)
	}
	mime := http.DetectContentType(data)
	switch mime {
	case "image/jpeg", "image/png", "image/webp", "image/gif":
	default:
		return nil, byline.Errorf(byline.EINVALID, "The file is not a JPEG, PNG, WebP or GIF image.")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, byline.Errorf(byline.EINVALID, "The image could not be read: its %s header is damaged.", strings.ToUpper(strings.TrimPrefix(mime, "image/")))
	}
	w, h := cfg.Width, cfg.Height
	if w < 1 || h < 1 || w > MaxSide || h > MaxSide {
		return nil, byline.Errorf(byline.EINVALID, "The image is %d×%d pixels; it must be between 1 and %d pixels each way.", w, h, MaxSide)
	}
	pixels := int64(w) * int64(h)
	if pixels > MaxPixels {
		return nil, byline.Errorf(byline.EINVALID, "The image is %d×%d pixels (%.1f megapixels); it can have at most %d megapixels. Make it smaller before importing it.",
			w, h, float64(pixels)/1e6, MaxPixels/1_000_000)
	}
	if bpp := bytesPerPixel(cfg.ColorModel); pixels*bpp > maxDecoded {
		return nil, byline.Errorf(byline.EINVALID, "The image is %d×%d pixels with 16 bits a channel; at that depth it can have at most %d megapixels. Save it with 8 bits a channel, or make it smaller.",
			w, h, maxDecoded/bpp/1_000_000)
	}
	if mime == "image/jpeg" {
		scans, coeffs := jpegCost(data)
		if scans > maxScans {
			return nil, byline.Errorf(byline.EINVALID, "The JPEG has %d scans; a photo needs at most %d. Save it again as a baseline JPEG.", scans, maxScans)
		}
		if coeffs > maxDecoded {
			return nil, byline.Errorf(byline.EINVALID, "The image is a progressive JPEG of %d×%d pixels, too large to read in that form. Save it as a baseline JPEG, or make it smaller.", w, h)
		}
	}
	sum := sha256.Sum256(data)
	return &byline.Image{Hash: hex.EncodeToString(sum[:]), Mime: mime, Width: w, Height: h}, nil
}

// maxScans bounds the scans of a JPEG: each costs a pass over every block of the photo, and
// encoders write at most a dozen. Without a bound, 75 bytes per repeated scan make a small
// file that takes hours to decode.
const maxScans = 100

// jpegCost reads a JPEG's markers and returns how many scans it has, and how many bytes of
// coefficients Go's decoder keeps for it: a progressive JPEG holds every block of every
// component at 4 bytes a coefficient until its last scan (0 for a baseline one).
func jpegCost(data []byte) (scans int, coeffs int64) {
	// 0xFF 0xDA starts a scan; inside compressed data every 0xFF is followed by 0x00 or a
	// restart marker, so each occurrence is a marker (or one of an embedded thumbnail).
	scans = bytes.Count(data, []byte{0xFF, 0xDA})
	for i := 2; i+4 <= len(data) && data[i] == 0xFF; {
		marker, n := data[i+1], int(data[i+2])<<8|int(data[i+3])
		if marker == 0xDA || n < 2 || i+2+n > len(data) {
			break
		}
		seg := data[i+4 : i+2+n]
		if (marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE) && len(seg) >= 6 {
			h, w, nc := int64(seg[1])<<8|int64(seg[2]), int64(seg[3])<<8|int64(seg[4]), int(seg[5])
			var hmax, vmax int64 = 1, 1
			for c := 0; c < nc && 6+3*c+1 < len(seg); c++ {
				hmax, vmax = max(hmax, int64(seg[7+3*c]>>4)), max(vmax, int64(seg[7+3*c]&15))
			}
			for c := 0; c < nc && 6+3*c+1 < len(seg); c++ {
				hc, vc := max(1, int64(seg[7+3*c]>>4)), max(1, int64(seg[7+3*c]&15))
				blocks := ((w*hc/hmax + 7) / 8) * ((h*vc/vmax + 7) / 8)
				coeffs += blocks * 64 * 4
			}
		}
		i += 2 + n
	}
	return scans, coeffs
}

// bytesPerPixel is the memory a decoded pixel takes in the colour model, at most.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	return 4
}

// Process checks that data is a JPEG, PNG, WebP or GIF photo (see Inspect) and returns its
// description and its variants. The image's credit is left for the caller.
func Process(data []byte) (*byline.Image, []byline.ImageVariant, error) {
	img, err := Inspect(data)
	if err != nil {
		return nil, nil, err
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, byline.Errorf(byline.EINVALID, "The image could not be read: the file is damaged or cut short.")
	}
	b := src.Bounds()
	if b.Dx() != img.Width || b.Dy() != img.Height {
		return nil, nil, byline.Errorf(byline.EINVALID, "The image could not be read: its header and its pixels disagree on its size.")
	}

	ws := Widths(b.Dx())
	variants := make([]byline.ImageVariant, len(ws))
	// The largest variant from the photo, the others from it: the photo is read once, and
	// each variant is resampled once.
	var largest *image.RGBA
	for i := len(ws) - 1; i >= 0; i-- {
		w := ws[i]
		h := max(1, b.Dy()*w/b.Dx())
		var dst *image.RGBA
		if largest == nil {
			dst = shrink(src, w, h)
			largest, src = dst, nil // the decoded photo may go
		} else {
			dst = shrink(largest, w, h)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
			return nil, nil, fmt.Errorf("encode variant: %w", err)
		}
		variants[i] = byline.ImageVariant{Width: w, Mime: "image/jpeg", Data: buf.Bytes()}
	}
	return img, variants, nil
}

// Prepared is an uploaded photo ready to store: its description, what its file said about
// it, the original without its location, and its variants.
type Prepared struct {
	Image    *byline.Image
	Meta     Metadata
	Original []byte
	Variants []byline.ImageVariant
}

// Prepare checks an uploaded photo (Inspect: type read from the content, size and pixel
// limits, decompression bombs refused before decoding), decodes it whole (a truncated file
// is refused), reads its metadata, removes its location (StripLocation) and makes its
// variants. The image's hash is that of the file as it came, so that the same file
// uploaded twice is one photo.
func Prepare(data []byte) (*Prepared, error) {
	img, variants, err := Process(data)
	if err != nil {
		return nil, err
	}
	original, err := StripLocation(data)
	if err != nil {
		return nil, err
	}
	return &Prepared{Image: img, Meta: ReadMetadata(data), Original: original, Variants: variants}, nil
}

// VariantURL is the address of one variant of an image.
func VariantURL(img *byline.Image, width int) string {
	return fmt.Sprintf("/media/%s/%d.jpg", img.Hash, width)
}
