package router

import "strings"

// tokenKind is the kind of one piece of a parsed pattern.
type tokenKind uint8

const (
	tokStatic   tokenKind = iota // literal bytes, slashes included
	tokParam                     // "{name}": one non-empty segment
	tokCatchAll                  // "{name...}": the rest of the path, possibly empty
)

// token is one piece of a parsed pattern: literal text, or the name of a
// parameter.
type token struct {
	kind tokenKind
	text string // the literal, or the parameter's name
}

// parsePattern splits a pattern such as "/users/{id}/files/{path...}"
// into tokens and returns the names of its parameters in order. It
// returns a non-empty reason when the pattern is malformed.
//
// A pattern is written in the form RequestCtx.Path returns: it starts with
// '/', has no empty segment ("//") and no dot segment ("." or ".."), and
// a segment is either literal text without '{' and '}', "{name}", or, as
// the last segment only, "{name...}". Names are letters, digits and '_',
// and are unique in a pattern.
func parsePattern(p string) (toks []token, names []string, reason string) {
	if p == "" || p[0] != '/' {
		return nil, nil, "a pattern must start with '/'"
	}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, token{tokStatic, lit.String()})
			lit.Reset()
		}
	}
	rest := p[1:]
	lit.WriteByte('/')
	for {
		seg, more := rest, false
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			seg, rest, more = rest[:i], rest[i+1:], true
		}
		switch {
		case seg == "" && more:
			return nil, nil, "empty segment (\"//\") never matches a normalised path"
		case seg == "." || seg == "..":
			return nil, nil, "dot segment never matches a normalised path"
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
			name, catchAll := seg[1:len(seg)-1], false
			if n, ok := strings.CutSuffix(name, "..."); ok {
				name, catchAll = n, true
			}
			if !validName(name) {
				return nil, nil, "parameter name " + quote(name) + " must be non-empty letters, digits and '_'"
			}
			for _, n := range names {
				if n == name {
					return nil, nil, "parameter " + quote(name) + " appears twice"
				}
			}
			names = append(names, name)
			flush()
			if catchAll {
				if more {
					return nil, nil, "a catch-all parameter {" + name + "...} must be the last segment"
				}
				toks = append(toks, token{tokCatchAll, name})
				return toks, names, ""
			}
			toks = append(toks, token{tokParam, name})
		case strings.ContainsAny(seg, "{}"):
			return nil, nil, "segment " + quote(seg) + ": a parameter must be a whole segment, {name} or {name...}"
		default:
			lit.WriteString(seg)
		}
		if !more {
			break
		}
		lit.WriteByte('/')
	}
	flush()
	return toks, names, ""
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func quote(s string) string { return "\"" + s + "\"" }
