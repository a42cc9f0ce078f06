package media

import (
	"bytes"
	"encoding/binary"
	"net/http"

	"byline"
)

// StripLocation returns the photo without the metadata that can say where it was taken,
// rewritten without decoding its pixels (nothing is re-compressed):
//   - JPEG: every APP1 segment, which holds EXIF (with its GPS directory and the thumbnail)
//     and XMP (which may repeat the GPS position). IPTC (APP13), colour profiles (APP2)
//     and Adobe's colour transform (APP14) stay.
//   - PNG: the eXIf chunk and the text chunks (tEXt, zTXt, iTXt), where XMP lives.
//   - WebP: the EXIF and XMP chunks, with their flags in the VP8X header.
//
// GIF has no EXIF and comes back as it is, as does anything that is not a photo. The caller
// reads the metadata (ReadMetadata) first: the desk keeps its caption and credit.
func StripLocation(data []byte) ([]byte, error) {
	switch http.DetectContentType(data) {
	case "image/jpeg":
		out := make([]byte, 0, len(data))
		out = append(out, data[:2]...)
		sos := walkJPEG(data, func(marker byte, start, end int, _ []byte) bool {
			if marker != 0xE1 {
				out = append(out, data[start:end]...)
			}
			return true
		})
		if sos < 0 {
			return nil, byline.Errorf(byline.EINVALID, "The JPEG's markers could not be read: the file is damaged.")
		}
		return append(out, data[sos:]...), nil
	case "image/png":
		out := make([]byte, 0, len(data))
		out = append(out, data[:8]...)
		i := 8
		ok := walkPNG(data, func(typ string, p []byte) bool {
			end := i + 12 + len(p)
			switch typ {
			case "eXIf", "tEXt", "zTXt", "iTXt":
			default:
				out = append(out, data[i:end]...)
			}
			i = end
			return true
		})
		if !ok {
			return nil, byline.Errorf(byline.EINVALID, "The PNG's chunks could not be read: the file is damaged.")
		}
		return out, nil
	case "image/webp":
		out := make([]byte, 12, len(data))
		copy(out, data[:12])
		i := 12
		ok := walkWebP(data, func(typ string, p []byte) bool {
			end := min(len(data), i+8+len(p)+len(p)&1)
			switch typ {
			case "EXIF", "XMP ":
			case "VP8X":
				start := len(out)
				out = append(out, data[i:end]...)
				if len(p) > 0 {
					out[start+8] &^= 0x08 | 0x04 // the EXIF and XMP flags
				}
			default:
				out = append(out, data[i:end]...)
			}
			i = end
			return true
		})
		if !ok {
			return nil, byline.Errorf(byline.EINVALID, "The WebP's chunks could not be read: the file is damaged.")
		}
		binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
		return out, nil
	}
	return bytes.Clone(data), nil
}
