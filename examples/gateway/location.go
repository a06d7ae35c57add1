package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/middleware"
)

// location is a built location: the requests whose path starts with path
// go to handler.
type location struct {
	path    string
	label   string // the metrics route label: "site path"
	handler volt.RequestHandler
}

// matches reports whether the request path p is under the location's
// prefix: "/api" matches "/api" and "/api/x", "/api/" matches "/api/x",
// "/" matches everything.
func matchPrefix(p []byte, prefix string) bool {
	if !bytes.HasPrefix(p, []byte(prefix)) {
		return false
	}
	return len(p) == len(prefix) || prefix[len(prefix)-1] == '/' || p[len(prefix)] == '/'
}

// buildLocation builds the handler of location l of a site; errors are
// recorded under path.
func (b *builder) buildLocation(path, siteLabel string, l *LocationConfig) *location {
	var h volt.RequestHandler
	switch l.Kind {
	case KindStatic:
		h = staticHandler(l.Root, l.Index, l.Compress, l.Listing, l.StripPrefix, l.Path)
	case KindProxy:
		ph, c, err := newProxy(l, b.upstreamOptions())
		if err != nil {
			b.pos.errorf(path+".upstreams", "%v", err)
			return nil
		}
		b.closers = append(b.closers, c)
		h = ph
	case KindFastCGI:
		fh, c, err := newFastCGI(l, b.upstreamOptions())
		if err != nil {
			b.pos.errorf(path+".addr", "%v", err)
			return nil
		}
		b.closers = append(b.closers, c)
		h = fastCGIHandler(l, fh)
	case KindMetrics:
		h = metricsHandler(b.metrics)
	case KindRedirect:
		h = redirectHandler(l.Path, l.To, l.Code)
	}
	if l.Auth != nil {
		h = basicAuth(l.Auth)(h)
	}
	if len(l.Allow) > 0 || len(l.Deny) > 0 {
		allow, _ := middleware.ParsePrefixes(l.Allow...) // checked by checkLocation
		deny, _ := middleware.ParsePrefixes(l.Deny...)
		h = middleware.IPFilter(middleware.IPFilterConfig{Allow: allow, Deny: deny, Proxies: b.proxies})(h)
	}
	return &location{path: l.Path, label: siteLabel + " " + l.Path, handler: h}
}

// staticHandler serves the files of root (volt.FS).
func staticHandler(root string, index []string, compress *bool, listing, strip bool, prefix string) volt.RequestHandler {
	fs := &volt.FS{
		Root:               root,
		IndexNames:         index,
		Compress:           compress == nil || *compress,
		GenerateIndexPages: listing,
		AcceptByteRange:    true,
	}
	if strip {
		fs.PathRewrite = volt.StripPrefix(prefix)
	}
	return fs.Handler()
}

// fastCGIHandler sends the scripts of a fastcgi location (paths holding
// the script extension, and directories with an index script) to
// scripts, and serves its other files statically.
func fastCGIHandler(l *LocationConfig, scripts volt.RequestHandler) volt.RequestHandler {
	ext := l.SplitExt
	if ext == "" {
		ext = ".php"
	}
	index := "index.php"
	if len(l.Index) > 0 {
		index = l.Index[0]
	}
	static := staticHandler(l.Root, nil, nil, false, false, "")
	root := l.Root
	return func(ctx *volt.RequestCtx) {
		p := ctx.Path()
		if isScript(p, ext) {
			scripts(ctx)
			return
		}
		if len(p) > 0 && p[len(p)-1] == '/' {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(string(p)), index)); err == nil {
				scripts(ctx)
				return
			}
		}
		static(ctx)
	}
}

// isScript reports whether path p names a script: it holds ext at the
// end of a segment.
func isScript(p []byte, ext string) bool {
	for {
		i := bytes.Index(p, []byte(ext))
		if i < 0 {
			return false
		}
		rest := p[i+len(ext):]
		if len(rest) == 0 || rest[0] == '/' {
			return true
		}
		p = rest
	}
}

// redirectHandler redirects to to followed by the rest of the (clean)
// path after prefix, percent-encoded, and the query string. A Location
// that would start with "//" (another host) gets one '/' only.
func redirectHandler(prefix, to string, code int) volt.RequestHandler {
	if code == 0 {
		code = volt.StatusFound
	}
	base := strings.TrimSuffix(prefix, "/")
	to = strings.TrimSuffix(to, "/")
	absolute := strings.Contains(to, "://")
	return func(ctx *volt.RequestCtx) {
		rest := ctx.Path()
		if len(rest) >= len(base) {
			rest = rest[len(base):]
		}
		loc := make([]byte, 0, len(to)+len(rest)+32)
		loc = append(loc, to...)
		loc = appendEscapedPath(loc, rest)
		if len(loc) == 0 {
			loc = append(loc, '/')
		}
		if !absolute {
			for len(loc) > 1 && loc[0] == '/' && loc[1] == '/' {
				loc = loc[1:]
			}
		}
		if q := ctx.URI().QueryString(); len(q) > 0 {
			loc = append(append(loc, '?'), q...)
		}
		ctx.Response.Header.Set(volt.HeaderLocation, string(loc))
		ctx.SetStatusCode(code)
	}
}

// appendEscapedPath appends the decoded path p to dst, percent-encoding
// the bytes that are not RFC 3986 pchar or '/'.
func appendEscapedPath(dst, p []byte) []byte {
	const hexDigits = "0123456789ABCDEF"
	for _, c := range p {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0:
			dst = append(dst, c)
		default:
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// basicAuth returns the Basic authentication of a location. Plain
// passwords go to middleware.BasicAuth's Users (which lets the access log
// show the user); "sha256:" digests are checked by a Validate function,
// in constant time.
func basicAuth(a *AuthConfig) middleware.Middleware {
	cfg := middleware.BasicAuthConfig{Realm: a.Realm}
	hashed := false
	for _, pw := range a.Users {
		hashed = hashed || strings.HasPrefix(pw, "sha256:")
	}
	if !hashed {
		cfg.Users = a.Users
		return middleware.BasicAuth(cfg)
	}
	sums := make(map[string][]byte, len(a.Users))
	for name, pw := range a.Users {
		if h, ok := strings.CutPrefix(pw, "sha256:"); ok {
			sums[name], _ = hex.DecodeString(h) // checked by checkLocation
		} else {
			s := sha256.Sum256([]byte(pw))
			sums[name] = s[:]
		}
	}
	dummy := make([]byte, sha256.Size)
	cfg.Validate = func(_ *volt.RequestCtx, user, password []byte) bool {
		want, known := sums[string(user)]
		if !known {
			want = dummy
		}
		got := sha256.Sum256(password)
		return subtle.ConstantTimeCompare(got[:], want) == 1 && known
	}
	return middleware.BasicAuth(cfg)
}

// metricsHandler serves the gateway's request counts as JSON
// (middleware.MetricsSnapshot), by site and location.
func metricsHandler(m *middleware.Metrics) volt.RequestHandler {
	return func(ctx *volt.RequestCtx) {
		body, err := json.MarshalIndent(m.Snapshot(), "", "  ")
		if err != nil {
			ctx.Error(err.Error(), volt.StatusInternalServerError)
			return
		}
		ctx.SetContentType("application/json")
		ctx.SetBody(append(body, '\n'))
	}
}
