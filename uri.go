package volt

import (
	"bytes"
	"sync"

	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
)

// URI is a request-target split into its components: scheme, host, path,
// query string and fragment (hash). The server fills one with Parse from
// the request line; a client builds one with Set or the setters.
//
// A URI owns its memory: Parse, Set and the setters copy what they are
// given into buffers that are reused after Reset, so a steady-state Parse
// allocates nothing and its input may be reused as soon as it returns.
// Slices returned by the getters point into those buffers: each getter
// says how long its result stays valid.
//
// # Path normalisation
//
// Unless DisablePathNormalization is set, Path returns the path in a form
// that a router or a file server can use as it is:
//
//   - percent-escapes are decoded, except those of '/', '\\', '%' and NUL,
//     which are kept as "%2F", "%5C", "%25" and "%00" (upper-case hex; Parse
//     rejects "%00" in the path anyway). So every '/' in Path is a
//     separator that was sent as '/', an encoded slash or backslash can
//     never become one, and every '%' in Path starts one of those four
//     escapes. A segment can be decoded once more (url.PathUnescape) to
//     get its exact bytes; decoding it a second time is not safe. Path
//     never holds a raw NUL or '\\'.
//   - dot segments are removed (RFC 3986 section 5.2.4), after decoding, so
//     "%2e" and "%2E" count as '.': "/a/%2e%2e/b" is "/b". The path never
//     goes above the root: "/../../etc" is "/etc".
//   - runs of '/' collapse into one: "//a///b" is "/a/b".
//   - a trailing slash is kept: "/a/b/" stays "/a/b/", and "/a/b/.." is
//     "/a/".
//
// # Pooling
//
// volt's rule is that each pooled type's file holds the type, its
// AcquireX/ReleaseX pair and its sync.Pool. Get a URI with AcquireURI and
// give it back with ReleaseURI; it must not be touched after release. The
// zero value is ready to use. A URI must not be copied after first use (go
// vet reports copies); use CopyTo.
//
// See https://www.rfc-editor.org/rfc/rfc9112#section-3.2 and
// https://www.rfc-editor.org/rfc/rfc3986.
type URI struct {
	noCopy noCopy //nolint:unused // for go vet's copylocks check

	// DisablePathNormalization keeps the path exactly as sent: no
	// percent-decoding, no dot-segment removal, no slash collapsing. Path
	// then returns the same bytes as PathOriginal. Reset clears it, so set
	// it before each Parse. If false, Path is normalised as described in
	// the type's documentation.
	DisablePathNormalization bool

	scheme       []byte // lower case; empty means "http"
	host         []byte // lower case; the authority for authority-form
	pathOriginal []byte // as sent (or escaped by a setter); "*" for asterisk-form
	path         []byte // normalised path, valid when pathDone
	queryString  []byte // without '?'
	hash         []byte // without '#'

	// Scratch buffers behind RequestURI, FullURI, SetPath and Set. tmp
	// and setBuf are never returned.
	requestURI []byte
	fullURI    []byte
	tmp        []byte
	setBuf     []byte

	queryArgs Args

	form       targetForm
	pathDone   bool // path holds the normalised pathOriginal
	argsParsed bool // queryArgs holds the parsed queryString
	maxArgs    int  // the most pairs QueryArgs parses (the server's); 0: no limit
}

// targetForm is the form of the request-target (RFC 9112 section 3.2).
// Origin-form and absolute-form are both formOrigin: they differ only in
// where the host comes from.
type targetForm uint8

const (
	formOrigin    targetForm = iota // "/p?q" or "http://h/p?q"
	formAuthority                   // "host:port", for CONNECT
	formAsterisk                    // "*", for OPTIONS
)

var uriPool = sync.Pool{New: func() any { return new(URI) }}

// AcquireURI returns an empty URI from a pool. Give it back with
// ReleaseURI when done.
func AcquireURI() *URI { return uriPool.Get().(*URI) }

// ReleaseURI resets u and puts it back into the pool. Neither u nor any
// slice obtained from it may be used afterwards.
func ReleaseURI(u *URI) {
	u.Reset()
	uriPool.Put(u)
}

// Reset clears u, DisablePathNormalization included, and keeps its
// buffers for reuse.
func (u *URI) Reset() {
	u.DisablePathNormalization = false
	u.maxArgs = 0
	u.clear()
}

// clear empties every component but keeps the settings.
func (u *URI) clear() {
	u.scheme = u.scheme[:0]
	u.host = u.host[:0]
	u.pathOriginal = u.pathOriginal[:0]
	u.path = u.path[:0]
	u.queryString = u.queryString[:0]
	u.hash = u.hash[:0]
	u.queryArgs.Reset()
	u.form = formOrigin
	u.pathDone = false
	u.argsParsed = false
}

// CopyTo makes dst a copy of u, settings included.
func (u *URI) CopyTo(dst *URI) {
	if u == dst {
		return
	}
	dst.DisablePathNormalization = u.DisablePathNormalization
	dst.maxArgs = u.maxArgs
	dst.scheme = append(dst.scheme[:0], u.scheme...)
	dst.host = append(dst.host[:0], u.host...)
	dst.pathOriginal = append(dst.pathOriginal[:0], u.pathOriginal...)
	dst.path = append(dst.path[:0], u.path...)
	dst.queryString = append(dst.queryString[:0], u.queryString...)
	dst.hash = append(dst.hash[:0], u.hash...)
	u.queryArgs.CopyTo(&dst.queryArgs)
	dst.queryArgs.changed = u.queryArgs.changed
	dst.form = u.form
	dst.pathDone = u.pathDone
	dst.argsParsed = u.argsParsed
}

// Parse parses a request-target as received in a request line (RFC 9112
// section 3.2) and replaces the contents of u with it:
//
//   - origin-form, "/path?query": the host is the host argument (the Host
//     header value) and the scheme is "http" (the server sets "https" on TLS
//     connections with SetScheme);
//   - absolute-form, "http://host:port/path?query" (scheme http or https,
//     any case): the host comes from the target and the host argument is
//     ignored (RFC 9112 section 3.2.2);
//   - authority-form, "host:port", only when isConnect is true, which also
//     makes it the only form accepted;
//   - asterisk-form, exactly "*" (for a server-wide OPTIONS).
//
// Parse returns ErrInvalidURI, and leaves u empty, for anything else: an
// empty target; a byte for which ascii.IsTargetChar is false (SP,
// controls, '"', '\\', '|', '<', '>', '{', '}', '^', '`', bytes >= 0x80);
// a fragment ('#'); a '%' not followed by two hex digits, anywhere in the
// target; "%00" in the path (before any '?'); userinfo ('@' in the
// authority, RFC 9110 section 4.2.4); a scheme other than http and https
// or without "//"; an empty host or a malformed port in absolute-form; an
// authority-form without a port, with an empty host or with a path.
//
// host and target are copied: they may be reused as soon as Parse returns.
// They must not be slices of u itself. DisablePathNormalization does not
// change what Parse accepts.
func (u *URI) Parse(host, target []byte, isConnect bool) error {
	u.clear()
	if err := u.parse(host, target, isConnect); err != nil {
		u.clear()
		return err
	}
	return nil
}

func (u *URI) parse(host, target []byte, isConnect bool) error {
	if !validTarget(target) {
		return ErrInvalidURI
	}
	switch {
	case isConnect:
		return u.parseAuthorityForm(target)
	case target[0] == '/':
		u.setLower(&u.host, host)
		u.scheme = append(u.scheme, "http"...)
		u.setPathQuery(target)
		return nil
	case len(target) == 1 && target[0] == '*':
		u.setLower(&u.host, host)
		u.scheme = append(u.scheme, "http"...)
		u.pathOriginal = append(u.pathOriginal, '*')
		u.form = formAsterisk
		return nil
	default:
		return u.parseAbsoluteForm(target)
	}
}

// validTarget reports whether t is non-empty, holds only URI characters
// and no '#', has only valid percent-escapes, and has no "%00" before the
// first '?'.
func validTarget(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	inPath := true
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch targetClass[c] {
		case classPlain:
			continue
		case classInvalid:
			return false
		}
		switch c {
		case '#':
			return false
		case '?':
			inPath = false
		case '%':
			v, ok := unhex2(t, i+1)
			if !ok || (v == 0 && inPath) {
				return false
			}
			i += 2
		}
	}
	return true
}

// Byte classes of targetClass.
const (
	classInvalid = iota // not allowed in a request-target
	classPlain          // allowed, nothing to do
	classSpecial        // '#', '?', '%': look closer
)

// targetClass maps each byte to its class in a request-target, from
// ascii.IsTargetChar.
var targetClass = func() (t [256]uint8) {
	for c := range t {
		if ascii.IsTargetChar(byte(c)) {
			t[c] = classPlain
		}
	}
	t['#'], t['?'], t['%'] = classSpecial, classSpecial, classSpecial
	return
}()

// parseAbsoluteForm parses "http(s)://authority[/path][?query]".
func (u *URI) parseAbsoluteForm(t []byte) error {
	i := bytes.IndexByte(t, ':')
	if i < 0 {
		return ErrInvalidURI
	}
	scheme, rest := t[:i], t[i+1:]
	if !bytesconv.EqualFold(scheme, "http") && !bytesconv.EqualFold(scheme, "https") {
		return ErrInvalidURI
	}
	if len(rest) < 2 || rest[0] != '/' || rest[1] != '/' {
		return ErrInvalidURI
	}
	rest = rest[2:]
	end := authorityEnd(rest)
	authority, ok := checkAuthority(rest[:end])
	if !ok {
		return ErrInvalidURI
	}
	u.setLower(&u.scheme, scheme)
	u.setLower(&u.host, authority)
	u.setPathQuery(rest[end:])
	return nil
}

// authorityEnd returns the index of the first '/' or '?' in b, or
// len(b).
func authorityEnd(b []byte) int {
	for i, c := range b {
		if c == '/' || c == '?' {
			return i
		}
	}
	return len(b)
}

// parseAuthorityForm parses "host:port" (RFC 9112 section 3.2.3).
func (u *URI) parseAuthorityForm(t []byte) error {
	host, port, hasPort, ok := splitHostPort(t)
	if !ok || len(host) == 0 || !hasPort || len(port) == 0 {
		return ErrInvalidURI
	}
	u.setLower(&u.host, t)
	u.scheme = append(u.scheme, "http"...)
	u.form = formAuthority
	return nil
}

// checkAuthority checks an absolute-form authority (uri-host [":" port],
// no userinfo, non-empty host) and returns it without the ':' of an empty
// port (RFC 3986 section 6.2.3).
func checkAuthority(a []byte) ([]byte, bool) {
	host, port, hasPort, ok := splitHostPort(a)
	if !ok || len(host) == 0 {
		return nil, false
	}
	if hasPort && len(port) == 0 {
		a = a[:len(a)-1]
	}
	return a, true
}

// splitHostPort splits an authority into uri-host and port (RFC 3986
// section 3.2). ok is false for userinfo ('@'), a '/', '?' or '#', a
// misplaced '[', ']' or ':', or a port that is not at most five digits
// with a value up to 65535. An empty host or port is left to the caller.
func splitHostPort(a []byte) (host, port []byte, hasPort, ok bool) {
	colon := -1
	inLiteral := false // inside an IP-literal, "[" ... "]"
	for i, c := range a {
		if !authoritySpecial[c] {
			continue
		}
		switch c {
		case '[':
			if i != 0 {
				return nil, nil, false, false
			}
			inLiteral = true
		case ']':
			if !inLiteral || i < 2 || (i+1 < len(a) && a[i+1] != ':') {
				return nil, nil, false, false
			}
			inLiteral = false
		case ':':
			if inLiteral {
				continue
			}
			if colon >= 0 {
				return nil, nil, false, false
			}
			colon = i
		default: // '@', '/', '?', '#'
			return nil, nil, false, false
		}
	}
	if inLiteral {
		return nil, nil, false, false
	}
	if colon < 0 {
		return a, nil, false, true
	}
	if !validPort(a[colon+1:]) {
		return nil, nil, false, false
	}
	return a[:colon], a[colon+1:], true, true
}

// authoritySpecial marks the bytes splitHostPort looks at.
var authoritySpecial = [256]bool{'@': true, '/': true, '?': true, '#': true, '[': true, ']': true, ':': true}

// validPort reports whether p is empty or a decimal port up to 65535.
func validPort(p []byte) bool {
	if len(p) > 5 {
		return false
	}
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}

// setPathQuery splits pq at the first '?' into pathOriginal and
// queryString. An empty path becomes "/" (RFC 9112 section 3.2.1).
func (u *URI) setPathQuery(pq []byte) {
	path, query := pq, []byte(nil)
	if q := bytes.IndexByte(pq, '?'); q >= 0 {
		path, query = pq[:q], pq[q+1:]
	}
	if len(path) == 0 {
		u.pathOriginal = append(u.pathOriginal[:0], '/')
	} else {
		u.pathOriginal = append(u.pathOriginal[:0], path...)
	}
	u.queryString = append(u.queryString[:0], query...)
	u.form = formOrigin
	u.pathDone = false
	u.argsParsed = false
}

// setLower copies src into *dst in lower case.
func (u *URI) setLower(dst *[]byte, src []byte) {
	*dst = append((*dst)[:0], src...)
	bytesconv.LowerInPlace(*dst)
}

// Set replaces the contents of u with the URL s, for building client
// requests. It is lenient, as a browser's address bar is:
//
//   - "scheme://[userinfo@]host[:port][/path][?query][#fragment]" with any
//     scheme (letters, digits, '+', '-', '.'); userinfo is accepted and
//     dropped (set an Authorization header instead);
//   - "/path[?query][#fragment]" keeps the scheme and host of u and
//     replaces the rest;
//   - "*" makes u asterisk-form (for OPTIONS *), keeping scheme and host.
//
// The fragment is kept in Hash. Bytes that may not appear in a
// request-target (such as SP or bytes >= 0x80) and '%' signs that do not
// start an escape are percent-encoded in the path and query. Set returns
// ErrInvalidURI, leaving u unchanged, if s has neither form, or if the host
// is empty or holds bytes outside the URI character set.
// DisablePathNormalization is kept.
func (u *URI) Set(s string) error { return u.SetBytes(bytesconv.S2B(s)) }

// SetBytes is Set with a []byte argument, which is copied (it may be a
// slice of u).
func (u *URI) SetBytes(b []byte) error {
	// Work on a private copy: b may be a slice of u's own buffers.
	u.setBuf = append(u.setBuf[:0], b...)
	b = u.setBuf
	var hash []byte
	hasHash := false
	if i := bytes.IndexByte(b, '#'); i >= 0 {
		b, hash, hasHash = b[:i], b[i+1:], true
	}
	switch {
	case len(b) == 1 && b[0] == '*':
		u.pathOriginal = append(u.pathOriginal[:0], '*')
		u.queryString = u.queryString[:0]
		u.form = formAsterisk
		u.pathDone = false
		u.argsParsed = false
	case len(b) > 0 && b[0] == '/':
		u.setPathQueryLenient(b)
	default:
		i := bytes.IndexByte(b, ':')
		if i <= 0 || !validScheme(b[:i]) || !bytes.HasPrefix(b[i+1:], slashSlash) {
			return ErrInvalidURI
		}
		scheme, rest := b[:i], b[i+3:]
		end := authorityEnd(rest)
		authority := rest[:end]
		if at := bytes.LastIndexByte(authority, '@'); at >= 0 {
			authority = authority[at+1:]
		}
		for _, c := range authority {
			if !ascii.IsTargetChar(c) {
				return ErrInvalidURI
			}
		}
		authority, ok := checkAuthority(authority)
		if !ok {
			return ErrInvalidURI
		}
		u.setLower(&u.scheme, scheme)
		u.setLower(&u.host, authority)
		u.setPathQueryLenient(rest[end:])
	}
	u.hash = u.hash[:0]
	if hasHash {
		u.hash = append(u.hash, hash...)
	}
	return nil
}

var slashSlash = []byte("//")

// validScheme reports whether s is ALPHA *( ALPHA / DIGIT / "+" / "-" /
// "." ) (RFC 3986 section 3.1).
func validScheme(s []byte) bool {
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return len(s) > 0
}

// setPathQueryLenient is setPathQuery for Set: it escapes what may not
// appear in a request-target. pq must not be a slice of pathOriginal or
// queryString.
func (u *URI) setPathQueryLenient(pq []byte) {
	path, query := pq, []byte(nil)
	if q := bytes.IndexByte(pq, '?'); q >= 0 {
		path, query = pq[:q], pq[q+1:]
	}
	if len(path) == 0 {
		u.pathOriginal = append(u.pathOriginal[:0], '/')
	} else {
		u.pathOriginal = appendEscaped(u.pathOriginal[:0], path, &isPathChar)
	}
	u.queryString = appendEscaped(u.queryString[:0], query, &isQueryChar)
	u.form = formOrigin
	u.pathDone = false
	u.argsParsed = false
}

// Scheme returns the scheme in lower case: "http" or "https" after Parse,
// "http" if none was set.
//
// The returned slice is valid until the next Parse, Set or SetScheme, or
// until the URI is reset; copy it to keep it.
func (u *URI) Scheme() []byte {
	if len(u.scheme) == 0 {
		u.scheme = append(u.scheme, "http"...)
	}
	return u.scheme
}

// Host returns the host in lower case, with its port if one was given:
// the authority of an absolute-form or authority-form target, else the
// Host header passed to Parse.
//
// The returned slice is valid until the next Parse, Set or SetHost, or
// until the URI is reset; copy it to keep it.
func (u *URI) Host() []byte { return u.host }

// Path returns the path, normalised and percent-decoded as described in
// the type's documentation, or exactly as sent if DisablePathNormalization
// is set. It is "/" if the path is empty, "*" for asterisk-form and empty
// for authority-form. The result is computed on the first call and cached.
//
// The returned slice is valid until the next Parse, Set or SetPath, or
// until the URI is reset; copy it to keep it.
func (u *URI) Path() []byte {
	switch u.form {
	case formAuthority:
		return u.pathOriginal[:0]
	case formAsterisk:
		return u.pathOriginal
	}
	if u.DisablePathNormalization {
		if len(u.pathOriginal) == 0 {
			u.path = append(u.path[:0], '/')
			u.pathDone = false
			return u.path
		}
		return u.pathOriginal
	}
	if !u.pathDone {
		u.path = appendNormalizedPath(u.path[:0], u.pathOriginal)
		u.pathDone = true
	}
	return u.path
}

// PathOriginal returns the path as sent, still percent-encoded, or as
// escaped by SetPath or Set. It is "*" for asterisk-form and empty for
// authority-form.
//
// The returned slice is valid until the next Parse, Set or SetPath, or
// until the URI is reset; copy it to keep it.
func (u *URI) PathOriginal() []byte {
	if u.form == formAuthority {
		return u.pathOriginal[:0]
	}
	return u.pathOriginal
}

// QueryString returns the query string, without '?'. If the Args returned
// by QueryArgs were changed, it is rebuilt from them first.
//
// The returned slice is valid until the next Parse, Set or
// SetQueryString, a change to QueryArgs, or until the URI is reset; copy
// it to keep it.
func (u *URI) QueryString() []byte {
	if u.argsParsed && u.queryArgs.changed {
		u.queryString = u.queryArgs.AppendBytes(u.queryString[:0])
		u.queryArgs.changed = false
	}
	return u.queryString
}

// Hash returns the fragment, without '#'. Only Set and SetHash give a URI
// a fragment: Parse rejects targets that have one.
//
// The returned slice is valid until the next Parse, Set or SetHash, or
// until the URI is reset; copy it to keep it.
func (u *URI) Hash() []byte { return u.hash }

// QueryArgs returns the arguments of the query string. They are parsed
// on the first call and cached until the query string is replaced or the
// URI is reset. Changes made to them are seen by QueryString, RequestURI
// and FullURI, which then encode them as Args.AppendBytes does.
//
// On the server, at most Server.MaxRequestArgs pairs are parsed; past
// them, QueryArgs().ParseErr() is ErrTooManyArgs.
//
// The returned Args belongs to u: it is valid until the URI is reset and
// must not be released.
func (u *URI) QueryArgs() *Args {
	if !u.argsParsed {
		_ = u.queryArgs.ParseBytesLimit(u.queryString, u.maxArgs)
		u.queryArgs.changed = false
		u.argsParsed = true
	}
	return &u.queryArgs
}

// RequestURI returns the request-target to put in a request line: the
// path as sent (PathOriginal, not Path), then '?' and the query string if
// it is not empty. It is "*" for asterisk-form and the host for
// authority-form. It never holds the fragment.
//
// The returned slice is valid until the next call to RequestURI; copy it to
// keep it.
func (u *URI) RequestURI() []byte {
	u.requestURI = u.appendRequestURI(u.requestURI[:0])
	return u.requestURI
}

func (u *URI) appendRequestURI(dst []byte) []byte {
	switch u.form {
	case formAuthority:
		return append(dst, u.host...)
	case formAsterisk:
		return append(dst, '*')
	}
	if len(u.pathOriginal) == 0 {
		dst = append(dst, '/')
	} else {
		dst = append(dst, u.pathOriginal...)
	}
	if qs := u.QueryString(); len(qs) > 0 {
		dst = append(dst, '?')
		dst = append(dst, qs...)
	}
	return dst
}

// FullURI returns the whole URI, as AppendBytes writes it.
//
// The returned slice is valid until the next call to FullURI; copy it to
// keep it.
func (u *URI) FullURI() []byte {
	u.fullURI = u.AppendBytes(u.fullURI[:0])
	return u.fullURI
}

// AppendBytes appends the whole URI to dst and returns the extended
// slice: scheme "://" host, then RequestURI, then '#' and the fragment if
// there is one. For authority-form and asterisk-form the path and query
// are left out (RFC 9112 section 3.3), giving "http://host:port".
func (u *URI) AppendBytes(dst []byte) []byte {
	dst = append(dst, u.Scheme()...)
	dst = append(dst, "://"...)
	dst = append(dst, u.host...)
	if u.form == formOrigin {
		dst = u.appendRequestURI(dst)
	}
	if len(u.hash) > 0 {
		dst = append(dst, '#')
		dst = append(dst, u.hash...)
	}
	return dst
}

// String returns the whole URI, as AppendBytes writes it.
func (u *URI) String() string { return string(u.AppendBytes(nil)) }

// SetScheme sets the scheme, lower-cased.
func (u *URI) SetScheme(s string) { u.SetSchemeBytes(bytesconv.S2B(s)) }

// SetSchemeBytes is SetScheme with a []byte argument, which is copied.
func (u *URI) SetSchemeBytes(b []byte) { u.setLower(&u.scheme, b) }

// SetHost sets the host (with an optional ":port"), lower-cased. It does
// not validate it.
func (u *URI) SetHost(s string) { u.SetHostBytes(bytesconv.S2B(s)) }

// SetHostBytes is SetHost with a []byte argument, which is copied.
func (u *URI) SetHostBytes(b []byte) { u.setLower(&u.host, b) }

// SetPath sets the path and makes u origin-form. p is read in the form
// Path returns: "%XX" escapes are decoded (a '%' that starts none is a
// literal '%'). Unless DisablePathNormalization is set, the path is
// normalised, so Path returns the normalised p; PathOriginal and
// RequestURI get it escaped back (bytes other than RFC 3986 pchar and '/'
// become %XX). With DisablePathNormalization, p is kept as it is apart
// from that escaping. A missing leading '/' is added.
func (u *URI) SetPath(p string) { u.SetPathBytes(bytesconv.S2B(p)) }

// SetPathBytes is SetPath with a []byte argument, which is copied.
func (u *URI) SetPathBytes(p []byte) {
	if u.DisablePathNormalization {
		u.tmp = u.tmp[:0]
		if len(p) > 0 && p[0] != '/' {
			u.tmp = append(u.tmp, '/')
		}
		u.tmp = appendEscaped(u.tmp, p, &isPathChar)
		u.pathOriginal, u.tmp = u.tmp, u.pathOriginal
		u.pathDone = false
	} else {
		// Normalise into tmp, then swap: p may be a slice of u.path.
		u.tmp = appendNormalizedPath(u.tmp[:0], p)
		u.path, u.tmp = u.tmp, u.path
		u.pathOriginal = appendEscaped(u.pathOriginal[:0], u.path, &isPathChar)
		u.pathDone = true
	}
	u.form = formOrigin
}

// SetQueryString sets the query string (without '?') as it is, with no
// escaping. QueryArgs will parse it again.
func (u *URI) SetQueryString(s string) { u.SetQueryStringBytes(bytesconv.S2B(s)) }

// SetQueryStringBytes is SetQueryString with a []byte argument, which is
// copied.
func (u *URI) SetQueryStringBytes(b []byte) {
	u.queryString = append(u.queryString[:0], b...)
	u.argsParsed = false
}

// SetHash sets the fragment (without '#').
func (u *URI) SetHash(s string) { u.SetHashBytes(bytesconv.S2B(s)) }

// SetHashBytes is SetHash with a []byte argument, which is copied.
func (u *URI) SetHashBytes(b []byte) { u.hash = append(u.hash[:0], b...) }

// appendNormalizedPath appends the normalised form of the path p (see the
// URI documentation) to dst. The part of dst it writes always starts with
// '/'.
func appendNormalizedPath(dst, p []byte) []byte {
	if isNormalPath(p) {
		return append(dst, p...)
	}
	return appendNormalizedPathSlow(dst, p)
}

// appendNormalizedPathSlow is appendNormalizedPath without the fast path.
func appendNormalizedPathSlow(dst, p []byte) []byte {
	start := len(dst)
	if len(p) == 0 || p[0] != '/' {
		dst = append(dst, '/')
	}
	// Pass 1: decode, keeping the escapes of bytes that must not appear
	// decoded (and escaping them if they appear raw, except '/').
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' {
			if v, ok := unhex2(p, i+1); ok {
				i += 2
				if keepEscaped[v] {
					dst = appendPercent(dst, v)
				} else {
					dst = append(dst, v)
				}
				continue
			}
		}
		if keepEscaped[c] && c != '/' {
			dst = appendPercent(dst, c)
		} else {
			dst = append(dst, c)
		}
	}
	// Pass 2: dot segments and slashes, in place.
	n := removeDotSegments(dst[start:])
	return dst[:start+n]
}

// isNormalPath reports whether p is already normalised, for the common
// case: it starts with '/' and holds no '%', '\\', NUL, "//" or "/.".
// It may report false for a normal path ("/.well-known").
func isNormalPath(p []byte) bool {
	if len(p) == 0 || p[0] != '/' {
		return false
	}
	for i, c := range p {
		if !keepEscaped[c] {
			continue
		}
		if c != '/' || (i+1 < len(p) && (p[i+1] == '/' || p[i+1] == '.')) {
			return false
		}
	}
	return true
}

// keepEscaped marks the bytes Path keeps percent-encoded.
var keepEscaped = [256]bool{0: true, '%': true, '/': true, '\\': true}

// removeDotSegments removes "." and ".." segments (RFC 3986 section 5.2.4)
// and empty segments from b, which starts with '/', in place, and returns
// the new length. A trailing '/' (or a final "." or "..") leaves a trailing
// '/'. ".." at the root is dropped.
func removeDotSegments(b []byte) int {
	// Invariant: w <= the index of the '/' before the segment being read,
	// so writing "/" + segment at w never overtakes the reader.
	w, r, n := 0, 0, len(b)
	trailing := false
	for r < n {
		if b[r] == '/' {
			r++
			trailing = true
			continue
		}
		s := r
		for r < n && b[r] != '/' {
			r++
		}
		seg := b[s:r]
		switch {
		case len(seg) == 1 && seg[0] == '.':
			trailing = true
		case len(seg) == 2 && seg[0] == '.' && seg[1] == '.':
			trailing = true
			w = max(bytes.LastIndexByte(b[:w], '/'), 0)
		default:
			trailing = false
			b[w] = '/'
			w++
			w += copy(b[w:], seg)
		}
	}
	if w == 0 || trailing {
		b[w] = '/'
		w++
	}
	return w
}

// appendEscaped appends src to dst, percent-encoding every byte for which
// allowed is false and every '%' that does not start a valid escape.
func appendEscaped(dst, src []byte, allowed *[256]bool) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case allowed[c]:
			dst = append(dst, c)
		case c == '%':
			if _, ok := unhex2(src, i+1); ok {
				dst = append(dst, src[i:i+3]...)
				i += 2
			} else {
				dst = appendPercent(dst, c)
			}
		default:
			dst = appendPercent(dst, c)
		}
	}
	return dst
}

// isPathChar marks the bytes a path may hold unescaped: pchar minus
// pct-encoded, plus '/' (RFC 3986 section 3.3).
var isPathChar = func() (t [256]bool) {
	t = isUnreserved
	for _, c := range "!$&'()*+,;=:@/" {
		t[c] = true
	}
	return
}()

// isQueryChar marks the bytes a query may hold unescaped (RFC 3986
// section 3.4).
var isQueryChar = func() (t [256]bool) {
	t = isPathChar
	t['?'] = true
	return
}()
