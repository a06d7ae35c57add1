package volt

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/volthttp/volt/internal/bytesconv"
)

// Defaults of FS settings left at zero.
const (
	// DefaultFSCacheDuration is how long FS trusts what it cached about a
	// file before it checks the file again.
	DefaultFSCacheDuration = 10 * time.Second
	// DefaultFSMaxCompressSize is the largest file FS compresses itself.
	DefaultFSMaxCompressSize = 8 << 20
	// DefaultFSCompressedCacheBytes bounds the memory of the compressed
	// variants FS keeps.
	DefaultFSCompressedCacheBytes = 64 << 20
)

// fsSmallFileSize is the largest file whose contents FS keeps in memory;
// larger files are opened for each request and sent by the kernel
// (sendfile) where the connection allows it.
const fsSmallFileSize = 64 << 10

// PathRewriteFunc maps a request onto the path of the file FS serves, in
// the form RequestCtx.Path has ("/dir/file.txt"). Returning nil makes FS
// answer 404. The returned slice must stay valid until the handler
// returns.
type PathRewriteFunc func(ctx *RequestCtx) []byte

// StripPrefix returns a PathRewriteFunc that removes prefix (such as
// "/static") from the request path, so that "/static/app.js" is served
// from "app.js" in the root. A path that does not start with prefix
// followed by "/" or its end gets 404.
func StripPrefix(prefix string) PathRewriteFunc {
	for len(prefix) > 0 && prefix[len(prefix)-1] == '/' {
		prefix = prefix[:len(prefix)-1]
	}
	return func(ctx *RequestCtx) []byte {
		p := ctx.Path()
		if !bytes.HasPrefix(p, bytesconv.S2B(prefix)) {
			return nil
		}
		rest := p[len(prefix):]
		switch {
		case len(rest) == 0:
			return strSlash
		case rest[0] != '/':
			return nil
		}
		return rest
	}
}

// FS is a RequestHandler factory that serves static files from a
// directory (Root) or an fs.FS (FileSystem). Set its fields, then serve
// with Handler; the fields must not change afterwards.
//
//	fs := &volt.FS{Root: "./public", Compress: true, AcceptByteRange: true}
//	srv := &volt.Server{Handler: fs.Handler()}
//
// It answers GET and HEAD (405 otherwise) with:
//
//   - the file's bytes with a Content-Type by extension (a built-in table,
//     then the mime package; a text file without a known extension is
//     text/plain, anything else application/octet-stream);
//   - ETag and Last-Modified validators, and the conditional requests of
//     RFC 9110 section 13 (If-Match, If-Unmodified-Since, If-None-Match,
//     If-Modified-Since, evaluated in the order of section 13.2.2, giving
//     412 or 304, and If-Range);
//   - byte ranges when AcceptByteRange is set (RFC 9110 section 14: one
//     range gives 206 with Content-Range, several a multipart/byteranges
//     body, none satisfiable 416 with "Content-Range: bytes */length"; a
//     malformed Range is ignored);
//   - compression when Compress is set: the variant the client's
//     Accept-Encoding prefers (all its field lines read as one list) is
//     built once per file and cached in memory, within
//     CompressedCacheBytes, and precompressed siblings (file.br,
//     file.zst, file.gz) are served as they are when present;
//   - directories: "dir" redirects to "dir/", which serves the first
//     existing IndexNames file, or a listing when GenerateIndexPages is
//     set, or 403.
//
// # Safety
//
// No request reaches a file outside the root: the path is normalised
// (dot segments removed, RequestCtx.Path), and FS refuses with 400 any
// path that still holds a ".." or "." segment, an encoded slash or
// backslash ("%2F", "%5C"), a NUL or other control byte, or bytes that are
// not valid UTF-8 (overlong encodings); a name starting with "." (".git",
// ".env") is hidden, answered 404 and left out of listings, unless
// AllowHidden is set (".well-known", RFC 8615, is always served). With
// Root, files are opened through os.Root, so that symbolic links leading
// out of the root are refused (403) unless AllowSymlinks is set.
//
// # Caching
//
// FS caches, per path, the file's metadata, validators, type, the
// contents of files up to 64 KiB and the compressed variants. An entry is
// trusted for CacheDuration, then checked with a stat of the file (and of
// its precompressed siblings) on next use: if the file changed, its
// entry, compressed variants included, is rebuilt. Entries not used for
// CacheDuration are dropped. Larger files are opened for each request and
// sent with sendfile(2) where the connection allows it, so serving them
// takes no memory beyond the connection's buffers.
//
// The compressed variants of all files together hold at most
// CompressedCacheBytes (64 MiB by default): past it, the variants served
// least recently are dropped, and built again when next asked for. A
// variant larger than the whole budget is not kept; its file is
// compressed for each response instead, as CompressHandler does (see
// CompressedCacheBytes). Serving a cached variant allocates nothing.
type FS struct {
	// Root is the directory served. It is used when FileSystem is nil.
	// If both are empty, the current directory is served.
	Root string

	// FileSystem is served instead of Root when set. Whether symbolic
	// links may leave it is up to it (os.DirFS follows them; the FS of an
	// os.Root refuses those that leave the root). Files it opens as
	// *os.File are sent with sendfile(2).
	FileSystem fs.FS

	// IndexNames are the files served for a directory, the first that
	// exists winning. If nil, "index.html"; if empty, none.
	IndexNames []string

	// GenerateIndexPages makes a directory without index file answer with
	// an HTML listing of its entries (sorted, names escaped). If false,
	// such a directory gets 403.
	GenerateIndexPages bool

	// Compress serves compressed variants to clients that accept them:
	// files of a compressible type (CompressOptions.Types) and at most
	// MaxCompressSize bytes are compressed once, at the first request for
	// each coding, and kept in memory; precompressed siblings are served
	// whatever their size. Every response of a compressible type gets
	// "Vary: Accept-Encoding". Range requests are served uncompressed.
	Compress bool

	// CompressOptions tunes Compress; its DecodeRequests fields do not
	// apply. If nil, the defaults, with Level 9 (each file is compressed
	// once).
	CompressOptions *CompressOptions

	// MaxCompressSize is the largest file FS compresses itself. If zero,
	// DefaultFSMaxCompressSize (8 MiB); if negative, FS compresses nothing
	// itself and serves precompressed siblings only.
	MaxCompressSize int64

	// CompressedCacheBytes bounds the memory held by the variants FS
	// compresses itself, all files together: the bytes of their data
	// (precompressed siblings and file contents are not counted). When a
	// new variant would take the total past it, the variants served least
	// recently are dropped, to be compressed again when next asked for.
	// A variant larger than the whole bound is not kept: the request that
	// compressed it gets it, later ones get the file compressed as it is
	// sent (without Content-Length when over 64 KiB; with a weak ETag), at
	// CompressOptions.Level or, if that is zero, each coding's default for
	// dynamic content, as with CompressHandler. If zero,
	// DefaultFSCompressedCacheBytes (64 MiB); if negative, no variant is
	// kept and every file FS compresses is compressed for each response.
	CompressedCacheBytes int64

	// AcceptByteRange answers Range requests (and sends
	// "Accept-Ranges: bytes"). If false, Range is ignored.
	AcceptByteRange bool

	// CacheDuration is how long a cached file entry is trusted before the
	// file is checked again. If zero, DefaultFSCacheDuration (10 s); if
	// negative, the file is checked (one stat) on every request.
	CacheDuration time.Duration

	// CacheControl returns the Cache-Control value sent with the file at
	// path (the path FS serves, such as "/css/site.css"), or "" for none.
	// The argument is only valid until the callback returns. If nil, no
	// Cache-Control is sent.
	CacheControl func(path []byte) string

	// PathRewrite maps the request onto the file path to serve (see
	// StripPrefix). If nil, the request's Path is served.
	PathRewrite PathRewriteFunc

	// PathNotFound answers requests for files that do not exist (or are
	// hidden). If nil, 404 Not Found with a short text body.
	PathNotFound RequestHandler

	// AllowSymlinks lets symbolic links under Root point anywhere. If
	// false, links that resolve outside Root are refused (403). It does
	// not apply to FileSystem.
	AllowSymlinks bool

	// AllowHidden serves files and directories whose name starts with
	// "." and lists them. If false, they are answered 404 and unlisted.
	AllowHidden bool

	once sync.Once
	h    *fsHandler
}

// Handler returns the handler serving f. f must not be changed
// afterwards. The root directory is opened at the first request; if it
// cannot be, requests get 500 until it can.
func (f *FS) Handler() RequestHandler {
	f.once.Do(func() { f.h = newFSHandler(f) })
	return f.h.serve
}

// fsHandler is the state behind FS.Handler.
type fsHandler struct {
	cfg         *FS
	compress    *compressConfig // nil when Compress is off
	maxCompress int64
	streamLevel int // CompressOptions.Level, for stream variants (0: each coding's default)
	expiry      time.Duration
	indexNames  []string

	rootMu sync.Mutex                 // serialises opening the root
	fsys   atomic.Pointer[fsysHolder] // nil until opened

	cache fsCache
}

func newFSHandler(f *FS) *fsHandler {
	h := &fsHandler{cfg: f}
	if f.FileSystem != nil {
		h.fsys.Store(&fsysHolder{f.FileSystem})
	}
	if f.Compress {
		h.compress = newCompressConfig(f.CompressOptions, true)
		if f.CompressOptions != nil {
			h.streamLevel = clampLevel(f.CompressOptions.Level)
		}
	}
	h.maxCompress = f.MaxCompressSize
	if h.maxCompress == 0 {
		h.maxCompress = DefaultFSMaxCompressSize
	}
	h.expiry = f.CacheDuration
	switch {
	case h.expiry == 0:
		h.expiry = DefaultFSCacheDuration
	case h.expiry < 0:
		h.expiry = 0
	}
	h.indexNames = f.IndexNames
	if h.indexNames == nil {
		h.indexNames = []string{"index.html"}
	}
	h.cache.m = make(map[string]*fsEntry)
	limit := f.CompressedCacheBytes
	switch {
	case limit == 0:
		limit = DefaultFSCompressedCacheBytes
	case limit < 0:
		limit = 0
	}
	h.cache.lru.init(limit)
	return h
}

// fsysHolder boxes the fs.FS served, for an atomic pointer.
type fsysHolder struct{ fs.FS }

// files returns the file system served, opening Root the first time.
func (h *fsHandler) files() (fs.FS, error) {
	if fh := h.fsys.Load(); fh != nil {
		return fh.FS, nil
	}
	h.rootMu.Lock()
	defer h.rootMu.Unlock()
	if fh := h.fsys.Load(); fh != nil {
		return fh.FS, nil
	}
	dir := h.cfg.Root
	if dir == "" {
		dir = "."
	}
	var fsys fs.FS
	if h.cfg.AllowSymlinks {
		if st, err := os.Stat(dir); err != nil {
			return nil, fsRootError{err}
		} else if !st.IsDir() {
			return nil, fsRootError{ErrNotDirectory}
		}
		fsys = os.DirFS(dir)
	} else {
		root, err := os.OpenRoot(dir)
		if err != nil {
			return nil, fsRootError{err}
		}
		fsys = root.FS()
	}
	h.fsys.Store(&fsysHolder{fsys})
	return fsys, nil
}

// fsRootError is the failure to open FS.Root: a server error, not a
// missing file.
type fsRootError struct{ err error }

func (e fsRootError) Error() string { return "volt: FS root: " + e.err.Error() }

func (e fsRootError) Unwrap() error { return e.err }

var strAllowGetHead = []byte("GET, HEAD")

// serve is the RequestHandler of an FS.
func (h *fsHandler) serve(ctx *RequestCtx) {
	rh := &ctx.Request.Header
	if !rh.IsGet() && !rh.IsHead() {
		ctx.Error(StatusMessage(StatusMethodNotAllowed), StatusMethodNotAllowed)
		ctx.Response.Header.SetBytes(bytesconv.S2B(HeaderAllow), strAllowGetHead)
		return
	}
	reqPath := ctx.Path()
	if ctx.Request.uri.DisablePathNormalization {
		reqPath = appendNormalizedPath(nil, ctx.URI().PathOriginal())
	}
	p := reqPath
	if h.cfg.PathRewrite != nil {
		if p = h.cfg.PathRewrite(ctx); p == nil {
			h.notFound(ctx)
			return
		}
	}
	name, dirSlash, code := fsName(p, h.cfg.AllowHidden)
	if code != 0 {
		if code == StatusNotFound {
			h.notFound(ctx)
		} else {
			ctx.Error(StatusMessage(code), code)
		}
		return
	}
	now := ctx.Time()
	if now.IsZero() {
		now = time.Now()
	}
	for try := 0; ; try++ {
		e, err := h.lookup(name, now)
		if err != nil {
			h.fail(ctx, err)
			return
		}
		if e.isDir {
			if !dirSlash {
				h.redirectToDir(ctx, reqPath)
				return
			}
			if e.index == nil {
				if h.cfg.GenerateIndexPages {
					h.serveListing(ctx, e, reqPath)
				} else {
					ctx.Error(StatusMessage(StatusForbidden), StatusForbidden)
				}
				return
			}
			if e, err = h.lookup(e.index, now); err != nil || e.isDir {
				h.notFound(ctx)
				return
			}
		} else if dirSlash {
			h.notFound(ctx)
			return
		}
		if h.serveFile(ctx, e, p) {
			return
		}
		// The file changed since it was cached: serve it afresh, once.
		h.cache.drop(e)
		if try > 0 {
			ctx.Error(StatusMessage(StatusServiceUnavailable), StatusServiceUnavailable)
			return
		}
	}
}

// fsName turns a request path into the name of a file of an fs.FS
// ("." for the root, "a/b.txt"), reporting whether the path ended with
// '/'. It refuses (code 400) what could leave the root or confuse the
// file system, and hides (code 404) names starting with '.'.
func fsName(p []byte, allowHidden bool) (name []byte, dirSlash bool, code int) {
	if len(p) == 0 || p[0] != '/' {
		return nil, false, StatusBadRequest
	}
	p = p[1:]
	if len(p) > 0 && p[len(p)-1] == '/' {
		dirSlash = true
		p = p[:len(p)-1]
	}
	if len(p) == 0 {
		return strDot, true, 0
	}
	if !utf8.Valid(p) {
		return nil, false, StatusBadRequest
	}
	escaped := false
	for seg := range bytes.SplitSeq(p, strSlash) {
		switch {
		case len(seg) == 0, len(seg) == 1 && seg[0] == '.', len(seg) == 2 && seg[0] == '.' && seg[1] == '.':
			return nil, false, StatusBadRequest
		case seg[0] == '.' && !allowHidden && string(seg) != ".well-known":
			return nil, false, StatusNotFound
		}
		for i, c := range seg {
			switch {
			case c < 0x20 || c == 0x7f || c == '\\':
				return nil, false, StatusBadRequest
			case c == '%':
				// Path keeps only %2F, %5C, %25 and %00 encoded: only
				// "%25", a literal '%', names a file.
				if i+2 >= len(seg) || seg[i+1] != '2' || seg[i+2] != '5' {
					return nil, false, StatusBadRequest
				}
				escaped = true
			}
		}
	}
	if !escaped {
		return p, dirSlash, 0
	}
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		out = append(out, p[i])
		if p[i] == '%' {
			i += 2
		}
	}
	return out, dirSlash, 0
}

var strDot = []byte(".")

// fail answers a request whose file could not be looked up.
func (h *fsHandler) fail(ctx *RequestCtx, err error) {
	var pe *fs.PathError
	var re fsRootError
	switch {
	case errors.As(err, &re):
		if s := ctx.Server(); s != nil {
			s.logger().Error("volt: FS", "error", err)
		}
		ctx.Error(StatusMessage(StatusInternalServerError), StatusInternalServerError)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.ENAMETOOLONG), errors.Is(err, fs.ErrInvalid):
		h.notFound(ctx)
	case errors.Is(err, fs.ErrPermission),
		errors.As(err, &pe) && pe.Err.Error() == "path escapes from parent": // os.Root refusing a symlink
		ctx.Error(StatusMessage(StatusForbidden), StatusForbidden)
	default:
		if s := ctx.Server(); s != nil {
			s.logger().Error("volt: FS", "error", err)
		}
		ctx.Error(StatusMessage(StatusInternalServerError), StatusInternalServerError)
	}
}

func (h *fsHandler) notFound(ctx *RequestCtx) {
	if h.cfg.PathNotFound != nil {
		h.cfg.PathNotFound(ctx)
		return
	}
	ctx.NotFound()
}

// redirectToDir answers a request for a directory without its trailing
// slash with a redirect to the same path with one (and the query).
func (h *fsHandler) redirectToDir(ctx *RequestCtx, reqPath []byte) {
	loc := make([]byte, 0, len(reqPath)+16)
	loc = appendEscaped(loc, reqPath, &isPathChar)
	loc = append(loc, '/')
	if qs := ctx.URI().QueryString(); len(qs) > 0 {
		loc = append(append(loc, '?'), qs...)
	}
	ctx.Response.Header.SetBytes(bytesconv.S2B(HeaderLocation), loc)
	ctx.Response.Header.SetStatusCode(StatusMovedPermanently)
}

// serveFile answers with the file of e, as the request's validators,
// ranges and Accept-Encoding ask. It reports false when the file changed
// since e was cached; nothing is answered then.
func (h *fsHandler) serveFile(ctx *RequestCtx, e *fsEntry, p []byte) bool {
	rh := &ctx.Request.Header
	resp := &ctx.Response
	wantRange := h.cfg.AcceptByteRange && rh.IsGet() && rh.Peek(HeaderRange) != nil && e.size > 0

	// Choose the representation.
	v := &e.identity
	if h.compress != nil && e.compressible {
		addVary(&resp.Header)
		if !wantRange {
			if enc := negotiateRequestEncoding(rh, e.offered(h)); enc != encIdentity {
				if cv := h.variant(e, enc); cv != nil {
					v = cv
				}
			}
		}
	}
	hdr := &resp.Header
	hdr.SetBytes(bytesconv.S2B(HeaderETag), v.etag)
	if e.lastModified != nil {
		hdr.SetBytes(bytesconv.S2B(HeaderLastModified), e.lastModified)
	}
	if h.cfg.CacheControl != nil {
		if cc := h.cfg.CacheControl(p); cc != "" {
			hdr.Set(HeaderCacheControl, cc)
		}
	}
	switch checkPreconditions(rh, v.etag, e) {
	case StatusNotModified:
		resp.ResetBody()
		hdr.SetStatusCode(StatusNotModified)
		return true
	case StatusPreconditionFailed:
		ctx.Error(StatusMessage(StatusPreconditionFailed), StatusPreconditionFailed)
		return true
	}
	hdr.SetContentTypeBytes(e.contentType)
	if v.enc != encIdentity {
		hdr.SetBytes(bytesconv.S2B(HeaderContentEncoding), bytesconv.S2B(encodingNames[v.enc]))
	} else if h.cfg.AcceptByteRange {
		hdr.SetBytes(bytesconv.S2B(HeaderAcceptRanges), strBytes)
		if wantRange && ifRangeHolds(rh, v.etag, e, ctx.Time()) {
			var buf [maxRanges]byteRange
			ranges, st := parseRange(rh.Peek(HeaderRange), e.size, buf[:0])
			switch st {
			case rangeUnsatisfiable:
				ctx.Error(StatusMessage(StatusRequestedRangeNotSatisfiable), StatusRequestedRangeNotSatisfiable)
				var cr [40]byte
				hdr.SetBytes(bytesconv.S2B(HeaderContentRange), appendContentRange(cr[:0], -1, 0, e.size))
				return true
			case rangeOK:
				return h.serveRanges(ctx, e, ranges)
			}
		}
	}
	return h.sendVariant(ctx, e, v, 0, v.size)
}

var strBytes = []byte("bytes")

// sendVariant sets the body to n bytes of v from off: from memory, or
// from the file opened anew. It reports false when the file on disk no
// longer matches the cache entry.
func (h *fsHandler) sendVariant(ctx *RequestCtx, e *fsEntry, v *fsVariant, off, n int64) bool {
	resp := &ctx.Response
	if v.stream {
		return h.sendCompressed(ctx, e, v.enc)
	}
	if ctx.IsHead() {
		resp.ResetBody()
		resp.Header.SetContentLength(n)
		return true
	}
	if v.data != nil {
		resp.SetBody(v.data[off : off+n])
		return true
	}
	f, ok := h.openVariant(e, v)
	if !ok {
		return false
	}
	if off > 0 {
		if _, err := seekTo(f, off); err != nil {
			_ = f.Close()
			ctx.Error(StatusMessage(StatusInternalServerError), StatusInternalServerError)
			return true
		}
	}
	resp.SetBodyStream(f, n)
	return true
}

// sendCompressed sets the body to e's file compressed with enc for this
// response: a file held in memory is compressed into the body (HEAD gets
// its length), a larger one as it is sent, chunked. It reports false when
// the file on disk no longer matches the cache entry.
func (h *fsHandler) sendCompressed(ctx *RequestCtx, e *fsEntry, enc encoding) bool {
	resp := &ctx.Response
	if e.identity.data != nil {
		aw := appendWriterPool.Get().(*appendWriter)
		aw.b = aw.b[:0]
		compressTo(aw, e.identity.data, enc, h.streamLevel)
		resp.SetBody(aw.b) // HEAD sends only its length
		appendWriterPool.Put(aw)
		return true
	}
	f, ok := h.openVariant(e, &e.identity)
	if !ok {
		return false
	}
	// For HEAD the stream is not read, only closed: the head matches GET's.
	resp.SetBodyStream(acquireCompressReader(f, enc, h.streamLevel), -1)
	return true
}

// openVariant opens the file behind v and checks that it is still the
// one cached.
func (h *fsHandler) openVariant(e *fsEntry, v *fsVariant) (fs.File, bool) {
	fsys, err := h.files()
	if err != nil {
		return nil, false
	}
	f, err := fsys.Open(v.file)
	if err != nil {
		return nil, false
	}
	st, err := f.Stat()
	if err != nil || st.Size() != v.size || !st.ModTime().Equal(v.modTime) {
		_ = f.Close()
		return nil, false
	}
	return f, true
}

// seekTo moves f to off, by Seek where f can, else by reading.
func seekTo(f fs.File, off int64) (int64, error) {
	if s, ok := f.(io.Seeker); ok {
		return s.Seek(off, io.SeekStart)
	}
	return io.CopyN(io.Discard, f, off)
}
