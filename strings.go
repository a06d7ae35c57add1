package volt

// Header field names, in canonical form.
const (
	HeaderAccept            = "Accept"
	HeaderAcceptEncoding    = "Accept-Encoding"
	HeaderAcceptRanges      = "Accept-Ranges"
	HeaderAllow             = "Allow"
	HeaderAuthorization     = "Authorization"
	HeaderCacheControl      = "Cache-Control"
	HeaderConnection        = "Connection"
	HeaderContentEncoding   = "Content-Encoding"
	HeaderContentLength     = "Content-Length"
	HeaderContentRange      = "Content-Range"
	HeaderContentType       = "Content-Type"
	HeaderCookie            = "Cookie"
	HeaderDate              = "Date"
	HeaderETag              = "ETag"
	HeaderExpect            = "Expect"
	HeaderHost              = "Host"
	HeaderIfMatch           = "If-Match"
	HeaderIfModifiedSince   = "If-Modified-Since"
	HeaderIfNoneMatch       = "If-None-Match"
	HeaderIfRange           = "If-Range"
	HeaderIfUnmodifiedSince = "If-Unmodified-Since"
	HeaderLastModified      = "Last-Modified"
	HeaderLink              = "Link"
	HeaderLocation          = "Location"
	HeaderRange             = "Range"
	HeaderServer            = "Server"
	HeaderSetCookie         = "Set-Cookie"
	HeaderTE                = "TE"
	HeaderTrailer           = "Trailer"
	HeaderTransferEncoding  = "Transfer-Encoding"
	HeaderUpgrade           = "Upgrade"
	HeaderUserAgent         = "User-Agent"
	HeaderVary              = "Vary"
)

// Byte slices used on hot paths; never modified.
var (
	strGET         = []byte("GET")
	strSlash       = []byte("/")
	strHTTP10      = []byte("HTTP/1.0")
	strHTTP20      = []byte("HTTP/2.0")
	strHTTP11      = []byte("HTTP/1.1")
	strChunked     = []byte("chunked")
	strClose       = []byte("close")
	strUpgrade     = []byte("Upgrade")
	strKeepAlive   = []byte("keep-alive")
	strTextPlain   = []byte("text/plain; charset=utf-8")
	strDefaultName = []byte("volt")
)
