package middleware

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/ascii"
)

// BasicAuthConfig configures BasicAuth.
type BasicAuthConfig struct {
	// Realm is sent in the WWW-Authenticate challenge. If empty,
	// "Restricted". BasicAuth panics if it holds a control character
	// other than HTAB (volt.ErrInvalidHeaderField).
	Realm string

	// Users maps user names to passwords. Passwords are compared in
	// constant time (as SHA-256 digests, so their lengths do not show),
	// and an unknown user costs the same comparison. Ignored if Validate
	// is set.
	Users map[string]string

	// Validate, if set, decides whether user and password are valid
	// instead of Users. The arguments are only valid until it returns. It
	// should compare in constant time (crypto/subtle).
	Validate func(ctx *volt.RequestCtx, user, password []byte) bool
}

// BasicAuth returns middleware that lets through requests with valid
// Basic credentials (RFC 7617) and answers others 401 Unauthorized with
// a WWW-Authenticate challenge. BasicAuthUser returns the user a request
// was let through as (with Users).
func BasicAuth(cfg BasicAuthConfig) Middleware {
	realm := cfg.Realm
	if realm == "" {
		realm = "Restricted"
	}
	checkRealm("BasicAuth", realm)
	challenge := `Basic realm="` + quoteEscape(realm) + `", charset="UTF-8"`
	users := make(map[string]*basicUser, len(cfg.Users))
	for name, pw := range cfg.Users {
		users[name] = &basicUser{name: name, sum: sha256.Sum256([]byte(pw))}
	}
	dummy := &basicUser{sum: sha256.Sum256([]byte("not a password"))}
	return func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			b := getBuf()
			user, pass, ok := basicCredentials(*b, ctx.Request.Header.Peek(volt.HeaderAuthorization))
			if ok {
				if cfg.Validate != nil {
					ok = cfg.Validate(ctx, user, pass)
				} else {
					u := users[string(user)]
					known := u != nil
					if !known {
						u = dummy
					}
					sum := sha256.Sum256(pass)
					ok = subtle.ConstantTimeCompare(sum[:], u.sum[:]) == 1 && known
					if ok {
						ctx.SetUserValue(basicUserKey{}, u)
					}
				}
			}
			clear((*b)[:cap(*b)]) // no password stays in the pool
			putBuf(b)
			if !ok {
				unauthorized(ctx, challenge)
				return
			}
			next(ctx)
		}
	}
}

type basicUserKey struct{}

type basicUser struct {
	name string
	sum  [sha256.Size]byte
}

// BasicAuthUser returns the name of the user BasicAuth (with Users) let
// ctx through as, or "".
func BasicAuthUser(ctx *volt.RequestCtx) string {
	if u, ok := ctx.UserValue(basicUserKey{}).(*basicUser); ok {
		return u.name
	}
	return ""
}

// basicCredentials decodes "Basic base64(user:password)" into buf (whose
// capacity bounds the credentials' length), and returns slices of it.
func basicCredentials(buf, h []byte) (user, pass []byte, ok bool) {
	const prefix = "basic "
	if len(h) < len(prefix) || !equalFoldASCII(h[:len(prefix)], prefix) {
		return nil, nil, false
	}
	enc := bytes.TrimSpace(h[len(prefix):])
	if base64.StdEncoding.DecodedLen(len(enc)) > cap(buf) {
		return nil, nil, false
	}
	buf = buf[:cap(buf)]
	n, err := base64.StdEncoding.Decode(buf, enc)
	if err != nil {
		return nil, nil, false
	}
	dec := buf[:n:n]
	i := bytes.IndexByte(dec, ':')
	if i < 0 {
		return nil, nil, false
	}
	return dec[:i], dec[i+1:], true
}

// BearerAuthConfig configures BearerAuth.
type BearerAuthConfig struct {
	// Realm is sent in the WWW-Authenticate challenge. If empty,
	// "Restricted". BearerAuth panics if it holds a control character
	// other than HTAB (volt.ErrInvalidHeaderField).
	Realm string

	// Validate decides whether token (the credentials after "Bearer ")
	// is valid; it may store what it learnt in ctx (SetUserValue). The
	// argument is only valid until the handler returns. BearerAuth panics
	// if it is nil. StaticTokens makes one for a fixed set of tokens.
	Validate func(ctx *volt.RequestCtx, token []byte) bool
}

// BearerAuth returns middleware that lets through requests whose
// Authorization header holds a Bearer token (RFC 6750) that Validate
// accepts, and answers others 401 Unauthorized with a WWW-Authenticate
// challenge (with error="invalid_token" when a token was sent).
func BearerAuth(cfg BearerAuthConfig) Middleware {
	if cfg.Validate == nil {
		panic("middleware: BearerAuth needs a Validate function")
	}
	realm := cfg.Realm
	if realm == "" {
		realm = "Restricted"
	}
	checkRealm("BearerAuth", realm)
	challenge := `Bearer realm="` + quoteEscape(realm) + `"`
	invalid := challenge + `, error="invalid_token"`
	return func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			const prefix = "bearer "
			h := ctx.Request.Header.Peek(volt.HeaderAuthorization)
			if len(h) <= len(prefix) || !equalFoldASCII(h[:len(prefix)], prefix) {
				unauthorized(ctx, challenge)
				return
			}
			if !cfg.Validate(ctx, bytes.TrimSpace(h[len(prefix):])) {
				unauthorized(ctx, invalid)
				return
			}
			next(ctx)
		}
	}
}

// StaticTokens returns a BearerAuthConfig.Validate that accepts the given
// tokens, compared in constant time (as SHA-256 digests).
func StaticTokens(tokens ...string) func(ctx *volt.RequestCtx, token []byte) bool {
	sums := make([][sha256.Size]byte, len(tokens))
	for i, t := range tokens {
		sums[i] = sha256.Sum256([]byte(t))
	}
	return func(_ *volt.RequestCtx, token []byte) bool {
		sum := sha256.Sum256(token)
		ok := 0
		for i := range sums {
			ok |= subtle.ConstantTimeCompare(sum[:], sums[i][:])
		}
		return ok == 1
	}
}

func unauthorized(ctx *volt.RequestCtx, challenge string) {
	ctx.Error(volt.StatusMessage(volt.StatusUnauthorized), volt.StatusUnauthorized)
	ctx.Response.Header.Set("WWW-Authenticate", challenge)
}

// checkRealm panics if realm cannot go into a field value.
func checkRealm(who, realm string) {
	if !ascii.ValidFieldValue([]byte(realm)) {
		panic(fmt.Errorf("%w: %s realm %q", volt.ErrInvalidHeaderField, who, realm))
	}
}

// quoteEscape escapes '"' and '\\' for a quoted-string.
func quoteEscape(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// equalFoldASCII reports whether b equals lower (lower case ASCII),
// ignoring case.
func equalFoldASCII(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
