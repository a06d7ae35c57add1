package fastcgi

import (
	"bytes"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/bytesconv"
)

// resolveScript finds the script a request path names under the document
// root, and appends the cleaned path to dst: dst[:nameEnd] is SCRIPT_NAME
// and dst[nameEnd:] is PATH_INFO. When the script is the directory's
// index, Index is appended to dst and PATH_INFO is empty. status is 0 on
// success, else the HTTP status to answer with.
//
// The rules that keep the root from being escaped and other files from
// running as scripts:
//   - a NUL byte anywhere is 400;
//   - the path is cleaned ("." and empty segments dropped, ".." removes
//     the segment before it); a ".." that would climb above the root is
//     400;
//   - the script is the first segment, from the left, whose name ends in
//     SplitExt and which names a regular file; a segment ending in
//     SplitExt that is a directory is passed over, anything else (missing,
//     a FIFO, a file under a path segment that is itself a file, as in
//     /uploads/evil.jpg/x.php) is 404, so a file not ending in SplitExt
//     never runs;
//   - a path with no such segment that names a directory runs the
//     directory's Index file if it is a regular file; otherwise 404;
//   - files are looked up through an os.Root opened on Root: symbolic
//     links may point within the root but not out of it (404).
func (c *Client) resolveScript(dst, p []byte) (out []byte, nameEnd, status int) {
	if bytes.IndexByte(p, 0) >= 0 {
		return dst, 0, volt.StatusBadRequest
	}
	start := len(dst)
	dst, ok := appendCleanPath(dst, p)
	if !ok {
		return dst, 0, volt.StatusBadRequest
	}
	clean := dst[start:]
	ext := c.splitExt
	for i := 1; i <= len(clean); i++ {
		if i < len(clean) && clean[i] != '/' {
			continue
		}
		seg := clean[bytes.LastIndexByte(clean[:i], '/')+1 : i]
		if len(seg) <= len(ext) || !bytes.HasSuffix(seg, bytesconv.S2B(ext)) {
			continue
		}
		fi, err := c.root.Stat(bytesconv.B2S(clean[1:i]))
		if err != nil {
			return dst, 0, volt.StatusNotFound
		}
		if fi.IsDir() {
			continue
		}
		if !fi.Mode().IsRegular() {
			return dst, 0, volt.StatusNotFound
		}
		return dst, start + i, 0
	}
	rel := "."
	if len(clean) > 1 {
		rel = bytesconv.B2S(clean[1:])
	}
	fi, err := c.root.Stat(rel)
	if err != nil || !fi.IsDir() {
		return dst, 0, volt.StatusNotFound
	}
	if dst[len(dst)-1] != '/' {
		dst = append(dst, '/')
	}
	dst = append(dst, c.index...)
	if fi, err = c.root.Stat(bytesconv.B2S(dst[start+1:])); err != nil || !fi.Mode().IsRegular() {
		return dst, 0, volt.StatusNotFound
	}
	return dst, len(dst), 0
}

// appendCleanPath appends p, cleaned, to dst: it starts with '/', holds no
// empty, "." or ".." segments, and ends with '/' if p ends with '/', "/."
// or "/.." (unless it is "/"). It reports false if a ".." would climb
// above the root.
func appendCleanPath(dst, p []byte) ([]byte, bool) {
	start := len(dst)
	dirEnd := false
	for len(p) > 0 {
		i := bytes.IndexByte(p, '/')
		var seg []byte
		if i < 0 {
			seg, p = p, nil
		} else {
			seg, p = p[:i], p[i+1:]
		}
		dirEnd = i >= 0 && len(p) == 0
		switch string(seg) {
		case "", ".":
			dirEnd = dirEnd || len(p) == 0
			continue
		case "..":
			if len(dst) == start {
				return dst, false
			}
			dst = dst[:start+bytes.LastIndexByte(dst[start:], '/')]
			dirEnd = dirEnd || len(p) == 0
			continue
		}
		dst = append(dst, '/')
		dst = append(dst, seg...)
	}
	if len(dst) == start || dirEnd {
		dst = append(dst, '/')
	}
	return dst, true
}
