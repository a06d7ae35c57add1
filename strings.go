package volt

// Header field names, in canonical form.
const (
	HeaderAccept           = "Accept"
	HeaderAcceptEncoding   = "Accept-Encoding"
	HeaderAuthorization    = "Authorization"
	HeaderCacheControl     = "Cache-Control"
	HeaderConnection       = "Connection"
	HeaderContentEncoding  = "Content-Encoding"
	HeaderContentLength    = "Content-Length"
	HeaderContentType      = "Content-Type"
	HeaderCookie           = "Cookie"
	HeaderDate             = "Date"
	HeaderExpect           = "Expect"
	HeaderHost             = "Host"
	HeaderLink             = "Link"
	HeaderLocation         = "Location"
	HeaderServer           = "Server"
	HeaderSetCookie        = "Set-Cookie"
	HeaderTE               = "TE"
	HeaderTrailer          = "Trailer"
	HeaderTransferEncoding = "Transfer-Encoding"
	HeaderUpgrade          = "Upgrade"
	HeaderUserAgent        = "User-Agent"
)

// Byte slices used on hot paths; never modified.
var (
	strGET         = []byte("GET")
	strSlash       = []byte("/")
	strHTTP10      = []byte("HTTP/1.0")
	strHTTP11      = []byte("HTTP/1.1")
	strChunked     = []byte("chunked")
	strClose       = []byte("close")
	strUpgrade     = []byte("Upgrade")
	strKeepAlive   = []byte("keep-alive")
	strTextPlain   = []byte("text/plain; charset=utf-8")
	strDefaultName = []byte("volt")
)
