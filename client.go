package volt

import (
	"bytes"
	"context"
	"net"
	"sync"
	"time"
)

// Client sends requests to any host: it keeps a HostClient per scheme and
// host, created on first use with the Client's ConnConfig and removed after
// it has been idle for a while. It is safe for concurrent use.
//
// A URL names exactly one TCP host: Client refuses, with ErrInvalidHost
// and without dialling, a URL whose host is empty, a list ("a,b"), a Unix
// socket ("unix:...") or holds other bytes than a DNS name, an IP address
// and a port (see HostClient.Addr for lists and Unix sockets).
//
//	var c volt.Client
//	status, body, err := c.Get(nil, "https://example.com/")
type Client struct {
	ConnConfig

	mu       sync.RWMutex
	hosts    map[string]*HostClient
	cleaning bool
}

// hostClient returns the HostClient for the request's scheme and host.
func (c *Client) hostClient(req *Request) (*HostClient, error) {
	uri := req.URI()
	if req.uriErr != nil {
		return nil, req.uriErr
	}
	host := uri.Host()
	if !validURLHost(host) {
		return nil, ErrInvalidHost
	}
	scheme := uri.Scheme()
	isTLS := bytes.Equal(scheme, strHTTPS)
	if !isTLS && !bytes.Equal(scheme, strHTTP) {
		return nil, ErrUnsupportedScheme
	}
	// The key is scheme + "://" + host; the lookup does not allocate.
	var kb [128]byte
	key := append(append(append(kb[:0], scheme...), "://"...), host...)
	c.mu.RLock()
	hc := c.hosts[string(key)]
	c.mu.RUnlock()
	if hc != nil {
		return hc, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if hc = c.hosts[string(key)]; hc != nil {
		return hc, nil
	}
	if c.hosts == nil {
		c.hosts = make(map[string]*HostClient)
	}
	hc = &HostClient{ConnConfig: c.ConnConfig, Addr: string(host), IsTLS: isTLS, oneHost: true}
	c.hosts[string(key)] = hc
	if !c.cleaning {
		c.cleaning = true
		go c.clean()
	}
	return hc, nil
}

// validURLHost reports whether a URL's host (with its port, if any) names
// exactly one TCP host, the only thing a URL may make Client dial: a DNS
// name or an IPv4 address (letters, digits, '-', '.', '_', '~'), or an
// IPv6 address in brackets, then an optional port. Commas (which
// HostClient.Addr takes as a list), "unix:" (a Unix socket), userinfo,
// an empty host and every other byte are refused.
func validURLHost(host []byte) bool {
	if bytes.HasPrefix(host, strUnixPrefix) {
		return false
	}
	h := host
	port := []byte(nil)
	if len(h) > 0 && h[0] == '[' {
		end := bytes.IndexByte(h, ']')
		if end < 2 {
			return false
		}
		for _, c := range h[1:end] {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.') {
				return false
			}
		}
		if bytes.IndexByte(h[1:end], ':') < 0 {
			return false
		}
		port = h[end+1:]
		if len(port) > 0 && port[0] != ':' {
			return false
		}
	} else {
		if i := bytes.IndexByte(h, ':'); i >= 0 {
			h, port = h[:i], h[i:]
		}
		// "unix" would make the address "unix:port", which dialers take
		// as a Unix socket.
		if len(h) == 0 || string(h) == "unix" {
			return false
		}
		for _, c := range h {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
				return false
			}
		}
	}
	if len(port) > 0 {
		port = port[1:]
		if len(port) == 0 || !validPort(port) {
			return false
		}
	}
	return true
}

var strUnixPrefix = []byte("unix:")

// clean drops HostClients that have no connection and no request left.
func (c *Client) clean() {
	tick := max(c.maxIdle(), time.Second)
	for {
		time.Sleep(tick)
		c.mu.Lock()
		for k, hc := range c.hosts {
			if hc.PendingRequests() == 0 && hc.ConnsCount() == 0 {
				delete(c.hosts, k)
			}
		}
		done := len(c.hosts) == 0
		if done {
			c.cleaning = false
		}
		c.mu.Unlock()
		if done {
			return
		}
	}
}

// Do sends req to the host of its URL and reads the answer into resp. It
// follows no redirects (see DoRedirects).
func (c *Client) Do(req *Request, resp *Response) error {
	hc, err := c.hostClient(req)
	if err != nil {
		return err
	}
	return hc.Do(req, resp)
}

// DoTimeout is Do with a limit on the whole call.
func (c *Client) DoTimeout(req *Request, resp *Response, timeout time.Duration) error {
	return c.DoDeadline(req, resp, time.Now().Add(timeout))
}

// DoDeadline is Do with a deadline for the whole call.
func (c *Client) DoDeadline(req *Request, resp *Response, deadline time.Time) error {
	hc, err := c.hostClient(req)
	if err != nil {
		return err
	}
	return hc.DoDeadline(req, resp, deadline)
}

// DoCtx is Do under a context: when ctx ends, the request in flight is
// aborted and DoCtx returns ctx.Err() at once.
func (c *Client) DoCtx(ctx context.Context, req *Request, resp *Response) error {
	hc, err := c.hostClient(req)
	if err != nil {
		return err
	}
	return hc.DoCtx(ctx, req, resp)
}

// DialStream opens a two-way stream to the host of req's URL on a pooled
// HTTP/2 connection: see HostClient.DialStream.
func (c *Client) DialStream(ctx context.Context, req *Request, resp *Response) (net.Conn, error) {
	hc, err := c.hostClient(req)
	if err != nil {
		return nil, err
	}
	return hc.DialStream(ctx, req, resp)
}

// CloseIdleConnections closes the idle connections of every host.
func (c *Client) CloseIdleConnections() {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, hc := range c.hosts {
		hc.CloseIdleConnections()
	}
}

// Get fetches url and appends its body to dst. The returned body is dst
// extended; pass the previous body back in to reuse its storage, so that
// steady-state use allocates nothing.
func (c *Client) Get(dst []byte, url string) (status int, body []byte, err error) {
	req, resp := AcquireRequest(), AcquireResponse()
	defer ReleaseRequest(req)
	defer ReleaseResponse(resp)
	req.SetRequestURI(url)
	if err := c.DoRedirects(req, resp, DefaultMaxRedirects); err != nil {
		return 0, dst, err
	}
	return resp.StatusCode(), append(dst, resp.Body()...), nil
}

// Post sends args as an application/x-www-form-urlencoded body to url and
// appends the answer's body to dst (see Get).
func (c *Client) Post(dst []byte, url string, args *Args) (status int, body []byte, err error) {
	req, resp := AcquireRequest(), AcquireResponse()
	defer ReleaseRequest(req)
	defer ReleaseResponse(resp)
	req.SetRequestURI(url)
	req.Header.SetMethod("POST")
	req.Header.SetContentType("application/x-www-form-urlencoded")
	if args != nil {
		req.bodyBuf = args.AppendBytes(req.bodyBuf[:0])
		req.body = req.bodyBuf
	}
	if err := c.DoRedirects(req, resp, DefaultMaxRedirects); err != nil {
		return 0, dst, err
	}
	return resp.StatusCode(), append(dst, resp.Body()...), nil
}

// DefaultMaxRedirects is how many redirects Get and Post follow.
const DefaultMaxRedirects = 10

// DoRedirects is Do that follows up to maxRedirects redirects: 301, 302 and
// 303 turn the request into a GET without a body (HEAD stays HEAD); 307
// and 308 keep the method and body; a 307 or 308 answer to a request
// whose body is a stream (SetBodyStream), which cannot be sent twice, is
// returned as it is, with no error. Authorization, Cookie and
// Proxy-Authorization are never sent to another host. req ends up
// holding the last request made.
func (c *Client) DoRedirects(req *Request, resp *Response, maxRedirects int) error {
	for n := 0; ; n++ {
		if err := c.Do(req, resp); err != nil {
			return err
		}
		code := resp.StatusCode()
		switch code {
		case StatusMovedPermanently, StatusFound, StatusSeeOther, StatusTemporaryRedirect, StatusPermanentRedirect:
		default:
			return nil
		}
		if (code == StatusTemporaryRedirect || code == StatusPermanentRedirect) && req.stream != nil {
			// 307 and 308 must resend the body, and a streamed one was
			// consumed: the caller gets the redirect itself, as from
			// net/http for a body it cannot get again.
			return nil
		}
		if n >= maxRedirects {
			return ErrTooManyRedirects
		}
		loc := resp.Header.Peek(HeaderLocation)
		if len(loc) == 0 {
			return ErrMissingLocation
		}
		if err := redirectRequest(req, loc, code); err != nil {
			return err
		}
	}
}

// redirectRequest turns req into the request that follows a redirect to
// loc.
func redirectRequest(req *Request, loc []byte, code int) error {
	u := req.URI()
	oldHost := append([]byte(nil), u.Host()...)
	oldScheme := append([]byte(nil), u.Scheme()...)
	var next URI
	u.CopyTo(&next)
	if err := resolveReference(&next, loc); err != nil {
		return err
	}
	target := next.FullURI()
	req.Header.SetRequestURIBytes(target)
	req.uriParsed = false
	if !bytes.Equal(next.Host(), oldHost) || !bytes.Equal(next.Scheme(), oldScheme) {
		req.Header.Del(HeaderAuthorization)
		req.Header.Del("Proxy-Authorization")
		req.Header.Del(HeaderCookie)
		req.Header.DelBytes([]byte(HeaderHost))
	} else if req.Header.host != nil {
		req.Header.DelBytes([]byte(HeaderHost))
	}
	if code == StatusMovedPermanently || code == StatusFound || code == StatusSeeOther {
		if !req.Header.IsHead() {
			req.Header.SetMethod("GET")
		}
		req.SetBody(nil)
		req.Header.Del(HeaderContentType)
	}
	return nil
}

// resolveReference sets u to the reference loc resolved against u (RFC
// 3986 section 5.2, for the forms servers send: absolute URLs,
// network-path "//host/p", absolute paths and relative paths).
func resolveReference(u *URI, loc []byte) error {
	switch {
	case isAbsoluteURL(loc):
		return u.SetBytes(loc)
	case bytes.HasPrefix(loc, strSlashSlash):
		full := append(append([]byte(nil), u.Scheme()...), ':')
		return u.SetBytes(append(full, loc...))
	case len(loc) > 0 && loc[0] == '/':
		return u.SetBytes(loc)
	case len(loc) > 0 && loc[0] == '?':
		p := append([]byte(nil), u.PathOriginal()...)
		return u.SetBytes(append(p, loc...))
	default:
		p := u.PathOriginal()
		dir := p[:bytes.LastIndexByte(p, '/')+1]
		return u.SetBytes(append(append([]byte(nil), dir...), loc...))
	}
}

// isAbsoluteURL reports whether loc starts with a scheme.
func isAbsoluteURL(loc []byte) bool {
	i := bytes.IndexByte(loc, ':')
	return i > 0 && validScheme(loc[:i])
}

var (
	strHTTP       = []byte("http")
	strHTTPS      = []byte("https")
	strSlashSlash = []byte("//")
)
