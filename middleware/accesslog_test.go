package middleware

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/testutil"
)

func TestAccessLogCommon(t *testing.T) {
	var out bytes.Buffer
	h := Chain(func(ctx *volt.RequestCtx) { ctx.WriteString("hello") },
		AccessLog(AccessLogConfig{Output: &out}),
		BasicAuth(BasicAuthConfig{Users: map[string]string{"alice": "pw"}}))
	ctx := newCtx("GET", "/a?b=c", "Authorization", "Basic YWxpY2U6cHc=")
	h(ctx)
	re := regexp.MustCompile(`^0\.0\.0\.0 - alice \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET /a\?b=c HTTP/1\.1" 200 5\n$`)
	if !re.MatchString(out.String()) {
		t.Errorf("line %q", out.String())
	}

	out.Reset()
	ctx = newCtx("GET", "/x")
	h(ctx) // 401 from BasicAuth: no user
	if !strings.Contains(out.String(), `0.0.0.0 - - [`) || !strings.Contains(out.String(), `" 401 12`) {
		t.Errorf("line %q", out.String())
	}
}

func TestAccessLogCombinedEscapes(t *testing.T) {
	var out bytes.Buffer
	h := AccessLog(AccessLogConfig{Format: LogCombined, Output: &out})(func(ctx *volt.RequestCtx) { ctx.SetStatusCode(204) })
	ctx := newCtx("GET", "/p", "Referer", "https://r.example/", "User-Agent", "evil\"\n1.2.3.4 - - [x] \"GET / HTTP/1.1\" 200 1\\")
	h(ctx)
	want := `"GET /p HTTP/1.1" 204 - "https://r.example/" "evil\"\x0a1.2.3.4 - - [x] \"GET / HTTP/1.1\" 200 1\\"` + "\n"
	if !strings.HasSuffix(out.String(), want) || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("line %q\nwant suffix %q", out.String(), want)
	}
}

func TestAccessLogStructured(t *testing.T) {
	var out bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&out, nil))
	h := Chain(func(ctx *volt.RequestCtx) { ctx.SetStatusCode(201); ctx.WriteString("created") },
		RequestID(RequestIDConfig{}),
		AccessLog(AccessLogConfig{Format: LogStructured, Logger: logger}))
	h(newCtx("POST", "/users?x=1", "X-Request-ID", "rid-1"))
	var rec map[string]any
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %q", err, out.String())
	}
	want := map[string]any{"msg": "request", "method": "POST", "path": "/users", "status": 201.0, "bytes": 7.0,
		"remote_ip": "0.0.0.0", "request_id": "rid-1"}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %v", k, rec[k], v)
		}
	}
	if _, ok := rec["duration"].(float64); !ok {
		t.Errorf("duration %v", rec["duration"])
	}
}

// TestAccessLogProxies logs the client behind a trusted proxy, and the
// peer when a client forges the header.
func TestAccessLogProxies(t *testing.T) {
	var out testutil.Buffer
	addr := serveTCP(t, AccessLog(AccessLogConfig{Output: &out, Proxies: Proxies{Trusted: MustParsePrefixes("127.0.0.2")}})(ok))
	dialFrom(t, addr, "127.0.0.2").do("GET", "/", "X-Forwarded-For", "198.51.100.4")
	dialFrom(t, addr, "127.0.0.3").do("GET", "/", "X-Forwarded-For", "198.51.100.5")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "198.51.100.4 ") || !strings.HasPrefix(lines[1], "127.0.0.3 ") {
		t.Errorf("lines %q", lines)
	}
}

// TestAccessLogUnknownClient checks that a client Proxies cannot tell is
// logged as "-", not as the trusted proxy.
func TestAccessLogUnknownClient(t *testing.T) {
	var out bytes.Buffer
	p := Proxies{Trusted: MustParsePrefixes("0.0.0.0/32")}
	h := AccessLog(AccessLogConfig{Output: &out, Proxies: p})(ok)
	h(newCtx("GET", "/", "X-Forwarded-For", "198.51.100.4, junk"))
	if !strings.HasPrefix(out.String(), "- - - [") {
		t.Errorf("line %q", out.String())
	}
	var js bytes.Buffer
	h = AccessLog(AccessLogConfig{Format: LogStructured, Logger: slog.New(slog.NewJSONHandler(&js, nil)), Proxies: p})(ok)
	h(newCtx("GET", "/", repeatField("X-Forwarded-For", "198.51.100.4", MaxForwardedFields+1)...))
	var rec map[string]any
	if err := json.Unmarshal(js.Bytes(), &rec); err != nil || rec["remote_ip"] != "-" {
		t.Errorf("%v %s", err, js.String())
	}
}
