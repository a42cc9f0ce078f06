// Package media turns uploaded or imported photos into what the site serves: the original,
// kept as it came, and JPEG variants at a few standard widths for responsive images.
package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // decode PNG originals
	"net/http"

	"byline"

	"golang.org/x/image/draw"
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

// Process checks that data is a JPEG, PNG or WebP photo and returns its description and
// its variants. The image's credit is left for the caller.
func Process(data []byte) (*byline.Image, []byline.ImageVariant, error) {
	if len(data) > MaxBytes {
		return nil, nil, byline.Errorf(byline.EINVALID, "The image is larger than %d MB.", MaxBytes>>20)
	}
	mime := http.DetectContentType(data)
	switch mime {
	case "image/jpeg", "image/png", "image/webp":
	default:
		return nil, nil, byline.Errorf(byline.EINVALID, "The image is not a JPEG, PNG or WebP file (it looks like %s).", mime)
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, byline.Errorf(byline.EINVALID, "The image could not be read: %v.", err)
	}
	b := src.Bounds()
	if b.Dx() < 1 || b.Dy() < 1 || b.Dx() > 20000 || b.Dy() > 20000 {
		return nil, nil, byline.Errorf(byline.EINVALID, "The image is %d×%d pixels; it must be between 1 and 20000 pixels each way.", b.Dx(), b.Dy())
	}
	sum := sha256.Sum256(data)
	img := &byline.Image{Hash: hex.EncodeToString(sum[:]), Mime: mime, Width: b.Dx(), Height: b.Dy()}

	ws := Widths(b.Dx())
	variants := make([]byline.ImageVariant, len(ws))
	// Largest first, each resized from the one before: much faster than always starting
	// from a large original, and no visible difference at these ratios.
	from := image.Image(src)
	for i := len(ws) - 1; i >= 0; i-- {
		w := ws[i]
		h := max(1, b.Dy()*w/b.Dx())
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		draw.CatmullRom.Scale(dst, dst.Bounds(), from, from.Bounds(), draw.Over, nil)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
			return nil, nil, fmt.Errorf("encode variant: %w", err)
		}
		variants[i] = byline.ImageVariant{Width: w, Mime: "image/jpeg", Data: buf.Bytes()}
		from = dst
	}
	return img, variants, nil
}

// VariantURL is the address of one variant of an image.
func VariantURL(img *byline.Image, width int) string {
	return fmt.Sprintf("/media/%s/%d.jpg", img.Hash, width)
}
