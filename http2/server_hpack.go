package http2

import (
	"errors"
	"log/slog"

	"github.com/volthttp/volt/http2/hpack"
)

// isHPACKError reports whether err comes from the HPACK decoder and left
// its state unknown: the connection must then end with COMPRESSION_ERROR
// (RFC 9113 section 4.3). ErrHeaderListTooLarge is not one: the decoder
// finishes the block, and the request is answered 431.
func isHPACKError(err error) bool {
	for _, e := range []error{hpack.ErrStringTooLong, hpack.ErrInvalidHuffman, hpack.ErrInvalidIndex,
		hpack.ErrTableSizeUpdate, hpack.ErrIntegerOverflow, hpack.ErrTruncated} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func logger(cc *serverConn) *slog.Logger {
	if l := cc.sc.Server().Logger; l != nil {
		return l
	}
	return slog.Default()
}

// hpackHeaderField is the HPACK decoder's field.
type hpackHeaderField = hpack.HeaderField
