package volt

// appendLocation appends uri to dst for a Location field, percent-encoding
// the bytes a URI reference cannot hold as they are: controls (CR, LF and
// NUL among them), SP, DEL, bytes >= 0x80, and '\\', which browsers read
// as '/' (so that "/\\host" would name another host). '%' is copied: uri
// may already be escaped, and a path in RequestCtx.Path form keeps the
// escapes of '%', '/', '\\' and NUL.
func appendLocation(dst []byte, uri string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		if c <= ' ' || c >= 0x7f || c == '\\' {
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// locationNeedsEscape reports whether appendLocation would change uri.
func locationNeedsEscape(uri string) bool {
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return true
		}
	}
	return false
}
