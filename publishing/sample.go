package publishing

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"math"
	"math/rand/v2"
	"path"
	"time"

	"byline"
)

//go:embed sample/*.md
var sampleFiles embed.FS

// sampleScenes are the palettes of the generated sample photos: sky top, sky bottom,
// ground, and the sun (or moon).
var sampleScenes = map[string][4]color.RGBA{
	"night-train.jpg": {{14, 24, 64, 255}, {92, 70, 140, 255}, {20, 22, 30, 255}, {250, 230, 170, 255}},
	"harbour.jpg":     {{200, 110, 60, 255}, {250, 190, 110, 255}, {30, 60, 90, 255}, {255, 240, 200, 255}},
	"bookshop.jpg":    {{70, 40, 25, 255}, {160, 100, 50, 255}, {50, 30, 20, 255}, {255, 210, 140, 255}},
	"budget.jpg":      {{120, 170, 220, 255}, {200, 225, 245, 255}, {110, 110, 105, 255}, {255, 255, 230, 255}},
	"alpine.jpg":      {{60, 120, 200, 255}, {170, 210, 240, 255}, {70, 130, 60, 255}, {255, 255, 240, 255}},
	"stadium.jpg":     {{10, 12, 30, 255}, {40, 50, 90, 255}, {30, 110, 50, 255}, {240, 250, 255, 255}},
}

// Seed imports the sample newsroom: a handful of articles written for Byline, clearly
// marked as sample content, with generated photos. Their dates are moved so that the newest
// was published an hour before now, and the site looks alive.
func Seed(ctx context.Context, im *Importer, now time.Time) (Summary, error) {
	entries, err := fs.ReadDir(sampleFiles, "sample")
	if err != nil {
		return Summary{}, err
	}
	var newest time.Time
	type file struct {
		name string
		src  []byte
	}
	var files []file
	for _, e := range entries {
		src, err := fs.ReadFile(sampleFiles, "sample/"+e.Name())
		if err != nil {
			return Summary{}, err
		}
		fm, _, err := ParseFile(e.Name(), src, time.UTC)
		if err != nil {
			return Summary{}, fmt.Errorf("sample content: %w", err)
		}
		if fm.Date.After(newest) {
			newest = fm.Date
		}
		files = append(files, file{e.Name(), src})
	}
	shifted := *im
	shifted.DateShift = now.Add(-time.Hour).Sub(newest).Truncate(time.Hour)
	// Paint the photos side by side while the first articles import.
	photos := make(map[string]chan []byte, len(sampleScenes))
	for name := range sampleScenes {
		ch := make(chan []byte, 1)
		photos[name] = ch
		go func() {
			data, _ := SamplePhoto(name)
			ch <- data
		}()
	}
	images := func(ctx context.Context, ref string) ([]byte, error) {
		ch, ok := photos[path.Base(ref)]
		if !ok {
			return nil, fmt.Errorf("no sample photo %q", ref)
		}
		return <-ch, nil
	}
	var sum Summary
	for _, f := range files {
		res, _, err := shifted.Import(ctx, f.name, "sample:"+f.name, f.src, images)
		if err != nil {
			return sum, fmt.Errorf("sample content: %w", err)
		}
		if res == byline.Created {
			sum.Imported++
		}
	}
	return sum, nil
}

// SamplePhoto paints one of the sample photos: a sky, a sun, and rolling hills, in the
// scene's colours. It is deterministic.
func SamplePhoto(name string) ([]byte, error) {
	scene, ok := sampleScenes[name]
	if !ok {
		return nil, fmt.Errorf("no sample photo %q", name)
	}
	const w, h = 1280, 720
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(uint64(len(name)), uint64(scene[0].R)))
	sunX, sunY, sunR := float64(w)*(0.2+0.6*rng.Float64()), float64(h)*0.3, 56.0
	phase := rng.Float64() * 6
	for y := range h {
		t := float64(y) / float64(h)
		sky := mix(scene[0], scene[1], t/0.65)
		for x := range w {
			c := sky
			if d := math.Hypot(float64(x)-sunX, float64(y)-sunY); d < sunR {
				c = scene[3]
			} else if d < sunR*3 {
				c = mix(scene[3], sky, (d-sunR)/(sunR*2)*0.6+0.4)
			}
			for layer := 3; layer >= 1; layer-- {
				fl := float64(layer)
				ridge := float64(h)*(0.5+0.12*fl) + 40*math.Sin(float64(x)/(90*fl)+phase*fl) + 18*math.Sin(float64(x)/(23*fl)+phase)
				if float64(y) > ridge {
					c = mix(scene[2], scene[1], 0.45-0.15*fl)
				}
			}
			o := img.PixOffset(x, y)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = c.R, c.G, c.B, 255
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	t = max(0, min(1, t))
	f := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 255}
}
