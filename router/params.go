package router

import (
	"iter"
	"sync"

	"github.com/volthttp/volt"
)

// ctxKey is the RequestCtx user-value key under which the router leaves
// what it matched: a *Params for a route with parameters, a *route for
// one without.
type ctxKey struct{}

// Params are the parameters of the route a request matched, in the order
// of the pattern.
//
// The router takes a Params from a pool for each request it routes to a
// route with parameters, and stores it in the RequestCtx; the RequestCtx
// gives it back (through Close) when the request ends. The values point
// into the request's path: like RequestCtx.Path, they are valid until the
// handler returns or the path is changed (URI.SetPath); copy them to keep
// them. A Params must not be kept after the handler returns.
type Params struct {
	route  *route
	values [][]byte
	closed bool
}

var paramsPool = sync.Pool{New: func() any { return new(Params) }}

// Len returns the number of parameters.
func (p *Params) Len() int { return len(p.values) }

// Name returns the name of parameter i (0 <= i < Len()).
func (p *Params) Name(i int) string { return p.route.names[i] }

// Value returns the value of parameter i (0 <= i < Len()).
// The returned slice is valid until the handler returns; copy it to keep it.
func (p *Params) Value(i int) []byte { return p.values[i] }

// Get returns the value of the parameter called name, or nil if the
// route has none of that name. A parameter's value is never empty, but a
// catch-all's may be.
// The returned slice is valid until the handler returns; copy it to keep it.
func (p *Params) Get(name string) []byte {
	for i, n := range p.route.names {
		if n == name {
			if v := p.values[i]; v != nil {
				return v
			}
			return []byte{}
		}
	}
	return nil
}

// All yields each parameter's name and value, in the order of the
// pattern. The values are valid until the handler returns.
func (p *Params) All() iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		for i, v := range p.values {
			if !yield(p.route.names[i], v) {
				return
			}
		}
	}
}

// Pattern returns the pattern of the matched route, such as
// "/users/{id}".
func (p *Params) Pattern() string { return p.route.pattern }

// Close gives p back to its pool. The RequestCtx calls it when the request
// ends (it closes user values that have a Close method); a handler must
// not. Further calls do nothing.
func (p *Params) Close() error {
	if p.closed {
		return nil
	}
	clear(p.values)
	p.values = p.values[:0]
	p.route = nil
	p.closed = true
	paramsPool.Put(p)
	return nil
}

// setMatch records in ctx the route it matched and its parameter values.
// A route without parameters costs one user value and no pool round
// trip.
func setMatch(ctx *volt.RequestCtx, rt *route, path []byte, l *lookup) {
	if l.n == 0 {
		ctx.SetUserValue(ctxKey{}, rt)
		return
	}
	p, ok := ctx.UserValue(ctxKey{}).(*Params)
	if !ok {
		p = paramsPool.Get().(*Params)
		p.closed = false
		ctx.SetUserValue(ctxKey{}, p)
	}
	p.route = rt
	p.values = p.values[:0]
	for _, v := range l.values[:l.n] {
		p.values = append(p.values, path[v[0]:v[1]:v[1]])
	}
}

// ParamsOf returns the parameters of the route the router matched for
// ctx, or nil if it matched none or one without parameters.
func ParamsOf(ctx *volt.RequestCtx) *Params {
	p, _ := ctx.UserValue(ctxKey{}).(*Params)
	return p
}

// Param returns the value of the route parameter called name, or nil.
// For a catch-all parameter ({path...}) it is the rest of the path
// without its leading '/', possibly empty (then Param returns an empty,
// non-nil slice). Values are percent-decoded like RequestCtx.Path: an
// encoded '/', '\\' or '%' stays encoded ("%2F").
// The returned slice is valid until the handler returns; copy it to keep it.
func Param(ctx *volt.RequestCtx, name string) []byte {
	if p := ParamsOf(ctx); p != nil {
		return p.Get(name)
	}
	return nil
}

// Pattern returns the pattern of the route the router matched for ctx,
// such as "/users/{id}", or "" if it matched none (yet). It is a bounded
// label for metrics and logs, unlike the path.
func Pattern(ctx *volt.RequestCtx) string {
	switch v := ctx.UserValue(ctxKey{}).(type) {
	case *Params:
		return v.route.pattern
	case *route:
		return v.pattern
	}
	return ""
}
