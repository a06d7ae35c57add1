package volt

import (
	"bytes"
	"math"
	"sync"
	"time"

	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
)

// CookieSameSite is the value of the SameSite attribute of a Set-Cookie
// header (RFC 6265bis section 4.1.2.7).
type CookieSameSite int

// SameSite values. The zero value omits the attribute.
const (
	// CookieSameSiteDefault omits the SameSite attribute, leaving the
	// choice to the user agent (browsers now treat it as Lax).
	CookieSameSiteDefault CookieSameSite = iota
	// CookieSameSiteLax writes "SameSite=Lax".
	CookieSameSiteLax
	// CookieSameSiteStrict writes "SameSite=Strict".
	CookieSameSiteStrict
	// CookieSameSiteNone writes "SameSite=None". Browsers reject such a
	// cookie unless it is also Secure, so AppendBytes writes Secure too.
	CookieSameSiteNone
)

// Cookie is an HTTP cookie as sent in a Set-Cookie response header
// (RFC 6265 section 4.1), plus the SameSite attribute of RFC 6265bis and
// the Partitioned attribute of CHIPS.
//
// See https://www.rfc-editor.org/rfc/rfc6265#section-4.1
// and https://datatracker.ietf.org/doc/html/draft-cutler-httpbis-partitioned-cookies
//
// A Cookie is reusable: Reset clears it and keeps its buffers. Get one
// with AcquireCookie and give it back with ReleaseCookie, after which it
// must not be touched. It is forbidden to copy Cookie values; use CopyTo.
// A Cookie is not safe for concurrent use.
//
// Slices returned by its getters point into the cookie's own buffers:
// they are valid until the next call that changes the cookie (a setter,
// Parse, ParseBytes, CopyTo onto it, Reset or ReleaseCookie); copy them to
// keep them.
type Cookie struct {
	noCopy noCopy

	key    []byte
	value  []byte
	domain []byte
	path   []byte

	expires     time.Time
	maxAge      int
	secure      bool
	httpOnly    bool
	partitioned bool
	sameSite    CookieSameSite

	buf []byte // backs Cookie()
}

var cookiePool = sync.Pool{New: func() any { return new(Cookie) }}

// AcquireCookie returns an empty Cookie from a pool. Give it back with
// ReleaseCookie when done, to reduce allocations.
func AcquireCookie() *Cookie {
	return cookiePool.Get().(*Cookie)
}

// ReleaseCookie resets c and returns it to the pool. c and every slice
// obtained from it must not be used after this call.
func ReleaseCookie(c *Cookie) {
	c.Reset()
	cookiePool.Put(c)
}

// Reset clears every field of c, keeping its buffers for reuse.
func (c *Cookie) Reset() {
	c.key = c.key[:0]
	c.value = c.value[:0]
	c.domain = c.domain[:0]
	c.path = c.path[:0]
	c.expires = time.Time{}
	c.maxAge = 0
	c.secure = false
	c.httpOnly = false
	c.partitioned = false
	c.sameSite = CookieSameSiteDefault
	c.buf = c.buf[:0]
}

// CopyTo makes dst a copy of c. dst keeps its own buffers; nothing is
// shared between the two afterwards.
func (c *Cookie) CopyTo(dst *Cookie) {
	if dst == c {
		return
	}
	dst.key = append(dst.key[:0], c.key...)
	dst.value = append(dst.value[:0], c.value...)
	dst.domain = append(dst.domain[:0], c.domain...)
	dst.path = append(dst.path[:0], c.path...)
	dst.expires = c.expires
	dst.maxAge = c.maxAge
	dst.secure = c.secure
	dst.httpOnly = c.httpOnly
	dst.partitioned = c.partitioned
	dst.sameSite = c.sameSite
	dst.buf = dst.buf[:0]
}

// Key returns the cookie name.
// The returned slice is valid until the cookie is next changed; copy it to
// keep it.
func (c *Cookie) Key() []byte { return c.key }

// SetKey sets the cookie name. It should be a token (RFC 9110 section
// 5.6.2); AppendBytes skips the bytes that are not.
func (c *Cookie) SetKey(s string) { c.key = append(c.key[:0], s...) }

// SetKeyBytes is SetKey for a byte slice. b is copied.
func (c *Cookie) SetKeyBytes(b []byte) { c.key = append(c.key[:0], b...) }

// Value returns the cookie value, without surrounding double quotes if it
// was parsed from a quoted value. A parsed value is kept as received, even
// if it holds bytes that are not cookie-octets.
// The returned slice is valid until the cookie is next changed; copy it to
// keep it.
func (c *Cookie) Value() []byte { return c.value }

// SetValue sets the cookie value. It should consist of cookie-octets
// (RFC 6265 section 4.1.1); AppendBytes skips the bytes that are not.
func (c *Cookie) SetValue(s string) { c.value = append(c.value[:0], s...) }

// SetValueBytes is SetValue for a byte slice. b is copied.
func (c *Cookie) SetValueBytes(b []byte) { c.value = append(c.value[:0], b...) }

// Domain returns the Domain attribute, or an empty slice if it is unset.
// It is kept as received (a leading '.' is not removed).
// The returned slice is valid until the cookie is next changed; copy it to
// keep it.
func (c *Cookie) Domain() []byte { return c.domain }

// SetDomain sets the Domain attribute. An empty s omits it.
func (c *Cookie) SetDomain(s string) { c.domain = append(c.domain[:0], s...) }

// Path returns the Path attribute, or an empty slice if it is unset.
// The returned slice is valid until the cookie is next changed; copy it to
// keep it.
func (c *Cookie) Path() []byte { return c.path }

// SetPath sets the Path attribute. An empty s omits it.
func (c *Cookie) SetPath(s string) { c.path = append(c.path[:0], s...) }

// Expire returns the Expires attribute. The zero time means unset.
func (c *Cookie) Expire() time.Time { return c.expires }

// SetExpire sets the Expires attribute. The zero time omits it, and so
// does a time whose year in UTC is outside 1601..9999, which the
// IMF-fixdate format cannot carry.
func (c *Cookie) SetExpire(t time.Time) { c.expires = t }

// MaxAge returns the Max-Age attribute in seconds: 0 means unset, a
// negative value means "delete now".
func (c *Cookie) MaxAge() int { return c.maxAge }

// SetMaxAge sets the Max-Age attribute in seconds. Zero omits it; any
// negative value asks the user agent to delete the cookie now and is
// written as "Max-Age=0".
func (c *Cookie) SetMaxAge(seconds int) { c.maxAge = seconds }

// Secure reports whether the Secure attribute was set or parsed. It does
// not include the Secure that AppendBytes adds for SameSite=None and
// Partitioned.
func (c *Cookie) Secure() bool { return c.secure }

// SetSecure sets the Secure attribute.
func (c *Cookie) SetSecure(secure bool) { c.secure = secure }

// HTTPOnly reports whether the HttpOnly attribute is set.
func (c *Cookie) HTTPOnly() bool { return c.httpOnly }

// SetHTTPOnly sets the HttpOnly attribute.
func (c *Cookie) SetHTTPOnly(httpOnly bool) { c.httpOnly = httpOnly }

// SameSite returns the SameSite attribute.
func (c *Cookie) SameSite() CookieSameSite { return c.sameSite }

// SetSameSite sets the SameSite attribute. CookieSameSiteNone makes
// AppendBytes write Secure as well. A value other than the four constants
// omits the attribute.
func (c *Cookie) SetSameSite(mode CookieSameSite) { c.sameSite = mode }

// Partitioned reports whether the Partitioned attribute (CHIPS) is set.
func (c *Cookie) Partitioned() bool { return c.partitioned }

// SetPartitioned sets the Partitioned attribute. Browsers ignore a
// partitioned cookie that is not Secure, so AppendBytes writes Secure as
// well.
func (c *Cookie) SetPartitioned(partitioned bool) { c.partitioned = partitioned }

// AppendBytes appends the Set-Cookie field value of c to dst and returns
// the extended slice, for example
//
//	id=a3fWa; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=60; Domain=example.com; Secure; HttpOnly; SameSite=Lax; Partitioned
//
// Attributes are written in that order, each only when set.
//
// The output is always a well-formed field value: bytes of the key that
// are not token characters, bytes of the value that are not cookie-octets
// (RFC 6265 section 4.1.1: no CTLs, whitespace, DQUOTE, comma, semicolon,
// backslash or non-ASCII) and CTLs or ';' in Path and Domain are skipped,
// without error, as net/http does (but without logging). A Path or Domain
// left empty is omitted. If no byte of the key is left, nothing is
// appended.
//
// AppendBytes does not allocate when dst has room.
func (c *Cookie) AppendBytes(dst []byte) []byte {
	start := len(dst)
	dst = appendCookieFiltered(dst, c.key, &cookieNameTable)
	if len(dst) == start {
		return dst
	}
	dst = append(dst, '=')
	dst = appendCookieFiltered(dst, c.value, &cookieValueTable)
	if len(c.path) > 0 {
		dst = appendCookieAttr(dst, "; Path=", c.path)
	}
	if !c.expires.IsZero() {
		if y := c.expires.UTC().Year(); y >= 1601 && y <= 9999 {
			dst = append(dst, "; Expires="...)
			dst = appendCookieDate(dst, c.expires)
		}
	}
	if c.maxAge > 0 {
		dst = append(dst, "; Max-Age="...)
		dst = bytesconv.AppendUint(dst, c.maxAge)
	} else if c.maxAge < 0 {
		dst = append(dst, "; Max-Age=0"...)
	}
	if len(c.domain) > 0 {
		dst = appendCookieAttr(dst, "; Domain=", c.domain)
	}
	if c.secure || c.partitioned || c.sameSite == CookieSameSiteNone {
		dst = append(dst, "; Secure"...)
	}
	if c.httpOnly {
		dst = append(dst, "; HttpOnly"...)
	}
	switch c.sameSite {
	case CookieSameSiteLax:
		dst = append(dst, "; SameSite=Lax"...)
	case CookieSameSiteStrict:
		dst = append(dst, "; SameSite=Strict"...)
	case CookieSameSiteNone:
		dst = append(dst, "; SameSite=None"...)
	}
	if c.partitioned {
		dst = append(dst, "; Partitioned"...)
	}
	return dst
}

// Cookie returns the Set-Cookie field value of c, as AppendBytes writes
// it, in a buffer owned by c.
// The returned slice is valid until the next call to Cookie or until the
// cookie is next changed; copy it to keep it.
func (c *Cookie) Cookie() []byte {
	c.buf = c.AppendBytes(c.buf[:0])
	return c.buf
}

// String returns the Set-Cookie field value of c, as AppendBytes writes
// it. It allocates; use AppendBytes on hot paths.
func (c *Cookie) String() string {
	return string(c.AppendBytes(nil))
}

// Parse parses a Set-Cookie field value into c, replacing its contents.
// It is ParseBytes for a string.
func (c *Cookie) Parse(src string) error {
	return c.ParseBytes(bytesconv.S2B(src))
}

// ParseBytes parses a Set-Cookie field value into c, replacing its
// contents, following RFC 6265 section 5.2 (the algorithm user agents
// use). src is copied; c does not keep it.
//
// The name must be a non-empty token followed by '='; otherwise
// ParseBytes returns ErrInvalidCookie and leaves c reset. The value is
// trimmed of spaces and tabs and, if it is wrapped in double quotes, they
// are removed; it is otherwise kept as received.
//
// Attribute names are matched case-insensitively, unknown attributes are
// ignored, and the last occurrence of an attribute wins. Expires is read
// with the lenient cookie-date grammar of RFC 6265 section 5.1.1, which
// takes IMF-fixdate ("Mon, 02 Jan 2006 15:04:05 GMT"), RFC 850
// ("Monday, 02-Jan-06 15:04:05 GMT") and ANSI C asctime
// ("Mon Jan  2 15:04:05 2006") among others; the time zone is taken as
// UTC; a date it cannot read is ignored, as browsers do. A Max-Age that
// is not a decimal number (optionally negative), or is above 1<<62, is
// ignored; zero or a negative Max-Age is stored as -1. An unknown SameSite
// value is stored as CookieSameSiteDefault. An empty Domain is ignored.
//
// ParseBytes does not allocate once c's buffers have grown.
func (c *Cookie) ParseBytes(src []byte) error {
	c.Reset()
	pair, rest := cutCookieByte(src, ';')
	eq := bytes.IndexByte(pair, '=')
	if eq < 0 {
		return ErrInvalidCookie
	}
	name := trimCookieSpace(pair[:eq])
	if !ascii.ValidToken(name) {
		return ErrInvalidCookie
	}
	c.key = append(c.key, name...)
	c.value = append(c.value, unquoteCookieValue(trimCookieSpace(pair[eq+1:]))...)
	for len(rest) > 0 {
		var av []byte
		av, rest = cutCookieByte(rest, ';')
		c.parseAttr(av)
	}
	return nil
}

// parseAttr applies one cookie-av (the text between two ';') to c.
func (c *Cookie) parseAttr(av []byte) {
	name, value := av, av[:0]
	if i := bytes.IndexByte(av, '='); i >= 0 {
		name, value = av[:i], av[i+1:]
	}
	name = trimCookieSpace(name)
	value = trimCookieSpace(value)
	if len(name) == 0 {
		return
	}
	switch bytesconv.ToLower[name[0]] {
	case 'd':
		if bytesconv.EqualFold(name, "domain") && len(value) > 0 {
			c.domain = append(c.domain[:0], value...)
		}
	case 'e':
		if bytesconv.EqualFold(name, "expires") {
			if t, ok := parseCookieDate(value); ok {
				c.expires = t
			}
		}
	case 'h':
		if bytesconv.EqualFold(name, "httponly") {
			c.httpOnly = true
		}
	case 'm':
		if bytesconv.EqualFold(name, "max-age") {
			if n, ok := parseCookieMaxAge(value); ok {
				c.maxAge = n
			}
		}
	case 'p':
		if bytesconv.EqualFold(name, "path") {
			c.path = append(c.path[:0], value...)
		} else if bytesconv.EqualFold(name, "partitioned") {
			c.partitioned = true
		}
	case 's':
		if bytesconv.EqualFold(name, "secure") {
			c.secure = true
		} else if bytesconv.EqualFold(name, "samesite") {
			switch {
			case bytesconv.EqualFold(value, "lax"):
				c.sameSite = CookieSameSiteLax
			case bytesconv.EqualFold(value, "strict"):
				c.sameSite = CookieSameSiteStrict
			case bytesconv.EqualFold(value, "none"):
				c.sameSite = CookieSameSiteNone
			default:
				c.sameSite = CookieSameSiteDefault
			}
		}
	}
}

// parseCookieMaxAge reads a Max-Age value (RFC 6265 section 5.2.2):
// digits, optionally after '-'. Zero and negative values become -1;
// values above 1<<62 are rejected.
func parseCookieMaxAge(b []byte) (int, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	n, err := bytesconv.ParseUint(b)
	if err != nil || n < 0 { // n < 0: 19 digits above MaxInt64 wrap around
		return 0, false
	}
	if neg || n == 0 {
		return -1, true
	}
	if n > math.MaxInt {
		n = math.MaxInt
	}
	return int(n), true
}

// visitCookies calls f for each pair of a Cookie request header value
// (RFC 6265 section 4.2.1, "a=1; b=2"). Pieces are split at ';', then
// name and value are split at the first '=' and trimmed of spaces and
// tabs; a value in double quotes is unquoted. A piece without '=' is
// passed with an empty name and the whole piece as the value, as browsers
// send cookies that have no name. Empty pieces are skipped.
//
// name and value are sub-slices of header: they must not be modified, and
// are valid as long as header is. visitCookies does not allocate.
func visitCookies(header []byte, f func(name, value []byte)) {
	for len(header) > 0 {
		var name, value []byte
		var ok bool
		name, value, header, ok = nextCookie(header)
		if ok {
			f(name, value)
		}
	}
}

// peekCookie returns the value of the first cookie called name
// (case-sensitively) in a Cookie request header value, or nil if there is
// none. A cookie that is present with an empty value gives a non-nil empty
// slice. name "" finds the first piece without '='.
//
// The returned slice is a sub-slice of header. peekCookie does not
// allocate.
func peekCookie(header []byte, name string) []byte {
	for len(header) > 0 {
		n, v, rest, ok := nextCookie(header)
		if ok && string(n) == name {
			return v
		}
		header = rest
	}
	return nil
}

// nextCookie splits the first piece off a Cookie request header value.
// ok is false for an empty piece.
func nextCookie(header []byte) (name, value, rest []byte, ok bool) {
	piece, rest := cutCookieByte(header, ';')
	piece = trimCookieSpace(piece)
	if len(piece) == 0 {
		return nil, nil, rest, false
	}
	if i := bytes.IndexByte(piece, '='); i >= 0 {
		name, value = trimCookieSpace(piece[:i]), trimCookieSpace(piece[i+1:])
	} else {
		name, value = piece[:0], piece
	}
	return name, unquoteCookieValue(value), rest, true
}

// appendCookieHeader appends the pair "name=value" to dst, a Cookie
// request header value being built, with "; " before it unless dst is
// empty. An empty name writes the value alone, as visitCookies reads it.
// As in Cookie.AppendBytes, name bytes that are not token characters and
// value bytes that are not cookie-octets are skipped.
func appendCookieHeader(dst []byte, name, value []byte) []byte {
	if len(dst) > 0 {
		dst = append(dst, "; "...)
	}
	if len(name) > 0 {
		dst = appendCookieFiltered(dst, name, &cookieNameTable)
		dst = append(dst, '=')
	}
	return appendCookieFiltered(dst, value, &cookieValueTable)
}

// cutCookieByte splits b around the first sep; after is empty if there is
// none.
func cutCookieByte(b []byte, sep byte) (before, after []byte) {
	if i := bytes.IndexByte(b, sep); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

// trimCookieSpace removes leading and trailing spaces and tabs (WSP).
func trimCookieSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// unquoteCookieValue removes one pair of surrounding double quotes.
func unquoteCookieValue(b []byte) []byte {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return b[1 : len(b)-1]
	}
	return b
}

// appendCookieFiltered appends the bytes of src that valid accepts,
// copying runs of valid bytes at once.
func appendCookieFiltered(dst, src []byte, valid *[256]bool) []byte {
	for len(src) > 0 {
		i := 0
		for i < len(src) && valid[src[i]] {
			i++
		}
		dst = append(dst, src[:i]...)
		for i < len(src) && !valid[src[i]] {
			i++
		}
		src = src[i:]
	}
	return dst
}

// appendCookieAttr appends prefix and v, keeping only the bytes of v
// allowed in an attribute value and trimming spaces at its ends. If
// nothing of v is left, it appends nothing at all.
func appendCookieAttr(dst []byte, prefix string, v []byte) []byte {
	mark := len(dst)
	dst = append(dst, prefix...)
	start := len(dst)
	dst = appendCookieFiltered(dst, v, &cookieAttrTable)
	// Trim the spaces that were at the ends of v or next to skipped bytes.
	end := len(dst)
	for end > start && dst[end-1] == ' ' {
		end--
	}
	lead := start
	for lead < end && dst[lead] == ' ' {
		lead++
	}
	if lead == end {
		return dst[:mark]
	}
	n := copy(dst[start:], dst[lead:end])
	return dst[:start+n]
}

// cookieNameTable accepts token characters (a cookie-name is a token).
var cookieNameTable = func() (t [256]bool) {
	for i := range t {
		t[i] = ascii.IsToken(byte(i))
	}
	return
}()

// cookieValueTable accepts cookie-octets (RFC 6265 section 4.1.1):
// %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E.
var cookieValueTable = func() (t [256]bool) {
	for c := 0x21; c <= 0x7e; c++ {
		t[c] = true
	}
	t['"'] = false
	t[','] = false
	t[';'] = false
	t['\\'] = false
	return
}()

// cookieAttrTable accepts the bytes of an attribute value such as
// path-value (RFC 6265 section 4.1.1): any CHAR except CTLs or ';'.
var cookieAttrTable = func() (t [256]bool) {
	for c := 0x20; c <= 0x7e; c++ {
		t[c] = true
	}
	t[';'] = false
	return
}()

const (
	cookieWeekdays = "SunMonTueWedThuFriSat"
	cookieMonths   = "JanFebMarAprMayJunJulAugSepOctNovDec"
)

// appendCookieDate appends t in UTC as an IMF-fixdate
// ("Mon, 02 Jan 2006 15:04:05 GMT", RFC 9110 section 5.6.7). The year in
// UTC must be within 0..9999.
func appendCookieDate(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	wd := int(t.Weekday()) * 3
	mo := int(month-1) * 3
	return append(dst,
		cookieWeekdays[wd], cookieWeekdays[wd+1], cookieWeekdays[wd+2], ',', ' ',
		byte('0'+day/10), byte('0'+day%10), ' ',
		cookieMonths[mo], cookieMonths[mo+1], cookieMonths[mo+2], ' ',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), ' ',
		byte('0'+hour/10), byte('0'+hour%10), ':',
		byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10),
		' ', 'G', 'M', 'T')
}

// cookieDateDelim holds the delimiters of the cookie-date grammar
// (RFC 6265 section 5.1.1): %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
var cookieDateDelim = func() (t [256]bool) {
	t['\t'] = true
	for c := 0x20; c <= 0x2f; c++ {
		t[c] = true
	}
	for c := 0x3b; c <= 0x40; c++ {
		t[c] = true
	}
	for c := 0x5b; c <= 0x60; c++ {
		t[c] = true
	}
	for c := 0x7b; c <= 0x7e; c++ {
		t[c] = true
	}
	return
}()

// parseCookieDate implements the cookie-date algorithm of RFC 6265
// section 5.1.1. The first token that looks like a time, a day of month,
// a month name and a year, in that order of preference, supplies each
// part; other tokens (weekday, zone) are ignored. Two-digit years map to
// 1970..2069. The result is in UTC.
func parseCookieDate(b []byte) (time.Time, bool) {
	var (
		hour, minute, sec, day, year int
		month                        time.Month
		foundTime, foundDay          bool
		foundMonth, foundYear        bool
	)
	for len(b) > 0 {
		i := 0
		for i < len(b) && cookieDateDelim[b[i]] {
			i++
		}
		j := i
		for j < len(b) && !cookieDateDelim[b[j]] {
			j++
		}
		tok := b[i:j]
		b = b[j:]
		if len(tok) == 0 {
			break
		}
		if !foundTime {
			if h, m, s, ok := cookieDateTime(tok); ok {
				hour, minute, sec, foundTime = h, m, s, true
				continue
			}
		}
		if !foundDay {
			if n, ok := cookieDateDigits(tok, 1, 2); ok {
				day, foundDay = n, true
				continue
			}
		}
		if !foundMonth {
			if m := cookieDateMonth(tok); m != 0 {
				month, foundMonth = m, true
				continue
			}
		}
		if !foundYear {
			if n, ok := cookieDateDigits(tok, 2, 4); ok {
				year, foundYear = n, true
				continue
			}
		}
	}
	if !foundTime || !foundDay || !foundMonth || !foundYear {
		return time.Time{}, false
	}
	switch {
	case year >= 70 && year <= 99:
		year += 1900
	case year >= 0 && year <= 69:
		year += 2000
	}
	if day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, month, day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day { // 31 Apr, 30 Feb: time.Date normalised it
		return time.Time{}, false
	}
	return t, true
}

// cookieDateDigits matches lo*hiDIGIT ( non-digit *OCTET ) and returns
// the number.
func cookieDateDigits(tok []byte, lo, hi int) (int, bool) {
	n, i := 0, 0
	for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
		if i == hi {
			return 0, false
		}
		n = n*10 + int(tok[i]-'0')
		i++
	}
	return n, i >= lo
}

// cookieDateTime matches hms-time ( non-digit *OCTET ), where hms-time is
// time-field ":" time-field ":" time-field and time-field is 1*2DIGIT.
func cookieDateTime(tok []byte) (hour, minute, sec int, ok bool) {
	var f [3]int
	for k := range f {
		n, i := 0, 0
		for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
			if i == 2 {
				return 0, 0, 0, false
			}
			n = n*10 + int(tok[i]-'0')
			i++
		}
		if i == 0 {
			return 0, 0, 0, false
		}
		f[k] = n
		tok = tok[i:]
		if k < 2 {
			if len(tok) == 0 || tok[0] != ':' {
				return 0, 0, 0, false
			}
			tok = tok[1:]
		}
	}
	return f[0], f[1], f[2], true
}

// cookieDateMonth matches a token that starts with an English month
// abbreviation, case-insensitively, and returns the month or 0.
func cookieDateMonth(tok []byte) time.Month {
	if len(tok) < 3 {
		return 0
	}
	a, b, c := bytesconv.ToUpper[tok[0]], bytesconv.ToLower[tok[1]], bytesconv.ToLower[tok[2]]
	for m := 0; m < 12; m++ {
		if cookieMonths[m*3] == a && cookieMonths[m*3+1] == b && cookieMonths[m*3+2] == c {
			return time.Month(m + 1)
		}
	}
	return 0
}
