package middleware

import (
	"testing"

	"github.com/volthttp/volt"
)

func TestChain(t *testing.T) {
	var order []string
	mw := func(name string) Middleware {
		return func(next volt.RequestHandler) volt.RequestHandler {
			return func(ctx *volt.RequestCtx) {
				order = append(order, name+">")
				next(ctx)
				order = append(order, "<"+name)
			}
		}
	}
	h := Chain(func(*volt.RequestCtx) { order = append(order, "h") }, mw("a"), mw("b"))
	h(newCtx("GET", "/"))
	if got := len(order); got != 5 || order[0] != "a>" || order[1] != "b>" || order[2] != "h" || order[4] != "<a" {
		t.Errorf("order %v", order)
	}
	Chain(ok)(newCtx("GET", "/")) // no middleware
}
