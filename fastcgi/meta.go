package fastcgi

import (
	"net"
	"net/netip"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/bytesconv"
)

// paramsWriter appends parameters and keeps the first error.
type paramsWriter struct {
	b   []byte
	err error
}

func (p *paramsWriter) add(name string, value []byte) {
	if p.err == nil {
		p.b, p.err = appendParam(p.b, name, value)
	}
}

func (p *paramsWriter) addString(name, value string) { p.add(name, bytesconv.S2B(value)) }

// addJoin adds name=a+b.
func (p *paramsWriter) addJoin(name, a string, b []byte) {
	if p.err != nil {
		return
	}
	if len(a)+len(b) > maxPairLen || len(p.b)+8+len(name)+len(a)+len(b) > MaxParamsSize {
		p.err = ErrParamTooLong
		return
	}
	p.b = appendPairLen(p.b, len(name))
	p.b = appendPairLen(p.b, len(a)+len(b))
	p.b = append(p.b, name...)
	p.b = append(p.b, a...)
	p.b = append(p.b, b...)
}

// buildParams encodes the CGI/1.1 meta-variables of RFC 3875 section 4.1
// for the request into cn.params. cn.path holds SCRIPT_NAME up to nameEnd
// and PATH_INFO after it; contentLength is the body length sent as STDIN,
// or -1 for none.
func (cn *conn) buildParams(ctx *volt.RequestCtx, nameEnd int, contentLength int64) error {
	c := cn.client
	p := paramsWriter{b: cn.params[:0]}
	h := &ctx.Request.Header
	p.addString("GATEWAY_INTERFACE", "CGI/1.1")
	p.addString("SERVER_SOFTWARE", "volt")
	p.add("SERVER_PROTOCOL", h.Protocol())
	p.add("REQUEST_METHOD", h.Method())
	p.add("REQUEST_URI", h.RequestURI())
	p.add("QUERY_STRING", ctx.URI().QueryString())
	docRoot := c.rootPath
	if docRoot == "" {
		docRoot = "/"
	}
	p.addString("DOCUMENT_ROOT", docRoot)
	p.add("SCRIPT_NAME", cn.path[:nameEnd])
	p.addJoin("SCRIPT_FILENAME", c.rootPath, cn.path[:nameEnd])
	p.add("PATH_INFO", cn.path[nameEnd:])
	if nameEnd < len(cn.path) {
		p.addJoin("PATH_TRANSLATED", c.rootPath, cn.path[nameEnd:])
	}
	if ctx.IsTLS() {
		p.addString("HTTPS", "on")
		p.addString("REQUEST_SCHEME", "https")
	} else {
		p.addString("REQUEST_SCHEME", "http")
	}

	// SERVER_NAME and SERVER_PORT from Host, else the local address.
	host := ctx.Host()
	name, port := splitHostPort(host)
	local := addrPort(ctx.LocalAddr())
	var num [40]byte
	if len(name) == 0 && local.IsValid() {
		name = local.Addr().AppendTo(num[:0])
	}
	p.add("SERVER_NAME", name)
	if len(port) == 0 {
		switch {
		case local.IsValid():
			port = bytesconv.AppendUint(num[:0], int(local.Port()))
		case ctx.IsTLS():
			port = append(num[:0], "443"...)
		default:
			port = append(num[:0], "80"...)
		}
	}
	p.add("SERVER_PORT", port)
	if remote := addrPort(ctx.RemoteAddr()); remote.IsValid() {
		p.add("REMOTE_ADDR", remote.Addr().WithZone("").AppendTo(num[:0]))
		p.add("REMOTE_PORT", bytesconv.AppendUint(num[:0], int(remote.Port())))
	}
	if ct := h.ContentType(); len(ct) > 0 {
		p.add("CONTENT_TYPE", ct)
	}
	if contentLength >= 0 {
		p.add("CONTENT_LENGTH", bytesconv.AppendUint(num[:0], int(contentLength)))
	}
	if len(host) > 0 {
		p.add("HTTP_HOST", host)
	}
	cn.appendHeaderParams(&p, h)
	if p.err == nil && len(c.env) > 0 {
		if len(p.b)+len(c.env) > MaxParamsSize {
			p.err = ErrParamTooLong
		} else {
			p.b = append(p.b, c.env...)
		}
	}
	cn.params = p.b
	return p.err
}

// appendHeaderParams adds an HTTP_* variable for each request field
// (RFC 3875 section 4.1.18): the name upper-cased with '-' as '_', values
// of repeated fields joined with ", " ("; " for Cookie). Fields whose name
// holds '_' are dropped, so that "X_Real_IP" cannot pose as "X-Real-IP",
// and so is Proxy (HTTP_PROXY would be read as a proxy setting by CGI
// programs: "httpoxy"). Host, Content-Type and Content-Length are sent as
// HTTP_HOST, CONTENT_TYPE and CONTENT_LENGTH.
func (cn *conn) appendHeaderParams(p *paramsWriter, h *volt.RequestHeader) {
	i := 0
	for key := range h.All() {
		i++
		if skipHeader(key) {
			continue
		}
		// Emit a name once, at its first field, with every value joined.
		j, seen, first := 0, false, true
		cn.value = cn.value[:0]
		sep := ", "
		if bytesconv.EqualFold(key, "Cookie") {
			sep = "; "
		}
		for k, v := range h.All() {
			j++
			if !bytesconv.EqualFoldBytes(k, key) {
				continue
			}
			if j < i {
				seen = true
				break
			}
			if !first {
				cn.value = append(cn.value, sep...)
			}
			first = false
			cn.value = append(cn.value, v...)
		}
		if seen {
			continue
		}
		cn.name = append(cn.name[:0], "HTTP_"...)
		for _, b := range key {
			switch {
			case b == '-':
				b = '_'
			case 'a' <= b && b <= 'z':
				b -= 'a' - 'A'
			}
			cn.name = append(cn.name, b)
		}
		if p.err == nil {
			p.b, p.err = appendPair(p.b, cn.name, cn.value)
		}
	}
}

func skipHeader(key []byte) bool {
	for _, b := range key {
		if b == '_' {
			return true
		}
	}
	return bytesconv.EqualFold(key, "Host") || bytesconv.EqualFold(key, "Content-Type") ||
		bytesconv.EqualFold(key, "Content-Length") || bytesconv.EqualFold(key, "Proxy")
}

// splitHostPort splits a Host value into name and port; an IPv6 literal
// keeps its brackets off.
func splitHostPort(host []byte) (name, port []byte) {
	if len(host) > 0 && host[0] == '[' {
		for i := 1; i < len(host); i++ {
			if host[i] == ']' {
				name = host[1:i]
				if i+1 < len(host) && host[i+1] == ':' {
					port = host[i+2:]
				}
				return name, port
			}
		}
		return host, nil
	}
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			return host[:i], host[i+1:]
		}
	}
	return host, nil
}

func addrPort(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		ap := t.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}
