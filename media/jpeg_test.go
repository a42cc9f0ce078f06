package media

import (
	"bytes"
	"image"
	"image/jpeg"
	"strings"
	"testing"
)

// progressiveHeader is the start of a progressive JPEG of w×h pixels in full-resolution
// colour (4:4:4), as far as its frame header.
func progressiveHeader(w, h int) []byte {
	sof := []byte{0xFF, 0xC2, 0, 17, 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 3,
		1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0}
	jfif := []byte{0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}
	return append(append([]byte{0xFF, 0xD8}, jfif...), sof...)
}

// TestInspectProgressiveJPEG: Go's decoder holds a progressive JPEG's coefficients, 4 bytes
// each, for every component: a 50-megapixel one in full colour took 785 MB. Such a photo is
// refused from its header; a smaller one passes.
func TestInspectProgressiveJPEG(t *testing.T) {
	if _, err := Inspect(progressiveHeader(8660, 5773)); err == nil || !strings.Contains(err.Error(), "progressive") {
		t.Errorf("a 50-megapixel progressive JPEG: %v, want it refused", err)
	}
	if _, err := Inspect(progressiveHeader(4000, 3000)); err != nil {
		t.Errorf("a 12-megapixel progressive JPEG: %v, want it accepted", err)
	}
}

// TestInspectJPEGScans: each scan of a JPEG is a pass over the whole photo; a file of a few
// hundred KB with a thousand repeated scans took 50 s to decode. More than maxScans are
// refused before decoding.
func TestInspectJPEGScans(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 64)), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Inspect(buf.Bytes()); err != nil {
		t.Fatalf("a plain JPEG: %v", err)
	}
	data := progressiveHeader(64, 64)
	for range maxScans + 1 {
		data = append(data, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0)
	}
	if _, err := Inspect(data); err == nil || !strings.Contains(err.Error(), "scans") {
		t.Errorf("a JPEG with %d scans: %v, want it refused", maxScans+1, err)
	}
}
