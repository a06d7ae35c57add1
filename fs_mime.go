package volt

import (
	"io"
	"io/fs"
	"mime"
	"path"
	"strings"
	"unicode/utf8"
)

// fsTypes are the Content-Types FS gives the common extensions, before
// asking the mime package (whose answers depend on the system's tables).
var fsTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
	".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
	".mjs": "text/javascript; charset=utf-8", ".json": "application/json",
	".map": "application/json", ".txt": "text/plain; charset=utf-8",
	".md": "text/markdown; charset=utf-8", ".csv": "text/csv; charset=utf-8",
	".xml": "application/xml", ".svg": "image/svg+xml", ".wasm": "application/wasm",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
	".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
	".pdf": "application/pdf", ".zip": "application/zip", ".gz": "application/gzip",
	".br": "application/x-brotli", ".zst": "application/zstd", ".tar": "application/x-tar",
	".mp4": "video/mp4", ".webm": "video/webm", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
	".go": "text/plain; charset=utf-8", ".sh": "text/plain; charset=utf-8",
	".yaml": "text/plain; charset=utf-8", ".yml": "text/plain; charset=utf-8",
	".toml": "text/plain; charset=utf-8", ".log": "text/plain; charset=utf-8",
}

var (
	strOctetStream = []byte("application/octet-stream")
	strTextUTF8    = []byte("text/plain; charset=utf-8")
)

// contentTypeOf returns the Content-Type of the file name: by extension
// (fsTypes, then mime.TypeByExtension), else text/plain when its first
// 512 bytes (data, or read from f) are UTF-8 text, else
// application/octet-stream.
func contentTypeOf(name string, data []byte, f fs.File) []byte {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := fsTypes[ext]; ok {
		return []byte(t)
	}
	if ext != "" {
		if t := mime.TypeByExtension(ext); t != "" {
			return []byte(t)
		}
	}
	head := data
	if head == nil {
		var buf [512]byte
		n, _ := io.ReadFull(f, buf[:])
		head = buf[:n]
	}
	if len(head) > 512 {
		head = head[:512]
	}
	if looksLikeText(head) {
		return strTextUTF8
	}
	return strOctetStream
}

// looksLikeText reports whether b is UTF-8 without control bytes other
// than whitespace; a rune cut at the end of b is allowed.
func looksLikeText(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			return len(b) < utf8.UTFMax && !utf8.FullRune(b)
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7f {
			return false
		}
		b = b[size:]
	}
	return true
}
