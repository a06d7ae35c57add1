package router

import (
	"bytes"
	"log/slog"
	"regexp"
	"strings"
	"sync"

	"github.com/volthttp/volt"
)

// Rule is one rewrite rule of a Rewriter: a match on the request path
// (Prefix or Regexp, exactly one), and what to do on a match: rewrite the
// path internally (Redirect zero), or redirect the client.
type Rule struct {
	// Prefix matches paths that are Prefix or start with Prefix followed
	// by '/' (or that start with Prefix, if it ends with '/'): "/old"
	// matches "/old" and "/old/x", not "/older". To replaces the prefix.
	Prefix string

	// Regexp matches paths it finds a match in (anchor it with ^ and $ to
	// match whole paths). The whole path is replaced by To, in which $1,
	// ${1} and ${name} stand for the submatches (see regexp.Expand).
	// Matching with a Regexp allocates, unlike matching a Prefix.
	Regexp *regexp.Regexp

	// To is the replacement, in the form RequestCtx.Path returns (decoded:
	// write "/caf\u00e9", not "/caf%C3%A9"). If it holds a '?', what
	// follows becomes the query string ("" removes it); otherwise the
	// request's query string is kept. A Prefix rule appends the rest of
	// the path to the part of To before the '?'. For a redirect, To may be
	// an absolute URL ("https://example.com/$1").
	//
	// Only To's own '?' starts the query: a '?' in the request's
	// (decoded) path, or in a submatch, stays in the path. A redirect's
	// Location is percent-encoded, and a path-only To never yields a
	// Location starting with "//" (which would name another host).
	To string

	// Redirect is the status of a redirect to the rewritten URL: 301,
	// 302, 303, 307 or 308. If zero, the path is rewritten internally:
	// the next handler sees the new path (RequestCtx.Path, URI) and the
	// client is not told.
	Redirect int

	// Last stops the rewriting after this rule. Otherwise, after an
	// internal rewrite, the rules are tried again from the first on the
	// new path.
	Last bool
}

// DefaultMaxRewrites is the loop guard of a Rewriter whose MaxRewrites is
// zero.
const DefaultMaxRewrites = 10

// Rewriter rewrites request paths, or redirects requests, by rules
// applied in order before the next handler (typically a Router) runs:
//
//	rw := &router.Rewriter{Rules: []router.Rule{
//		{Prefix: "/blog", To: "/posts", Redirect: 301},
//		{Regexp: regexp.MustCompile(`^/u/(\w+)$`), To: "/users/$1"},
//	}}
//	srv := &volt.Server{Handler: rw.Wrap(r.Handler)}
//
// The first rule that matches the path applies. A redirect ends the
// request. An internal rewrite changes the path (the URI's Path and
// PathOriginal; the RequestURI header field keeps what the client sent),
// then the rules are tried again from the first on the new path, unless
// the rule is Last or the path did not change. A request that is still
// being rewritten after MaxRewrites rewrites gets 500 (the loop guard),
// and ErrRewriteLoop is logged. The rules must not change once Wrap was
// called.
type Rewriter struct {
	// Rules are tried in order.
	Rules []Rule

	// MaxRewrites bounds the internal rewrites of one request. If zero,
	// DefaultMaxRewrites (10) is used.
	MaxRewrites int

	// Logger receives rewrite loops. If nil, slog.Default() is used.
	Logger *slog.Logger
}

// Wrap returns a handler that applies the rules, then calls next. It
// panics if a rule has neither or both of Prefix and Regexp, a Prefix not
// starting with '/', or a Redirect that is not a redirect status.
func (rw *Rewriter) Wrap(next volt.RequestHandler) volt.RequestHandler {
	rules := make([]compiledRule, len(rw.Rules))
	for i, r := range rw.Rules {
		rules[i] = compiledRule{Rule: r, to: []byte(r.To), absolute: isAbsoluteURL([]byte(r.To))}
		if q := strings.IndexByte(r.To, '?'); q >= 0 {
			rules[i].to, rules[i].query, rules[i].hasQuery = []byte(r.To[:q]), []byte(r.To[q+1:]), true
		}
		name := "rewrite rule " + r.Prefix
		if r.Regexp != nil {
			name = "rewrite rule " + r.Regexp.String()
		}
		switch {
		case (r.Prefix == "") == (r.Regexp == nil):
			panic(&PatternError{name, "a rule needs exactly one of Prefix and Regexp"})
		case r.Regexp == nil && r.Prefix[0] != '/':
			panic(&PatternError{name, "a prefix must start with '/'"})
		}
		switch r.Redirect {
		case 0, volt.StatusMovedPermanently, volt.StatusFound, volt.StatusSeeOther,
			volt.StatusTemporaryRedirect, volt.StatusPermanentRedirect:
		default:
			panic(&PatternError{name, "Redirect must be 0, 301, 302, 303, 307 or 308"})
		}
	}
	max := rw.MaxRewrites
	if max <= 0 {
		max = DefaultMaxRewrites
	}
	return func(ctx *volt.RequestCtx) {
		if rw.apply(ctx, rules, max) {
			next(ctx)
		}
	}
}

// compiledRule is a Rule as Wrap copied it, with To split at its first
// '?' into path and query templates, as bytes for regexp.Expand.
type compiledRule struct {
	Rule
	to       []byte // the path template
	query    []byte // the query template, if hasQuery
	hasQuery bool
	absolute bool // To is an absolute URL
}

var rewriteBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// apply runs the rules on ctx; it reports whether next should run.
func (rw *Rewriter) apply(ctx *volt.RequestCtx, rules []compiledRule, max int) bool {
	u := ctx.URI()
	for n := 0; ; n++ {
		path := u.Path()
		i, match := matchRule(rules, path)
		if i < 0 {
			return true
		}
		r := &rules[i]
		if r.Redirect == 0 && n == max {
			rw.logger().Error(ErrRewriteLoop.Error(), "uri", string(ctx.Request.Header.RequestURI()), "rewrites", max)
			ctx.Error(volt.StatusMessage(volt.StatusInternalServerError), volt.StatusInternalServerError)
			return false
		}
		bp := rewriteBufPool.Get().(*[]byte)
		out, q := r.expand((*bp)[:0], path, match)
		newPath, query, hasQuery := out[:q], out[q:], r.hasQuery
		if r.Redirect != 0 {
			rw.redirect(ctx, r, newPath, query, hasQuery)
			*bp = out
			rewriteBufPool.Put(bp)
			return false
		}
		changed := !bytes.Equal(newPath, path) || hasQuery
		u.SetPathBytes(newPath)
		if hasQuery {
			u.SetQueryStringBytes(query)
		}
		*bp = out
		rewriteBufPool.Put(bp)
		if r.Last || !changed {
			return true
		}
	}
}

// match returns the index of the first rule matching path and, for a
// Regexp, its submatch indices; -1 if none matches.
func matchRule(rules []compiledRule, path []byte) (int, []int) {
	for i := range rules {
		r := &rules[i]
		if r.Regexp != nil {
			if m := r.Regexp.FindSubmatchIndex(path); m != nil {
				return i, m
			}
			continue
		}
		p := r.Prefix
		if hasPrefix(path, p) && (len(path) == len(p) || p[len(p)-1] == '/' || path[len(p)] == '/') {
			return i, nil
		}
	}
	return -1, nil
}

// expand appends the rewritten path of path to dst, then the rewritten
// query (if the rule has one); it returns the result and where the query
// starts in it.
func (r *compiledRule) expand(dst, path []byte, match []int) ([]byte, int) {
	if r.Regexp != nil {
		dst = r.Regexp.Expand(dst, r.to, path, match)
		q := len(dst)
		if r.hasQuery {
			dst = r.Regexp.Expand(dst, r.query, path, match)
		}
		return dst, q
	}
	dst = append(dst, r.to...)
	dst = append(dst, path[len(r.Prefix):]...)
	q := len(dst)
	return append(dst, r.query...), q
}

func (rw *Rewriter) redirect(ctx *volt.RequestCtx, r *compiledRule, path, query []byte, hasQuery bool) {
	b := getBuf()
	loc := (*b)[:0]
	if r.absolute {
		loc = appendAbsoluteLocation(loc, path)
	} else {
		loc = appendLocationPath(loc, path, true)
	}
	if !hasQuery {
		query = ctx.URI().QueryString()
	}
	if len(query) > 0 {
		loc = append(loc, '?')
		loc = appendLocationQuery(loc, query)
	}
	ctx.Response.Header.SetBytes(strLocation, loc)
	ctx.SetStatusCode(r.Redirect)
	*b = loc
	putBuf(b)
}

func isAbsoluteURL(p []byte) bool {
	return bytes.HasPrefix(p, []byte("https://")) || bytes.HasPrefix(p, []byte("http://")) || bytes.HasPrefix(p, []byte("//"))
}

func (rw *Rewriter) logger() *slog.Logger {
	if rw.Logger != nil {
		return rw.Logger
	}
	return slog.Default()
}
