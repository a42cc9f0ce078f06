package media

import (
	"image"
	"image/color"
	"testing"
)

func TestShrink(t *testing.T) {
	gray := func(w, h int, f func(x, y int) uint8) *image.Gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				g.SetGray(x, y, color.Gray{f(x, y)})
			}
		}
		return g
	}
	for _, tt := range []struct {
		name string
		src  image.Image
		w, h int
		want []uint8 // the red channel of each pixel, row by row
	}{
		{"Uniform", gray(7, 5, func(x, y int) uint8 { return 77 }), 3, 2, []uint8{77, 77, 77, 77, 77, 77}},
		{"Checker", gray(4, 2, func(x, y int) uint8 { return uint8(255 * ((x + y) % 2)) }), 2, 1, []uint8{128, 128}},
		// Three columns into two: the middle one is shared half and half.
		{"Thirds", gray(3, 1, func(x, y int) uint8 { return []uint8{0, 90, 180}[x] }), 2, 1, []uint8{30, 150}},
		{"Rows", gray(1, 3, func(x, y int) uint8 { return []uint8{0, 90, 180}[y] }), 1, 2, []uint8{30, 150}},
		{"Same", gray(2, 2, func(x, y int) uint8 { return uint8(10*x + 100*y) }), 2, 2, []uint8{0, 10, 100, 110}},
		{"TransparentOnWhite", image.NewNRGBA(image.Rect(0, 0, 4, 4)), 2, 2, []uint8{255, 255, 255, 255}},
		{"Offset", gray(6, 6, func(x, y int) uint8 { return 200 }).SubImage(image.Rect(2, 3, 6, 6)), 2, 1, []uint8{200, 200}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := shrink(tt.src, tt.w, tt.h)
			if got.Bounds() != image.Rect(0, 0, tt.w, tt.h) {
				t.Fatalf("bounds %v, want %d×%d", got.Bounds(), tt.w, tt.h)
			}
			for i, want := range tt.want {
				x, y := i%tt.w, i/tt.w
				c := got.RGBAAt(x, y)
				if c.R != want || c.G != want || c.B != want || c.A != 255 {
					t.Errorf("pixel %d,%d = %v, want grey %d, opaque", x, y, c, want)
				}
			}
		})
	}
}
