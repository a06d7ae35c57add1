package volt

// BodyUncompressed appends to dst the response body with the content
// codings of its Content-Encoding removed (gzip, deflate, br, zstd; a
// client sends Accept-Encoding itself to ask for them), and returns the
// extended slice. Without Content-Encoding it appends Body(). A streamed
// body (StreamResponseBody) is decoded as it is read.
//
// It decodes at most limit bytes, so that a decompression bomb costs no
// more memory than limit: past it, ErrBodyTooLarge. If limit is zero or
// negative, DefaultMaxResponseBodySize (64 MiB) is used. An unknown coding
// gives ErrUnsupportedContentEncoding, corrupt data ErrBadEncodedBody.
// Pass the previous result back as dst to reuse its storage.
func (r *Response) BodyUncompressed(dst []byte, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxResponseBodySize
	}
	ce := r.Header.Peek(HeaderContentEncoding)
	if ce == nil {
		if r.bodyStream != nil {
			return readDecoded(dst, r.bodyStream, limit)
		}
		if int64(len(r.body)) > limit {
			return dst, ErrBodyTooLarge
		}
		return append(dst, r.body...), nil
	}
	return decodeContent(dst, ce, r.BodyStream(), limit)
}
