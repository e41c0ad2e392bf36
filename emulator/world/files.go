package world

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatemu/chatemu/fixtures"
)

// A generated message's attachment is one of sharedVariants files of its
// shape (kind and extension): its picture size, duration, size and bytes
// are a function of the shape and a variant number the message draws,
// while its id, name and secret stay the message's own. The same file, with
// the same md5, is thus sent under several messages, as a forwarded picture
// is in real traffic; in exchange a file's size is fitted and its md5 made
// once, on the variant's first use, and a cold page of a hundred messages
// reads its two dozen md5s from a table instead of hashing each file's tail.
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

// sharedFile is one variant's size and md5, kept once made (state): 24
// bytes, so that a shape's table is 48 KiB (a cold page looks up two dozen
// variants at random, and a smaller table misses the caches less).
type sharedFile struct {
	state atomic.Uint32 // slotEmpty, slotMaking, slotKept
	size  uint32        // a generated file is at most a few MB
	sum   [16]byte
}

// A sharedFile's states.
const (
	slotEmpty uint32 = iota
	slotMaking
	slotKept
)

// Every generated file's size fits a sharedFile's (a constant that
// overflowed would not compile).
const _ uint32 = imageBytes + imageSpan + videoBytes + videoSpan + fileBytes + fileSpan +
	thumbBytes + thumbSpan + audioBytes + audioSpan + maxAudioSecs*audioBytesPerSec

// sharedFiles holds the variants of every shape, a table allocated on a
// shape's first use: at most numShapes × sharedVariants × 24 bytes, about
// 0.6 MiB. The variants are a pure function of shape and number (the md5
// midstates a world computes them with change how fast, not what), so one
// table serves every world of the process, as sharedContent does.
type sharedFiles struct {
	shapes [numShapes]atomic.Pointer[[sharedVariants]sharedFile]
}

// processFiles is the process's sharedFiles.
var processFiles = sync.OnceValue(func() *sharedFiles { return new(sharedFiles) })

// table returns shape's variants, allocated on first use.
func (f *sharedFiles) table(shape fileShape) *[sharedVariants]sharedFile {
	p := &f.shapes[shape]
	if t := p.Load(); t != nil {
		return t
	}
	p.CompareAndSwap(nil, new([sharedVariants]sharedFile))
	return p.Load()
}

// sharedFileSalt keeps the variants' seeds apart from every other hash.
const sharedFileSalt = 0x5f11e5

// sharedMedia gives a, the attachment of a generated message, variant v of
// shape: its kind, extension, type, picture size, duration, size and md5
// from the variant, its id (part of files), name and secret from the
// message (seed, r) as media's. The name is left out where omit has
// OmitName and the shape is a sound, a video or a thumbnail.
func (w *World) sharedMedia(a *Attachment, shape fileShape, v int, r *prng, seed uint64, files fileNamer, part int, sl *slab, omit Fields) {
	h := hash(sharedFileSalt, uint64(shape), uint64(v))
	a.seed = hash(h, 90)
	var size int64
	switch shape {
	case shapeJPG, shapePNG:
		a.kind, a.Ext = Image, "jpg"
		if shape == shapePNG {
			a.Ext = "png"
		}
		d := imageSizes[hash(h, 1)%uint64(len(imageSizes))]
		a.Width, a.Height = d[0], d[1]
		size = imageBytes + int64(hash(h, 2)%imageSpan)
	case shapeAMR, shapeAAC:
		a.kind, a.Ext = Audio, "amr"
		if shape == shapeAAC {
			a.Ext = "aac"
		}
		secs := 1 + int64(hash(h, 3)%maxAudioSecs)
		a.Duration = time.Duration(secs) * time.Second
		size = audioBytes + secs*audioBytesPerSec + int64(hash(h, 2)%audioSpan)
	case shapeMP4, shapeThumb:
		// A thumbnail has the picture size of the video of its number.
		hv := hash(sharedFileSalt, uint64(shapeMP4), uint64(v))
		d := videoSizes[hash(hv, 1)%uint64(len(videoSizes))]
		a.Width, a.Height = d[0], d[1]
		if shape == shapeThumb {
			a.kind, a.Ext = Image, "jpg"
			size = thumbBytes + int64(hash(h, 2)%thumbSpan)
			break
		}
		a.kind, a.Ext = Video, "mp4"
		a.Duration = time.Duration(3+hash(h, 3)%58) * time.Second
		size = videoBytes + int64(hash(h, 2)%videoSpan)
	default:
		a.kind, a.Ext = File, docExts[shape-shapeDoc]
		size = fileBytes + int64(hash(h, 2)%fileSpan)
	}
	a.MIME = fixtures.MIME(a.Ext)
	a.Size, a.sum = w.sharedSum(shape, v, a, size)
	a.summed = true
	if named := shape <= shapePNG || shape >= shapeDoc; named || omit&OmitName == 0 {
		a.Name = w.content.FileName(hash(seed, 91), a.Ext)
	}
	w.mediaIDs(a, r, seed, files, part, false, sl, omit)
}

// sharedSum returns the fitted size and the md5 of variant v of shape,
// whose other fields a holds, its size before fitting size: kept on the
// variant's first use. Goroutines that meet a variant being made make the
// same values themselves.
func (w *World) sharedSum(shape fileShape, v int, a *Attachment, size int64) (int64, [16]byte) {
	sf := &w.files.table(shape)[v]
	if sf.state.Load() == slotKept {
		return int64(sf.size), sf.sum
	}
	a.Size = size
	f := a.file()
	f.Size = w.sums.Fit(f)
	sum := w.sums.MD5(f)
	if sf.state.CompareAndSwap(slotEmpty, slotMaking) {
		sf.size, sf.sum = uint32(f.Size), sum
		sf.state.Store(slotKept)
	}
	return f.Size, sum
}
