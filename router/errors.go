package router

import "errors"

// PatternError is the value a registration method panics with when a
// route pattern is malformed or conflicts with a route registered before
// it, and that Hosts.Handle panics with for a malformed or repeated host
// pattern. Routes are registered at start-up, so a mistake stops the
// program there rather than surfacing as a wrong answer later.
type PatternError struct {
	// Pattern is the pattern being registered, with its method if any
	// ("GET /users/{id}").
	Pattern string
	// Reason says what is wrong with it.
	Reason string
}

func (e *PatternError) Error() string { return "router: " + e.Pattern + ": " + e.Reason }

// ErrRewriteLoop is the reason logged when a request needs more internal
// rewrites than Rewriter.MaxRewrites allows; the request gets 500.
var ErrRewriteLoop = errors.New("router: rewrite loop")
