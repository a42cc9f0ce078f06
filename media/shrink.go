package media

import (
	"image"
	"image/draw"
)

// shrink returns src scaled down to w × h pixels (no larger than src either way) by area
// averaging, composited over white. It reads src one row at a time, so that beyond the
// result it needs a few rows of memory whatever src's shape; x/image/draw's kernels need a
// buffer of w × src height × 32 bytes, over a gigabyte for a tall 50-megapixel photo.
//
// Each source pixel is shared among the destination pixels it overlaps, in proportion to
// the overlap; positions are kept as integers (a source row is h units tall, a
// destination row src-height units), so the weights are exact.
func shrink(src image.Image, w, h int) *image.RGBA {
	sb := src.Bounds()
	sw, sh := sb.Dx(), sb.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if w < 1 || h < 1 || sw < 1 || sh < 1 {
		return dst
	}
	w, h = min(w, sw), min(h, sh)

	// Horizontal shares: source column i covers [i·w, (i+1)·w) and destination column j
	// covers [j·sw, (j+1)·sw). As w ≤ sw, a source column meets one or two destinations.
	type share struct {
		j      int   // first destination column
		a, b   int64 // overlap with column j and with j+1
		spills bool
	}
	cols := make([]share, sw)
	for i := range sw {
		lo, hi := int64(i)*int64(w), int64(i+1)*int64(w)
		j := int(lo / int64(sw))
		edge := int64(j+1) * int64(sw)
		if hi <= edge || j+1 >= w {
			cols[i] = share{j: j, a: hi - lo}
		} else {
			cols[i] = share{j: j, a: edge - lo, b: hi - edge, spills: true}
		}
	}

	row := image.NewRGBA(image.Rect(0, 0, sw, 1)) // one source row, premultiplied RGBA
	line := make([]float64, 4*w)                  // that row, spread over the destination columns
	acc := [2][]float64{make([]float64, 4*w), make([]float64, 4*w)}
	norm := 1 / (float64(sw) * float64(sh))
	y := 0 // the destination row acc[0] collects
	emit := func() {
		o := dst.PixOffset(0, y)
		for k := 0; k < 4*w; k += 4 {
			a := acc[0][k+3] * norm
			for c := range 3 {
				// Premultiplied colour over white: c + (1 − α)·255.
				v := acc[0][k+c]*norm + 255 - a
				dst.Pix[o+k+c] = uint8(min(255, max(0, v+0.5)))
			}
			dst.Pix[o+k+3] = 255
		}
		acc[0], acc[1] = acc[1], acc[0]
		clear(acc[1])
		y++
	}
	for r := range sh {
		draw.Draw(row, row.Rect, src, image.Pt(sb.Min.X, sb.Min.Y+r), draw.Src)
		clear(line)
		for i, s := range cols {
			p := row.Pix[4*i : 4*i+4 : 4*i+4]
			k := 4 * s.j
			for c := range 4 {
				line[k+c] += float64(p[c]) * float64(s.a)
			}
			if s.spills {
				for c := range 4 {
					line[k+4+c] += float64(p[c]) * float64(s.b)
				}
			}
		}
		// Vertical shares, as for columns: source row r covers [r·h, (r+1)·h), destination
		// row y covers [y·sh, (y+1)·sh).
		lo, hi := int64(r)*int64(h), int64(r+1)*int64(h)
		edge := int64(y+1) * int64(sh)
		a, b := hi-lo, int64(0)
		if hi > edge && y+1 < h {
			a, b = edge-lo, hi-edge
		}
		for k, v := range line {
			acc[0][k] += v * float64(a)
			if b > 0 {
				acc[1][k] += v * float64(b)
			}
		}
		if hi >= edge && y < h {
			emit()
		}
	}
	for y < h { // only if rounding left the last row unfinished, which exact shares do not
		emit()
	}
	return dst
}
