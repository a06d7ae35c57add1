package router

import (
	"strings"
	"testing"

	"github.com/volthttp/volt"
)

// tag returns middleware that appends name to the X-Trace header.
func tag(name string) Middleware {
	return func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			ctx.Response.Header.Add("X-Trace", name)
			next(ctx)
		}
	}
}

func TestGroups(t *testing.T) {
	r := &Router{}
	r.Use(tag("router"))
	api := r.Group("/api/", tag("api"))
	api.GET("/users/{id}", nameHandler("user"))
	api.GET("", nameHandler("api root"))
	api.GET("/", nameHandler("api slash"))
	admin := api.Group("/admin", tag("admin1"), tag("admin2"))
	admin.Use(tag("admin3"))
	admin.DELETE("/users/{id}", nameHandler("delete"))
	r.GET("/health", nameHandler("health"))
	org := r.Group("/orgs/{org}")
	org.GET("/repos/{repo}", nameHandler("repo"))
	authed := org.Group("", tag("auth"))
	authed.POST("/repos/{repo}", nameHandler("new repo"))

	cases := []struct{ method, target, body, trace string }{
		{"GET", "/api/users/7", "user id=7", "router,api"},
		{"GET", "/api", "api root", "router,api"},
		{"GET", "/api/", "api slash", "router,api"},
		{"DELETE", "/api/admin/users/7", "delete id=7", "router,api,admin1,admin2,admin3"},
		{"GET", "/health", "health", "router"},
		{"GET", "/orgs/volt/repos/router", "repo org=volt repo=router", "router"},
		{"POST", "/orgs/volt/repos/x", "new repo org=volt repo=x", "router,auth"},
		{"GET", "/nope", "Not Found", ""}, // middleware wraps routes, not the 404
	}
	for _, tc := range cases {
		ctx := newCtx(tc.method, tc.target)
		r.Handler(ctx)
		var trace []string
		for k, v := range ctx.Response.Header.All() {
			if string(k) == "X-Trace" {
				trace = append(trace, string(v))
			}
		}
		if string(ctx.Response.Body()) != tc.body || strings.Join(trace, ",") != tc.trace {
			t.Errorf("%s %s: %q trace %q, want %q %q", tc.method, tc.target, ctx.Response.Body(), trace, tc.body, tc.trace)
		}
	}

	func() {
		defer func() {
			if recover() == nil {
				t.Error("Use after routes did not panic")
			}
		}()
		api.Use(tag("late"))
	}()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Router.Use after routes did not panic")
			}
		}()
		r.Use(tag("late"))
	}()
	mustPanic(t, func() { r.Group("api") })
}
