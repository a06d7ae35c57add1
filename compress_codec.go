package volt

import (
	"bufio"
	"io"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// compressor is the encoder of one content coding. Every implementation
// (gzip, zlib for "deflate", brotli, zstd) is pooled per level and reset
// onto a new destination for each use.
type compressor interface {
	io.WriteCloser
	Flush() error
	Reset(w io.Writer)
}

// zstdWindow bounds the window of the zstd encoder: RFC 9659 section 3
// lets a decoder refuse windows over 8 MiB, and a smaller window keeps
// pooled encoders small.
const zstdWindow = 4 << 20

// compressorPools holds idle compressors by coding and level (0: the
// coding's default).
var compressorPools [numEncodings][10]sync.Pool

// acquireCompressor returns a compressor for e at level (0..9), writing
// to w.
func acquireCompressor(e encoding, level int, w io.Writer) compressor {
	if v := compressorPools[e][level].Get(); v != nil {
		c := v.(compressor)
		c.Reset(w)
		return c
	}
	return newCompressor(e, level, w)
}

// releaseCompressor returns c, closed or not, to its pool.
func releaseCompressor(e encoding, level int, c compressor) {
	c.Reset(nil)
	compressorPools[e][level].Put(c)
}

func newCompressor(e encoding, level int, w io.Writer) compressor {
	switch e {
	case encBrotli:
		return brotli.NewWriterLevel(w, brotliLevel(level))
	case encZstd:
		z, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstdLevel(level)),
			zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(zstdWindow))
		if err != nil {
			panic(err) // the options are constant and valid
		}
		return z
	case encGzip:
		g, _ := gzip.NewWriterLevel(w, flateLevel(level))
		return g
	case encDeflate:
		z, _ := zlib.NewWriterLevel(w, flateLevel(level))
		return z
	}
	panic("volt: no compressor for " + encodingNames[e])
}

// flateLevel maps a volt level to gzip's and zlib's: the same numbers,
// 6 by default.
func flateLevel(level int) int {
	if level == 0 {
		return 6
	}
	return level
}

// brotliLevel maps a volt level to brotli's quality: the same numbers
// (brotli's 10 and 11 are far slower and never used), 4 by default.
func brotliLevel(level int) int {
	if level == 0 {
		return 4
	}
	return level
}

// zstdLevel maps a volt level onto zstd's four speeds: 1-2 fastest, 3-5
// (and 0) default, 6-7 better, 8-9 best.
func zstdLevel(level int) zstd.EncoderLevel {
	switch {
	case level == 0 || (level >= 3 && level <= 5):
		return zstd.SpeedDefault
	case level <= 2:
		return zstd.SpeedFastest
	case level <= 7:
		return zstd.SpeedBetterCompression
	}
	return zstd.SpeedBestCompression
}

// clampLevel brings a configured level into 0..9.
func clampLevel(l int) int { return min(max(l, 0), 9) }

// appendWriter is an io.Writer that appends to b.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

var appendWriterPool = sync.Pool{New: func() any { return new(appendWriter) }}

// compressTo appends src encoded with e at level to aw.b.
func compressTo(aw *appendWriter, src []byte, e encoding, level int) {
	c := acquireCompressor(e, level, aw)
	_, err := c.Write(src)
	if err == nil {
		err = c.Close()
	}
	releaseCompressor(e, level, c)
	if err != nil {
		// Encoders writing to memory do not fail; be safe anyway.
		panic("volt: compressing to memory failed: " + err.Error())
	}
}

// Decoder pools, by coding.
var (
	gzipReaderPool   sync.Pool
	zlibReaderPool   sync.Pool
	flateReaderPool  sync.Pool
	brotliReaderPool sync.Pool
	zstdReaderPool   sync.Pool
)

// acquireDecoder returns a reader of the decoded form of src, encoded
// with e, and the function that gives the decoder back. For "deflate" it
// accepts zlib (RFC 9110 section 8.4.1.2) and, as many clients send it,
// raw deflate.
func acquireDecoder(e encoding, src io.Reader) (io.Reader, func(), error) {
	switch e {
	case encGzip:
		z, _ := gzipReaderPool.Get().(*gzip.Reader)
		var err error
		if z == nil {
			z, err = gzip.NewReader(src)
		} else {
			err = z.Reset(src)
		}
		if err != nil {
			return nil, nil, ErrBadEncodedBody
		}
		return z, func() { gzipReaderPool.Put(z) }, nil
	case encDeflate:
		br := bufio.NewReaderSize(src, 64)
		head, _ := br.Peek(2)
		if len(head) == 2 && head[0]&0x0f == 8 && (uint(head[0])<<8|uint(head[1]))%31 == 0 {
			r, _ := zlibReaderPool.Get().(io.ReadCloser)
			var err error
			if r == nil {
				r, err = zlib.NewReader(br)
			} else {
				err = r.(zlib.Resetter).Reset(br, nil)
			}
			if err != nil {
				return nil, nil, ErrBadEncodedBody
			}
			return r, func() { zlibReaderPool.Put(r) }, nil
		}
		r, _ := flateReaderPool.Get().(io.ReadCloser)
		if r == nil {
			r = flate.NewReader(br)
		} else {
			_ = r.(flate.Resetter).Reset(br, nil)
		}
		return r, func() { flateReaderPool.Put(r) }, nil
	case encBrotli:
		r, _ := brotliReaderPool.Get().(*brotli.Reader)
		if r == nil {
			r = brotli.NewReader(src)
		} else if err := r.Reset(src); err != nil {
			return nil, nil, ErrBadEncodedBody
		}
		return r, func() { brotliReaderPool.Put(r) }, nil
	case encZstd:
		d, _ := zstdReaderPool.Get().(*zstd.Decoder)
		var err error
		if d == nil {
			// One goroutine-free decoder; the window is bounded so that a
			// frame cannot make it allocate more than 8 MiB of history.
			d, err = zstd.NewReader(src, zstd.WithDecoderConcurrency(1),
				zstd.WithDecoderMaxWindow(8<<20), zstd.WithDecoderLowmem(true))
		} else {
			err = d.Reset(src)
		}
		if err != nil {
			return nil, nil, ErrBadEncodedBody
		}
		return d, func() { _ = d.Reset(nil); zstdReaderPool.Put(d) }, nil
	}
	return nil, nil, ErrUnsupportedContentEncoding
}
