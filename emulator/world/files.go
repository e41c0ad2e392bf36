package world

import (
	_ "embed" // sharedTable
	"encoding/binary"
	"time"

	"github.com/chatemu/chatemu/fixtures"
)

// A generated message's attachment is one of sharedVariants files of its
// shape (kind and extension): its picture size, duration, size and bytes
// are a function of the shape and a variant number the message draws,
// while its id, name and secret stay the message's own. The same file, with
// the same md5, is thus sent under several messages, as a forwarded picture
// is in real traffic; in exchange a file's size is fitted and its md5 made
// once, into a table the binary carries (sharedTable), and a cold page of a
// hundred messages reads its two dozen md5s from it instead of hashing each
// file's tail.
// Literal and injected messages keep files of their own.

// sharedVariants is how many files of each shape a generated world draws
// from: once about 600 files of a shape are out, one new file in four
// repeats an earlier one; once 1,400 are, one in two.
const sharedVariants = 2048

// fileShape is a kind of file and its extension, indexing the shared files.
type fileShape uint8

const (
	shapeJPG   fileShape = iota // an image
	shapePNG                    // an image
	shapeAMR                    // an Easemob or Op voice message
	shapeAAC                    // a Yunxin voice message
	shapeMP4                    // a video
	shapeThumb                  // a video's thumbnail: a jpg of the video's picture size
	shapeDoc                    // a document, docExts[shape-shapeDoc]
	numShapes  = shapeDoc + fileShape(len(docExts))
)

// sharedTable holds every variant's fitted size and md5, shape after
// shape, sharedEntry bytes each: the size (4 bytes, little-endian, enough
// for the largest generated file) and the md5. The variants are a pure
// function of shape and number, so their sums are made once, when the
// table is (makeSharedTable; TestSharedTable checks it, go test -update
// rewrites it), rather than on each variant's first use in each process:
// a fresh process's first walk would otherwise hash about 24,600 files'
// tails, some 40 ms. The table is 480 KiB of the binary, read in place.
//
//go:embed shared.table
var sharedTable []byte

// sharedEntry is the size of a variant's entry in sharedTable.
const sharedEntry = 4 + 16

// Every generated file's size fits an entry's 4 bytes (a constant that
// overflowed would not compile).
const _ uint32 = imageBytes + imageSpan + videoBytes + videoSpan + fileBytes + fileSpan +
	thumbBytes + thumbSpan + audioBytes + audioSpan + maxAudioSecs*audioBytesPerSec

// sharedFileSalt keeps the variants' seeds apart from every other hash.
const sharedFileSalt = 0x5f11e5

// sharedMedia gives a, the attachment of a generated message, variant v of
// shape: its kind, extension, type, picture size, duration, size and md5
// from the variant, its id (part of files), name and secret from the
// message (seed, r) as media's. The name is left out where omit has
// OmitName and the shape is a sound, a video or a thumbnail.
func (w *World) sharedMedia(a *Attachment, shape fileShape, v int, r *prng, seed uint64, files fileNamer, part int, sl *slab, omit Fields) {
	sharedFile(a, shape, v)
	a.MIME = fixtures.MIME(a.Ext)
	e := sharedTable[(int(shape)*sharedVariants+v)*sharedEntry:][:sharedEntry]
	a.Size = int64(binary.LittleEndian.Uint32(e))
	copy(a.sum[:], e[4:])
	a.summed = true
	if named := shape <= shapePNG || shape >= shapeDoc; named || omit&OmitName == 0 {
		a.Name = w.content.FileName(hash(seed, 91), a.Ext)
	}
	w.mediaIDs(a, r, seed, files, part, false, sl, omit)
}

// sharedFile gives a variant v of shape's kind, extension, picture size,
// duration and bytes' seed, and returns its size before fitting.
func sharedFile(a *Attachment, shape fileShape, v int) (size int64) {
	h := hash(sharedFileSalt, uint64(shape), uint64(v))
	a.seed = hash(h, 90)
	switch shape {
	case shapeJPG, shapePNG:
		a.kind, a.Ext = Image, "jpg"
		if shape == shapePNG {
			a.Ext = "png"
		}
		d := imageSizes[hash(h, 1)%uint64(len(imageSizes))]
		a.Width, a.Height = d[0], d[1]
		return imageBytes + int64(hash(h, 2)%imageSpan)
	case shapeAMR, shapeAAC:
		a.kind, a.Ext = Audio, "amr"
		if shape == shapeAAC {
			a.Ext = "aac"
		}
		secs := 1 + int64(hash(h, 3)%maxAudioSecs)
		a.Duration = time.Duration(secs) * time.Second
		return audioBytes + secs*audioBytesPerSec + int64(hash(h, 2)%audioSpan)
	case shapeMP4, shapeThumb:
		// A thumbnail has the picture size of the video of its number.
		hv := hash(sharedFileSalt, uint64(shapeMP4), uint64(v))
		d := videoSizes[hash(hv, 1)%uint64(len(videoSizes))]
		a.Width, a.Height = d[0], d[1]
		if shape == shapeThumb {
			a.kind, a.Ext = Image, "jpg"
			return thumbBytes + int64(hash(h, 2)%thumbSpan)
		}
		a.kind, a.Ext = Video, "mp4"
		a.Duration = time.Duration(3+hash(h, 3)%58) * time.Second
		return videoBytes + int64(hash(h, 2)%videoSpan)
	default:
		a.kind, a.Ext = File, docExts[shape-shapeDoc]
		return fileBytes + int64(hash(h, 2)%fileSpan)
	}
}

// makeSharedTable is sharedTable as sums fits and hashes the variants.
func makeSharedTable(sums *fixtures.Sums) []byte {
	out := make([]byte, 0, int(numShapes)*sharedVariants*sharedEntry)
	for shape := range numShapes {
		for v := range sharedVariants {
			var a Attachment
			a.Size = sharedFile(&a, shape, v)
			f := a.file()
			f.Size = sums.Fit(f)
			sum := sums.MD5(f)
			out = binary.LittleEndian.AppendUint32(out, uint32(f.Size))
			out = append(out, sum[:]...)
		}
	}
	return out
}
