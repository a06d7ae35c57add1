package volt

import (
	"bytes"
	"io"
	"io/fs"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt/internal/bytesconv"
)

// byteRange is a satisfiable range of a representation: length bytes
// from start.
type byteRange struct{ start, length int64 }

// maxRanges is the most ranges FS serves in one response; a Range with
// more is ignored (RFC 9110 section 14.2 lets a server ignore a range-set
// of many small or overlapping ranges).
const maxRanges = 16

// Outcomes of parseRange.
const (
	rangeIgnore        = iota // serve the whole representation, 200
	rangeOK                   // serve the ranges, 206
	rangeUnsatisfiable        // 416
)

// parseRange parses a Range value (RFC 9110 section 14.1.2) against a
// representation of size bytes (size > 0), appending the satisfiable
// ranges to dst. A value that is not a valid bytes range-set, that names
// another unit, that has more than maxRanges ranges, or whose ranges add
// up to more than the representation (a way to make the server send a
// file many times over) is ignored. A valid set with no satisfiable range
// is unsatisfiable.
//
// See https://www.rfc-editor.org/rfc/rfc9110#section-14.1.2.
func parseRange(v []byte, size int64, dst []byteRange) ([]byteRange, int) {
	v = trimOWS(v)
	if len(v) < 6 || !bytesconv.EqualFold(v[:6], "bytes=") {
		return dst, rangeIgnore
	}
	v = v[6:]
	n := 0 // range-specs seen, satisfiable or not
	var total int64
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		spec := trimOWS(v[:i])
		if i < len(v) {
			v = v[i+1:]
		} else {
			v = v[i:]
		}
		if len(spec) == 0 {
			continue // empty list elements are allowed (RFC 9110 section 5.6.1)
		}
		if n++; n > maxRanges {
			return dst[:0], rangeIgnore
		}
		dash := -1
		for j, c := range spec {
			if c == '-' {
				dash = j
				break
			}
		}
		if dash < 0 {
			return dst[:0], rangeIgnore
		}
		first, last := spec[:dash], spec[dash+1:]
		var r byteRange
		switch {
		case len(first) == 0: // suffix-range: "-N", the last N bytes
			sl, ok := parseDigits(last)
			if !ok {
				return dst[:0], rangeIgnore
			}
			if sl == 0 {
				continue // unsatisfiable
			}
			sl = min(sl, size)
			r = byteRange{size - sl, sl}
		default:
			fp, ok := parseDigits(first)
			if !ok {
				return dst[:0], rangeIgnore
			}
			lp := size - 1
			if len(last) > 0 {
				if lp, ok = parseDigits(last); !ok || lp < fp {
					return dst[:0], rangeIgnore
				}
			}
			if fp >= size {
				continue // unsatisfiable
			}
			lp = min(lp, size-1)
			r = byteRange{fp, lp - fp + 1}
		}
		if total += r.length; total > size {
			return dst[:0], rangeIgnore
		}
		dst = append(dst, r)
	}
	switch {
	case n == 0:
		return dst, rangeIgnore
	case len(dst) == 0:
		return dst, rangeUnsatisfiable
	}
	return dst, rangeOK
}

// parseDigits parses 1*DIGIT into a non-negative int64, refusing
// overflow.
func parseDigits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// appendContentRange appends "bytes first-last/size", or "bytes */size"
// when start is negative (RFC 9110 section 14.4).
func appendContentRange(dst []byte, start, length, size int64) []byte {
	dst = append(dst, "bytes "...)
	if start < 0 {
		dst = append(dst, '*')
	} else {
		dst = strconv.AppendInt(dst, start, 10)
		dst = append(dst, '-')
		dst = strconv.AppendInt(dst, start+length-1, 10)
	}
	dst = append(dst, '/')
	return strconv.AppendInt(dst, size, 10)
}

// serveRanges answers 206 with the ranges of e's file: one range as the
// body with Content-Range, several as multipart/byteranges. It reports
// false when the file changed since e was cached.
func (h *fsHandler) serveRanges(ctx *RequestCtx, e *fsEntry, ranges []byteRange) bool {
	hdr := &ctx.Response.Header
	if len(ranges) == 1 {
		r := ranges[0]
		var cr [64]byte
		hdr.SetBytes(bytesconv.S2B(HeaderContentRange), appendContentRange(cr[:0], r.start, r.length, e.size))
		hdr.SetStatusCode(StatusPartialContent)
		return h.sendVariant(ctx, e, &e.identity, r.start, r.length)
	}
	var bb [multipartBoundaryLen]byte
	boundary := newMultipartBoundary(bb[:0])
	var ct [128]byte
	hdr.SetContentTypeBytes(append(append(ct[:0], "multipart/byteranges; boundary="...), boundary...))
	hdr.SetStatusCode(StatusPartialContent)
	var total int64
	for i, r := range ranges {
		total += int64(len(appendPartHead(nil, boundary, e.contentType, r, e.size, i == 0))) + r.length
	}
	total += int64(len(appendPartsEnd(nil, boundary)))
	resp := &ctx.Response
	if ctx.IsHead() {
		resp.ResetBody()
		hdr.SetContentLength(total)
		return true
	}
	if data := e.identity.data; data != nil {
		resp.ResetBody()
		for i, r := range ranges {
			resp.body = appendPartHead(resp.body, boundary, e.contentType, r, e.size, i == 0)
			resp.body = append(resp.body, data[r.start:r.start+r.length]...)
		}
		resp.body = appendPartsEnd(resp.body, boundary)
		return true
	}
	f, ok := h.openVariant(e, &e.identity)
	if !ok {
		return false
	}
	ra, ok := f.(io.ReaderAt)
	if !ok {
		// Without ReadAt, parts would need seeking back: send it all.
		_ = f.Close()
		hdr.SetStatusCode(StatusOK)
		hdr.Del(HeaderContentRange)
		hdr.SetContentTypeBytes(e.contentType)
		return h.sendVariant(ctx, e, &e.identity, 0, e.size)
	}
	mr := &multipartReader{f: f}
	for i, r := range ranges {
		mr.parts = append(mr.parts, bytes.NewReader(appendPartHead(nil, boundary, e.contentType, r, e.size, i == 0)))
		mr.parts = append(mr.parts, io.NewSectionReader(ra, r.start, r.length))
	}
	mr.parts = append(mr.parts, bytes.NewReader(appendPartsEnd(nil, boundary)))
	mr.r = io.MultiReader(mr.parts...)
	resp.SetBodyStream(mr, total)
	return true
}

// appendPartHead appends the delimiter and header of one part of a
// multipart/byteranges body (RFC 9110 section 14.6).
func appendPartHead(dst []byte, boundary, ct []byte, r byteRange, size int64, first bool) []byte {
	if !first {
		dst = append(dst, '\r', '\n')
	}
	dst = append(append(append(dst, "--"...), boundary...), "\r\nContent-Type: "...)
	dst = append(dst, ct...)
	dst = append(dst, "\r\nContent-Range: "...)
	dst = appendContentRange(dst, r.start, r.length, size)
	return append(dst, "\r\n\r\n"...)
}

// appendPartsEnd appends the close delimiter of a multipart body.
func appendPartsEnd(dst, boundary []byte) []byte {
	dst = append(append(append(dst, "\r\n--"...), boundary...), "--\r\n"...)
	return dst
}

const multipartBoundaryLen = 32

var boundarySeq atomic.Uint64

// newMultipartBoundary appends a boundary unlikely to occur in a file:
// the process start time and a counter, in hex.
func newMultipartBoundary(dst []byte) []byte {
	dst = append(dst, "volt"...)
	dst = appendHex64(dst, uint64(processStart))
	dst = append(dst, 'x')
	return appendHex64(dst, boundarySeq.Add(1))
}

var processStart = time.Now().UnixNano()

// multipartReader is the body stream of a multipart/byteranges response
// of a file not held in memory; it closes the file.
type multipartReader struct {
	f     fs.File
	parts []io.Reader
	r     io.Reader
}

func (m *multipartReader) Read(p []byte) (int, error) { return m.r.Read(p) }

func (m *multipartReader) Close() error { return m.f.Close() }
