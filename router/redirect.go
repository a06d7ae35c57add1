package router

import (
	"github.com/volthttp/volt"
)

// redirectSlash redirects to path with its trailing slash added or
// removed, if a route serves that path for method id.
func (r *Router) redirectSlash(ctx *volt.RequestCtx, id int, path []byte) bool {
	if len(path) == 0 || path[0] != '/' {
		return false
	}
	var buf [256]byte
	var alt []byte
	if path[len(path)-1] == '/' {
		if len(path) == 1 {
			return false
		}
		alt = path[:len(path)-1]
	} else {
		alt = append(append(buf[:0], path...), '/') // on the heap if longer
	}
	if !r.serves(id, alt) {
		return false
	}
	redirect(ctx, alt, !ctx.URI().DisablePathNormalization, r.TrailingSlash.code(id))
	return true
}

// serves reports whether a route serves method id at path.
func (r *Router) serves(id int, path []byte) bool {
	l := newLookup(id, path)
	return r.root.find(path, &l) != nil
}

// redirectClean redirects a request whose path was sent in a non-clean
// form to the clean path, if a route serves it for method id.
func (r *Router) redirectClean(ctx *volt.RequestCtx, id int, path []byte) bool {
	u := ctx.URI()
	if !u.DisablePathNormalization {
		// path is the clean form of what was sent. Normalisation only ever
		// shortens a path (decoding, dropping segments), so when the
		// lengths agree nothing was changed.
		orig := u.PathOriginal()
		if len(orig) == len(path) || isCleanPath(orig, true) || len(path) == 0 || path[0] != '/' {
			return false
		}
		if !r.serves(id, path) {
			return false
		}
		redirect(ctx, path, true, r.CleanPath.code(id))
		return true
	}
	// The router sees the path as sent: clean it here.
	if len(path) == 0 || path[0] != '/' || isCleanPath(path, false) {
		return false
	}
	var buf [256]byte
	clean := appendCleanPath(buf[:0], path)
	if !r.serves(id, clean) {
		return false
	}
	redirect(ctx, clean, false, r.CleanPath.code(id))
	return true
}

// redirect answers with a redirect to path, percent-encoded (see
// appendLocationPath; decoded says whether path is in the form
// RequestCtx.Path returns), followed by the request's query string.
func redirect(ctx *volt.RequestCtx, path []byte, decoded bool, code int) {
	b := getBuf()
	loc := appendLocationPath((*b)[:0], path, decoded)
	if q := ctx.URI().QueryString(); len(q) > 0 {
		loc = append(loc, '?')
		loc = appendLocationQuery(loc, q)
	}
	ctx.Response.Header.SetBytes(strLocation, loc)
	ctx.SetStatusCode(code)
	*b = loc
	putBuf(b)
}

var strLocation = []byte(volt.HeaderLocation)

// isCleanPath reports whether p has no empty segment ("//") and no dot
// segment; with encoded set, "%2e" counts as a dot, as volt's
// normalisation decodes it.
func isCleanPath(p []byte, encoded bool) bool {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		j := i + 1
		for j < len(p) && p[j] != '/' {
			j++
		}
		seg := p[i+1 : j]
		if len(seg) == 0 && j < len(p) {
			return false // "//"
		}
		if dots := dotSegment(seg, encoded); dots == 1 || dots == 2 {
			return false
		}
		i = j - 1
	}
	return true
}

// dotSegment returns the number of dots a segment made only of dots
// holds ('.', or "%2e" with encoded set), or 0.
func dotSegment(seg []byte, encoded bool) int {
	n := 0
	for i := 0; i < len(seg); i++ {
		switch {
		case seg[i] == '.':
			n++
		case encoded && seg[i] == '%' && i+2 < len(seg) && seg[i+1] == '2' && (seg[i+2] == 'e' || seg[i+2] == 'E'):
			n++
			i += 2
		default:
			return 0
		}
		if n > 2 {
			return 0
		}
	}
	return n
}

// appendCleanPath appends p (which starts with '/') to dst without empty
// and dot segments (RFC 3986 section 5.2.4), keeping a trailing slash.
func appendCleanPath(dst, p []byte) []byte {
	start := len(dst)
	dst = append(dst, '/')
	for i := 1; i <= len(p); {
		j := i
		for j < len(p) && p[j] != '/' {
			j++
		}
		seg := p[i:j]
		last := j >= len(p)
		switch {
		case len(seg) == 0 || string(seg) == ".":
		case string(seg) == "..":
			// Drop the last segment written, if any.
			k := len(dst) - 1 // dst ends with '/'
			for k > start && dst[k-1] != '/' {
				k--
			}
			if k > start {
				dst = dst[:k]
			}
		default:
			dst = append(dst, seg...)
			if !last {
				dst = append(dst, '/')
			}
		}
		i = j + 1
	}
	return dst
}

// pathChar marks the bytes a path may hold as they are (RFC 3986 pchar
// and '/').
var pathChar = alnumAnd("-._~!$&'()*+,;=:@/")
