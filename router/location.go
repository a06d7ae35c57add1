package router

import "github.com/volthttp/volt/internal/ascii"

// Every Location the router builds goes through the functions of this
// file, which percent-encode what a URI reference cannot hold as it is
// (controls, CR, LF and NUL among them, SP, '\\', bytes >= 0x80), so that
// no path or query, decoded or not, can split the response or point the
// client at another host.

const hexDigits = "0123456789ABCDEF"

// appendLocationPath appends path to dst as the path of a Location that
// stays on the request's host: a run of leading slashes becomes one (a
// Location starting with "//" names another host), bytes outside pchar
// and '/' are percent-encoded ('\\' too, which browsers read as '/'), and
// in a path not starting with '/', a ':' in the first segment is encoded
// (it would read as a scheme). With decoded set, path is in the form
// RequestCtx.Path returns, where a '%' always starts one of the escapes
// the normalisation keeps; otherwise it is as sent, and a '%' starts an
// escape already. Either way '%' is copied.
func appendLocationPath(dst, path []byte, decoded bool) []byte {
	for len(path) > 1 && path[0] == '/' && path[1] == '/' {
		path = path[1:]
	}
	firstSeg := len(path) == 0 || path[0] != '/'
	for _, c := range path {
		if c == '/' {
			firstSeg = false
		}
		keep := c == '%' || pathChar[c]
		if !decoded {
			keep = keep || ascii.IsTargetChar(c) && c != '?' && c != '#'
		}
		if keep && !(firstSeg && c == ':') {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// appendLocationQuery appends a query string to dst for a Location,
// percent-encoding the bytes a query cannot hold as they are, and '#',
// which would start a fragment.
func appendLocationQuery(dst, q []byte) []byte {
	for _, c := range q {
		if c == '%' || ascii.IsTargetChar(c) && c != '#' {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// appendAbsoluteLocation appends an absolute URL ("https://host/path",
// or "//host/path") made by a Rewriter rule to dst: the scheme and
// authority are kept, with the bytes an authority cannot hold encoded,
// and the path is encoded as appendLocationPath does for a decoded path,
// except that leading slashes are kept (the host is already named).
func appendAbsoluteLocation(dst, u []byte) []byte {
	i := 0
	switch {
	case hasPrefix(u, "https://"):
		i = len("https://")
	case hasPrefix(u, "http://"):
		i = len("http://")
	case hasPrefix(u, "//"):
		i = len("//")
	}
	dst = append(dst, u[:i]...)
	u = u[i:]
	for len(u) > 0 && u[0] != '/' {
		c := u[0]
		if authorityChar[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
		u = u[1:]
	}
	for _, c := range u {
		if c == '%' || pathChar[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// authorityChar marks the bytes an authority may hold as they are (RFC
// 3986 section 3.2): unreserved, sub-delims, ':', '@', '[', ']' and '%'.
var authorityChar = alnumAnd("-._~!$&'()*+,;=:@[]%")

// alnumAnd returns a table that marks ASCII letters, digits and the bytes
// of extra.
func alnumAnd(extra string) (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for i := 0; i < len(extra); i++ {
		t[extra[i]] = true
	}
	return t
}
