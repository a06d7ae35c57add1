package middleware

import (
	"errors"
	"strings"
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

// TestCORSCredentialsAnyOriginRefused checks that a policy that would
// let any origin make credentialed requests is refused when it is built:
// NewCORS returns ErrCORSCredentialsAnyOrigin and CORS panics.
func TestCORSCredentialsAnyOriginRefused(t *testing.T) {
	bad := map[string]CORSPolicy{
		"Origins *":                  {Origins: []string{"*"}, Credentials: true},
		"no Origins, no AllowOrigin": {Credentials: true},
		"* among others":             {Origins: []string{"https://a.example", "*"}, Credentials: true},
		"null":                       {Origins: []string{"null"}, Credentials: true},
		"NULL":                       {Origins: []string{"NULL"}, Credentials: true},
	}
	for name, p := range bad {
		t.Run(name, func(t *testing.T) {
			if m, err := NewCORS(CORSPolicy{Origins: []string{"https://ok.example"}}, p); m != nil || !errors.Is(err, ErrCORSCredentialsAnyOrigin) || !strings.Contains(err.Error(), "policy 1") {
				t.Errorf("NewCORS: %v", err)
			}
			func() {
				defer func() {
					r := recover()
					err, _ := r.(error)
					if !errors.Is(err, ErrCORSCredentialsAnyOrigin) {
						t.Errorf("CORS: recovered %v, want a panic with ErrCORSCredentialsAnyOrigin", r)
					}
				}()
				CORS(CORSPolicy{Origins: []string{"https://ok.example"}}, p)
			}()
		})
	}
}

func TestNewCORSAcceptsCredentialsForListedOrigins(t *testing.T) {
	for _, p := range []CORSPolicy{
		{Origins: []string{"https://a.example", "https://*.b.example"}, Credentials: true},
		{AllowOrigin: func(o []byte) bool { return string(o) == "https://a.example" }, Credentials: true},
		{Origins: []string{"*", "null"}},
		{},
	} {
		if m, err := NewCORS(p); err != nil || m == nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}

// TestCORSNullOrigin checks that the "null" origin (sandboxed frames,
// data: and file: documents, which any page can make) is never matched by
// "*" and never reflected with credentials.
func TestCORSNullOrigin(t *testing.T) {
	cases := []struct {
		name     string
		policies []CORSPolicy
		acao     string
	}{
		{"default policy", nil, ""},
		{"*", []CORSPolicy{{Origins: []string{"*"}}}, ""},
		{"* and an exact origin", []CORSPolicy{{Origins: []string{"*", "https://a.example"}}}, ""},
		{"AllowOrigin accepting all, credentials", []CORSPolicy{{AllowOrigin: func([]byte) bool { return true }, Credentials: true}}, ""},
		{"null listed without credentials", []CORSPolicy{{Origins: []string{"null"}}}, "null"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := CORS(tc.policies...)(ok)
			for _, origin := range []string{"null", "NULL"} {
				ctx := newCtx("GET", "/", "Origin", origin)
				h(ctx)
				got := string(ctx.Response.Header.Peek("Access-Control-Allow-Origin"))
				want := tc.acao
				if want != "" {
					want = origin
				}
				if got != want {
					t.Errorf("Origin %s: ACAO %q, want %q", origin, got, want)
				}
				ctx = newCtx("OPTIONS", "/", "Origin", origin, "Access-Control-Request-Method", "GET")
				h(ctx)
				if got := string(ctx.Response.Header.Peek("Access-Control-Allow-Origin")); got != want {
					t.Errorf("preflight from %s: ACAO %q, want %q", origin, got, want)
				}
			}
		})
	}
}
