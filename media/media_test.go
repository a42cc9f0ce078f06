package media_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"slices"
	"testing"

	"byline"
	"byline/media"
)

func TestWidths(t *testing.T) {
	for _, tt := range []struct {
		original int
		want     []int
	}{
		{200, []int{200}},
		{800, []int{320, 640, 800}},
		{1280, []int{320, 640, 960, 1280}},
		{4000, []int{320, 640, 960, 1280, 1920}},
	} {
		if got := media.Widths(tt.original); !slices.Equal(got, tt.want) {
			t.Errorf("Widths(%d) = %v, want %v", tt.original, got, tt.want)
		}
	}
}

func TestProcess(t *testing.T) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 1000, 500)))
	img, variants, err := media.Process(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if img.Width != 1000 || img.Height != 500 || img.Mime != "image/png" || len(img.Hash) != 64 {
		t.Errorf("image = %+v", img)
	}
	if len(variants) != 4 {
		t.Fatalf("%d variants, want 4", len(variants))
	}
	for _, v := range variants {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(v.Data))
		if err != nil {
			t.Fatalf("variant %d: %v", v.Width, err)
		}
		if cfg.Width != v.Width || cfg.Height != v.Width/2 || v.Mime != "image/jpeg" {
			t.Errorf("variant %d is %d×%d %s", v.Width, cfg.Width, cfg.Height, v.Mime)
		}
	}
}

func TestProcessRejects(t *testing.T) {
	for name, data := range map[string][]byte{
		"text":      []byte("hello, I am not a photo"),
		"truncated": {0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'},
		"svg":       []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`),
	} {
		if _, _, err := media.Process(data); byline.ErrorCode(err) != byline.EINVALID {
			t.Errorf("%s: err = %v, want invalid", name, err)
		}
	}
}

// pngEncode and jpegEncode write a small grey test image.
func pngEncode(w *bytes.Buffer, width, height int) {
	png.Encode(w, image.NewGray(image.Rect(0, 0, width, height)))
}

func jpegEncode(w *bytes.Buffer, width, height int) {
	jpeg.Encode(w, image.NewGray(image.Rect(0, 0, width, height)), nil)
}
