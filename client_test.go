package volt

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
)

func TestClientRedirects(t *testing.T) {
	var other string
	addr, _ := clientServer(t, func(ctx *RequestCtx) {
		switch p := string(ctx.Path()); p {
		case "/301":
			ctx.Redirect("/target", 301)
		case "/307":
			ctx.Redirect("/target", 307)
		case "/relative/a":
			ctx.Redirect("b?x=1", 302)
		case "/loop":
			ctx.Redirect("/loop", 302)
		case "/elsewhere":
			ctx.Redirect("http://"+other+"/target", 302)
		case "/nolocation":
			ctx.SetStatusCode(302)
		default:
			fmt.Fprintf(ctx, "%s %s auth=%s body=%s", ctx.Method(), ctx.Request.Header.RequestURI(),
				ctx.Request.Header.Peek("Authorization"), ctx.PostBody())
		}
	})
	other, _ = clientServer(t, func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "other auth=%q host=%s", ctx.Request.Header.Peek("Authorization"), ctx.Host())
	})
	var c Client
	cases := []struct {
		name, method, path, want string
	}{
		{"301-turns-POST-into-GET", "POST", "/301", "GET /target auth=secret body="},
		{"307-keeps-method-and-body", "POST", "/307", "POST /target auth=secret body=data"},
		{"relative-location", "GET", "/relative/a", "GET /relative/b?x=1 auth=secret body="},
		{"other-host-drops-authorization", "GET", "/elsewhere", `other auth="" host=` + other},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, resp := AcquireRequest(), AcquireResponse()
			req.SetRequestURI("http://" + addr + tc.path)
			req.Header.SetMethod(tc.method)
			req.Header.Set("Authorization", "secret")
			if tc.method == "POST" {
				req.SetBodyString("data")
			}
			if err := c.DoRedirects(req, resp, 5); err != nil {
				t.Fatal(err)
			}
			if string(resp.Body()) != tc.want {
				t.Fatalf("got %q, want %q", resp.Body(), tc.want)
			}
		})
	}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/loop")
	if err := c.DoRedirects(req, resp, 3); !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("loop: %v", err)
	}
	req.SetRequestURI("http://" + addr + "/nolocation")
	if err := c.DoRedirects(req, resp, 3); !errors.Is(err, ErrMissingLocation) {
		t.Fatalf("no Location: %v", err)
	}
}

func TestClientGetPost(t *testing.T) {
	addr, _ := clientServer(t, func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "%s a=%s", ctx.Method(), ctx.FormValue("a"))
	})
	var c Client
	status, body, err := c.Get([]byte("prefix:"), "http://"+addr+"/?a=1")
	if err != nil || status != 200 || string(body) != "prefix:GET a=1" {
		t.Fatalf("Get: %d %q %v", status, body, err)
	}
	args := AcquireArgs()
	args.Add("a", "x y")
	status, body, err = c.Post(nil, "http://"+addr+"/", args)
	if err != nil || status != 200 || string(body) != "POST a=x y" {
		t.Fatalf("Post: %d %q %v", status, body, err)
	}
	if _, _, err := c.Get(nil, "ftp://"+addr+"/"); !errors.Is(err, ErrUnsupportedScheme) {
		t.Fatalf("ftp: %v", err)
	}
	var de *DialError
	if _, _, err := c.Get(nil, "http://127.0.0.1:1/"); !errors.As(err, &de) {
		t.Fatalf("refused: %v", err)
	}
}

func TestClientTLS(t *testing.T) {
	cert := testCert(t)
	s := &Server{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, Handler: func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "tls=%v", ctx.IsTLS())
	}}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go s.ServeTLS(ln, "", "")
	t.Cleanup(func() { s.Close() })
	url := "https://" + ln.Addr().String() + "/"

	var untrusting Client
	var te *TLSError
	if _, _, err := untrusting.Get(nil, url); !errors.As(err, &te) {
		t.Fatalf("self-signed without trust: %v", err)
	}
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool.AddCert(leaf)
	c := Client{ConnConfig: ConnConfig{TLSConfig: &tls.Config{RootCAs: pool}}}
	for i := 0; i < 3; i++ {
		if _, body, err := c.Get(nil, url); err != nil || string(body) != "tls=true" {
			t.Fatalf("https: %q %v", body, err)
		}
	}
	if !strings.HasPrefix(url, "https://") {
		t.Fatal(url)
	}
}

// TestClientTLSSessionResumption: new pooled connections to the same host
// resume the TLS session of earlier ones.
func TestClientTLSSessionResumption(t *testing.T) {
	cert := testCert(t)
	s := &Server{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, Handler: func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "%v", ctx.TLSConnectionState().DidResume)
		ctx.Response.Header.SetConnectionClose() // every request on a new connection
	}}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go s.ServeTLS(ln, "", "")
	t.Cleanup(func() { s.Close() })
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool.AddCert(leaf)
	c := Client{ConnConfig: ConnConfig{TLSConfig: &tls.Config{RootCAs: pool}}}
	url := "https://" + ln.Addr().String() + "/"
	var got []string
	for i := 0; i < 3; i++ {
		_, body, err := c.Get(nil, url)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(body))
	}
	if strings.Join(got, ",") != "false,true,true" {
		t.Fatalf("resumed: %v", got)
	}
}

// TestClientRedirect307StreamedBody: a 307 or 308 answer to a request with
// a streamed body, which cannot be sent again, is returned to the caller;
// the request is never resent without its body.
func TestClientRedirect307StreamedBody(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	addr, _ := clientServer(t, func(ctx *RequestCtx) {
		mu.Lock()
		seen = append(seen, string(ctx.Path())+" "+string(ctx.PostBody()))
		mu.Unlock()
		switch string(ctx.Path()) {
		case "/307":
			ctx.Redirect("/target", 307)
		case "/308":
			ctx.Redirect("/target", 308)
		}
	})
	var c Client
	for _, code := range []string{"307", "308"} {
		req, resp := AcquireRequest(), AcquireResponse()
		req.Header.SetMethod("POST")
		req.SetRequestURI("http://" + addr + "/" + code)
		req.SetBodyStream(strings.NewReader("data"), 4)
		if err := c.DoRedirects(req, resp, 5); err != nil {
			t.Fatal(err)
		}
		if got := resp.StatusCode(); got != 307 && got != 308 {
			t.Fatalf("%s: status %d, want the redirect", code, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, ",") != "/307 data,/308 data" {
		t.Fatalf("server saw %q", seen)
	}
}
