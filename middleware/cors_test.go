package middleware

import (
	"testing"
	"time"

	"github.com/volthttp/volt"
)

func TestCORS(t *testing.T) {
	h := CORS(
		CORSPolicy{
			Origins:       []string{"https://app.example.com", "https://*.tenants.example"},
			Methods:       []string{"GET", "POST", "DELETE"},
			Headers:       []string{"Content-Type", "X-Token"},
			ExposeHeaders: []string{"X-Request-ID", "ETag"},
			Credentials:   true,
			MaxAge:        10 * time.Minute,
		},
		CORSPolicy{Origins: []string{"https://public.example"}},
	)(func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/error" {
			ctx.Response.Reset() // as Recover and Timeout do
			ctx.Error("bad", 400)
			return
		}
		ctx.WriteString("ok")
	})
	type want struct {
		status                       int
		acao, acac, aceh, acam, acah string
		maxAge                       string
		body                         string
	}
	cases := []struct {
		name    string
		method  string
		path    string
		headers []string
		want    want
	}{
		{"no Origin", "GET", "/", nil, want{status: 200, body: "ok"}},
		{"allowed, credentials", "GET", "/", []string{"Origin", "https://app.example.com"},
			want{status: 200, acao: "https://app.example.com", acac: "true", aceh: "X-Request-ID, ETag", body: "ok"}},
		{"wildcard subdomain", "GET", "/", []string{"Origin", "https://a.b.tenants.example"},
			want{status: 200, acao: "https://a.b.tenants.example", acac: "true", aceh: "X-Request-ID, ETag", body: "ok"}},
		{"wildcard needs a subdomain", "GET", "/", []string{"Origin", "https://tenants.example"}, want{status: 200, body: "ok"}},
		{"wildcard keeps the scheme", "GET", "/", []string{"Origin", "http://a.tenants.example"}, want{status: 200, body: "ok"}},
		{"second policy", "GET", "/", []string{"Origin", "https://public.example"},
			want{status: 200, acao: "https://public.example", body: "ok"}},
		{"unknown origin gets no headers", "GET", "/", []string{"Origin", "https://evil.example"}, want{status: 200, body: "ok"}},
		{"headers survive a reset response", "GET", "/error", []string{"Origin", "https://app.example.com"},
			want{status: 400, acao: "https://app.example.com", acac: "true", aceh: "X-Request-ID, ETag", body: "bad"}},
		{"preflight allowed", "OPTIONS", "/", []string{"Origin", "https://app.example.com",
			"Access-Control-Request-Method", "DELETE", "Access-Control-Request-Headers", "x-token, content-type"},
			want{status: 204, acao: "https://app.example.com", acac: "true", acam: "GET, POST, DELETE",
				acah: "Content-Type, X-Token", maxAge: "600"}},
		{"preflight method refused", "OPTIONS", "/", []string{"Origin", "https://app.example.com",
			"Access-Control-Request-Method", "PUT"}, want{status: 403}},
		{"preflight header refused", "OPTIONS", "/", []string{"Origin", "https://app.example.com",
			"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "X-Token, X-Other"}, want{status: 403}},
		{"preflight origin refused", "OPTIONS", "/", []string{"Origin", "https://evil.example",
			"Access-Control-Request-Method", "GET"}, want{status: 403}},
		{"default methods of a policy", "OPTIONS", "/", []string{"Origin", "https://public.example",
			"Access-Control-Request-Method", "DELETE"}, want{status: 403}},
		{"plain OPTIONS goes through", "OPTIONS", "/", []string{"Origin", "https://app.example.com"},
			want{status: 200, acao: "https://app.example.com", acac: "true", aceh: "X-Request-ID, ETag", body: "ok"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newCtx(tc.method, tc.path, tc.headers...)
			h(ctx)
			r := &ctx.Response
			got := want{r.StatusCode(), string(r.Header.Peek("Access-Control-Allow-Origin")),
				string(r.Header.Peek("Access-Control-Allow-Credentials")), string(r.Header.Peek("Access-Control-Expose-Headers")),
				string(r.Header.Peek("Access-Control-Allow-Methods")), string(r.Header.Peek("Access-Control-Allow-Headers")),
				string(r.Header.Peek("Access-Control-Max-Age")), string(r.Body())}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if tc.headers != nil && len(r.Header.Peek("Vary")) == 0 {
				t.Error("no Vary")
			}
		})
	}
}

func TestCORSDefaultAnyOrigin(t *testing.T) {
	h := CORS()(ok)
	ctx := newCtx("GET", "/", "Origin", "https://anywhere.example")
	h(ctx)
	if string(ctx.Response.Header.Peek("Access-Control-Allow-Origin")) != "*" || ctx.Response.Header.Peek("Vary") != nil {
		t.Errorf("ACAO %q Vary %q", ctx.Response.Header.Peek("Access-Control-Allow-Origin"), ctx.Response.Header.Peek("Vary"))
	}
	ctx = newCtx("OPTIONS", "/", "Origin", "https://anywhere.example", "Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "Content-Type")
	h(ctx)
	if ctx.Response.StatusCode() != 204 || string(ctx.Response.Header.Peek("Access-Control-Allow-Headers")) == "" {
		t.Errorf("preflight %d", ctx.Response.StatusCode())
	}
	// Credentials with "*" echo the origin; AllowOrigin decides per origin.
	h = CORS(CORSPolicy{Origins: []string{"*"}, Credentials: true},
		CORSPolicy{AllowOrigin: func(o []byte) bool { return string(o) == "never" }})(ok)
	ctx = newCtx("GET", "/", "Origin", "https://x.example")
	h(ctx)
	if string(ctx.Response.Header.Peek("Access-Control-Allow-Origin")) != "https://x.example" {
		t.Errorf("credentials with *: %q", ctx.Response.Header.Peek("Access-Control-Allow-Origin"))
	}
	h = CORS(CORSPolicy{AllowOrigin: func(o []byte) bool { return string(o) == "https://ok.example" }, Headers: []string{"*"}})(ok)
	for origin, allowed := range map[string]bool{"https://ok.example": true, "https://no.example": false} {
		ctx = newCtx("GET", "/", "Origin", origin)
		h(ctx)
		if got := ctx.Response.Header.Peek("Access-Control-Allow-Origin") != nil; got != allowed {
			t.Errorf("AllowOrigin %s: %v", origin, got)
		}
	}
	ctx = newCtx("OPTIONS", "/", "Origin", "https://ok.example", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "X-Anything")
	h(ctx)
	if string(ctx.Response.Header.Peek("Access-Control-Allow-Headers")) != "X-Anything" {
		t.Errorf("Headers *: %q", ctx.Response.Header.Peek("Access-Control-Allow-Headers"))
	}
}
