package sse

import (
	"errors"
	"strings"
	"testing"

	"github.com/volthttp/volt"
)

// TestNewCORSRefusesCredentialsWithAnyOrigin: credentials go only with
// an explicit list of origins; "*" and "null" (which any sandboxed page
// or local file sends) are refused with them.
func TestNewCORSRefusesCredentialsWithAnyOrigin(t *testing.T) {
	cases := []struct {
		origins []string
		creds   bool
		err     error
	}{
		{[]string{"*"}, true, ErrCORSCredentialsWithAnyOrigin},
		{[]string{"https://a.test", "*"}, true, ErrCORSCredentialsWithAnyOrigin},
		{[]string{"null"}, true, ErrCORSCredentialsWithAnyOrigin},
		{[]string{"*"}, false, nil},
		{[]string{"null"}, false, nil},
		{[]string{"https://a.test", "http://b.test:8080"}, true, nil},
		{nil, true, nil},
	}
	for _, c := range cases {
		cors, err := NewCORS(c.origins, c.creds)
		if !errors.Is(err, c.err) {
			t.Errorf("NewCORS(%q, %v) = %v, want %v", c.origins, c.creds, err, c.err)
		}
		if err == nil && (strings.Join(cors.AllowOrigins, ",") != strings.Join(c.origins, ",") || cors.AllowCredentials != c.creds) {
			t.Errorf("NewCORS(%q, %v) = %+v", c.origins, c.creds, cors)
		}
	}
}

// TestBrokerHandlerPanicsOnCredentialsWithAnyOrigin: a Broker whose CORS
// allows credentials from any origin refuses to make a handler.
func TestBrokerHandlerPanicsOnCredentialsWithAnyOrigin(t *testing.T) {
	defer func() {
		r := recover()
		err, _ := r.(error)
		if !errors.Is(err, ErrCORSCredentialsWithAnyOrigin) {
			t.Fatalf("recovered %v", r)
		}
	}()
	b := Broker{CORS: CORS{AllowOrigins: []string{"*"}, AllowCredentials: true}}
	b.Handler("t")
	t.Fatal("no panic")
}

// TestCORSNeverReflectsAnyOriginWithCredentials: a CORS built without
// NewCORS and served with Serve still never grants credentials to an
// origin that is not listed, nor to "null".
func TestCORSNeverReflectsAnyOriginWithCredentials(t *testing.T) {
	cases := []struct {
		cors   CORS
		origin string
		want   string // Access-Control-Allow-Origin, "" for none
		creds  bool
	}{
		{CORS{AllowOrigins: []string{"*"}, AllowCredentials: true}, "http://evil.test", "", false},
		{CORS{AllowOrigins: []string{"*"}, AllowCredentials: true}, "null", "", false},
		{CORS{AllowOrigins: []string{"null"}, AllowCredentials: true}, "null", "", false},
		{CORS{AllowOrigins: []string{"*", "http://app.test"}, AllowCredentials: true}, "http://app.test", "http://app.test", true},
		{CORS{AllowOrigins: []string{"http://app.test"}, AllowCredentials: true}, "http://app.test", "http://app.test", true},
		{CORS{AllowOrigins: []string{"http://app.test"}, AllowCredentials: true}, "http://app.test.evil.test", "", false},
		{CORS{AllowOrigins: []string{"*"}}, "null", "*", false},
		{CORS{AllowOrigins: []string{"*"}}, "http://any.test", "*", false},
	}
	for _, c := range cases {
		var b Broker
		b.CORS = c.cors
		srv := memServer(t, func(ctx *volt.RequestCtx) { b.Serve(ctx, "t") })
		rs := openRaw(t, dialMem(t, srv), "/", "Origin: "+c.origin)
		got, creds := rs.resp.Header.Get("Access-Control-Allow-Origin"), rs.resp.Header.Get("Access-Control-Allow-Credentials") == "true"
		if got != c.want || creds != c.creds {
			t.Errorf("%+v, Origin %s: Access-Control-Allow-Origin %q, credentials %v; want %q, %v", c.cors, c.origin, got, creds, c.want, c.creds)
		}
	}
}
