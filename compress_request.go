package volt

import (
	"errors"
	"io"
	"math"

	"github.com/klauspost/compress/zstd"
)

// maxContentCodings bounds how many codings a request body may stack
// ("gzip, br").
const maxContentCodings = 4

// BodyDecoded returns the request body with the content codings of its
// Content-Encoding removed (gzip, x-gzip, deflate, br, zstd, applied in
// the order listed, so removed in reverse; identity is skipped). Without
// Content-Encoding it returns Body().
//
// It decodes at most limit bytes: a body that decodes to more fails with
// ErrBodyTooLarge after reading only limit+1 decoded bytes, so a
// decompression bomb costs no more memory than limit. If limit is zero or
// negative, DefaultMaxRequestBodySize (4 MiB) is used. An unknown coding
// gives ErrUnsupportedContentEncoding, and data a decoder rejects
// ErrBadEncodedBody. Handlers usually answer them with 413, 415 and 400
// (CompressOptions.DecodeRequests does so).
//
// The body is decoded on the first call; later calls return the same
// result whatever their limit. A streamed body (Server.StreamRequestBody)
// is decoded as it is read from the connection: call BodyDecoded instead
// of Body or BodyStream, not after them.
// The returned slice is valid until the handler returns; copy it to keep it.
func (r *Request) BodyDecoded(limit int64) ([]byte, error) {
	if r.decodedDone {
		return r.decoded, r.decodedErr
	}
	ce := r.Header.Peek(HeaderContentEncoding)
	if ce == nil {
		return r.Body(), r.BodyErr()
	}
	r.decodedDone = true
	if limit <= 0 {
		limit = DefaultMaxRequestBodySize
	}
	r.decoded, r.decodedErr = decodeContent(r.decoded[:0], ce, r.BodyStream(), limit)
	if r.decodedErr != nil {
		r.decoded = r.decoded[:0]
		return nil, r.decodedErr
	}
	return r.decoded, nil
}

// decodeContent appends to dst what src yields with the content codings
// of the Content-Encoding value ce removed (in reverse order), up to limit
// decoded bytes. Request.BodyDecoded and Response.BodyUncompressed share
// it.
func decodeContent(dst, ce []byte, src io.Reader, limit int64) ([]byte, error) {
	var codings [maxContentCodings]encoding
	n := 0
	bad := false
	forEachToken(ce, func(tok []byte) bool {
		e := encodingByName(tok)
		switch {
		case e == encIdentity:
		case e == numEncodings || n == len(codings):
			bad = true
			return false
		default:
			codings[n] = e
			n++
		}
		return true
	})
	if bad {
		return dst, ErrUnsupportedContentEncoding
	}
	var releases [maxContentCodings]func()
	defer func() {
		for _, rel := range releases[:n] {
			if rel != nil {
				rel()
			}
		}
	}()
	for i := n - 1; i >= 0; i-- {
		d, rel, err := acquireDecoder(codings[i], src)
		if err != nil {
			return dst, err
		}
		releases[i] = rel
		src = d
	}
	return readDecoded(dst, src, limit)
}

// readDecoded appends what src yields to dst, up to limit bytes, and maps
// the decoders' errors onto volt's.
func readDecoded(dst []byte, src io.Reader, limit int64) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		room := dst[len(dst):cap(dst)]
		// Read at most one byte past limit, which is enough to see the
		// body is too large; with limit MaxInt64 no slice is that long.
		if limit < math.MaxInt64 {
			if left := limit + 1 - int64(len(dst)); int64(len(room)) > left {
				room = room[:left]
			}
		}
		n, err := src.Read(room)
		dst = dst[:len(dst)+n]
		if int64(len(dst)) > limit {
			return dst, ErrBodyTooLarge
		}
		switch {
		case err == io.EOF:
			return dst, nil
		case err == nil:
		case errors.Is(err, ErrBodyTooLarge), errors.Is(err, ErrUnexpectedEOF):
			return dst, err
		case errors.Is(err, zstd.ErrWindowSizeExceeded), errors.Is(err, zstd.ErrDecoderSizeExceeded):
			return dst, ErrBodyTooLarge
		default:
			return dst, ErrBadEncodedBody
		}
	}
}
