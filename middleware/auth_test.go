package middleware

import (
	"encoding/base64"
	"testing"

	"github.com/volthttp/volt"
)

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestBasicAuth(t *testing.T) {
	h := BasicAuth(BasicAuthConfig{Realm: `Admin "area"`, Users: map[string]string{"alice": "s3cret", "bob": "hunter2:x"}})(
		func(ctx *volt.RequestCtx) { ctx.WriteString("hello " + BasicAuthUser(ctx)) })
	challenge := `Basic realm="Admin \"area\"", charset="UTF-8"`
	cases := []struct {
		name, auth string
		status     int
		body       string
	}{
		{"right password", basic("alice", "s3cret"), 200, "hello alice"},
		{"password with a colon", basic("bob", "hunter2:x"), 200, "hello bob"},
		{"scheme case-insensitive", "bAsIc " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret")), 200, "hello alice"},
		{"wrong password", basic("alice", "s3cre"), 401, "Unauthorized"},
		{"unknown user", basic("mallory", "s3cret"), 401, "Unauthorized"},
		{"another user's password", basic("alice", "hunter2:x"), 401, "Unauthorized"},
		{"no header", "", 401, "Unauthorized"},
		{"bad base64", "Basic !!!", 401, "Unauthorized"},
		{"no colon", "Basic " + base64.StdEncoding.EncodeToString([]byte("alice")), 401, "Unauthorized"},
		{"other scheme", "Bearer s3cret", 401, "Unauthorized"},
		{"huge", "Basic " + base64.StdEncoding.EncodeToString(make([]byte, 600)), 401, "Unauthorized"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.auth != "" {
				hdr = []string{"Authorization", tc.auth}
			}
			ctx := newCtx("GET", "/", hdr...)
			h(ctx)
			if ctx.Response.StatusCode() != tc.status || string(ctx.Response.Body()) != tc.body {
				t.Errorf("got %d %q", ctx.Response.StatusCode(), ctx.Response.Body())
			}
			if tc.status == 401 && string(ctx.Response.Header.Peek("WWW-Authenticate")) != challenge {
				t.Errorf("challenge %q", ctx.Response.Header.Peek("WWW-Authenticate"))
			}
		})
	}

	// Validate replaces Users.
	h = BasicAuth(BasicAuthConfig{Validate: func(_ *volt.RequestCtx, u, p []byte) bool {
		return string(u) == "svc" && string(p) == "token"
	}})(ok)
	for auth, status := range map[string]int{basic("svc", "token"): 200, basic("svc", "nope"): 401} {
		ctx := newCtx("GET", "/", "Authorization", auth)
		h(ctx)
		if ctx.Response.StatusCode() != status {
			t.Errorf("Validate %q: %d", auth, ctx.Response.StatusCode())
		}
		if status == 401 && string(ctx.Response.Header.Peek("WWW-Authenticate")) != `Basic realm="Restricted", charset="UTF-8"` {
			t.Errorf("default realm: %q", ctx.Response.Header.Peek("WWW-Authenticate"))
		}
	}
}

func TestBearerAuth(t *testing.T) {
	h := BearerAuth(BearerAuthConfig{Realm: "api", Validate: StaticTokens("tok-1", "tok-2")})(ok)
	cases := []struct {
		auth      string
		status    int
		challenge string
	}{
		{"Bearer tok-1", 200, ""},
		{"bearer  tok-2 ", 200, ""},
		{"Bearer tok-3", 401, `Bearer realm="api", error="invalid_token"`},
		{"Bearer tok-", 401, `Bearer realm="api", error="invalid_token"`},
		{"", 401, `Bearer realm="api"`},
		{"Bearer ", 401, `Bearer realm="api"`},
		{"Basic dG9rLTE=", 401, `Bearer realm="api"`},
	}
	for _, tc := range cases {
		var hdr []string
		if tc.auth != "" {
			hdr = []string{"Authorization", tc.auth}
		}
		ctx := newCtx("GET", "/", hdr...)
		h(ctx)
		if ctx.Response.StatusCode() != tc.status || string(ctx.Response.Header.Peek("WWW-Authenticate")) != tc.challenge {
			t.Errorf("%q: %d %q", tc.auth, ctx.Response.StatusCode(), ctx.Response.Header.Peek("WWW-Authenticate"))
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("BearerAuth without Validate did not panic")
		}
	}()
	BearerAuth(BearerAuthConfig{})
}
