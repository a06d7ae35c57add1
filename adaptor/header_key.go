package adaptor

import "net/http"

// commonKeys maps the canonical names of common request fields to
// themselves, so that looking one up with a []byte key (which the
// compiler does without converting) gives a string without allocating.
var commonKeys = func() map[string]string {
	m := make(map[string]string)
	for _, k := range []string{
		"Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language",
		"Authorization", "Cache-Control", "Connection", "Content-Encoding",
		"Content-Length", "Content-Type", "Cookie", "Date", "Dnt", "Expect",
		"Forwarded", "From", "If-Match", "If-Modified-Since", "If-None-Match",
		"If-Range", "If-Unmodified-Since", "Keep-Alive", "Origin", "Pragma",
		"Priority", "Range", "Referer", "Sec-Ch-Ua", "Sec-Ch-Ua-Mobile",
		"Sec-Ch-Ua-Platform", "Sec-Fetch-Dest", "Sec-Fetch-Mode",
		"Sec-Fetch-Site", "Sec-Fetch-User", "Sec-Websocket-Extensions",
		"Sec-Websocket-Key", "Sec-Websocket-Protocol", "Sec-Websocket-Version",
		"Te", "Upgrade", "Upgrade-Insecure-Requests", "User-Agent", "Via",
		"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
		"X-Real-Ip", "X-Request-Id", "X-Requested-With",
	} {
		m[k] = k
	}
	return m
}()

// commonMethods are the method strings net/http names, shared by every
// request.
var commonMethods = map[string]string{
	http.MethodGet: http.MethodGet, http.MethodHead: http.MethodHead,
	http.MethodPost: http.MethodPost, http.MethodPut: http.MethodPut,
	http.MethodPatch: http.MethodPatch, http.MethodDelete: http.MethodDelete,
	http.MethodConnect: http.MethodConnect, http.MethodOptions: http.MethodOptions,
	http.MethodTrace: http.MethodTrace,
}

// appendCanonicalKey appends k in the canonical form net/http uses for
// header names (textproto.CanonicalMIMEHeaderKey): the first letter and
// every letter after a hyphen upper case, the others lower case. A name
// with a byte that is not a token character is appended unchanged, as
// net/http leaves it.
func appendCanonicalKey(dst, k []byte) []byte {
	for _, c := range k {
		if !isTokenByte(c) {
			return append(dst, k...)
		}
	}
	upper := true
	for _, c := range k {
		switch {
		case upper && 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case !upper && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
		upper = c == '-'
	}
	return dst
}

// isTokenByte reports whether c may appear in a token (RFC 9110 section
// 5.6.2).
func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
